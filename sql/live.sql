--
-- live: live_proc (SPEC section 6): the proc it makes, its channel, its modes, calling it
-- again, generated names, and its errors.  Notifications themselves are shown by the
-- isolation spec live_notify and the TAP test 003_live.
--
\i test/regress_setup.psql

SELECT pipeproc.commit('lv_t', '{"n": 0}') IS NOT NULL AS committed;
-- 'live' (the default) follows logs committed from now on: offset "$>"
SELECT name, channel FROM pipeproc.live_proc('lv_t', name => 'lv_live');
-- 'all' reads the topic from its first log: offset ">"
SELECT name, channel FROM pipeproc.live_proc('lv_t', 'all', 5, 'lv_all');
SELECT name, topic, from_offset, status, max_reclaims, on_max_reclaims
FROM pipeproc.procs WHERE name LIKE 'lv\_%' ORDER BY name;
SELECT pipeproc.commit('lv_t', '{"n": 1}') IS NOT NULL AS committed;
SELECT body->>'n' AS n FROM pipeproc.proc('lv_t', 'lv_live', count => 10);
SELECT body->>'n' AS n FROM pipeproc.proc('lv_t', 'lv_all', count => 10);
-- never disabled by reclaims: 12 reclaims, more than proc's default limit of 10
DO $$ BEGIN
  FOR i IN 1 .. 12 LOOP
    PERFORM pipeproc.reclaim('lv_all');
    PERFORM count(*) FROM pipeproc.proc('lv_t', 'lv_all', count => 10);
  END LOOP;
END $$;
SELECT status, reclaims, pending FROM pipeproc.procs WHERE name = 'lv_all';
-- calling it again with the same name on the same topic returns the same proc
SELECT name, channel FROM pipeproc.live_proc('lv_t', name => 'lv_live');
SELECT count(*) FROM pipeproc.procs WHERE name LIKE 'lv\_%';
-- without a name, one is made up: live:<topic>:<8 hex digits>
SELECT name ~ '^live:lv_t:[0-9a-f]{8}$' AS generated, channel FROM pipeproc.live_proc('lv_t');
-- a topic that does not exist yet is created, as its first commit would create it
SELECT channel FROM pipeproc.live_proc('lv_new', name => 'lv_new_p');
SELECT name, length FROM pipeproc.topics WHERE name = 'lv_new';

-- errors
SELECT pg_temp.err($$ SELECT * FROM pipeproc.live_proc('lv_t', 'sometimes') $$);
SELECT pg_temp.err($$ SELECT * FROM pipeproc.live_proc('lv_t', count => 0) $$);
SELECT pg_temp.err($$ SELECT * FROM pipeproc.live_proc('lv_t', count => NULL) $$);
SELECT pg_temp.err($$ SELECT * FROM pipeproc.live_proc(NULL) $$);
SELECT pg_temp.err($$ SELECT * FROM pipeproc.live_proc('lv_t', NULL) $$);
SELECT pg_temp.err($$ SELECT * FROM pipeproc.live_proc('bad topic') $$);
SELECT pg_temp.err($$ SELECT * FROM pipeproc.live_proc('lv_t', name => 'bad name') $$);
SELECT pg_temp.err($$ SELECT * FROM pipeproc.live_proc('lv_t', name => repeat('x', 129)) $$);
-- a name taken by a live proc of another topic, or by a plain proc
SELECT pg_temp.err($$ SELECT * FROM pipeproc.live_proc('lv_new', name => 'lv_live') $$);
SELECT count(*) FROM pipeproc.proc('lv_t', 'lv_plain');
SELECT pg_temp.err($$ SELECT * FROM pipeproc.live_proc('lv_t', name => 'lv_plain') $$);

SELECT count(*) AS dropped
FROM pipeproc.topics t, LATERAL (SELECT 1 FROM pipeproc.drop_topic(t.name)) d
WHERE t.name LIKE 'lv\_%';
SELECT count(*) AS procs_left FROM pipeproc.procs;
