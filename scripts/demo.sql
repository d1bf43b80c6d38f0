-- scripts/demo.sql — a narrated tour of pipeproc, run by scripts/demo.sh in database "demo".
-- psql runs it without ON_ERROR_STOP: a statement that fails prints its error and the tour
-- goes on. Statements marked "(expected error)" fail on purpose.
\set ON_ERROR_STOP 0
\pset null '(null)'
\pset pager off
\x auto
\set ECHO queries
\set VERBOSITY default
-- Fallback values, so that one failing statement does not break the ones after it.
\set id1 ''
\set id2 ''
\set id5 ''
\set ids ''
\set batch_ts ''

\echo
\echo '######################################################################'
\echo '# 1. Writing: commit logs to topics'
\echo '######################################################################'
\echo
\echo '--- commit(topic, body) appends one JSON log and returns its id "<ms>-<seq>".'
\echo '--- The topic "orders" is created by its first log.'
SELECT pipeproc.commit('orders', '{"order": 1, "item": "book", "qty": 1}') AS id1 \gset
\echo '    => id1 =' :id1
SELECT pipeproc.commit('orders', '{"order": 2, "item": "pen", "qty": 3}') AS id2 \gset
\echo '    => id2 =' :id2
\echo
\echo '--- commit(logs jsonb) commits a batch (any topics) in one call; all logs of one'
\echo '--- call share one timestamp. Returns the ids in input order.'
SELECT c.ids, split_part(c.ids[1], '-', 1) AS batch_ts
  FROM pipeproc.commit('[
    {"topic": "orders",   "body": {"order": 3, "item": "lamp", "qty": 1}},
    {"topic": "orders",   "body": {"order": 4, "item": "desk", "qty": 2}},
    {"topic": "payments", "body": {"order": 1, "amount": 12.5}}
  ]'::jsonb) AS c(ids) \gset
\echo '    => ids =' :ids
\echo '    => batch timestamp =' :batch_ts
\echo
\echo '--- A log body must be a JSON object or array (expected error):'
SELECT pipeproc.commit('orders', '42');

\echo
\echo '######################################################################'
\echo '# 2. Reading: range, revrange, length, the topics view'
\echo '######################################################################'
\echo
\echo '--- The whole topic, oldest first:'
SELECT * FROM pipeproc.range('orders');
\echo '--- Between two ids, inclusive:'
SELECT * FROM pipeproc.range('orders', :'id1', :'id2');
\echo '--- Strictly after id1 (exclusive => true):'
SELECT * FROM pipeproc.range('orders', :'id1', NULL, exclusive => true);
\echo '--- By position (":N" = the log with seq N), from :1 to :2:'
SELECT * FROM pipeproc.range('orders', ':1', ':2');
\echo '--- By timestamp: a bare millisecond timestamp covers every log of that ms (the batch):'
SELECT * FROM pipeproc.range('orders', :'batch_ts', :'batch_ts');
\echo '--- The first two logs (count):'
SELECT * FROM pipeproc.range('orders', count => 2);
\echo '--- revrange: newest first; start is the upper bound. The last two:'
SELECT * FROM pipeproc.revrange('orders', count => 2);
\echo '--- revrange from :3 down to :1:'
SELECT * FROM pipeproc.revrange('orders', ':3', ':1');
\echo '--- length(topic) = last seq + 1:'
SELECT pipeproc.length('orders') AS orders_length, pipeproc.length('payments') AS payments_length;
\echo '--- A topic that was never created (expected error):'
SELECT pipeproc.length('no_such_topic');
\echo '--- The topics view:'
SELECT * FROM pipeproc.topics ORDER BY name;

\echo
\echo '######################################################################'
\echo '# 3. Procs: claim, ack, reclaim, ack_commit'
\echo '######################################################################'
\echo
\echo '--- proc(topic, name, ...) creates the proc "billing" on first use and claims'
\echo '--- up to count logs after its cursor (from_offset ">" = from the beginning):'
SELECT * FROM pipeproc.proc('orders', 'billing', count => 2);
\echo '--- While that claim is pending, proc returns nothing:'
SELECT * FROM pipeproc.proc('orders', 'billing', count => 2);
\echo '--- ack(name) finishes the claim and returns the acked range:'
SELECT pipeproc.ack('billing') AS acked;
\echo '--- The next claim continues after the acked logs:'
SELECT * FROM pipeproc.proc('orders', 'billing', count => 2);
\echo '--- reclaim(name) gives the claim back (reclaims + 1); returns the range the proc'
\echo '--- falls back to, i.e. its last acked range:'
SELECT pipeproc.reclaim('billing') AS falls_back_to;
\echo '--- ... so the same logs are claimed again:'
SELECT * FROM pipeproc.proc('orders', 'billing', count => 2);
\echo '--- ack_commit(name, topic, body): ack the claim and commit a result, atomically:'
SELECT * FROM pipeproc.ack_commit('billing', 'invoices', '{"invoice": 1, "orders": [3, 4]}');
SELECT * FROM pipeproc.range('invoices');
\echo '--- Nothing is claimed now, so ack_commit commits nothing and fails (expected error):'
SELECT * FROM pipeproc.ack_commit('billing', 'invoices', '{"invoice": 2}');
\echo '--- A proc name is unique across topics (expected error):'
SELECT * FROM pipeproc.proc('payments', 'billing');
\echo '--- inspect_proc(name): one row of the procs view:'
\x on
SELECT * FROM pipeproc.inspect_proc('billing');
\x auto
\echo '--- A second proc, "audit", that only wants logs committed after it was created ("$>"):'
SELECT * FROM pipeproc.proc('orders', 'audit', from_offset => '$>');
SELECT pipeproc.commit('orders', '{"order": 5, "item": "chair", "qty": 4}') AS id5 \gset
\echo '    => committed' :id5
SELECT * FROM pipeproc.proc('orders', 'audit');
\echo '--- The procs view (lag = logs committed after the last acked one):'
SELECT name, topic, from_offset, status, last_claimed_range, last_acked_range,
       previous_claimed_range, pending, reclaims, lag
  FROM pipeproc.procs ORDER BY name;

\echo
\echo '######################################################################'
\echo '# 4. System procs: a processor function run on every log'
\echo '######################################################################'
\echo
\echo '--- A processor takes a log body and returns jsonb (NULL = just ack):'
CREATE FUNCTION public.order_total(body jsonb) RETURNS jsonb
  LANGUAGE sql IMMUTABLE
  AS $$ SELECT jsonb_build_object('order', body -> 'order',
                                  'total', coalesce((body ->> 'qty')::int, 0) * 10) $$;
\echo '--- system_proc(name, from_topic, processor, to_topics): every order -> "totals":'
SELECT name, topic, status FROM pipeproc.system_proc('totals', 'orders',
       'public.order_total(jsonb)', ARRAY['totals']);
\if :ERROR
\echo '--- (system_proc failed: skipping the rest of part 4)'
\else
\echo '--- run_system_procs() runs the system procs in this session until they have no work'
\echo '--- (each claim processed, its results committed and acked in one subtransaction;'
\echo '--- schedule it with pg_cron, background workers are not built yet):'
SELECT pipeproc.run_system_procs() AS processed_here;
SELECT * FROM pipeproc.range('totals');
\echo '--- The system_procs view:'
\x on
SELECT * FROM pipeproc.system_procs;
\x auto
\endif

\echo
\echo '######################################################################'
\echo '# 5. Live procs: notifications with LISTEN/NOTIFY'
\echo '######################################################################'
\echo
\echo '--- live_proc(topic) creates a proc that follows new logs and names a channel:'
SELECT name AS live_name, channel AS live_channel
  FROM pipeproc.live_proc('orders', name => 'watcher') \gset
\if :ERROR
\echo '--- (live_proc failed: skipping the rest of part 5)'
\else
\echo '    => proc' :live_name 'notifies channel' :live_channel
LISTEN :"live_channel";
\echo '--- Commit a log; psql shows the notification after the statement:'
SELECT pipeproc.commit('orders', '{"order": 6, "item": "shelf", "qty": 1}') AS id6;
\echo '--- The listener takes the new log with proc and acks it:'
SELECT * FROM pipeproc.proc('orders', :'live_name');
SELECT pipeproc.ack(:'live_name') AS acked;
UNLISTEN *;
\endif

\echo
\echo '######################################################################'
\echo '# 6. Garbage collection'
\echo '######################################################################'
\echo
\echo '--- 1,000 click logs in a topic that no proc reads:'
SELECT cardinality(pipeproc.commit(jsonb_agg(jsonb_build_object('topic', 'clicks',
         'body', jsonb_build_object('n', i))))) AS committed
  FROM generate_series(1, 1000) i;
\echo '--- gc() collects logs older than pipeproc.gc_min_prune_time (30 s by default) that no'
\echo '--- active proc protects. For the demo, any log older than 100 ms may go:'
SET pipeproc.gc_min_prune_time = '100ms';
SELECT pg_sleep(0.2);
SELECT pipeproc.gc() AS collected;
\echo '--- "clicks" is empty now but keeps counting; on "orders" the active procs protect'
\echo '--- their logs (each from the first log of its previous claim on):'
SELECT name, length, logs, first_id, last_id FROM pipeproc.topics ORDER BY name;
RESET pipeproc.gc_min_prune_time;

\echo
\echo '--- Finally, all procs and topics:'
SELECT name, topic, status, last_acked_range, pending, reclaims, lag
  FROM pipeproc.procs ORDER BY name;
SELECT * FROM pipeproc.topics ORDER BY name;
