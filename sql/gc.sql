--
-- gc: the garbage collector (SPEC section 6).  Which logs go (age, active procs and their
-- previous claims, disabled procs), what stays (ids never go back, also after every log of a
-- topic is gone), whole chunks emptied, ownership, and a rollback collecting nothing.
--
\i test/regress_setup.psql
SET pipeproc.chunk_size = 16;
-- seqs of a topic's stored logs, as text
CREATE FUNCTION pg_temp.seqs(t text) RETURNS text LANGUAGE sql AS $$
  SELECT coalesce(string_agg(split_part(id, '-', 2), ' ' ORDER BY split_part(id, '-', 2)::bigint), '(none)')
  FROM pipeproc.range(t) $$;
CREATE FUNCTION pg_temp.fill(t text, n int) RETURNS int LANGUAGE sql AS $$
  SELECT cardinality(pipeproc.commit(jsonb_agg(jsonb_build_object('topic', t, 'body', jsonb_build_object('n', i)))))
  FROM generate_series(1, n) i $$;

-- the setting: default 30 s, PostgreSQL units, a plain number is milliseconds
SHOW pipeproc.gc_min_prune_time;
SET pipeproc.gc_min_prune_time = 250;
SHOW pipeproc.gc_min_prune_time;
SET pipeproc.gc_min_prune_time = '2min';
SHOW pipeproc.gc_min_prune_time;
SELECT pg_temp.code($$ SET pipeproc.gc_min_prune_time = -1 $$);

-- nothing to collect in an empty database
SELECT pipeproc.gc();

-- a topic with no proc: everything older than gc_min_prune_time goes, younger logs stay
-- (old means committed over 1 s ago here; the young ones are committed just before)
SELECT pg_temp.fill('gc_a', 40);
SET pipeproc.gc_min_prune_time = '1h';
SELECT pipeproc.gc() AS young_logs_stay;
SELECT pg_sleep(1.2);
SET pipeproc.gc_min_prune_time = '1s';
SELECT pg_temp.fill('gc_a', 5) AS five_more;   -- seqs 40-44, young
-- in a rolled-back transaction nothing is collected
BEGIN;
SELECT pipeproc.gc() AS collected_then_rolled_back;
ROLLBACK;
SELECT pg_temp.seqs('gc_a');
SELECT pipeproc.gc() AS collected;
SELECT pg_temp.seqs('gc_a');
SELECT pipeproc.length('gc_a');
-- collected logs cannot be named by :N; ids go on from where they were
SELECT pg_temp.err($$ SELECT * FROM pipeproc.range('gc_a', ':3') $$);
SET pipeproc.gc_min_prune_time = 0;   -- from here on only procs protect logs
SELECT pg_sleep(0.01);
SELECT pipeproc.gc() AS collected;
SELECT pg_temp.seqs('gc_a'), pipeproc.length('gc_a');
SELECT name, length, logs, first_id, last_id FROM pipeproc.topics WHERE name = 'gc_a';
SELECT split_part(pipeproc.commit('gc_a', '{"n": "after"}'), '-', 2) AS next_seq;
SELECT pg_temp.seqs('gc_a');
SELECT pipeproc.drop_topic('gc_a');

-- whole chunks are emptied (TRUNCATE gives their disk space back), not only hidden
SELECT pg_temp.fill('gc_b', 64);   -- chunks 0-3 full
SELECT bytes AS bytes_before FROM pipeproc.topics WHERE name = 'gc_b' \gset
SELECT pg_sleep(0.01);
SELECT pipeproc.gc() AS collected;
SELECT bytes < :bytes_before AS smaller FROM pipeproc.topics WHERE name = 'gc_b';
SELECT pg_temp.seqs('gc_b');

-- procs: an active proc with no previous claim protects every log
SELECT pg_temp.fill('gc_c', 50);
SELECT count(*) FROM pipeproc.proc('gc_c', 'gc_p1', count => 10);
SELECT pg_sleep(0.01);
SELECT pipeproc.gc() AS nothing;
SELECT pipeproc.ack('gc_p1') IS NOT NULL AS acked;
SELECT count(*) FROM pipeproc.proc('gc_c', 'gc_p1', count => 10);
SELECT pipeproc.ack('gc_p1') IS NOT NULL AS acked;
SELECT count(*) FROM pipeproc.proc('gc_c', 'gc_p1', count => 10);
-- now its previous claim is seqs 10-19: it protects 10 on
SELECT split_part(split_part(previous_claimed_range, '..', 1), '-', 2) AS protects_from
FROM pipeproc.procs WHERE name = 'gc_p1';
SELECT pipeproc.gc() AS collected;
SELECT pg_temp.seqs('gc_c');
-- the lowest protection of all active procs wins: a second proc that never claimed
SELECT pipeproc.ack('gc_p1') IS NOT NULL AS acked;
SELECT count(*) FROM pipeproc.proc('gc_c', 'gc_p1', count => 10);
SELECT count(*) FROM pipeproc.proc('gc_c', 'gc_p2', count => 1);
SELECT pipeproc.gc() AS nothing;
-- a disabled proc protects nothing; the proc still reads on from its place when resumed
SELECT status FROM pipeproc.disable_proc('gc_p2');
SELECT pipeproc.gc() AS collected;
SELECT pg_temp.seqs('gc_c');
SELECT status FROM pipeproc.disable_proc('gc_p1');
SELECT pipeproc.gc() AS collected;
SELECT pg_temp.seqs('gc_c');
SELECT pg_temp.fill('gc_c', 2) AS two_more;
SELECT status FROM pipeproc.resume_proc('gc_p1');
SELECT pipeproc.reclaim('gc_p1') IS NOT NULL AS reclaimed;
SELECT string_agg(split_part(id, '-', 2), ' ') AS next_claim FROM pipeproc.proc('gc_c', 'gc_p1', count => 10);

-- ownership: gc() collects only the caller's topics (a superuser's: all)
CREATE ROLE regress_pipeproc_gc_owner;
CREATE ROLE regress_pipeproc_gc_other;
SET ROLE regress_pipeproc_gc_owner;
SELECT pg_temp.fill('gc_d', 5);
RESET ROLE;
SELECT pg_sleep(0.01);
SET ROLE regress_pipeproc_gc_other;
SELECT pipeproc.gc() AS not_mine;
SET ROLE regress_pipeproc_gc_owner;
SELECT pipeproc.gc() AS mine;
RESET ROLE;
SELECT logs FROM pipeproc.topics WHERE name = 'gc_d';

SELECT count(*) AS dropped
FROM pipeproc.topics t, LATERAL (SELECT 1 FROM pipeproc.drop_topic(t.name)) d
WHERE t.name LIKE 'gc\_%';
DROP ROLE regress_pipeproc_gc_owner;
DROP ROLE regress_pipeproc_gc_other;
