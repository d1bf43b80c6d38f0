--
-- hostile_args: hostile values through every text argument of every function -- topic
-- names, proc names, offsets, range bounds, privilege words, role names, on_max_reclaims,
-- tablespace names -- and a few hostile numbers and intervals.  Each call gives exactly
-- the intended result or an error with SPEC section 7's SQLSTATE; afterwards the catalogs
-- are intact and hold exactly what the valid values were meant to create.
-- (core_hostile covers topic names and bodies through commit/create/drop/range/length.)
--
-- battery(calls) runs, for every hostile value (in order), each call: format(call, value
-- as a literal, k).  A call's first character says how:  '!' keep what it does, show 'ok'
-- or the SQLSTATE;  '~' the same, but always rolled back;  '=' keep it and show its first
-- column ('-' for NULL or no row) or the SQLSTATE.
--
SET client_min_messages = warning;  -- only for the NOTICE if it exists already
CREATE EXTENSION IF NOT EXISTS pipeproc;
RESET client_min_messages;
\set SHOW_CONTEXT never

CREATE ROLE regress_pipeproc_ha;
CREATE ROLE "regress_pipeproc_ha'""\ $$;";

CREATE TEMP TABLE hostile (k int PRIMARY KEY, label text, v text);
INSERT INTO hostile VALUES
  (1, 'empty', ''),
  (2, 'space', ' '),
  (3, 'quote', ''''),
  (4, 'double quote', '"'),
  (5, 'backslash', '\'),
  (6, 'backslash quote', '\'''),
  (7, '$$', '$$'),
  (8, '$q$;$q$', '$q$;$q$'),
  (9, 'injection 1', $v$'; DROP TABLE pipeproc.topic; --$v$),
  (10, 'injection 2', $v$"); DROP TABLE pipeproc.topic; --$v$),
  (11, 'injection 3', $v$x' OR '1'='1$v$),
  (12, 'format specs', '%s%n%x%%'),
  (13, 'chr(1)..chr(31)', (SELECT string_agg(chr(i), '' ORDER BY i) FROM generate_series(1, 31) i)),
  (14, 'chr(127)', chr(127)),
  (15, 'C1 controls', convert_from('\xc280c29f', 'UTF8')),
  (16, 'BOM ZWSP RLO', convert_from('\xefbbbfe2808be280ae', 'UTF8')),
  (17, 'combining, emoji', 'e' || convert_from('\xcc81f09f9880', 'UTF8')),
  (18, 'cyrillic a in ha_t', 'h' || convert_from('\xd0b0', 'UTF8') || '_t'),
  (19, 'fullwidth ha_t', convert_from('\xefbd88efbd81efbcbfefbd94', 'UTF8')),
  (20, 'U+10FFFF', convert_from('\xf48fbfbf', 'UTF8')),
  (21, '1 MB of x', repeat('x', 1048576)),
  (22, '1 MB of 9', repeat('9', 1048576)),
  (23, ': and 1 MB of 0', ':' || repeat('0', 1048576)),
  (24, 'ha_t newline', E'ha_t\n'),
  (25, ' ha_t ', ' ha_t '),
  (26, 'tab ha_t', E'\tha_t'),
  (27, 'HA_T', 'HA_T'),
  (28, 'huge id', '99999999999999999999999-99999999999999999999'),
  (29, 'max id', '9223372036854775807-9223372036854775807'),
  (30, 'ts overflow id', '9223372036854775808-0'),
  (31, 'zero-padded id', '0000000000000000000000000001-0'),
  (32, '-1', '-1'),
  (33, '-0', '-0'),
  (34, ':-1', ':-1'),
  (35, ':max+1', ':9223372036854775808'),
  (36, ':max', ':9223372036854775807'),
  (37, ':0', ':0'),
  (38, '0', '0'),
  (39, '1e3', '1e3'),
  (40, 'arabic digits', convert_from('\xd9a1d9a2d9a3', 'UTF8')),
  (41, 'NaN', 'NaN'),
  (42, 'NULL', 'NULL'),
  (43, '>', '>'),
  (44, '$>', '$>'),
  (45, 'read', 'read'),
  (46, 'READ', 'READ'),
  (47, 'read+space', 'read '),
  (48, 'read,write', 'read,write'),
  (49, 'write', 'write'),
  (50, 'all', 'all'),
  (51, 'public', 'public'),
  (52, 'PUBLIC', 'PUBLIC'),
  (53, 'role', 'regress_pipeproc_ha'),
  (54, 'ROLE', 'REGRESS_PIPEPROC_HA'),
  (55, 'role with quotes', $v$regress_pipeproc_ha'"\ $$;$v$),
  (56, 'disable', 'disable'),
  (57, 'continue', 'continue'),
  (58, 'DISABLE', 'DISABLE'),
  (59, 'pg_default', 'pg_default'),
  (60, 'PG_DEFAULT', 'PG_DEFAULT');
SELECT count(*) AS values, max(octet_length(v)) AS longest FROM hostile;

CREATE FUNCTION pg_temp.battery(calls text[]) RETURNS TABLE (k int, label text, r text[])
LANGUAGE plpgsql AS $$
DECLARE
  h record;
  c text;
  q text;
  v text;
  res text;
  acc text[];
BEGIN
  FOR h IN SELECT x.k AS hk, x.label AS hlabel, x.v AS hv FROM hostile x ORDER BY x.k LOOP
    acc := '{}';
    FOREACH c IN ARRAY calls LOOP
      q := format(substr(c, 2), h.hv, h.hk);
      BEGIN
        IF left(c, 1) = '=' THEN
          EXECUTE q INTO v;
          res := coalesce(v, '-');
        ELSE
          EXECUTE q;
          res := 'ok';
        END IF;
        IF left(c, 1) = '~' THEN
          RAISE EXCEPTION USING ERRCODE = 'PP000', MESSAGE = 'roll back';
        END IF;
      EXCEPTION WHEN OTHERS THEN
        res := CASE WHEN SQLSTATE = 'PP000' THEN 'ok' ELSE SQLSTATE END;
      END;
      acc := acc || res;
    END LOOP;
    k := h.hk;
    label := h.hlabel;
    r := acc;
    RETURN NEXT;
  END LOOP;
END $$;
-- 'SQLSTATE: message', control characters shown as '?', cut at 90 characters
CREATE FUNCTION pg_temp.msg(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE q;
  RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ': ' || regexp_replace(left(SQLERRM, 90), '[\x01-\x1f\x7f]', '?', 'g')
         || CASE WHEN length(SQLERRM) > 90 THEN '...' ELSE '' END;
END $$;
CREATE FUNCTION pg_temp.err(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE q;
  RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
-- what pipeproc stores, and every relation outside the temporary schemas
CREATE FUNCTION pg_temp.catalog() RETURNS text LANGUAGE sql AS $$
  SELECT format('%s topics, %s procs, %s logs; %s relations in pipeproc, %s elsewhere',
    (SELECT count(*) FROM pipeproc.topic), (SELECT count(*) FROM pipeproc.proc),
    (SELECT count(*) FROM pipeproc.logs),
    (SELECT count(*) FROM pg_class WHERE relnamespace = 'pipeproc'::regnamespace),
    (SELECT count(*) FROM pg_class WHERE relpersistence <> 't' AND relnamespace <> 'pipeproc'::regnamespace)) $$;
-- the other tests' topics and procs, to show they are untouched
CREATE FUNCTION pg_temp.others() RETURNS text LANGUAGE sql AS $$
  SELECT md5(coalesce((SELECT string_agg(format('%s %s %s %s', t.name, t.owner, t.relid, s.length), ',' ORDER BY t.name)
                         FROM pipeproc.topic t, pipeproc._topic_stats(t.name) s
                        WHERE t.name NOT IN (SELECT v FROM hostile) AND t.name NOT LIKE 'ha\_%'
                          AND lower(t.name) <> 'orders'), '') ||
             coalesce((SELECT string_agg(p::text, ',' ORDER BY p.name) FROM pipeproc.proc p
                        WHERE p.name NOT IN (SELECT v FROM hostile) AND p.name NOT LIKE 'ha\_%'
                          AND lower(p.name) <> 'billing'), '')) $$;

-- ha_t: 3 logs; ha_out: the output of ack_commit; ha_pend: a proc with a claim pending
SELECT count(*) AS committed FROM (SELECT pipeproc.commit('ha_t', jsonb_build_object('n', g)) FROM generate_series(0, 2) g) c;
SELECT 'ok' AS create_topic FROM pipeproc.create_topic('ha_out');
SELECT split_part(id, '-', 2) AS seq FROM pipeproc.proc('ha_t', 'ha_pend', reclaim_timeout => NULL);
SELECT pg_temp.catalog() AS catalog0 \gset
SELECT pg_temp.others() AS others0 \gset

--
-- names are case-sensitive data: "Orders", "orders" and "ORDERS" are three topics,
-- "Billing" and "billing" two procs, and a grant on one name is not a grant on another
--
SELECT n AS topic, split_part(pipeproc.commit(n, jsonb_build_object('o', n)), '-', 2) AS seq
FROM (VALUES ('Orders'), ('orders'), ('ORDERS')) AS v(n);
SELECT name, length, logs FROM pipeproc.topics WHERE lower(name) = 'orders' ORDER BY name COLLATE "C";
SELECT n AS topic, (SELECT string_agg(body->>'o', ' ') FROM pipeproc.range(n)) AS bodies, pipeproc.length(n) AS length
FROM (VALUES ('Orders'), ('orders'), ('ORDERS')) AS v(n);
SELECT body->>'o' AS o FROM pipeproc.proc('Orders', 'Billing', reclaim_timeout => NULL);
SELECT body->>'o' AS o FROM pipeproc.proc('orders', 'billing', reclaim_timeout => NULL);
SELECT pg_temp.err($$ SELECT * FROM pipeproc.proc('orders', 'Billing') $$) AS billing_on_orders;
SELECT pg_temp.err($$ SELECT * FROM pipeproc.proc('ORDERS', 'billing') $$) AS lower_billing_on_upper;
SELECT pg_temp.err($$ SELECT pipeproc.ack('BILLING') $$) AS ack_upper;
SELECT name, topic, pending FROM pipeproc.procs WHERE lower(name) = 'billing' ORDER BY name COLLATE "C";
SELECT 'ok' AS grant_topic FROM pipeproc.grant_topic('Orders', 'regress_pipeproc_ha', 'read');
SET ROLE regress_pipeproc_ha;
SELECT count(*) AS range_orders_upper FROM pipeproc.range('Orders');
SELECT pg_temp.err($$ SELECT * FROM pipeproc.range('orders') $$) AS range_orders;
SELECT pg_temp.err($$ SELECT * FROM pipeproc.range('ORDERS') $$) AS range_orders_all_upper;
RESET ROLE;
SELECT pg_temp.err($$ SELECT pipeproc.grant_topic('orders', 'REGRESS_PIPEPROC_HA', 'read') $$) AS role_upper;
SELECT pg_temp.err($$ SELECT pipeproc.grant_topic('orders', 'Regress_pipeproc_ha', 'read') $$) AS role_mixed;
SELECT pg_temp.err($$ SELECT pipeproc.create_topic('ORDERS') $$) AS create_existing;

SELECT pg_temp.catalog() AS catalog1 \gset

--
-- messages: a clear message for each kind of bad value (shown cut and without control
-- characters; the 1 MB values are echoed in full by the server)
--
SELECT h.k, h.label,
       pg_temp.msg(format('SELECT * FROM pipeproc.proc(%L, %L)', h.v, 'ha_m')) AS as_topic,
       pg_temp.msg(format('SELECT pipeproc.ack(%L)', h.v)) AS as_proc_name
FROM hostile h WHERE h.k IN (1, 9, 13, 19, 21, 25) ORDER BY h.k;
SELECT h.k, h.label,
       pg_temp.msg(format('SELECT * FROM pipeproc.range(%L, %L)', 'ha_t', h.v)) AS as_bound,
       pg_temp.msg(format('SELECT * FROM pipeproc.proc(%L, %L, %L)', 'ha_t', 'ha_m', h.v)) AS as_offset
FROM hostile h WHERE h.k IN (2, 22, 28, 35, 36, 39) ORDER BY h.k;
SELECT h.k, h.label,
       pg_temp.msg(format('SELECT pipeproc.grant_topic(%L, %L, %L)', 'ha_t', 'regress_pipeproc_ha', h.v)) AS as_privilege,
       pg_temp.msg(format('SELECT pipeproc.grant_topic(%L, %L, %L)', 'ha_t', h.v, 'read')) AS as_role
FROM hostile h WHERE h.k IN (9, 21, 46, 52, 54) ORDER BY h.k;
SELECT h.k, h.label,
       pg_temp.msg(format('SELECT * FROM pipeproc.proc(%L, %L, on_max_reclaims => %L)', 'ha_t', 'ha_m', h.v)) AS as_on_max_reclaims,
       pg_temp.msg(format('SELECT pipeproc.create_topic(%L, false, %L)', 'ha_m', h.v)) AS as_tablespace
FROM hostile h WHERE h.k IN (9, 21, 58, 60) ORDER BY h.k;
SELECT pg_temp.catalog() = :'catalog1' AS nothing_written;

--
-- as a topic name.  Valid names (the digits-and-dashes ones, the words) are topics like
-- any other: commit creates them; everything else is 22023 everywhere.
-- range/length show the log count; ack_commit acks ha_pend and is rolled back;
-- _topic_stats shows the log count (NULL for no such topic), _proc_lag the lag of a
-- cursor before the first log, _topic_readable whether the caller may read.
--
SELECT k, label, r[1] AS commit, r[2] AS commit_logs, r[3] AS range, r[4] AS length,
       r[5] AS proc, r[6] AS ack_commit, r[7] AS ack_commit_logs,
       r[8] AS grant_topic, r[9] AS revoke_topic,
       r[10] AS _topic_stats, r[11] AS _proc_lag, r[12] AS _topic_readable
FROM pg_temp.battery(ARRAY[
  $c$!SELECT pipeproc.commit(%1$L, '{"h": 1}')$c$,
  $c$!SELECT pipeproc.commit(jsonb_build_array(jsonb_build_object('topic', %1$L::text, 'body', '{"h": 2}'::jsonb)))$c$,
  $c$=SELECT count(*) FROM pipeproc.range(%1$L)$c$,
  $c$=SELECT pipeproc.length(%1$L)$c$,
  $c$~SELECT * FROM pipeproc.proc(%1$L, 'ha_tp')$c$,
  $c$~SELECT * FROM pipeproc.ack_commit('ha_pend', %1$L, '{"h": 3}')$c$,
  $c$~SELECT * FROM pipeproc.ack_commit('ha_pend', jsonb_build_array(jsonb_build_object('topic', %1$L::text, 'body', '{"h": 3}'::jsonb)))$c$,
  $c$!SELECT pipeproc.grant_topic(%1$L, 'regress_pipeproc_ha', 'read')$c$,
  $c$!SELECT pipeproc.revoke_topic(%1$L, 'regress_pipeproc_ha', 'read')$c$,
  $c$=SELECT logs FROM pipeproc._topic_stats(%1$L)$c$,
  $c$=SELECT pipeproc._proc_lag(%1$L, 0, -1, true)$c$,
  $c$=SELECT pipeproc._topic_readable(%1$L)$c$]);

--
-- as a proc name, on ha_t: a whole life -- claim (log 0), inspect, ack, claim (log 1),
-- reclaim, disable, resume, claim (log 1 again), ack_commit to ha_out, claim (log 2),
-- ack_commit(logs), wait_for_procs, destroy.  Valid names go through; others are 22023
-- at every step.
--
SELECT k, label, r[1] AS proc, r[2] AS inspect, r[3] AS ack, r[4] AS proc2, r[5] AS reclaim,
       r[6] AS disable, r[7] AS resume, r[8] AS proc3, r[9] AS ack_commit, r[10] AS proc4,
       r[11] AS ack_commit_logs, r[12] AS wait, r[13] AS destroy
FROM pg_temp.battery(ARRAY[
  $c$=SELECT string_agg(split_part(id, '-', 2), ',') FROM pipeproc.proc('ha_t', %1$L)$c$,
  $c$=SELECT status FROM pipeproc.inspect_proc(%1$L)$c$,
  $c$=SELECT regexp_replace(pipeproc.ack(%1$L), '\d+-(\d+)\.\.\d+-(\d+)', '\1..\2')$c$,
  $c$=SELECT string_agg(split_part(id, '-', 2), ',') FROM pipeproc.proc('ha_t', %1$L)$c$,
  $c$=SELECT regexp_replace(pipeproc.reclaim(%1$L), '\d+-(\d+)\.\.\d+-(\d+)', '\1..\2')$c$,
  $c$=SELECT status FROM pipeproc.disable_proc(%1$L)$c$,
  $c$=SELECT status FROM pipeproc.resume_proc(%1$L)$c$,
  $c$=SELECT string_agg(split_part(id, '-', 2), ',') FROM pipeproc.proc('ha_t', %1$L)$c$,
  $c$=SELECT regexp_replace(acked, '\d+-(\d+)\.\.\d+-(\d+)', '\1..\2') FROM pipeproc.ack_commit(%1$L, 'ha_out', jsonb_build_object('k', %2$s))$c$,
  $c$=SELECT string_agg(split_part(id, '-', 2), ',') FROM pipeproc.proc('ha_t', %1$L)$c$,
  $c$=SELECT regexp_replace(acked, '\d+-(\d+)\.\.\d+-(\d+)', '\1..\2') FROM pipeproc.ack_commit(%1$L, jsonb_build_array(jsonb_build_object('topic', 'ha_out', 'body', jsonb_build_object('k', %2$s))))$c$,
  $c$=SELECT pipeproc.wait_for_procs(ARRAY[%1$L], '1 ms')$c$,
  $c$=SELECT name = %1$L FROM pipeproc.destroy_proc(%1$L)$c$]);

--
-- as from_offset of a new proc on ha_t (logs 0, 1, 2): the logs of its first claim (up to
-- 10), then destroy_proc.  '>' all, '$>' none, ':0' after log 0, a timestamp T from
-- ts >= T, an id after that position; anything else 22P02, ':N' with no log 22023.
--
SELECT k, label, r[1] AS claimed, r[2] AS destroy_proc
FROM pg_temp.battery(ARRAY[
  $c$=SELECT coalesce(string_agg(split_part(id, '-', 2), ','), 'none') FROM pipeproc.proc('ha_t', 'ha_o' || %2$s, %1$L, count => 10)$c$,
  $c$!SELECT pipeproc.destroy_proc('ha_o' || %2$s)$c$]);

--
-- as a range bound on ha_t (logs 0, 1, 2): the seqs returned with it as start and as stop,
-- for range and revrange.  '' is an open end; ':N' a stored log (22023 if none); an id a
-- position; digits a timestamp (prefix); anything else 22P02.
--
SELECT k, label, r[1] AS range_start, r[2] AS range_stop, r[3] AS revrange_start, r[4] AS revrange_stop,
       r[5] AS exclusive_start
FROM pg_temp.battery(ARRAY[
  $c$=SELECT coalesce(string_agg(split_part(id, '-', 2), ','), 'none') FROM pipeproc.range('ha_t', %1$L)$c$,
  $c$=SELECT coalesce(string_agg(split_part(id, '-', 2), ','), 'none') FROM pipeproc.range('ha_t', NULL, %1$L)$c$,
  $c$=SELECT coalesce(string_agg(split_part(id, '-', 2), ','), 'none') FROM pipeproc.revrange('ha_t', %1$L)$c$,
  $c$=SELECT coalesce(string_agg(split_part(id, '-', 2), ','), 'none') FROM pipeproc.revrange('ha_t', NULL, %1$L)$c$,
  $c$=SELECT coalesce(string_agg(split_part(id, '-', 2), ','), 'none') FROM pipeproc.range('ha_t', %1$L, NULL, 2, true)$c$]);

--
-- as a privilege word ('read', 'write', 'all' only; case and spaces matter: 22023), as a
-- role name (an existing role, quotes and all, or 'public'; anything else 42704), as
-- on_max_reclaims ('disable', 'continue'; 22023) and as a tablespace name (a name: cut at
-- 63 bytes; only 'pg_default' exists; 42704).  What was granted is revoked in the same
-- row; a proc or topic made is destroyed or dropped.
--
SELECT k, label, r[1] AS grant_privilege, r[2] AS revoke_privilege, r[3] AS grant_role,
       r[4] AS revoke_role, r[5] AS on_max_reclaims, r[6] AS destroy_proc,
       r[7] AS create_topic_in, r[8] AS drop_topic
FROM pg_temp.battery(ARRAY[
  $c$!SELECT pipeproc.grant_topic('ha_t', 'regress_pipeproc_ha', %1$L)$c$,
  $c$!SELECT pipeproc.revoke_topic('ha_t', 'regress_pipeproc_ha', %1$L)$c$,
  $c$!SELECT pipeproc.grant_topic('ha_t', %1$L, 'read')$c$,
  $c$!SELECT pipeproc.revoke_topic('ha_t', %1$L, 'all')$c$,
  $c$!SELECT * FROM pipeproc.proc('ha_t', 'ha_m' || %2$s, on_max_reclaims => %1$L)$c$,
  $c$!SELECT pipeproc.destroy_proc('ha_m' || %2$s)$c$,
  $c$!SELECT pipeproc.create_topic('ha_s' || %2$s, false, %1$L)$c$,
  $c$!SELECT pipeproc.drop_topic('ha_s' || %2$s)$c$]);
SELECT c.relacl IS NULL OR c.relacl::text NOT LIKE '%regress_pipeproc_ha%' AS ha_t_grants_all_revoked
FROM pipeproc.topic t JOIN pg_class c ON c.oid = t.relid WHERE t.name = 'ha_t';

--
-- wait_for_procs: hostile names among good ones, NULL elements, odd arrays
--
SELECT pg_temp.err($$ SELECT pipeproc.wait_for_procs(ARRAY['ha_pend', '''; DROP TABLE pipeproc.proc; --'], '1 ms') $$) AS injection;
SELECT pg_temp.err($$ SELECT pipeproc.wait_for_procs(ARRAY['ha_pend', NULL], '1 ms') $$) AS null_element;
SELECT pg_temp.err($$ SELECT pipeproc.wait_for_procs(ARRAY['ha_pend', 'ha_nope'], '1 ms') $$) AS unknown;
SELECT pg_temp.err($$ SELECT pipeproc.wait_for_procs(ARRAY['ha_pend', repeat('p', 129)], '1 ms') $$) AS too_long;
SELECT pipeproc.wait_for_procs(ARRAY[]::text[], '1 ms') AS empty_array;
SELECT pipeproc.wait_for_procs('{{ha_pend}}'::text[], '1 ms') AS two_dimensional;
SELECT pipeproc.wait_for_procs('[5:5]={ha_pend}'::text[], '1 ms') AS lower_bound_5;

--
-- hostile numbers and intervals
--
SELECT n AS count, pg_temp.err(format('SELECT * FROM pipeproc.proc(%L, %L, count => %s)', 'ha_t', 'ha_n', n)) AS proc
FROM (VALUES (-2147483648), (-1), (0)) AS v(n);
SELECT n AS count, (SELECT count(*) FROM pipeproc.range('ha_t', count => n)) AS range,
       (SELECT count(*) FROM pipeproc.revrange('ha_t', count => n)) AS revrange
FROM (VALUES (-2147483648), (-1), (0), (1), (2147483647)) AS v(n);
SELECT n AS max_reclaims, pg_temp.err(format('SELECT * FROM pipeproc.proc(%L, %L, max_reclaims => %s)', 'ha_t', 'ha_n', n)) AS proc
FROM (VALUES (-2147483648), (-2), (0)) AS v(n);
SELECT i AS reclaim_timeout, pg_temp.err(format('SELECT * FROM pipeproc.proc(%L, %L, reclaim_timeout => %L)', 'ha_t', 'ha_n', i)) AS proc
FROM (VALUES ('-1 s'), ('0'), ('-1 microsecond'), ('1 month -31 days')) AS v(i);
SELECT count(*) AS procs_made FROM pipeproc.procs WHERE name = 'ha_n';
-- the largest values are settings like any other
SELECT split_part(id, '-', 2) AS seq FROM pipeproc.proc('ha_t', 'ha_big', count => 2147483647, max_reclaims => 2147483647,
                                                       reclaim_timeout => '178000000 years');
-- with a claim pending, a later proc() call sees the claim's deadline lie beyond any time:
-- no rows (it never expires), not an overflow
SELECT pg_temp.err($$ SELECT * FROM pipeproc.proc('ha_t', 'ha_big') $$) AS claim_pending;
SELECT regexp_replace(pipeproc.ack('ha_big'), '\d+-(\d+)\.\.\d+-(\d+)', '\1..\2') AS acked;
SELECT pipeproc.wait_for_procs(ARRAY['ha_big'], '1 ms') AS caught_up;
-- a timeout too large to add to now() is a wait without end (here: true at once, the proc
-- has caught up); a hugely negative one has passed already
SELECT pg_temp.err($$ SELECT pipeproc.wait_for_procs(ARRAY['ha_big'], '178000000 years') $$) AS huge_timeout;
SELECT pg_temp.err($$ SELECT pipeproc.wait_for_procs(ARRAY['ha_big'], '-178000000 years') $$) AS huge_negative_timeout;
SELECT name, pending FROM pipeproc.destroy_proc('ha_big');

--
-- afterwards: the catalogs are intact; the only topics made are those with valid names
-- (2 logs each, from commit and commit(logs)); ha_out holds 2 logs per valid proc name;
-- the only procs are ha_pend, Billing and billing; nothing else was touched
--
SELECT to_regclass('pipeproc.topic') IS NOT NULL AS topic, to_regclass('pipeproc.proc') IS NOT NULL AS proc,
       to_regclass('pipeproc.logs') IS NOT NULL AS logs, to_regclass('pipeproc.topics') IS NOT NULL AS topics_view,
       to_regclass('pipeproc.procs') IS NOT NULL AS procs_view;
SELECT t.name, t.length, t.logs, h.k AS hostile_k
FROM pipeproc.topics t LEFT JOIN hostile h ON h.v = t.name
WHERE t.name IN (SELECT v FROM hostile) OR t.name LIKE 'ha\_%' OR lower(t.name) = 'orders'
ORDER BY t.name COLLATE "C";
SELECT count(*) AS ha_out_logs, count(DISTINCT body) AS distinct_bodies,
       string_agg(DISTINCT body->>'k', ',' ORDER BY body->>'k') AS from_values
FROM pipeproc.range('ha_out');
SELECT name, topic, status, pending FROM pipeproc.procs
WHERE name IN (SELECT v FROM hostile) OR name LIKE 'ha\_%' OR lower(name) = 'billing'
ORDER BY name COLLATE "C";
SELECT pg_temp.others() = :'others0' AS others_untouched;
SELECT (SELECT count(*) FROM pipeproc.topic) - split_part(:'catalog0', ' ', 1)::int AS new_topics,
       (SELECT count(*) FROM pipeproc.topic t WHERE t.name IN (SELECT v FROM hostile)
          OR lower(t.name) = 'orders') AS valid_hostile_or_case_names;
-- ha_t is as it was
SELECT split_part(id, '-', 2) AS seq, body FROM pipeproc.range('ha_t');

-- clean up
SELECT count(*) AS dropped
FROM pipeproc.topics t, LATERAL (SELECT 1 FROM pipeproc.drop_topic(t.name)) d
WHERE t.name IN (SELECT v FROM hostile) OR t.name LIKE 'ha\_%' OR lower(t.name) = 'orders';
SELECT count(*) AS procs_left FROM pipeproc.procs
WHERE name IN (SELECT v FROM hostile) OR name LIKE 'ha\_%' OR lower(name) = 'billing';
SELECT pg_temp.others() = :'others0' AS others_untouched;
DROP OWNED BY regress_pipeproc_ha, "regress_pipeproc_ha'""\ $$;";
DROP ROLE regress_pipeproc_ha, "regress_pipeproc_ha'""\ $$;";
