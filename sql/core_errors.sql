--
-- core_errors: every error of SPEC section 7 that the core functions can raise, with its
-- SQLSTATE, and after each bad call proof that nothing was written.
--
-- err(q) shows 'SQLSTATE: message'; if q does not fail it shows 'no error', and, when q
-- changed pipeproc.topics, what it wrote.  code(q) shows only the SQLSTATE ('ok' if none).
--
\i test/regress_setup.psql

-- two topics to work against: core_e with 3 logs, core_e_empty with none
SELECT array_length(pipeproc.commit('[{"topic": "core_e", "body": {"n": 0}},
                                      {"topic": "core_e", "body": {"n": 1}},
                                      {"topic": "core_e", "body": {"n": 2}}]'), 1) AS committed;
SELECT 'ok' AS create_topic FROM pipeproc.create_topic('core_e_empty');
SELECT pg_temp.state() AS state0 \gset

--
-- a few errors as a client sees them (message, detail, hint)
--
SELECT pipeproc.commit('bad name', '{"n": 1}');
SELECT pipeproc.commit('core_e', '1');
SELECT pipeproc.commit('[]');
SELECT pipeproc.commit(NULL, '{"n": 1}');
SELECT * FROM pipeproc.range('core_e', 'abc');
SELECT * FROM pipeproc.range('core_e', ':100');
SELECT pipeproc.length('core_nope');
SELECT pipeproc.create_topic('core_e');
SELECT pg_temp.state() = :'state0' AS nothing_written;

--
-- topic name not valid: 22023, in every function that takes a topic
--
SELECT to_json(n)::text AS topic,
       pg_temp.err(format('SELECT pipeproc.commit(%L, %L)', n, '{"n": 1}')) AS commit,
       pg_temp.code(format('SELECT pipeproc.commit(%L)', jsonb_build_array(jsonb_build_object('topic', n, 'body', '{}'::jsonb)))) AS batch,
       pg_temp.code(format('SELECT pipeproc.create_topic(%L)', n)) AS create,
       pg_temp.code(format('SELECT pipeproc.drop_topic(%L)', n)) AS drop,
       pg_temp.code(format('SELECT * FROM pipeproc.range(%L)', n)) AS range,
       pg_temp.code(format('SELECT * FROM pipeproc.revrange(%L)', n)) AS revrange,
       pg_temp.code(format('SELECT pipeproc.length(%L)', n)) AS length
FROM (VALUES (''), ('bad name'), ('a.b'), ('a:b'), ('a/b'), ('a$b'), ('a+b'),
             (repeat('a', 49))) AS v(n);
SELECT pg_temp.state() = :'state0' AS nothing_written;

--
-- body not a JSON object or array: 22023, to an existing and to a new topic
--
SELECT b AS body,
       pg_temp.err(format('SELECT pipeproc.commit(%L, %L::jsonb)', 'core_e', b)) AS existing_topic,
       pg_temp.code(format('SELECT pipeproc.commit(%L, %L::jsonb)', 'core_e_new', b)) AS new_topic,
       pg_temp.code(format('SELECT pipeproc.commit(%L::jsonb)', jsonb_build_array(jsonb_build_object('topic', 'core_e', 'body', b::jsonb)))) AS batch
FROM (VALUES ('1'), ('"x"'), ('null'), ('true'), ('false'), ('-1.5e3'), ('""')) AS v(b);
SELECT count(*) AS core_e_new_exists FROM pipeproc.topics WHERE name = 'core_e_new';
SELECT pg_temp.err($q$ SELECT pipeproc.length('core_e_new') $q$);
SELECT pipeproc.length('core_e');
SELECT pg_temp.state() = :'state0' AS nothing_written;

--
-- commit(logs): not an array, empty, or a bad element: 22023; one bad log fails the call
--
SELECT to_json(l)::text AS logs, pg_temp.err(format('SELECT pipeproc.commit(%L::jsonb)', l)) AS result
FROM (VALUES
  ('[]'),
  ('{}'),
  ('{"topic": "core_e", "body": {}}'),
  ('1'), ('"core_e"'), ('null'), ('true'),
  ('[1]'), ('["core_e"]'), ('[null]'), ('[[]]'), ('[{}]'),
  ('[{"topic": "core_e"}]'),
  ('[{"body": {}}]'),
  ('[{"topic": "core_e", "body": 1}]'),
  ('[{"topic": "core_e", "body": "x"}]'),
  ('[{"topic": "core_e", "body": null}]'),
  ('[{"topic": "core_e", "body": true}]'),
  ('[{"topic": "bad name", "body": {}}]'),
  ('[{"topic": "", "body": {}}]'),
  ('[{"topic": 5, "body": {}}]'),
  ('[{"topic": null, "body": {}}]'),
  ('[{"topic": ["core_e"], "body": {}}]'),
  ('[{"topic": {"name": "core_e"}, "body": {}}]'),
  ('[{"topic": "core_e", "body": {}}, {"topic": "core_e", "body": 1}]'),
  ('[{"topic": "core_e_new", "body": {}}, {"topic": "core_e", "body": {}}, 7]'),
  ('[{"topic": "core_e", "body": {}}, {"topic": "bad name", "body": {}}]'),
  ('[{"topic": "core_e_new", "body": {}}, {"topic": "core_e", "body": {}}, {}]')
) AS v(l);
SELECT count(*) AS core_e_new_exists FROM pipeproc.topics WHERE name = 'core_e_new';
SELECT pipeproc.length('core_e');
SELECT pg_temp.state() = :'state0' AS nothing_written;

--
-- NULL where a value is needed: 22004, never a silent NULL
--
SELECT q AS call, pg_temp.err(q) AS result
FROM (VALUES
  ($q$ SELECT pipeproc.commit(NULL::text, '{"n": 1}'::jsonb) $q$),
  ($q$ SELECT pipeproc.commit('core_e', NULL::jsonb) $q$),
  ($q$ SELECT pipeproc.commit('core_e_new', NULL::jsonb) $q$),
  ($q$ SELECT pipeproc.commit(NULL::text, NULL::jsonb) $q$),
  ($q$ SELECT pipeproc.commit(NULL::jsonb) $q$),
  ($q$ SELECT pipeproc.create_topic(NULL) $q$),
  ($q$ SELECT pipeproc.create_topic(NULL, false, NULL) $q$),
  ($q$ SELECT pipeproc.create_topic('core_e_new', NULL) $q$),
  ($q$ SELECT pipeproc.create_topic('core_e_new', NULL, 'pg_default') $q$),
  ($q$ SELECT pipeproc.drop_topic(NULL) $q$),
  ($q$ SELECT * FROM pipeproc.range(NULL) $q$),
  ($q$ SELECT * FROM pipeproc.range(NULL, ':0', ':1', 1, false) $q$),
  ($q$ SELECT * FROM pipeproc.range('core_e', NULL, NULL, NULL, NULL) $q$),
  ($q$ SELECT * FROM pipeproc.range('core_e', ':0', ':1', 1, exclusive => NULL) $q$),
  ($q$ SELECT * FROM pipeproc.revrange(NULL) $q$),
  ($q$ SELECT * FROM pipeproc.revrange(NULL, ':1', ':0', 1, false) $q$),
  ($q$ SELECT * FROM pipeproc.revrange('core_e', NULL, NULL, NULL, NULL) $q$),
  ($q$ SELECT * FROM pipeproc.revrange('core_e', ':1', ':0', 1, exclusive => NULL) $q$),
  ($q$ SELECT pipeproc.length(NULL) $q$)
) AS v(q);
SELECT count(*) AS core_e_new_exists FROM pipeproc.topics WHERE name = 'core_e_new';
SELECT pg_temp.state() = :'state0' AS nothing_written;
-- NULL where the SPEC gives it a meaning: open bounds, no limit, default tablespace
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.range('core_e', NULL, NULL, NULL, false);
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.revrange('core_e', NULL, NULL, NULL, false);
SELECT 'ok' AS create_topic FROM pipeproc.create_topic('core_e_tsnull', false, NULL);
SELECT name, length FROM pipeproc.topics WHERE name = 'core_e_tsnull';
SELECT 'ok' AS drop_topic FROM pipeproc.drop_topic('core_e_tsnull');

--
-- bounds not of a valid form: 22P02, as start and as stop, for range and revrange
--
SELECT to_json(b)::text AS bound,
       pg_temp.err(format('SELECT * FROM pipeproc.range(%L, %L)', 'core_e', b)) AS range_start,
       pg_temp.code(format('SELECT * FROM pipeproc.range(%L, NULL, %L)', 'core_e', b)) AS range_stop,
       pg_temp.code(format('SELECT * FROM pipeproc.revrange(%L, %L)', 'core_e', b)) AS rev_start,
       pg_temp.code(format('SELECT * FROM pipeproc.revrange(%L, NULL, %L)', 'core_e', b)) AS rev_stop,
       pg_temp.code(format('SELECT * FROM pipeproc.range(%L, %L, %L, 1, true)', 'core_e', b, b)) AS both_excl,
       pg_temp.code(format('SELECT * FROM pipeproc.range(%L, %L)', 'core_e_empty', b)) AS empty_topic
FROM (VALUES ('abc'), ('12-'), ('-1'), (':x'), (':'), ('1-2-3'), (' 1'), ('1 '),
             ('99999999999999999999'), ('-'), ('1-'), ('-0'), ('1-x'), ('x-1'), (':1x'),
             (':1-1'), ('::1'), ('1.5'), ('+1'), ('1e3'), ('0x10'), (E'1\n'), (E'\t1'),
             ('１２'), ('1; DROP TABLE pipeproc.topics; --'), ($b$1'; DROP TABLE pipeproc.topics; --$b$)
) AS v(b);
SELECT pg_temp.state() = :'state0' AS nothing_written;

--
-- :N that names no stored log: 22023
--
SELECT q AS call, pg_temp.err(q) AS result
FROM (VALUES
  ($q$ SELECT * FROM pipeproc.range('core_e', ':3') $q$),
  ($q$ SELECT * FROM pipeproc.range('core_e', ':0', ':3') $q$),
  ($q$ SELECT * FROM pipeproc.range('core_e', ':4', ':1') $q$),
  ($q$ SELECT * FROM pipeproc.revrange('core_e', ':3') $q$),
  ($q$ SELECT * FROM pipeproc.revrange('core_e', ':2', ':3', exclusive => true) $q$),
  ($q$ SELECT * FROM pipeproc.range('core_e', ':2147483648') $q$),
  ($q$ SELECT * FROM pipeproc.range('core_e_empty', ':0') $q$),
  ($q$ SELECT * FROM pipeproc.revrange('core_e_empty', NULL, ':0') $q$)
) AS v(q);

--
-- unknown topic: 42704 for range, revrange, length and drop_topic
--
SELECT q AS call, pg_temp.err(q) AS result
FROM (VALUES
  ($q$ SELECT * FROM pipeproc.range('core_nope') $q$),
  ($q$ SELECT * FROM pipeproc.range('core_nope', ':0', ':1', 1, true) $q$),
  ($q$ SELECT * FROM pipeproc.revrange('core_nope') $q$),
  ($q$ SELECT * FROM pipeproc.revrange('core_nope', '', '', 5) $q$),
  ($q$ SELECT pipeproc.length('core_nope') $q$),
  ($q$ SELECT pipeproc.drop_topic('core_nope') $q$),
  ($q$ SELECT pipeproc.length('CORE_E') $q$)
) AS v(q);
SELECT count(*) AS core_nope_exists FROM pipeproc.topics WHERE name = 'core_nope';

--
-- create_topic: an existing topic (42710), an unknown tablespace (42704)
--
SELECT q AS call, pg_temp.err(q) AS result
FROM (VALUES
  ($q$ SELECT pipeproc.create_topic('core_e') $q$),
  ($q$ SELECT pipeproc.create_topic('core_e_empty') $q$),
  ($q$ SELECT pipeproc.create_topic('core_e', true, 'pg_default') $q$),
  ($q$ SELECT pipeproc.create_topic('core_e_new', false, 'no_such_tablespace') $q$),
  ($q$ SELECT pipeproc.create_topic('core_e_new', true, 'no_such_tablespace') $q$),
  ($q$ SELECT pipeproc.create_topic('core_e_new', false, '') $q$)
) AS v(q);
SELECT count(*) AS core_e_new_exists FROM pipeproc.topics WHERE name = 'core_e_new';
SELECT name, length, logs, unlogged FROM pipeproc.topics WHERE name LIKE 'core\_e%' ORDER BY name;
SELECT pg_temp.state() = :'state0' AS nothing_written;

-- after all these errors the topics still work
SELECT split_part(pipeproc.commit('core_e', '{"n": 3}'), '-', 2) AS seq;
SELECT split_part(id, '-', 2) AS seq, body FROM pipeproc.range('core_e');

SELECT count(*) AS dropped
FROM pipeproc.topics t, LATERAL (SELECT 1 FROM pipeproc.drop_topic(t.name)) d
WHERE t.name LIKE 'core\_e%';
