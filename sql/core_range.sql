--
-- core_range: range, revrange and length, with every bound form of SPEC section 3.
--
-- The topic core_r gets three batches, each sharing one ts, more than a second apart:
--   A = seq 0 1 2 at :ts_a,  B = seq 3 4 5 at :ts_b,  C = seq 6 7 8 at :ts_c
-- so timestamps and their 12- and 10-digit prefixes each cover exactly one batch.
-- Results are shown as the list of seqs, in the order the function returns them.
--
SET client_min_messages = warning;  -- only for the NOTICE if it exists already
CREATE EXTENSION IF NOT EXISTS pipeproc;
RESET client_min_messages;
\set SHOW_CONTEXT never

CREATE FUNCTION pg_temp.err(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE q;
  RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

CREATE TEMP TABLE ids AS
SELECT 'A' AS batch, u.ord, u.id
FROM unnest(pipeproc.commit('[{"topic": "core_r", "body": {"n": 0}},
                              {"topic": "core_r", "body": {"n": 1}},
                              {"topic": "core_r", "body": {"n": 2}}]'))
     WITH ORDINALITY AS u(id, ord);
SELECT pg_sleep(1.1);
INSERT INTO ids
SELECT 'B', u.ord, u.id
FROM unnest(pipeproc.commit('[{"topic": "core_r", "body": {"n": 3}},
                              {"topic": "core_r", "body": {"n": 4}},
                              {"topic": "core_r", "body": {"n": 5}}]'))
     WITH ORDINALITY AS u(id, ord);
SELECT pg_sleep(1.1);
INSERT INTO ids
SELECT 'C', u.ord, u.id
FROM unnest(pipeproc.commit('[{"topic": "core_r", "body": {"n": 6}},
                              {"topic": "core_r", "body": {"n": 7}},
                              {"topic": "core_r", "body": {"n": 8}}]'))
     WITH ORDINALITY AS u(id, ord);
SELECT batch, array_agg(split_part(id, '-', 2) ORDER BY ord) AS seqs,
       count(DISTINCT split_part(id, '-', 1)) AS distinct_ts
FROM ids GROUP BY batch ORDER BY batch;
SELECT max(split_part(id, '-', 1)) FILTER (WHERE batch = 'A') AS ts_a,
       max(split_part(id, '-', 1)) FILTER (WHERE batch = 'B') AS ts_b,
       max(split_part(id, '-', 1)) FILTER (WHERE batch = 'C') AS ts_c
FROM ids \gset
-- the batches are more than a second apart (the setup the tests below rely on)
SELECT :ts_b - :ts_a >= 1100 AS a_b_apart, :ts_c - :ts_b >= 1100 AS b_c_apart;

--
-- no bounds
--
SELECT pipeproc.length('core_r');
SELECT split_part(id, '-', 2) AS seq, body, EXISTS (SELECT FROM ids i WHERE i.id = r.id) AS known_id
FROM pipeproc.range('core_r') r;
SELECT split_part(id, '-', 2) AS seq, body FROM pipeproc.revrange('core_r');
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.range('core_r', NULL, NULL);
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.range('core_r', '', '');
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.range('core_r', NULL, NULL, NULL, false);
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.revrange('core_r', NULL, NULL);
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.revrange('core_r', '', '');
-- named arguments as in the SPEC
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs
FROM pipeproc.range(topic => 'core_r', start => ':1', stop => ':5', count => 2, exclusive => true);
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs
FROM pipeproc.revrange(topic => 'core_r', start => ':5', stop => ':1', count => 2, exclusive => true);

--
-- :N bounds
--
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.range('core_r', ':2', ':6');
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.range('core_r', ':2', ':6', exclusive => true);
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.range('core_r', ':0', ':8');
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.range('core_r', ':0', ':8', exclusive => true);
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.range('core_r', ':4');
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.range('core_r', ':4', exclusive => true);
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.range('core_r', NULL, ':4');
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.range('core_r', '', ':4', exclusive => true);
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.range('core_r', ':4', ':4');
SELECT coalesce(string_agg(split_part(id, '-', 2), ' '), '(none)') AS seqs FROM pipeproc.range('core_r', ':4', ':4', exclusive => true);
SELECT coalesce(string_agg(split_part(id, '-', 2), ' '), '(none)') AS seqs FROM pipeproc.range('core_r', ':4', ':5', exclusive => true);
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.range('core_r', ':3', ':5', exclusive => true);
-- start past stop: no rows, no error
SELECT coalesce(string_agg(split_part(id, '-', 2), ' '), '(none)') AS seqs FROM pipeproc.range('core_r', ':6', ':2');
SELECT coalesce(string_agg(split_part(id, '-', 2), ' '), '(none)') AS seqs FROM pipeproc.range('core_r', ':8', ':0');
-- :N with no stored log is an error (22023), whichever bound and direction
SELECT pg_temp.err($q$ SELECT * FROM pipeproc.range('core_r', ':9') $q$);
SELECT pg_temp.err($q$ SELECT * FROM pipeproc.range('core_r', ':100') $q$);
SELECT pg_temp.err($q$ SELECT * FROM pipeproc.range('core_r', NULL, ':100') $q$);
SELECT pg_temp.err($q$ SELECT * FROM pipeproc.range('core_r', ':0', ':9', exclusive => true) $q$);
SELECT pg_temp.err($q$ SELECT * FROM pipeproc.revrange('core_r', ':100') $q$);
SELECT pg_temp.err($q$ SELECT * FROM pipeproc.revrange('core_r', NULL, ':9') $q$);

--
-- full id bounds: inclusive, exclusive, and ids that do not exist
--
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.range('core_r', :'ts_b' || '-4');
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.range('core_r', :'ts_b' || '-4', exclusive => true);
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.range('core_r', NULL, :'ts_b' || '-4');
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.range('core_r', NULL, :'ts_b' || '-4', exclusive => true);
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.range('core_r', :'ts_a' || '-1', :'ts_c' || '-7');
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.range('core_r', :'ts_a' || '-1', :'ts_c' || '-7', exclusive => true);
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.range('core_r', :'ts_a' || '-0', :'ts_c' || '-8');
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.range('core_r', :'ts_a' || '-0', :'ts_c' || '-8', exclusive => true);
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.range('core_r', :'ts_b' || '-4', :'ts_b' || '-4');
SELECT coalesce(string_agg(split_part(id, '-', 2), ' '), '(none)') AS seqs FROM pipeproc.range('core_r', :'ts_b' || '-4', :'ts_b' || '-4', exclusive => true);
-- ids that do not exist are positions: ids compare by (ts, seq)
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.range('core_r', :'ts_b' || '-100');
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.range('core_r', :'ts_b' || '-100', exclusive => true);
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.range('core_r', NULL, :'ts_b' || '-100');
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.range('core_r', '0-0');
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.range('core_r', '0-0', '9999999999999-0', exclusive => true);
SELECT coalesce(string_agg(split_part(id, '-', 2), ' '), '(none)') AS seqs FROM pipeproc.range('core_r', '9999999999999-0');
SELECT coalesce(string_agg(split_part(id, '-', 2), ' '), '(none)') AS seqs FROM pipeproc.range('core_r', NULL, '0-0');
-- start past stop
SELECT coalesce(string_agg(split_part(id, '-', 2), ' '), '(none)') AS seqs FROM pipeproc.range('core_r', :'ts_c' || '-7', :'ts_a' || '-1');
-- ids mixed with :N
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.range('core_r', ':1', :'ts_b' || '-5');
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.range('core_r', :'ts_a' || '-2', ':7', exclusive => true);

--
-- timestamp bounds: every log of that millisecond, whatever exclusive says
--
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.range('core_r', :'ts_b', :'ts_b');
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.range('core_r', :'ts_b', :'ts_b', exclusive => true);
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.range('core_r', :'ts_b');
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.range('core_r', :'ts_b', exclusive => true);
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.range('core_r', NULL, :'ts_b');
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.range('core_r', NULL, :'ts_b', exclusive => true);
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.range('core_r', :'ts_a', :'ts_c');
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.range('core_r', :'ts_a', :'ts_c', exclusive => true);
-- a timestamp with no log is a position too
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.range('core_r', (:ts_a + 500)::text);
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.range('core_r', NULL, (:ts_a + 500)::text);
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.range('core_r', (:ts_a + 500)::text, (:ts_c - 500)::text);
SELECT coalesce(string_agg(split_part(id, '-', 2), ' '), '(none)') AS seqs FROM pipeproc.range('core_r', (:ts_a + 1)::text, (:ts_b - 1)::text);
-- start past stop
SELECT coalesce(string_agg(split_part(id, '-', 2), ' '), '(none)') AS seqs FROM pipeproc.range('core_r', :'ts_c', :'ts_a');
-- prefixes cover the whole span they denote: 12 digits = 10 ms, 10 digits = 1 s
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.range('core_r', left(:'ts_b', 12), left(:'ts_b', 12));
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.range('core_r', left(:'ts_b', 12), left(:'ts_b', 12), exclusive => true);
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.range('core_r', left(:'ts_b', 12));
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.range('core_r', NULL, left(:'ts_b', 12));
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.range('core_r', left(:'ts_b', 10), left(:'ts_b', 10));
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.range('core_r', left(:'ts_b', 10), left(:'ts_b', 10), exclusive => true);
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.range('core_r', left(:'ts_a', 10), left(:'ts_b', 10));
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.range('core_r', left(:'ts_b', 10), left(:'ts_c', 12));
SELECT coalesce(string_agg(split_part(id, '-', 2), ' '), '(none)') AS seqs FROM pipeproc.range('core_r', left(:'ts_c', 10), left(:'ts_a', 10));
-- a 1-digit prefix covers a span of about 31 years: all logs, or none
SELECT left(:'ts_b', 1) AS first_digit;
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.range('core_r', left(:'ts_b', 1));
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.range('core_r', NULL, left(:'ts_b', 1));
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.range('core_r', left(:'ts_b', 1), left(:'ts_b', 1), exclusive => true);
SELECT coalesce(string_agg(split_part(id, '-', 2), ' '), '(none)') AS seqs FROM pipeproc.range('core_r', (left(:'ts_b', 1)::int + 1)::text);
SELECT coalesce(string_agg(split_part(id, '-', 2), ' '), '(none)') AS seqs FROM pipeproc.range('core_r', NULL, (left(:'ts_b', 1)::int - 1)::text);
-- timestamps mixed with :N and ids
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.range('core_r', ':1', left(:'ts_b', 12));
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.range('core_r', ':1', left(:'ts_b', 12), exclusive => true);
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.range('core_r', :'ts_b', :'ts_c' || '-7', exclusive => true);

--
-- count: NULL, 0 and negative mean no limit; it applies in the direction of iteration
--
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.range('core_r', count => NULL);
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.range('core_r', count => 0);
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.range('core_r', count => -1);
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.range('core_r', count => -2147483648);
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.range('core_r', count => 1);
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.range('core_r', count => 3);
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.range('core_r', count => 9);
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.range('core_r', count => 2147483647);
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.range('core_r', NULL, NULL, 3);
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.range('core_r', ':2', NULL, 2);
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.range('core_r', ':2', ':7', 3, true);
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.range('core_r', :'ts_b', NULL, 2);
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.range('core_r', :'ts_a' || '-1', NULL, 1, true);
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.revrange('core_r', count => NULL);
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.revrange('core_r', count => 0);
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.revrange('core_r', count => -5);
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.revrange('core_r', count => 1);
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.revrange('core_r', count => 3);
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.revrange('core_r', ':6', NULL, 2);
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.revrange('core_r', :'ts_b', NULL, 2);
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.revrange('core_r', :'ts_b', :'ts_a', 4);

--
-- revrange: start is the upper bound, stop the lower; descending
--
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.revrange('core_r', ':6', ':2');
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.revrange('core_r', ':6', ':2', exclusive => true);
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.revrange('core_r', ':6');
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.revrange('core_r', ':6', exclusive => true);
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.revrange('core_r', '', ':6');
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.revrange('core_r', NULL, ':6', exclusive => true);
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.revrange('core_r', :'ts_b' || '-4');
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.revrange('core_r', :'ts_b' || '-4', exclusive => true);
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.revrange('core_r', :'ts_c' || '-7', :'ts_a' || '-1', exclusive => true);
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.revrange('core_r', :'ts_b' || '-100');
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.revrange('core_r', :'ts_b', :'ts_b');
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.revrange('core_r', :'ts_b', :'ts_b', exclusive => true);
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.revrange('core_r', :'ts_c', :'ts_a');
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.revrange('core_r', left(:'ts_b', 12), left(:'ts_a', 12));
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.revrange('core_r', left(:'ts_b', 10), left(:'ts_b', 10), exclusive => true);
SELECT string_agg(split_part(id, '-', 2), ' ') AS seqs FROM pipeproc.revrange('core_r', NULL, left(:'ts_b', 1));
-- bounds given the range way round are start past stop: no rows
SELECT coalesce(string_agg(split_part(id, '-', 2), ' '), '(none)') AS seqs FROM pipeproc.revrange('core_r', ':2', ':6');
SELECT coalesce(string_agg(split_part(id, '-', 2), ' '), '(none)') AS seqs FROM pipeproc.revrange('core_r', :'ts_a', :'ts_c');
SELECT coalesce(string_agg(split_part(id, '-', 2), ' '), '(none)') AS seqs FROM pipeproc.revrange('core_r', :'ts_a' || '-1', :'ts_c' || '-7');
SELECT coalesce(string_agg(split_part(id, '-', 2), ' '), '(none)') AS seqs FROM pipeproc.revrange('core_r', ':4', ':4', exclusive => true);

--
-- length, and the topics view, after all that reading
--
SELECT pipeproc.length('core_r');
SELECT name, length, logs, first_id = :'ts_a' || '-0' AS first_ok, last_id = :'ts_c' || '-8' AS last_ok
FROM pipeproc.topics WHERE name = 'core_r';
-- a created topic with no logs: length 0, no rows, :N has nothing to find
SELECT 'ok' AS create_topic FROM pipeproc.create_topic('core_r_empty');
SELECT pipeproc.length('core_r_empty');
SELECT count(*) FROM pipeproc.range('core_r_empty', '', '', 10, true);
SELECT count(*) FROM pipeproc.revrange('core_r_empty', :'ts_a', NULL);
SELECT pg_temp.err($q$ SELECT * FROM pipeproc.range('core_r_empty', ':0') $q$);
SELECT name, length, logs, first_id, last_id FROM pipeproc.topics WHERE name = 'core_r_empty';
-- one more log: the next seq, found by its own ts and by its id
SELECT pipeproc.commit('core_r', '{"n": 9}') AS id9 \gset
SELECT split_part(:'id9', '-', 2) AS seq,
       (SELECT string_agg(split_part(id, '-', 2), ' ') FROM pipeproc.range('core_r', split_part(:'id9', '-', 1))) AS same_ms,
       (SELECT string_agg(split_part(id, '-', 2), ' ') FROM pipeproc.revrange('core_r', NULL, :'id9')) AS rev_to_it;
SELECT pipeproc.length('core_r');

--
-- result sets outlive nothing they should not: an open cursor while other
-- ranges run and fail, a join of two ranges, a cursor held across COMMIT,
-- and an aborted transaction in the middle of a scan
--
BEGIN;
DECLARE c CURSOR FOR SELECT split_part(id, '-', 2) AS seq, body->>'n' AS n FROM pipeproc.range('core_r');
FETCH 3 FROM c;
SELECT count(*) FROM pipeproc.range('core_r');
SAVEPOINT s;
SELECT 1 / (body->>'n')::int FROM pipeproc.range('core_r');
ROLLBACK TO s;
FETCH ALL FROM c;
COMMIT;
SELECT count(*) AS pairs, sum((a.body->>'n')::int * (b.body->>'n')::int) AS products
FROM pipeproc.range('core_r') a JOIN pipeproc.revrange('core_r') b ON a.id = b.id;
BEGIN;
DECLARE h CURSOR WITH HOLD FOR SELECT body->>'n' AS n FROM pipeproc.revrange('core_r', NULL, NULL, 4);
FETCH 1 FROM h;
COMMIT;
SELECT count(*) FROM pipeproc.range('core_r');
FETCH ALL FROM h;
CLOSE h;
BEGIN;
SELECT 1 / (body->>'n')::int FROM pipeproc.range('core_r');
ROLLBACK;
SELECT string_agg(body->>'n', ' ') AS all_n FROM pipeproc.range('core_r');
SELECT count(*) FROM pipeproc.range('core_r') a, LATERAL pipeproc.range('core_r', a.id, NULL, 2) b;

SELECT count(*) AS dropped
FROM pipeproc.topics t, LATERAL (SELECT 1 FROM pipeproc.drop_topic(t.name)) d
WHERE t.name LIKE 'core\_r%';
