--
-- system procs (SPEC section 5): system_proc, destroy_system_proc, run_system_procs and the
-- system_procs view; what a processor's result commits; failures as reclaims; exactly once;
-- the processor's privileges; every error.
--
\i test/regress_setup.psql
-- seq of an id
CREATE FUNCTION pg_temp.seq(id text) RETURNS int LANGUAGE sql AS $$ SELECT split_part(id, '-', 2)::int $$;
CREATE FUNCTION pg_temp.bodies(t text) RETURNS SETOF jsonb LANGUAGE sql AS
$$ SELECT body FROM pipeproc.range(t) $$;

-- processors (created by the superuser; EXECUTE is granted to PUBLIC by default)
CREATE SCHEMA sysp;
CREATE FUNCTION sysp.double(body jsonb) RETURNS jsonb LANGUAGE sql
  AS $$ SELECT jsonb_build_object('n', (body->>'n')::int * 2) $$;
CREATE FUNCTION sysp.pair(body jsonb, id text) RETURNS jsonb LANGUAGE sql
  AS $$ SELECT jsonb_build_array(jsonb_build_object('n', body->'n', 'k', 'x', 'seq', split_part(id, '-', 2)::int),
                                 jsonb_build_object('n', body->'n', 'k', 'y')) $$;
CREATE FUNCTION sysp.none(body jsonb) RETURNS jsonb LANGUAGE sql AS $$ SELECT NULL::jsonb $$;
CREATE FUNCTION sysp.json_null(body jsonb) RETURNS jsonb LANGUAGE sql AS $$ SELECT 'null'::jsonb $$;
CREATE FUNCTION sysp.scalar(body jsonb) RETURNS jsonb LANGUAGE sql AS $$ SELECT '5'::jsonb $$;
CREATE FUNCTION sysp.bad_elem(body jsonb) RETURNS jsonb LANGUAGE sql AS $$ SELECT '[{"a": 1}, 2]'::jsonb $$;
CREATE FUNCTION sysp.fail_odd(body jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
BEGIN
  IF (body->>'n')::int % 2 = 1 THEN RAISE EXCEPTION 'odd log %', body->>'n'; END IF;
  RETURN jsonb_build_object('even', body->'n');
END $$;
CREATE FUNCTION sysp.whoami(body jsonb) RETURNS jsonb LANGUAGE sql
  AS $$ SELECT jsonb_build_object('user', current_user, 'path', current_setting('search_path')) $$;
CREATE FUNCTION sysp.set_path(body jsonb) RETURNS jsonb LANGUAGE sql
  AS $$ SELECT jsonb_build_object('set', set_config('search_path', 'sysp', false)) $$;
CREATE FUNCTION sysp.set_role(body jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
BEGIN PERFORM set_config('role', 'postgres', true); RETURN NULL; END $$;
CREATE TABLE sysp.secret (x int);
CREATE FUNCTION sysp.peek(body jsonb) RETURNS jsonb LANGUAGE sql
  AS $$ SELECT jsonb_build_object('secret', (SELECT count(*) FROM sysp.secret)) $$;
CREATE FUNCTION sysp.wrong_args(body json) RETURNS jsonb LANGUAGE sql AS $$ SELECT '{}'::jsonb $$;
CREATE FUNCTION sysp.wrong_result(body jsonb) RETURNS json LANGUAGE sql AS $$ SELECT '{}'::json $$;
CREATE FUNCTION sysp.set_returning(body jsonb) RETURNS SETOF jsonb LANGUAGE sql AS $$ SELECT '{}'::jsonb $$;
CREATE PROCEDURE sysp.a_procedure(body jsonb) LANGUAGE sql AS $$ SELECT 1 $$;
CREATE FUNCTION sysp.private(body jsonb) RETURNS jsonb LANGUAGE sql AS $$ SELECT body $$;
REVOKE EXECUTE ON FUNCTION sysp.private(jsonb) FROM PUBLIC;
GRANT USAGE ON SCHEMA sysp TO PUBLIC;

SELECT count(*) FROM (SELECT pipeproc.commit('sp_in', jsonb_build_object('n', g)) FROM generate_series(1, 4) g) x;

-- an object: one log to every to_topic
SELECT name, topic, status, pending FROM pipeproc.system_proc('sp_double', 'sp_in', 'sysp.double(jsonb)', ARRAY['sp_out']);
-- the same name again: the existing system proc, unchanged (other arguments ignored)
SELECT name, topic FROM pipeproc.system_proc('sp_double', 'sp_other', 'sysp.none(jsonb)');
-- an array: one log per element to every to_topic, topics outer, elements inner; count 3
SELECT name, topic FROM pipeproc.system_proc('sp_pair', 'sp_in', 'sysp.pair(jsonb, text)', ARRAY['sp_a', 'sp_b'], count => 3);
-- NULL, JSON null, or no to_topics: ack only
SELECT name FROM pipeproc.system_proc('sp_none', 'sp_in', 'sysp.none(jsonb)', ARRAY['sp_never']);
SELECT name FROM pipeproc.system_proc('sp_jnull', 'sp_in', 'sysp.json_null(jsonb)', ARRAY['sp_never']);
SELECT name FROM pipeproc.system_proc('sp_noto', 'sp_in', 'sysp.double(jsonb)');
SELECT pipeproc.run_system_procs();
SELECT * FROM pg_temp.bodies('sp_out');
SELECT * FROM pg_temp.bodies('sp_a');
SELECT * FROM pg_temp.bodies('sp_b');
SELECT pg_temp.err($$ SELECT pipeproc.length('sp_never') $$);
SELECT name, proc, from_topic, to_topics, processor, count, status, pending, lag, processed, last_error
  FROM pipeproc.system_procs ORDER BY proc;
-- nothing left to do
SELECT pipeproc.run_system_procs();

-- exactly once: a rolled-back run leaves no trace; the next run does the work once
SELECT count(*) FROM (SELECT pipeproc.commit('sp_in', jsonb_build_object('n', g)) FROM generate_series(5, 6) g) x;
BEGIN;
SELECT pipeproc.run_system_procs();
SELECT count(*) AS out_in_txn FROM pipeproc.range('sp_out');
ROLLBACK;
SELECT count(*) AS out_after_rollback FROM pipeproc.range('sp_out');
SELECT proc, processed, lag FROM pipeproc.system_procs WHERE name = 'sp_double';
SELECT pipeproc.run_system_procs();
SELECT * FROM pg_temp.bodies('sp_out');

-- max_logs: exactly that many logs, then stop
SELECT count(*) FROM (SELECT pipeproc.commit('sp_in', jsonb_build_object('n', g)) FROM generate_series(7, 8) g) x;
SELECT pipeproc.run_system_procs(max_logs => 3);
SELECT sum(lag) AS logs_left FROM pipeproc.system_procs;
SELECT pipeproc.run_system_procs();

-- a chain: sp_mid's logs are committed by the run, so the next system proc sees them after it
SELECT name FROM pipeproc.system_proc('sp_chain1', 'sp_c1', 'sysp.double(jsonb)', ARRAY['sp_c2']);
SELECT name FROM pipeproc.system_proc('sp_chain2', 'sp_c2', 'sysp.double(jsonb)', ARRAY['sp_c3']);
SELECT pipeproc.commit('sp_c1', '{"n": 5}') IS NOT NULL AS committed;
SELECT pipeproc.run_system_procs();
SELECT pipeproc.run_system_procs();
SELECT * FROM pg_temp.bodies('sp_c3');

-- failures: rolled back, counted as reclaims, kept in last_error; disabled at max_reclaims
SELECT name FROM pipeproc.system_proc('sp_fail', 'sp_in', 'sysp.fail_odd(jsonb)', ARRAY['sp_even'], max_reclaims => 2);
SELECT pipeproc.run_system_procs();
SELECT proc, status, reclaims, processed, last_error, last_error_at IS NOT NULL AS dated
  FROM pipeproc.system_procs WHERE name = 'sp_fail';
SELECT pipeproc.run_system_procs();
SELECT proc, status, reclaims, processed, last_error FROM pipeproc.system_procs WHERE name = 'sp_fail';
SELECT pg_temp.err($$ SELECT pipeproc.length('sp_even') $$);
-- resumed, with on_max_reclaims 'continue' it fails on and stays active
SELECT status FROM pipeproc.resume_proc('sp_fail');
SELECT name FROM pipeproc.system_proc('sp_fail2', 'sp_in', 'sysp.fail_odd(jsonb)', max_reclaims => 1, on_max_reclaims => 'continue');
SELECT pipeproc.run_system_procs();
SELECT proc, status, reclaims FROM pipeproc.system_procs WHERE name IN ('sp_fail', 'sp_fail2') ORDER BY proc;
-- results that cannot be committed are failures too
SELECT name FROM pipeproc.system_proc('sp_scalar', 'sp_in', 'sysp.scalar(jsonb)', ARRAY['sp_never']);
SELECT name FROM pipeproc.system_proc('sp_bad_elem', 'sp_in', 'sysp.bad_elem(jsonb)', ARRAY['sp_never']);
SELECT pipeproc.run_system_procs();
SELECT proc, reclaims, processed, last_error FROM pipeproc.system_procs WHERE name IN ('sp_scalar', 'sp_bad_elem') ORDER BY proc;
SELECT pg_temp.err($$ SELECT pipeproc.length('sp_never') $$);
SELECT count(*) FROM pipeproc.destroy_system_proc('sp_scalar');
SELECT count(*) FROM pipeproc.destroy_system_proc('sp_bad_elem');
SELECT count(*) FROM pipeproc.destroy_system_proc('sp_fail');
SELECT count(*) FROM pipeproc.destroy_system_proc('sp_fail2');

-- from_topics: one proc per topic, <name>__<topic>
SELECT count(*) FROM (SELECT pipeproc.commit(t, jsonb_build_object('n', 1)) FROM unnest(ARRAY['sp_m1', 'sp_m2']) t) x;
SELECT name, topic FROM pipeproc.system_proc('sp_multi', ARRAY['sp_m1', 'sp_m2'], 'sysp.double(jsonb)', ARRAY['sp_mout']);
SELECT pipeproc.run_system_procs();
SELECT * FROM pg_temp.bodies('sp_mout');
-- destroy removes the system proc and its procs, and returns their last rows
SELECT name, topic, last_acked_range IS NOT NULL AS acked FROM pipeproc.destroy_system_proc('sp_multi');
SELECT count(*) FROM pipeproc.procs WHERE name LIKE 'sp\_multi%';
SELECT count(*) FROM pipeproc.system_procs WHERE name = 'sp_multi';
-- destroying the proc, or dropping its topic, removes the system proc with it
SELECT name FROM pipeproc.destroy_proc('sp_noto');
SELECT pipeproc.drop_topic('sp_c1');
SELECT name FROM pipeproc.system_procs ORDER BY name;

-- the processor runs as the system proc's owner, restricted, with a pinned search_path
CREATE ROLE regress_pp_sys_alice;
CREATE ROLE regress_pp_sys_bob;
SET ROLE regress_pp_sys_alice;
SELECT pipeproc.commit('sp_alice', '{"n": 1}') IS NOT NULL AS committed;
SELECT name FROM pipeproc.system_proc('sp_who', 'sp_alice', 'sysp.whoami(jsonb)', ARRAY['sp_alice_out']);
SELECT name FROM pipeproc.system_proc('sp_setpath', 'sp_alice', 'sysp.set_path(jsonb)', ARRAY['sp_alice_out']);
SELECT name FROM pipeproc.system_proc('sp_setrole', 'sp_alice', 'sysp.set_role(jsonb)');
SELECT name FROM pipeproc.system_proc('sp_peek', 'sp_alice', 'sysp.peek(jsonb)', ARRAY['sp_alice_out']);
RESET ROLE;
-- bob may not run alice's system procs: nothing happens
SET ROLE regress_pp_sys_bob;
SELECT pipeproc.run_system_procs();
RESET ROLE;
-- the superuser runs them, as alice
SHOW search_path;
SELECT pipeproc.run_system_procs();
SHOW search_path;
SELECT * FROM pg_temp.bodies('sp_alice_out');
SELECT proc, reclaims, last_error FROM pipeproc.system_procs WHERE owner = 'regress_pp_sys_alice'::regrole ORDER BY proc;
SELECT pg_temp.err($$ SELECT pipeproc.length('sp_setrole_never') $$);

-- errors
SET ROLE regress_pp_sys_alice;
SELECT pg_temp.err($$ SELECT * FROM pipeproc.system_proc('sp_priv', 'sp_alice', 'sysp.private(jsonb)') $$);
-- alice may not read sp_in, nor write sp_out
SELECT pg_temp.err($$ SELECT * FROM pipeproc.system_proc('sp_x1', 'sp_in', 'sysp.double(jsonb)') $$);
SELECT pg_temp.err($$ SELECT * FROM pipeproc.system_proc('sp_x2', 'sp_alice', 'sysp.double(jsonb)', ARRAY['sp_out']) $$);
SELECT pg_temp.err($$ SELECT * FROM pipeproc.destroy_system_proc('sp_double') $$);
SELECT pg_temp.err($$ SELECT * FROM pipeproc.system_proc('sp_double', 'sp_in', 'sysp.double(jsonb)') $$);
RESET ROLE;
SELECT pg_temp.err($$ SELECT * FROM pipeproc.system_proc('sp_x', 'sp_in', 'sysp.wrong_args(json)') $$);
SELECT pg_temp.err($$ SELECT * FROM pipeproc.system_proc('sp_x', 'sp_in', 'sysp.wrong_result(jsonb)') $$);
SELECT pg_temp.err($$ SELECT * FROM pipeproc.system_proc('sp_x', 'sp_in', 'sysp.set_returning(jsonb)') $$);
SELECT pg_temp.err($$ SELECT * FROM pipeproc.system_proc('sp_x', 'sp_in', 'sysp.a_procedure(jsonb)') $$);
SELECT pg_temp.err($$ SELECT * FROM pipeproc.system_proc('sp_x', 'sp_in', 0) $$);
SELECT pg_temp.err($$ SELECT * FROM pipeproc.system_proc('sp_x', 'sp_in', 'sysp.nope(jsonb)') $$);
SELECT pg_temp.err($$ SELECT * FROM pipeproc.system_proc(NULL, 'sp_in', 'sysp.double(jsonb)') $$);
SELECT pg_temp.err($$ SELECT * FROM pipeproc.system_proc('sp_x', NULL::text, 'sysp.double(jsonb)') $$);
SELECT pg_temp.err($$ SELECT * FROM pipeproc.system_proc('sp_x', NULL::text[], 'sysp.double(jsonb)') $$);
SELECT pg_temp.err($$ SELECT * FROM pipeproc.system_proc('sp_x', 'sp_in', NULL) $$);
SELECT pg_temp.err($$ SELECT * FROM pipeproc.system_proc('sp_x', 'sp_in', 'sysp.double(jsonb)', count => NULL) $$);
SELECT pg_temp.err($$ SELECT * FROM pipeproc.system_proc('sp_x', 'sp_in', 'sysp.double(jsonb)', count => 0) $$);
SELECT pg_temp.err($$ SELECT * FROM pipeproc.system_proc('sp_x', 'sp_in', 'sysp.double(jsonb)', from_offset => '>>') $$);
SELECT pg_temp.err($$ SELECT * FROM pipeproc.system_proc('sp_x', 'sp_in', 'sysp.double(jsonb)', max_reclaims => 0) $$);
SELECT pg_temp.err($$ SELECT * FROM pipeproc.system_proc('sp_x', 'sp_in', 'sysp.double(jsonb)', on_max_reclaims => 'retry') $$);
SELECT pg_temp.err($$ SELECT * FROM pipeproc.system_proc('bad name', 'sp_in', 'sysp.double(jsonb)') $$);
SELECT pg_temp.err($$ SELECT * FROM pipeproc.system_proc('sp_x', 'bad topic', 'sysp.double(jsonb)') $$);
SELECT pg_temp.err($$ SELECT * FROM pipeproc.system_proc('sp_x', 'sp_in', 'sysp.double(jsonb)', ARRAY['ok', 'bad topic']) $$);
SELECT pg_temp.err($$ SELECT * FROM pipeproc.system_proc('sp_x', 'sp_in', 'sysp.double(jsonb)', ARRAY['ok', NULL]) $$);
SELECT pg_temp.err($$ SELECT * FROM pipeproc.system_proc('sp_x', ARRAY[]::text[], 'sysp.double(jsonb)') $$);
SELECT pg_temp.err($$ SELECT * FROM pipeproc.system_proc('sp_x', ARRAY['sp_in', 'sp_in'], 'sysp.double(jsonb)') $$);
SELECT pg_temp.err($$ SELECT * FROM pipeproc.system_proc('sp_x', ARRAY['sp_in', NULL], 'sysp.double(jsonb)') $$);
-- <name>__<topic> too long for a proc name
SELECT pg_temp.err($$ SELECT * FROM pipeproc.system_proc(repeat('x', 125), ARRAY['sp_in'], 'sysp.double(jsonb)') $$);
-- a name taken by a plain proc
SELECT count(*) FROM pipeproc.proc('sp_in', 'sp_plain');
SELECT pg_temp.err($$ SELECT * FROM pipeproc.system_proc('sp_plain', 'sp_in', 'sysp.double(jsonb)') $$);
SELECT pg_temp.err($$ SELECT * FROM pipeproc.destroy_system_proc('sp_plain') $$);
SELECT pg_temp.err($$ SELECT * FROM pipeproc.destroy_system_proc('nope') $$);
SELECT pg_temp.err($$ SELECT * FROM pipeproc.destroy_system_proc(NULL) $$);
SELECT pg_temp.err($$ SELECT pipeproc.run_system_procs(0) $$);
BEGIN READ ONLY;
SELECT pg_temp.err($$ SELECT pipeproc.run_system_procs() $$);
COMMIT;
-- nothing was left behind by the errors
SELECT name FROM pipeproc.system_procs ORDER BY name;

-- clean up
SELECT count(*) FROM pipeproc.system_procs s, LATERAL pipeproc.destroy_system_proc(s.name) d;
SELECT count(*) AS dropped FROM pipeproc.topics t, LATERAL (SELECT pipeproc.drop_topic(t.name)) d WHERE t.name LIKE 'sp\_%';
SET client_min_messages = warning;
DROP SCHEMA sysp CASCADE;
RESET client_min_messages;
DROP ROLE regress_pp_sys_alice;
DROP ROLE regress_pp_sys_bob;
