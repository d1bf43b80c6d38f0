--
-- core_hostile: hostile input.  Topic names built to break quoting or to look like
-- SQL, names at and past the length limit, odd but valid names, bodies with awkward
-- content, a 10 MB body, and 10,000 logs in one commit(logs) call.
-- After the bad calls: nothing written, no relation dropped or created.
--
\i test/regress_setup.psql

SELECT split_part(pipeproc.commit('core_h', '{"n": 0}'), '-', 2) AS seq;
SELECT pg_temp.state() AS state0 \gset
SELECT count(*) AS rels0 FROM pg_class WHERE relpersistence <> 't' \gset

--
-- topic names that are not valid: 22023 from every function, nothing written
--
CREATE TEMP TABLE bad_names (k int, n text);
INSERT INTO bad_names VALUES
  (1, ''),
  (2, repeat('a', 49)),
  (3, repeat('a', 1000)),
  (4, 'a b'),
  (5, ' core_h'),
  (6, 'core_h '),
  (7, 'a;b'),
  (8, 'a''b'),
  (9, 'a"b'),
  (10, 'tópico'),
  (11, 'тема'),
  (12, 'ａｂｃ'),
  (13, '😀'),
  (14, 'x"; DROP TABLE pipeproc.topic; --'),
  (15, 'x''; DROP TABLE pipeproc.topic; --'),
  (16, 'x"; DROP TABLE pipeproc.topics; --'),
  (17, 'x''); DROP TABLE pipeproc.topics; --'),
  (18, 'core_h;'),
  (19, 'a\b'),
  (20, E'core_h\n'),
  (21, E'a\tb'),
  (22, 'a.b'),
  (23, 'pipeproc.topics'),
  (24, 'a%b'),
  (25, '%'),
  (26, 'a*'),
  (27, '$1'),
  (28, 'a/../b'),
  (29, 'a' || chr(160) || 'b'),
  (30, repeat('é', 48));
-- (long names and messages are cut at 60 and 100 characters for display)
SELECT k, to_json(left(n, 60))::text || CASE WHEN char_length(n) > 60 THEN '...' ELSE '' END AS topic,
       char_length(n) AS chars,
       left(pg_temp.err(format('SELECT pipeproc.commit(%L, %L)', n, '{"n": 1}')), 100) AS commit
FROM bad_names ORDER BY k;
SELECT k,
       pg_temp.code(format('SELECT pipeproc.commit(%L)', jsonb_build_array(jsonb_build_object('topic', n, 'body', '{}'::jsonb)))) AS batch,
       pg_temp.code(format('SELECT pipeproc.commit(%L)', jsonb_build_array(jsonb_build_object('topic', 'core_h', 'body', '{}'::jsonb),
                                                                          jsonb_build_object('topic', n, 'body', '{}'::jsonb)))) AS batch2,
       pg_temp.code(format('SELECT pipeproc.create_topic(%L)', n)) AS create,
       pg_temp.code(format('SELECT pipeproc.create_topic(%L, true, %L)', n, 'pg_default')) AS create_u,
       pg_temp.code(format('SELECT pipeproc.drop_topic(%L)', n)) AS drop,
       pg_temp.code(format('SELECT * FROM pipeproc.range(%L)', n)) AS range,
       pg_temp.code(format('SELECT * FROM pipeproc.revrange(%L, %L, %L, 1, true)', n, ':0', '')) AS revrange,
       pg_temp.code(format('SELECT pipeproc.length(%L)', n)) AS length
FROM bad_names ORDER BY k;
-- the same calls as plain statements, rolled back with their transaction
SELECT pipeproc.commit('x"; DROP TABLE pipeproc.topic; --', '{}');
SELECT pipeproc.commit('x''; DROP TABLE pipeproc.topic; --', '{}');
SELECT * FROM pipeproc.range('x''); DROP TABLE pipeproc.topics; --');
SELECT pipeproc.create_topic('tópico');
-- nothing written, nothing dropped or created
SELECT pg_temp.state() = :'state0' AS nothing_written;
SELECT count(*) = :rels0 AS same_relations FROM pg_class WHERE relpersistence <> 't';
SELECT split_part(id, '-', 2) AS seq, body FROM pipeproc.range('core_h');

--
-- valid names that look odd: 48 characters, only dashes, SQL words, case
--
CREATE TEMP TABLE good_names (k int, n text);
INSERT INTO good_names VALUES
  (1, repeat('a', 48)),
  (2, repeat('Z', 47) || '9'),
  (3, '-'),
  (4, '_'),
  (5, '0'),
  (6, '--'),
  (7, '-1'),
  (8, 'topic'),
  (9, 'topics'),
  (10, 'pipeproc'),
  (11, 'pg_class'),
  (12, 'DROP'),
  (13, 'select'),
  (14, 'CaseT'),
  (15, 'caset'),
  (16, 'CASET'),
  (17, '0123456789'),
  (18, 'A-z_0-9');
SELECT k, n AS topic, char_length(n) AS chars,
       split_part(pipeproc.commit(n, jsonb_build_object('k', k)), '-', 2) AS seq
FROM good_names ORDER BY k;
-- a second log each: seq 1; each name is its own topic, case included
SELECT k, split_part(pipeproc.commit(n, jsonb_build_object('k', k, 'second', true)), '-', 2) AS seq
FROM good_names ORDER BY k;
SELECT g.k, t.name = g.n AS same_name, t.length, t.logs
FROM good_names g JOIN pipeproc.topics t ON t.name = g.n ORDER BY g.k;
SELECT g.k, (SELECT string_agg(body::text, ' ') FROM pipeproc.range(g.n)) AS bodies,
       pipeproc.length(g.n) AS length
FROM good_names g ORDER BY g.k;
-- a 48-character name through create_topic, in a batch, then dropped
SELECT 'ok' AS create_topic FROM pipeproc.create_topic(repeat('b', 48), true);
SELECT array_agg(split_part(id, '-', 2) ORDER BY ord) AS seqs
FROM unnest(pipeproc.commit(jsonb_build_array(
       jsonb_build_object('topic', repeat('b', 48), 'body', '{"x": 1}'::jsonb),
       jsonb_build_object('topic', repeat('a', 48), 'body', '{"x": 2}'::jsonb),
       jsonb_build_object('topic', '-', 'body', '{"x": 3}'::jsonb))))
     WITH ORDINALITY AS u(id, ord);
SELECT 'ok' AS drop_topic FROM pipeproc.drop_topic(repeat('b', 48));
SELECT count(*) AS dropped
FROM good_names g, LATERAL (SELECT 1 FROM pipeproc.drop_topic(g.n)) d;
SELECT pg_temp.state() = :'state0' AS back_to_start;

--
-- bodies with awkward content round-trip exactly
--
CREATE TEMP TABLE bodies (k int, b jsonb);
INSERT INTO bodies VALUES
  (1, $j${"q": "it's \"quoted\"; DROP TABLE pipeproc.topics; --"}$j$),
  (2, $j${"x'); DROP TABLE pipeproc.topics; --": "key"}$j$),
  (3, '{"ü": "tópico ✓ 😀 тема ａｂｃ"}'),
  (4, $j${"esc": "back\\slash \n newline \t tab \u0001 \u001f \"", "\\": "/"}$j$),
  (5, '[1.000000000000000000000000000001, 1e300, -0, 0.0, -1e-300, 123456789012345678901234567890]'),
  (6, '{"": "", " ": " ", "null": null, "t": true, "f": false, "a": [], "o": {}}'),
  (7, (repeat('[', 500) || '{"deep": true}' || repeat(']', 500))::jsonb),
  (8, (SELECT jsonb_object_agg('k' || g, g) FROM generate_series(1, 1000) g)),
  (9, '[null]'),
  (10, '{"topic": "other", "body": {"not": "a batch"}}');
SELECT count(*) AS committed
FROM (SELECT * FROM bodies ORDER BY k) AS b, LATERAL pipeproc.commit('core_h_body', b.b) AS id;
SELECT b.k, r.body = b.b AS same, split_part(r.id, '-', 2) AS seq
FROM pipeproc.range('core_h_body') WITH ORDINALITY AS r(id, body, ord)
JOIN bodies b ON b.k = r.ord ORDER BY b.k;
SELECT body FROM pipeproc.range('core_h_body', ':0', ':3');
-- and through a batch
SELECT cardinality(pipeproc.commit(
         (SELECT jsonb_agg(jsonb_build_object('topic', 'core_h_body2', 'body', b) ORDER BY k) FROM bodies))) AS committed;
SELECT b.k, r.body = b.b AS same, split_part(r.id, '-', 2) AS seq
FROM pipeproc.range('core_h_body2') WITH ORDINALITY AS r(id, body, ord)
JOIN bodies b ON b.k = r.ord ORDER BY b.k;

--
-- a 10 MB body (hex text, so that compression does not make it small)
--
CREATE TEMP TABLE big AS
SELECT jsonb_build_object('s', string_agg(md5(g::text), '' ORDER BY g)) AS b
FROM generate_series(1, 327680) g;
SELECT length(b->>'s') AS chars, length(b::text) AS text_length FROM big;
SELECT split_part(pipeproc.commit('core_h_big', b), '-', 2) AS seq FROM big;
SELECT split_part(r.id, '-', 2) AS seq, length(r.body::text) AS text_length,
       md5(r.body::text) = md5(big.b::text) AS same
FROM pipeproc.range('core_h_big') r, big;
-- the 10 MB body between small ones in a batch
SELECT array_agg(split_part(id, '-', 2) ORDER BY ord) AS seqs
FROM big, unnest(pipeproc.commit(jsonb_build_array(
       jsonb_build_object('topic', 'core_h_big', 'body', '{"before": true}'::jsonb),
       jsonb_build_object('topic', 'core_h_big', 'body', big.b),
       jsonb_build_object('topic', 'core_h', 'body', '{"beside": true}'::jsonb),
       jsonb_build_object('topic', 'core_h_big', 'body', '{"after": true}'::jsonb))))
     WITH ORDINALITY AS u(id, ord);
SELECT split_part(r.id, '-', 2) AS seq, length(r.body::text) AS text_length,
       r.body = big.b AS same_as_big
FROM pipeproc.range('core_h_big') r, big;
SELECT split_part(id, '-', 2) AS seq, length(body::text) AS text_length
FROM pipeproc.revrange('core_h_big', count => 2);
SELECT name, length, logs, bytes > 0 AS has_bytes FROM pipeproc.topics WHERE name = 'core_h_big';

--
-- 10,000 logs in one commit(logs) call
--
CREATE TEMP TABLE many AS
SELECT u.ord, u.id
FROM unnest(pipeproc.commit(
       (SELECT jsonb_agg(jsonb_build_object('topic', 'core_h_many', 'body', jsonb_build_object('i', g)) ORDER BY g)
        FROM generate_series(0, 9999) g))) WITH ORDINALITY AS u(id, ord);
SELECT count(*) AS ids, count(DISTINCT id) AS distinct_ids,
       count(DISTINCT split_part(id, '-', 1)) AS distinct_ts,
       bool_and(id ~ '^\d{13}-\d+$') AS well_formed,
       bool_and(split_part(id, '-', 2)::int = ord - 1) AS seqs_0_to_9999_in_order,
       min(split_part(id, '-', 2)::int) AS min_seq, max(split_part(id, '-', 2)::int) AS max_seq
FROM many;
SELECT count(*) AS logs,
       bool_and((r.body->>'i')::int = split_part(r.id, '-', 2)::int) AS body_matches_seq,
       bool_and(r.ord - 1 = split_part(r.id, '-', 2)::int) AS ascending,
       count(m.id) AS same_ids
FROM pipeproc.range('core_h_many') WITH ORDINALITY AS r(id, body, ord)
LEFT JOIN many m ON m.id = r.id;
SELECT pipeproc.length('core_h_many');
SELECT name, length, logs, split_part(first_id, '-', 2) AS first_seq, split_part(last_id, '-', 2) AS last_seq
FROM pipeproc.topics WHERE name = 'core_h_many';
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.range('core_h_many', ':4997', ':5002');
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.revrange('core_h_many', count => 3);
SELECT count(*) FROM pipeproc.range('core_h_many', (SELECT split_part(id, '-', 1) FROM many WHERE ord = 1));
-- the next commit continues at 10000
SELECT split_part(pipeproc.commit('core_h_many', '{"i": 10000}'), '-', 2) AS seq;
-- 10,000 logs spread over 100 topics in one call
SELECT count(*) AS ids, count(DISTINCT split_part(id, '-', 1)) AS distinct_ts,
       bool_and(split_part(id, '-', 2)::int = (ord - 1) / 100) AS seqs_per_topic
FROM unnest(pipeproc.commit(
       (SELECT jsonb_agg(jsonb_build_object('topic', 'core_h_m' || (g % 100), 'body', jsonb_build_object('g', g)) ORDER BY g)
        FROM generate_series(0, 9999) g))) WITH ORDINALITY AS u(id, ord);
SELECT count(*) AS topics, min(length) AS min_length, max(length) AS max_length
FROM pipeproc.topics WHERE name ~ '^core_h_m\d+$';
-- a bad log at the very end of a 10,000-log batch fails the whole call
SELECT pg_temp.state() AS state1 \gset
SELECT pg_temp.err(format('SELECT pipeproc.commit(%L::jsonb)',
         (SELECT jsonb_agg(CASE WHEN g < 9999 THEN jsonb_build_object('topic', 'core_h_many', 'body', jsonb_build_object('i', g))
                                ELSE jsonb_build_object('topic', 'core_h_many', 'body', 1) END ORDER BY g)
          FROM generate_series(0, 9999) g))) AS result;
SELECT pg_temp.state() = :'state1' AS nothing_written;
SELECT pipeproc.length('core_h_many');

SELECT count(*) AS dropped
FROM pipeproc.topics t, LATERAL (SELECT 1 FROM pipeproc.drop_topic(t.name)) d
WHERE t.name LIKE 'core\_h%';
