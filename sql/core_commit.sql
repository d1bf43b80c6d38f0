--
-- core_commit: commit (one log and a batch), create_topic, drop_topic, the topics
-- view, and commit taking part in the caller's transaction (SPEC sections 1 and 2).
--
-- Log ids are '<ts>-<seq>' with ts the wall clock in ms, so raw ids are never printed:
-- the tests print the seq (split_part(id, '-', 2)) and check the ts in SQL.
--
\i test/regress_setup.psql

-- the view's columns
SELECT attname, format_type(atttypid, atttypmod)
FROM pg_attribute
WHERE attrelid = 'pipeproc.topics'::regclass AND attnum > 0 AND NOT attisdropped
ORDER BY attnum;

SELECT pg_temp.state() AS state0 \gset

--
-- commit(topic, body): one log
--
SELECT pipeproc.commit('core_c1', '{"n": 0}') AS id0 \gset
SELECT :'id0' ~ '^\d{13}-\d+$' AS well_formed,
       split_part(:'id0', '-', 2) AS seq,
       abs(split_part(:'id0', '-', 1)::bigint
           - (extract(epoch FROM clock_timestamp()) * 1000)::bigint) < 60000 AS ts_is_now;
-- the topic was created by its first log
SELECT name, length, logs, unlogged FROM pipeproc.topics WHERE name = 'core_c1';
-- a body may be any object or array, empty ones too
SELECT pipeproc.commit('core_c1', '[1, "two", {"three": 3}]') AS id1 \gset
SELECT pipeproc.commit('core_c1', '{}') AS id2 \gset
SELECT pipeproc.commit('core_c1', '[]') AS id3 \gset
SELECT pipeproc.commit('core_c1', '{"nested": {"a": [1, {"b": null}]}, "u": "ü"}') AS id4 \gset
SELECT split_part(:'id1', '-', 2) AS seq1, split_part(:'id2', '-', 2) AS seq2,
       split_part(:'id3', '-', 2) AS seq3, split_part(:'id4', '-', 2) AS seq4;
-- ts never decreases as seq grows
SELECT split_part(:'id0', '-', 1)::bigint <= split_part(:'id1', '-', 1)::bigint
   AND split_part(:'id1', '-', 1)::bigint <= split_part(:'id2', '-', 1)::bigint
   AND split_part(:'id2', '-', 1)::bigint <= split_part(:'id3', '-', 1)::bigint
   AND split_part(:'id3', '-', 1)::bigint <= split_part(:'id4', '-', 1)::bigint AS ts_non_decreasing;
-- the ids returned are the ids stored
SELECT id = (ARRAY[:'id0', :'id1', :'id2', :'id3', :'id4'])[split_part(id, '-', 2)::int + 1] AS returned_id,
       split_part(id, '-', 2) AS seq, body
FROM pipeproc.range('core_c1');
SELECT pipeproc.length('core_c1');

--
-- commit(logs): a batch over several topics
--
CREATE TEMP TABLE batch AS
SELECT u.ord, u.id
FROM unnest(pipeproc.commit('[
  {"topic": "core_b1", "body": {"i": 1}},
  {"topic": "core_b2", "body": {"i": 2}},
  {"topic": "core_b1", "body": {"i": 3}},
  {"topic": "core_c1", "body": {"i": 4}},
  {"topic": "core_b2", "body": [5]},
  {"topic": "core_b1", "body": {"i": 6}}
]')) WITH ORDINALITY AS u(id, ord);
-- ids in input order; seqs per topic, new topics start at 0
SELECT ord, split_part(id, '-', 2) AS seq, id ~ '^\d{13}-\d+$' AS well_formed
FROM batch ORDER BY ord;
-- all logs of one call share one ts, not before the previous commit's
SELECT count(DISTINCT split_part(id, '-', 1)) AS distinct_ts,
       min(split_part(id, '-', 1)::bigint) >= split_part(:'id4', '-', 1)::bigint AS after_previous
FROM batch;
-- every returned id is stored with its body
SELECT b.ord, r.topic, r.body
FROM batch b
JOIN (SELECT 'core_b1' AS topic, * FROM pipeproc.range('core_b1')
      UNION ALL SELECT 'core_b2', * FROM pipeproc.range('core_b2')
      UNION ALL SELECT 'core_c1', * FROM pipeproc.range('core_c1')) r
  ON r.id = b.id
 AND r.topic = (ARRAY['core_b1', 'core_b2', 'core_b1', 'core_c1', 'core_b2', 'core_b1'])[b.ord]
ORDER BY b.ord;
SELECT split_part(id, '-', 2) AS seq, body FROM pipeproc.range('core_b1');
SELECT split_part(id, '-', 2) AS seq, body FROM pipeproc.range('core_b2');
SELECT pipeproc.length('core_b1') AS b1, pipeproc.length('core_b2') AS b2,
       pipeproc.length('core_c1') AS c1;
-- a batch of one
SELECT array_length(ids, 1) AS n, split_part(ids[1], '-', 2) AS seq
FROM pipeproc.commit('[{"topic": "core_b2", "body": {"one": true}}]') AS ids;
-- a batch to one topic: consecutive seqs, one ts
SELECT array_agg(split_part(id, '-', 2) ORDER BY ord) AS seqs,
       count(DISTINCT split_part(id, '-', 1)) AS distinct_ts
FROM unnest(pipeproc.commit('[{"topic": "core_b3", "body": {"k": 0}},
                              {"topic": "core_b3", "body": {"k": 1}},
                              {"topic": "core_b3", "body": {"k": 2}}]'))
     WITH ORDINALITY AS u(id, ord);

--
-- the topics view
--
SELECT name, length, logs,
       split_part(first_id, '-', 2) AS first_seq, split_part(last_id, '-', 2) AS last_seq,
       created_at <= now() AS created_before_now, unlogged, bytes > 0 AS has_bytes
FROM pipeproc.topics WHERE name LIKE 'core\_%' ORDER BY name;
SELECT first_id = :'id0' AS first_is_id0,
       last_id = (SELECT id FROM batch WHERE ord = 4) AS last_is_batch_log
FROM pipeproc.topics WHERE name = 'core_c1';

--
-- create_topic
--
SELECT 'ok' AS create_topic FROM pipeproc.create_topic('core_empty');
SELECT name, length, logs, first_id, last_id, unlogged, bytes >= 0 AS bytes_ok
FROM pipeproc.topics WHERE name = 'core_empty';
SELECT pipeproc.length('core_empty');
SELECT count(*) FROM pipeproc.range('core_empty');
SELECT count(*) FROM pipeproc.revrange('core_empty');
SELECT split_part(pipeproc.commit('core_empty', '{"first": true}'), '-', 2) AS seq;
-- tablespace NULL or pg_default, named and positional arguments
SELECT 'ok' AS create_topic FROM pipeproc.create_topic('core_ts_null', false, NULL);
SELECT 'ok' AS create_topic FROM pipeproc.create_topic('core_ts_default', tablespace => 'pg_default');
SELECT 'ok' AS create_topic FROM pipeproc.create_topic(topic => 'core_ts_default2', unlogged => false, tablespace => 'pg_default');
SELECT split_part(pipeproc.commit('core_ts_null', '{"t": 1}'), '-', 2) AS seq;
SELECT split_part(pipeproc.commit('core_ts_default', '{"t": 2}'), '-', 2) AS seq;
SELECT split_part(pipeproc.commit('core_ts_default2', '{"t": 3}'), '-', 2) AS seq;
SELECT body FROM pipeproc.range('core_ts_default');
-- unlogged: the topic's storage is unlogged
SELECT count(*) AS unlogged0 FROM pg_class WHERE relpersistence = 'u' \gset
SELECT 'ok' AS create_topic FROM pipeproc.create_topic('core_unlogged', true);
SELECT 'ok' AS create_topic FROM pipeproc.create_topic('core_unlogged2', unlogged => true, tablespace => 'pg_default');
SELECT split_part(pipeproc.commit('core_unlogged', '{"u": 1}'), '-', 2) AS seq;
SELECT split_part(pipeproc.commit('core_unlogged', '{"u": 2}'), '-', 2) AS seq;
SELECT split_part(pipeproc.commit('core_unlogged2', '{"u": 3}'), '-', 2) AS seq;
SELECT split_part(id, '-', 2) AS seq, body FROM pipeproc.range('core_unlogged');
SELECT count(*) > :unlogged0 AS has_unlogged_storage FROM pg_class WHERE relpersistence = 'u';
SELECT name, length, unlogged FROM pipeproc.topics
WHERE name IN ('core_unlogged', 'core_unlogged2', 'core_ts_null', 'core_ts_default', 'core_ts_default2')
ORDER BY name;
-- a real tablespace: the topic's storage lives there, and drop_topic empties it
SET allow_in_place_tablespaces = true;
CREATE TABLESPACE regress_pipeproc_ts LOCATION '';
RESET allow_in_place_tablespaces;
SELECT 'ok' AS create_topic FROM pipeproc.create_topic('core_ts', false, 'regress_pipeproc_ts');
SELECT split_part(pipeproc.commit('core_ts', '{"in": "tablespace"}'), '-', 2) AS seq;
SELECT split_part(id, '-', 2) AS seq, body FROM pipeproc.range('core_ts');
SELECT count(*) > 0 AS uses_tablespace
FROM pg_class c JOIN pg_tablespace t ON t.oid = c.reltablespace
WHERE t.spcname = 'regress_pipeproc_ts';
SELECT 'ok' AS drop_topic FROM pipeproc.drop_topic('core_ts');
DROP TABLESPACE regress_pipeproc_ts;
-- create_topic of an existing topic, whether created explicitly or by a commit
SELECT pg_temp.err($q$ SELECT pipeproc.create_topic('core_empty') $q$);
SELECT pg_temp.err($q$ SELECT pipeproc.create_topic('core_c1', true) $q$);
SELECT length, logs, unlogged FROM pipeproc.topics WHERE name = 'core_c1';

--
-- drop_topic
--
SELECT count(*) AS rels0 FROM pg_class WHERE relpersistence <> 't' \gset
SELECT 'ok' AS drop_topic FROM pipeproc.drop_topic('core_b1');
SELECT count(*) FROM pipeproc.topics WHERE name = 'core_b1';
SELECT pg_temp.err($q$ SELECT * FROM pipeproc.range('core_b1') $q$);
SELECT pg_temp.err($q$ SELECT * FROM pipeproc.revrange('core_b1') $q$);
SELECT pg_temp.err($q$ SELECT pipeproc.length('core_b1') $q$);
SELECT pg_temp.err($q$ SELECT pipeproc.drop_topic('core_b1') $q$);
-- other topics are untouched
SELECT split_part(id, '-', 2) AS seq, body FROM pipeproc.range('core_b2');
-- a commit after the drop makes a new topic: seq starts at 0 again
SELECT split_part(pipeproc.commit('core_b1', '{"again": true}'), '-', 2) AS seq;
SELECT split_part(id, '-', 2) AS seq, body FROM pipeproc.range('core_b1');
SELECT name, length, logs FROM pipeproc.topics WHERE name = 'core_b1';
-- a topic made and dropped leaves no relation behind
SELECT count(*) AS rels1 FROM pg_class WHERE relpersistence <> 't' \gset
SELECT split_part(pipeproc.commit('core_tmp', '{"x": 1}'), '-', 2) AS seq;
SELECT 'ok' AS create_topic FROM pipeproc.create_topic('core_tmp2');
SELECT 'ok' AS drop_topic FROM pipeproc.drop_topic('core_tmp');
SELECT 'ok' AS drop_topic FROM pipeproc.drop_topic('core_tmp2');
SELECT count(*) = :rels1 AS storage_removed FROM pg_class WHERE relpersistence <> 't';
-- drop_topic takes part in the transaction too
BEGIN;
SELECT 'ok' AS drop_topic FROM pipeproc.drop_topic('core_c1');
SELECT count(*) FROM pipeproc.topics WHERE name = 'core_c1';
ROLLBACK;
SELECT pipeproc.length('core_c1');
SELECT count(*) FROM pipeproc.range('core_c1');
-- drop and re-create in one transaction
BEGIN;
SELECT 'ok' AS drop_topic FROM pipeproc.drop_topic('core_b2');
SELECT split_part(pipeproc.commit('core_b2', '{"reborn": true}'), '-', 2) AS seq;
COMMIT;
SELECT split_part(id, '-', 2) AS seq, body FROM pipeproc.range('core_b2');

--
-- commit takes part in the caller's transaction
--
SELECT pg_temp.state() AS state1 \gset
BEGIN;
SELECT split_part(pipeproc.commit('core_rb', '{"n": 1}'), '-', 2) AS seq;
SELECT array_agg(split_part(id, '-', 2) ORDER BY ord) AS seqs
FROM unnest(pipeproc.commit('[{"topic": "core_rb", "body": {"n": 2}},
                              {"topic": "core_rb2", "body": {"n": 3}},
                              {"topic": "core_c1", "body": {"n": 4}}]'))
     WITH ORDINALITY AS u(id, ord);
-- the transaction sees its own logs
SELECT split_part(id, '-', 2) AS seq, body FROM pipeproc.range('core_rb');
SELECT name, length, logs FROM pipeproc.topics WHERE name LIKE 'core\_rb%' ORDER BY name;
ROLLBACK;
-- a rollback leaves no trace: no topic, no log
SELECT count(*) FROM pipeproc.topics WHERE name LIKE 'core\_rb%';
SELECT pg_temp.err($q$ SELECT * FROM pipeproc.range('core_rb') $q$);
SELECT pg_temp.err($q$ SELECT pipeproc.length('core_rb2') $q$);
SELECT pipeproc.length('core_c1');
SELECT pg_temp.state() = :'state1' AS no_trace;
-- the topic whose creation was rolled back is new when it comes again: seq 0
SELECT split_part(pipeproc.commit('core_rb', '{"n": 5}'), '-', 2) AS seq;
-- a rolled-back commit to an existing topic may leave a gap in seq, nothing else
BEGIN;
SELECT split_part(pipeproc.commit('core_rb', '{"n": 6}'), '-', 2) AS seq;
ROLLBACK;
SELECT pipeproc.commit('core_rb', '{"n": 7}') AS id_after \gset
SELECT split_part(:'id_after', '-', 2)::int IN (1, 2) AS seq_1_or_after_gap;
SELECT body FROM pipeproc.range('core_rb');
SELECT pipeproc.length('core_rb') = split_part(:'id_after', '-', 2)::int + 1 AS length_is_last_seq_plus_1,
       (SELECT logs FROM pipeproc.topics WHERE name = 'core_rb') AS logs;
-- savepoints: the rolled-back part leaves nothing, the rest stays
BEGIN;
SELECT split_part(pipeproc.commit('core_sp', '{"keep": 1}'), '-', 2) AS seq;
SAVEPOINT s1;
SELECT split_part(pipeproc.commit('core_sp', '{"drop": 1}'), '-', 2) AS seq;
SELECT split_part(pipeproc.commit('core_sp2', '{"drop": 2}'), '-', 2) AS seq;
ROLLBACK TO SAVEPOINT s1;
SELECT pipeproc.commit('core_sp', '{"keep": 2}') IS NOT NULL AS committed;
COMMIT;
SELECT body FROM pipeproc.range('core_sp');
SELECT count(*) FROM pipeproc.topics WHERE name = 'core_sp2';
SELECT split_part(pipeproc.commit('core_sp2', '{"fresh": true}'), '-', 2) AS seq;
-- an error aborts the transaction and its logs
BEGIN;
SELECT split_part(pipeproc.commit('core_abort', '{"n": 1}'), '-', 2) AS seq;
SELECT 1 / 0;
COMMIT;
SELECT count(*) FROM pipeproc.topics WHERE name = 'core_abort';

--
-- clean up
--
--
-- creation and removal undone by a savepoint: a dropped-then-restored topic goes on with
-- its seqs; a topic created in a rolled-back savepoint is gone, and the name is free
--
SELECT split_part(pipeproc.commit('core_svp', '{"n": 0}'), '-', 2) AS seq;
BEGIN;
SAVEPOINT a;
SELECT 'ok' AS dropped FROM pipeproc.drop_topic('core_svp');
ROLLBACK TO a;
SAVEPOINT b;
SELECT split_part(pipeproc.commit('core_svp_new', '{"n": 0}'), '-', 2) AS seq;
ROLLBACK TO b;
SELECT split_part(pipeproc.commit('core_svp', '{"n": 1}'), '-', 2) AS seq;
COMMIT;
SELECT split_part(pipeproc.commit('core_svp', '{"n": 2}'), '-', 2) AS seq;
SELECT string_agg(body->>'n', ' ') AS bodies FROM pipeproc.range('core_svp');
SELECT count(*) AS core_svp_new_exists FROM pipeproc.topics WHERE name = 'core_svp_new';
SELECT split_part(pipeproc.commit('core_svp_new', '{"n": 0}'), '-', 2) AS seq;

SELECT count(*) AS dropped
FROM pipeproc.topics t, LATERAL (SELECT 1 FROM pipeproc.drop_topic(t.name)) d
WHERE t.name LIKE 'core\_%';
SELECT pg_temp.state() = :'state0' AS clean;
