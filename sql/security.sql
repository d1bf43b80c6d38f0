--
-- security: who may do what.  A topic's table belongs to the role that created the topic;
-- grant_topic/revoke_topic hand out 'read' (SELECT: range, revrange, length, procs) and
-- 'write' (INSERT: commit, the output of ack_commit); a proc belongs to its creator.
-- pipeproc's catalogs and topic tables are out of reach of non-superusers, and pipeproc
-- pins its search_path, so shadowing objects cannot change what it does.
--
-- Roles: owner (creates the topics), member (a member of owner's role), reader (granted
-- read), writer (granted write), stranger (granted nothing).
--
-- err(q) shows 'SQLSTATE: message', or 'ok' (and '(wrote)' if q changed what pipeproc
-- stores).  probe_as(role, q) runs q as role and always rolls it back; it shows 'ok' or
-- the SQLSTATE.  stored() counts, as the superuser, what pipeproc stores for this test.
--
SET client_min_messages = warning;  -- only for the NOTICE if it exists already
CREATE EXTENSION IF NOT EXISTS pipeproc;
RESET client_min_messages;
\set SHOW_CONTEXT never

CREATE ROLE regress_pipeproc_owner;
CREATE ROLE regress_pipeproc_member IN ROLE regress_pipeproc_owner;
CREATE ROLE regress_pipeproc_reader;
CREATE ROLE regress_pipeproc_writer;
CREATE ROLE regress_pipeproc_stranger;
-- a tablespace only the owner may create in
SET allow_in_place_tablespaces = on;
CREATE TABLESPACE regress_pipeproc_ts LOCATION '';
RESET allow_in_place_tablespaces;
GRANT CREATE ON TABLESPACE regress_pipeproc_ts TO regress_pipeproc_owner;
-- small chunks, so that a topic has several chunk tables
SET pipeproc.chunk_size = 16;

CREATE FUNCTION pg_temp.stored() RETURNS text
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT format('%s topics, %s logs, %s procs, %s pending, %s disabled',
    (SELECT count(*) FROM pipeproc.topic WHERE name LIKE 'sec\_%'),
    (SELECT count(*) FROM pipeproc.logs l JOIN pipeproc.topic t ON t.id = l.topic_id
      WHERE t.name LIKE 'sec\_%'),
    (SELECT count(*) FROM pipeproc.proc WHERE name LIKE 'sec\_%'),
    (SELECT count(*) FROM pipeproc.proc WHERE name LIKE 'sec\_%' AND pending),
    (SELECT count(*) FROM pipeproc.proc WHERE name LIKE 'sec\_%' AND status = 'disabled')) $$;
-- everything err() compares: stored() plus each proc's state and each topic table's ACL
CREATE FUNCTION pg_temp.fingerprint() RETURNS text
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT pg_temp.stored() || ' ' ||
    coalesce((SELECT md5(string_agg(p::text, ',' ORDER BY p.name)) FROM pipeproc.proc p
               WHERE p.name LIKE 'sec\_%'), '-') || ' ' ||
    coalesce((SELECT md5(string_agg(t.name || coalesce(c.relacl::text, ''), ',' ORDER BY t.name))
                FROM pipeproc.topic t JOIN pg_class c ON c.oid = t.relid
               WHERE t.name LIKE 'sec\_%'), '-') $$;
CREATE FUNCTION pg_temp.err(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  before text := pg_temp.fingerprint();
BEGIN
  EXECUTE q;
  IF pg_temp.fingerprint() IS DISTINCT FROM before THEN
    RETURN 'ok (wrote)';
  END IF;
  RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
CREATE FUNCTION pg_temp.probe_as(r text, q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('SET LOCAL ROLE %I', r);
  EXECUTE q;
  RAISE EXCEPTION USING ERRCODE = 'PP000', MESSAGE = 'roll back';
EXCEPTION WHEN OTHERS THEN
  RETURN CASE WHEN SQLSTATE = 'PP000' THEN 'ok' ELSE SQLSTATE END;
END $$;
-- a topic's grants, readably: role:read+write, ...
CREATE FUNCTION pg_temp.acl(topic text) RETURNS text
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT coalesce(string_agg(g.who || ':' || g.privs, ', ' ORDER BY g.who), '(owner only)')
  FROM (SELECT CASE WHEN a.grantee = 0 THEN 'public' ELSE a.grantee::regrole::text END AS who,
               string_agg(CASE a.privilege_type WHEN 'SELECT' THEN 'read' WHEN 'INSERT' THEN 'write'
                                                ELSE lower(a.privilege_type) END,
                          '+' ORDER BY a.privilege_type DESC) AS privs
          FROM pipeproc.topic t JOIN pg_class c ON c.oid = t.relid, aclexplode(c.relacl) a
         WHERE t.name = topic AND a.grantee <> c.relowner
         GROUP BY 1) g $$;
-- the first column of q's first row as role, rolled back (or the SQLSTATE)
CREATE FUNCTION pg_temp.value_as(r text, q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  v text;
BEGIN
  BEGIN
    EXECUTE format('SET LOCAL ROLE %I', r);
    EXECUTE q INTO v;
    RAISE EXCEPTION USING ERRCODE = 'PP000', MESSAGE = 'roll back';
  EXCEPTION WHEN OTHERS THEN
    IF SQLSTATE <> 'PP000' THEN
      RETURN SQLSTATE;
    END IF;
  END;
  RETURN coalesce(v, 'NULL');
END $$;
-- 'ok' or the SQLSTATE (for calls whose message is not settled)
CREATE FUNCTION pg_temp.code(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE q;
  RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE;
END $$;
-- the logs of a topic, counted as the superuser
CREATE FUNCTION pg_temp.logs_of(topic text) RETURNS bigint
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT count(*) FROM pipeproc.logs l JOIN pipeproc.topic t ON t.id = l.topic_id WHERE t.name = topic $$;
-- gc() as role r, rolled back: how many logs of topic it leaves
CREATE FUNCTION pg_temp.gc_as(r text, topic text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  n bigint;
BEGIN
  BEGIN
    EXECUTE format('SET LOCAL ROLE %I', r);
    PERFORM pipeproc.gc();
    n := pg_temp.logs_of(topic);
    RAISE EXCEPTION USING ERRCODE = 'PP000', MESSAGE = 'roll back';
  EXCEPTION WHEN OTHERS THEN
    IF SQLSTATE <> 'PP000' THEN
      RETURN SQLSTATE;
    END IF;
  END;
  RETURN format('%s of %s left', n, pg_temp.logs_of(topic));
END $$;
-- seqs of a range "T-S..T-S"
CREATE FUNCTION pg_temp.seqs(r text) RETURNS text LANGUAGE sql AS
$$ SELECT regexp_replace(r, '\d+-(\d+)\.\.\d+-(\d+)', '\1..\2') $$;

--
-- a topic belongs to the role that created it (first commit or create_topic); anyone may
-- create topics of their own
--
SET ROLE regress_pipeproc_owner;
SELECT 'ok' AS create_topic FROM pipeproc.create_topic('sec_t');
SELECT split_part(pipeproc.commit('sec_t', jsonb_build_object('n', g)), '-', 2) AS seq
FROM generate_series(0, 2) g;
SELECT 'ok' AS create_topic FROM pipeproc.create_topic('sec_out');
RESET ROLE;
SET ROLE regress_pipeproc_stranger;
SELECT split_part(pipeproc.commit('sec_s', '{"s": 0}'), '-', 2) AS seq;
RESET ROLE;
-- a topic's owner is in the catalog; its tables belong to the extension owner, in a schema
-- only the extension owner may use
SELECT t.name, t.owner,
       c.relowner = (SELECT nspowner FROM pg_namespace WHERE nspname = 'pipeproc') AS table_owned_by_extension,
       c.relnamespace::regnamespace AS table_schema
FROM pipeproc.topic t JOIN pg_class c ON c.oid = t.relid
WHERE t.name LIKE 'sec\_%' ORDER BY t.name;
-- the topics' tables, for the direct-access checks below (names depend on ids: not shown)
SELECT t.relid::text AS t_tab,
       (SELECT i.inhrelid::regclass::text FROM pg_inherits i WHERE i.inhparent = t.relid
         ORDER BY i.inhrelid LIMIT 1) AS t_chunk,
       t.id AS t_id
FROM pipeproc.topic t WHERE t.name = 'sec_t' \gset

--
-- grant_topic: read to reader, write to writer
--
SET ROLE regress_pipeproc_owner;
SELECT 'ok' AS grant_topic FROM pipeproc.grant_topic('sec_t', 'regress_pipeproc_reader', 'read');
SELECT 'ok' AS grant_topic FROM pipeproc.grant_topic('sec_t', 'regress_pipeproc_writer', 'write');
RESET ROLE;
SELECT pg_temp.acl('sec_t') AS sec_t, pg_temp.acl('sec_out') AS sec_out, pg_temp.acl('sec_s') AS sec_s;
SELECT pg_temp.stored() AS stored0 \gset
SELECT :'stored0' AS stored;

--
-- reading: owner and reader may; writer and stranger get 42501.  The topics view shows
-- every topic, with statistics only to those who may read it.
--
SET ROLE regress_pipeproc_reader;
SELECT split_part(id, '-', 2) AS seq, body FROM pipeproc.range('sec_t');
SELECT split_part(id, '-', 2) AS seq, body FROM pipeproc.revrange('sec_t', count => 1);
SELECT pipeproc.length('sec_t');
SELECT name, length, logs, first_id IS NOT NULL AS has_first_id FROM pipeproc.topics
WHERE name LIKE 'sec\_%' ORDER BY name;
RESET ROLE;
SET ROLE regress_pipeproc_owner;
SELECT count(*) AS range FROM pipeproc.range('sec_t');
SELECT pipeproc.length('sec_t');
RESET ROLE;
SET ROLE regress_pipeproc_writer;
SELECT pg_temp.err($$ SELECT * FROM pipeproc.range('sec_t') $$) AS range;
SELECT pg_temp.err($$ SELECT * FROM pipeproc.revrange('sec_t', ':2', ':0') $$) AS revrange;
SELECT pg_temp.err($$ SELECT pipeproc.length('sec_t') $$) AS length;
RESET ROLE;
SET ROLE regress_pipeproc_stranger;
SELECT pg_temp.err($$ SELECT * FROM pipeproc.range('sec_t') $$) AS range;
SELECT pg_temp.err($$ SELECT * FROM pipeproc.range('sec_t', ':0', ':0') $$) AS range_seq;
SELECT pg_temp.err($$ SELECT * FROM pipeproc.revrange('sec_t') $$) AS revrange;
SELECT pg_temp.err($$ SELECT pipeproc.length('sec_t') $$) AS length;
-- (a bound that names no log does not tell a stranger anything either)
SELECT pg_temp.err($$ SELECT * FROM pipeproc.range('sec_t', ':999') $$) AS range_missing_seq;
SELECT name, length, logs, first_id IS NOT NULL AS has_first_id, last_id IS NOT NULL AS has_last_id
FROM pipeproc.topics WHERE name LIKE 'sec\_%' ORDER BY name;
SELECT * FROM pipeproc._topic_stats('sec_t');
RESET ROLE;

--
-- writing: owner and writer may; reader and stranger get 42501, and a batch with one
-- topic the caller may not write fails whole
--
SET ROLE regress_pipeproc_writer;
SELECT split_part(pipeproc.commit('sec_t', '{"n": 3}'), '-', 2) AS seq;
-- 20 logs: they fill chunk 0, go on in chunk 1 and make the writer create chunk 2 ahead
SELECT array_agg(split_part(id, '-', 2)::int ORDER BY ord) AS seqs
FROM unnest(pipeproc.commit(
       (SELECT jsonb_agg(jsonb_build_object('topic', 'sec_t', 'body', jsonb_build_object('n', g)) ORDER BY g)
          FROM generate_series(4, 23) g))) WITH ORDINALITY AS u(id, ord);
SELECT pg_temp.err($$ SELECT pipeproc.commit('[{"topic": "sec_t", "body": {"n": 99}},
                                              {"topic": "sec_out", "body": {"n": 99}}]') $$) AS batch_with_sec_out;
SELECT pg_temp.err($$ SELECT pipeproc.commit('sec_out', '{"n": 99}') $$) AS commit_sec_out;
RESET ROLE;
SELECT pg_temp.stored() AS stored1 \gset
SELECT :'stored1' AS stored;
SET ROLE regress_pipeproc_reader;
SELECT pg_temp.err($$ SELECT pipeproc.commit('sec_t', '{"n": 99}') $$) AS commit;
SELECT pg_temp.err($$ SELECT pipeproc.commit('[{"topic": "sec_t", "body": {"n": 99}}]') $$) AS batch;
RESET ROLE;
SET ROLE regress_pipeproc_stranger;
SELECT pg_temp.err($$ SELECT pipeproc.commit('sec_t', '{"n": 99}') $$) AS commit;
SELECT pg_temp.err($$ SELECT pipeproc.commit('[{"topic": "sec_s", "body": {"s": 99}},
                                              {"topic": "sec_t", "body": {"n": 99}}]') $$) AS batch_with_own_topic;
SELECT pg_temp.err($$ SELECT pipeproc.commit('[{"topic": "sec_new", "body": {"s": 99}},
                                              {"topic": "sec_t", "body": {"n": 99}}]') $$) AS batch_with_new_topic;
RESET ROLE;
SELECT pg_temp.stored() = :'stored1' AS nothing_written,
       (SELECT count(*) FROM pipeproc.topic WHERE name = 'sec_new') AS sec_new_exists;
-- the refused commits took no seq: the owner's next log is 24
SET ROLE regress_pipeproc_owner;
SELECT split_part(pipeproc.commit('sec_t', '{"n": 24}'), '-', 2) AS seq;
RESET ROLE;
-- every chunk belongs to the extension owner, also those a writer created
SELECT count(*) AS chunks,
       count(*) FILTER (WHERE c.relowner = (SELECT nspowner FROM pg_namespace WHERE nspname = 'pipeproc')) AS owned_by_extension
FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
WHERE i.inhparent = :'t_tab'::regclass;

--
-- create_topic and drop_topic
--
SET ROLE regress_pipeproc_stranger;
SELECT pg_temp.err($$ SELECT pipeproc.create_topic('sec_t') $$) AS create_existing;
SELECT pg_temp.err($$ SELECT pipeproc.create_topic('sec_s2', false, 'regress_pipeproc_ts') $$) AS create_in_tablespace;
SELECT pg_temp.err($$ SELECT pipeproc.drop_topic('sec_t') $$) AS drop_topic;
SELECT pg_temp.err($$ SELECT pipeproc.drop_topic('sec_out') $$) AS drop_topic_out;
RESET ROLE;
SET ROLE regress_pipeproc_reader;
SELECT pg_temp.err($$ SELECT pipeproc.drop_topic('sec_t') $$) AS drop_topic;
RESET ROLE;
SET ROLE regress_pipeproc_writer;
SELECT pg_temp.err($$ SELECT pipeproc.drop_topic('sec_t') $$) AS drop_topic;
RESET ROLE;
SELECT pg_temp.stored() AS stored2 \gset
SELECT :'stored2' AS stored;
-- the owner may create in its tablespace; a member of the owner's role may drop
SET ROLE regress_pipeproc_owner;
SELECT 'ok' AS create_topic FROM pipeproc.create_topic('sec_ts', true, 'regress_pipeproc_ts');
SELECT split_part(pipeproc.commit('sec_ts', '{"x": 1}'), '-', 2) AS seq;
RESET ROLE;
SELECT t.name, t.unlogged, (SELECT count(*) FROM pg_partition_tree(t.relid) p JOIN pg_class c ON c.oid = p.relid
                             WHERE c.reltablespace = (SELECT oid FROM pg_tablespace WHERE spcname = 'regress_pipeproc_ts')) AS chunks_in_ts
FROM pipeproc.topic t WHERE t.name = 'sec_ts';
SET ROLE regress_pipeproc_member;
SELECT 'ok' AS drop_topic FROM pipeproc.drop_topic('sec_ts');
RESET ROLE;
-- the stranger may drop its own topic
SET ROLE regress_pipeproc_stranger;
SELECT 'ok' AS create_topic FROM pipeproc.create_topic('sec_s2');
SELECT 'ok' AS drop_topic FROM pipeproc.drop_topic('sec_s2');
RESET ROLE;
SELECT pg_temp.stored() = :'stored2' AS back_to_stored2;

--
-- grant_topic and revoke_topic: only the owner, a member of its role or a superuser
--
SET ROLE regress_pipeproc_stranger;
SELECT pg_temp.err($$ SELECT pipeproc.grant_topic('sec_t', 'regress_pipeproc_stranger', 'read') $$) AS grant_self;
SELECT pg_temp.err($$ SELECT pipeproc.grant_topic('sec_t', 'public', 'all') $$) AS grant_public;
SELECT pg_temp.err($$ SELECT pipeproc.revoke_topic('sec_t', 'regress_pipeproc_reader', 'read') $$) AS revoke_reader;
RESET ROLE;
-- a reader cannot make itself a writer, open the topic to everyone or shut others out
SET ROLE regress_pipeproc_reader;
SELECT pg_temp.err($$ SELECT pipeproc.grant_topic('sec_t', 'regress_pipeproc_reader', 'write') $$) AS grant_self_write;
SELECT pg_temp.err($$ SELECT pipeproc.grant_topic('sec_t', 'regress_pipeproc_reader', 'all') $$) AS grant_self_all;
SELECT pg_temp.err($$ SELECT pipeproc.grant_topic('sec_t', 'public', 'read') $$) AS grant_public;
SELECT pg_temp.err($$ SELECT pipeproc.grant_topic('sec_t', 'regress_pipeproc_stranger', 'read') $$) AS grant_other;
SELECT pg_temp.err($$ SELECT pipeproc.revoke_topic('sec_t', 'regress_pipeproc_writer', 'write') $$) AS revoke_writer;
-- ... nor with a plain GRANT on the topic's table (rolled back; only the ACL is compared)
SET client_min_messages = error;
SELECT CASE WHEN r = 'ok' THEN 'GRANT went through' ELSE 'no GRANT' END AS plain_grant
FROM pg_temp.probe_as('regress_pipeproc_reader',
       format('GRANT INSERT ON %s TO regress_pipeproc_reader; DO $d$ BEGIN IF pg_temp.acl(%L) = %L THEN RAISE EXCEPTION %L; END IF; END $d$',
              :'t_tab', 'sec_t', pg_temp.acl('sec_t'), 'no change')) AS r;
RESET client_min_messages;
SELECT pg_temp.err($$ SELECT pipeproc.commit('sec_t', '{"n": 99}') $$) AS commit;
RESET ROLE;
SET ROLE regress_pipeproc_writer;
SELECT pg_temp.err($$ SELECT pipeproc.grant_topic('sec_t', 'regress_pipeproc_writer', 'read') $$) AS grant_self_read;
RESET ROLE;
SELECT pg_temp.acl('sec_t') AS sec_t, pg_temp.stored() = :'stored2' AS nothing_written;
-- the owner's own mistakes: unknown role (42704), privilege word (22023), topic (42704), NULL (22004)
SET ROLE regress_pipeproc_owner;
SELECT pg_temp.err($$ SELECT pipeproc.grant_topic('sec_t', 'regress_pipeproc_nobody', 'read') $$) AS unknown_role;
SELECT pg_temp.err($$ SELECT pipeproc.grant_topic('sec_t', 'regress_pipeproc_reader', 'delete') $$) AS bad_privilege;
SELECT pg_temp.err($$ SELECT pipeproc.revoke_topic('sec_t', 'regress_pipeproc_reader', 'select') $$) AS bad_privilege;
SELECT pg_temp.err($$ SELECT pipeproc.grant_topic('sec_nope', 'regress_pipeproc_reader', 'read') $$) AS unknown_topic;
SELECT pg_temp.err($$ SELECT pipeproc.grant_topic('sec_t', NULL, 'read') $$) AS null_role;
SELECT pg_temp.err($$ SELECT pipeproc.revoke_topic('sec_t', 'regress_pipeproc_reader', NULL) $$) AS null_privilege;
RESET ROLE;
SELECT pg_temp.acl('sec_t') AS sec_t;
-- a member of the owner's role may grant and revoke
SET ROLE regress_pipeproc_member;
SELECT 'ok' AS grant_topic FROM pipeproc.grant_topic('sec_t', 'regress_pipeproc_stranger', 'read');
RESET ROLE;
SELECT pg_temp.acl('sec_t') AS sec_t;
SET ROLE regress_pipeproc_stranger;
SELECT count(*) AS range FROM pipeproc.range('sec_t');
RESET ROLE;
SET ROLE regress_pipeproc_member;
SELECT 'ok' AS revoke_topic FROM pipeproc.revoke_topic('sec_t', 'regress_pipeproc_stranger', 'read');
RESET ROLE;
SET ROLE regress_pipeproc_stranger;
SELECT pg_temp.err($$ SELECT * FROM pipeproc.range('sec_t') $$) AS range;
RESET ROLE;
-- 'public' is everyone
SET ROLE regress_pipeproc_owner;
SELECT 'ok' AS grant_topic FROM pipeproc.grant_topic('sec_t', 'public', 'read');
RESET ROLE;
SELECT pg_temp.acl('sec_t') AS sec_t;
SET ROLE regress_pipeproc_stranger;
SELECT count(*) AS range, pipeproc.length('sec_t') AS length FROM pipeproc.range('sec_t');
SELECT name, length, logs FROM pipeproc.topics WHERE name = 'sec_t';
SELECT pg_temp.err($$ SELECT pipeproc.commit('sec_t', '{"n": 99}') $$) AS commit;
RESET ROLE;
SET ROLE regress_pipeproc_owner;
SELECT 'ok' AS revoke_topic FROM pipeproc.revoke_topic('sec_t', 'public', 'read');
RESET ROLE;
SET ROLE regress_pipeproc_stranger;
SELECT pg_temp.err($$ SELECT * FROM pipeproc.range('sec_t') $$) AS range;
RESET ROLE;
-- 'all' is read and write; revoking 'write' leaves 'read'
SET ROLE regress_pipeproc_owner;
SELECT 'ok' AS grant_topic FROM pipeproc.grant_topic('sec_out', 'regress_pipeproc_stranger', 'all');
SELECT pg_temp.acl('sec_out') AS sec_out;
SELECT 'ok' AS revoke_topic FROM pipeproc.revoke_topic('sec_out', 'regress_pipeproc_stranger', 'write');
SELECT pg_temp.acl('sec_out') AS sec_out;
SELECT 'ok' AS revoke_topic FROM pipeproc.revoke_topic('sec_out', 'regress_pipeproc_stranger', 'all');
SELECT pg_temp.acl('sec_out') AS sec_out;
RESET ROLE;
SELECT pg_temp.acl('sec_t') AS sec_t, pg_temp.stored() = :'stored2' AS nothing_written;

--
-- procs belong to their creator
--
SET ROLE regress_pipeproc_reader;
SELECT split_part(id, '-', 2) AS seq FROM pipeproc.proc('sec_t', 'sec_rp', reclaim_timeout => NULL);
RESET ROLE;
SELECT pg_temp.stored() AS stored3 \gset
SELECT :'stored3' AS stored;
-- a stranger may not use it, nor create a proc on a topic it may not read (any offset)
SET ROLE regress_pipeproc_stranger;
SELECT pg_temp.err($$ SELECT * FROM pipeproc.proc('sec_t', 'sec_rp') $$) AS proc;
SELECT pg_temp.err($$ SELECT * FROM pipeproc.proc('sec_t', 'sec_rp', count => 10) $$) AS proc_count;
SELECT pg_temp.err($$ SELECT pipeproc.ack('sec_rp') $$) AS ack;
SELECT pg_temp.err($$ SELECT * FROM pipeproc.ack_commit('sec_rp', 'sec_s', '{"s": 1}') $$) AS ack_commit;
SELECT pg_temp.err($$ SELECT * FROM pipeproc.ack_commit('sec_rp', '[{"topic": "sec_s", "body": {}}]') $$) AS ack_commit_logs;
SELECT pg_temp.err($$ SELECT pipeproc.reclaim('sec_rp') $$) AS reclaim;
SELECT pg_temp.err($$ SELECT * FROM pipeproc.disable_proc('sec_rp') $$) AS disable_proc;
SELECT pg_temp.err($$ SELECT * FROM pipeproc.resume_proc('sec_rp') $$) AS resume_proc;
SELECT pg_temp.err($$ SELECT * FROM pipeproc.destroy_proc('sec_rp') $$) AS destroy_proc;
-- (the name is taken on sec_t, so on another topic it is 42710)
SELECT pg_temp.err($$ SELECT * FROM pipeproc.proc('sec_s', 'sec_rp') $$) AS proc_other_topic;
SELECT o AS from_offset, pg_temp.err(format('SELECT * FROM pipeproc.proc(%L, %L, %L)', 'sec_t', 'sec_sp', o)) AS new_proc
FROM (VALUES ('>'), ('$>'), (':0'), (':999'), ('0'), ('1-0')) AS v(o);
RESET ROLE;
-- nor may the topic's owner, or a writer
SET ROLE regress_pipeproc_owner;
SELECT pg_temp.err($$ SELECT * FROM pipeproc.proc('sec_t', 'sec_rp') $$) AS proc;
SELECT pg_temp.err($$ SELECT pipeproc.ack('sec_rp') $$) AS ack;
SELECT pg_temp.err($$ SELECT pipeproc.reclaim('sec_rp') $$) AS reclaim;
SELECT pg_temp.err($$ SELECT * FROM pipeproc.destroy_proc('sec_rp') $$) AS destroy_proc;
RESET ROLE;
SET ROLE regress_pipeproc_writer;
SELECT pg_temp.err($$ SELECT * FROM pipeproc.proc('sec_t', 'sec_wp') $$) AS new_proc;
SELECT pg_temp.err($$ SELECT * FROM pipeproc.ack_commit('sec_rp', 'sec_t', '{"n": 99}') $$) AS ack_commit;
SELECT pg_temp.err($$ SELECT * FROM pipeproc.disable_proc('sec_rp') $$) AS disable_proc;
RESET ROLE;
SELECT pg_temp.stored() = :'stored3' AS nothing_written;
SELECT name, topic, status, pending, reclaims, pg_temp.seqs(last_claimed_range) AS claimed,
       last_acked_range
FROM pipeproc.procs WHERE name LIKE 'sec\_%' ORDER BY name;
-- inspect_proc and the procs view show a proc to its owner and to those who may read its
-- topic; the lag only to the latter
SET ROLE regress_pipeproc_stranger;
SELECT count(*) AS sec_rp_shown FROM pipeproc.procs WHERE name = 'sec_rp';
SELECT pg_temp.err($$ SELECT * FROM pipeproc.inspect_proc('sec_rp') $$) AS inspect_proc;
SELECT pipeproc._proc_lag('sec_t', 0, -1, true) IS NULL AS lag_hidden;
RESET ROLE;
SET ROLE regress_pipeproc_writer;
SELECT count(*) AS sec_rp_shown FROM pipeproc.procs WHERE name = 'sec_rp';
SELECT pg_temp.err($$ SELECT * FROM pipeproc.inspect_proc('sec_rp') $$) AS inspect_proc;
RESET ROLE;
SET ROLE regress_pipeproc_owner;
SELECT name, pending, lag FROM pipeproc.procs WHERE name = 'sec_rp';
SELECT name, pending, lag FROM pipeproc.inspect_proc('sec_rp');
RESET ROLE;
SET ROLE regress_pipeproc_reader;
SELECT name, pending, lag FROM pipeproc.inspect_proc('sec_rp');
SELECT name, pending, lag FROM pipeproc.procs WHERE name = 'sec_rp';
-- the reader uses its proc: ack, claim, reclaim, disable, resume
SELECT pg_temp.seqs(pipeproc.ack('sec_rp')) AS acked;
SELECT split_part(id, '-', 2) AS seq FROM pipeproc.proc('sec_t', 'sec_rp', count => 3);
SELECT pg_temp.seqs(pipeproc.reclaim('sec_rp')) AS fell_back_to;
SELECT status, reclaims FROM pipeproc.disable_proc('sec_rp');
SELECT status, reclaims FROM pipeproc.resume_proc('sec_rp');
SELECT split_part(id, '-', 2) AS seq FROM pipeproc.proc('sec_t', 'sec_rp', count => 3);
-- ack_commit needs write on the output topic: refused, the claim stays pending, nothing
-- is committed
SELECT pg_temp.err($$ SELECT * FROM pipeproc.ack_commit('sec_rp', 'sec_out', '{"r": 1}') $$) AS ack_commit;
SELECT pg_temp.err($$ SELECT * FROM pipeproc.ack_commit('sec_rp', '[{"topic": "sec_out", "body": {"r": 1}}]') $$) AS ack_commit_logs;
SELECT pg_temp.err($$ SELECT * FROM pipeproc.ack_commit('sec_rp', '[{"topic": "sec_rp_out", "body": {"r": 1}},
                                                                     {"topic": "sec_out", "body": {"r": 1}}]') $$) AS ack_commit_two;
SELECT pg_temp.err($$ SELECT * FROM pipeproc.ack_commit('sec_rp', 'sec_t', '{"r": 1}') $$) AS ack_commit_to_source;
SELECT pending, pg_temp.seqs(last_claimed_range) AS claimed, pg_temp.seqs(last_acked_range) AS acked
FROM pipeproc.inspect_proc('sec_rp');
RESET ROLE;
SELECT (SELECT logs FROM pipeproc.topics WHERE name = 'sec_out') AS sec_out_logs,
       (SELECT count(*) FROM pipeproc.topic WHERE name = 'sec_rp_out') AS sec_rp_out_exists;
-- with write granted, ack_commit goes through
SET ROLE regress_pipeproc_owner;
SELECT 'ok' AS grant_topic FROM pipeproc.grant_topic('sec_out', 'regress_pipeproc_reader', 'write');
RESET ROLE;
SET ROLE regress_pipeproc_reader;
SELECT pg_temp.seqs(acked) AS acked, cardinality(ids) AS ids FROM pipeproc.ack_commit('sec_rp', 'sec_out', '{"r": 1}');
SELECT split_part(id, '-', 2) AS seq FROM pipeproc.proc('sec_t', 'sec_rp');
SELECT pg_temp.seqs(acked) AS acked, cardinality(ids) AS ids
FROM pipeproc.ack_commit('sec_rp', '[{"topic": "sec_out", "body": {"r": 2}}, {"topic": "sec_rp_out", "body": {"r": 2}}]');
-- wait_for_procs: the reader waits for its caught-up proc
SELECT count(*) AS claimed FROM pipeproc.proc('sec_t', 'sec_rp', count => 100);
SELECT pg_temp.seqs(pipeproc.ack('sec_rp')) AS acked;
SELECT pipeproc.wait_for_procs(ARRAY['sec_rp'], '10 ms') AS caught_up;
RESET ROLE;
-- a role that may not read the proc's topic is refused (it could not tell when the proc
-- has caught up)
SET ROLE regress_pipeproc_stranger;
SELECT pg_temp.code($$ SELECT pipeproc.wait_for_procs(ARRAY['sec_rp'], '10 ms') $$) AS wait_for_procs;
RESET ROLE;
SET ROLE regress_pipeproc_owner;
SELECT pipeproc.wait_for_procs(ARRAY['sec_rp'], '10 ms') AS caught_up;
RESET ROLE;
SELECT t.name, t.owner, pg_temp.acl(t.name) AS acl, s.logs
FROM pipeproc.topic t, pipeproc._topic_stats(t.name) s
WHERE t.name IN ('sec_out', 'sec_rp_out') ORDER BY t.name;

--
-- revoke_topic: the reader is refused again, also on its existing proc's next claim
--
SET ROLE regress_pipeproc_owner;
SELECT 'ok' AS revoke_topic FROM pipeproc.revoke_topic('sec_t', 'regress_pipeproc_reader', 'read');
SELECT split_part(pipeproc.commit('sec_t', '{"n": 25}'), '-', 2) AS seq;
RESET ROLE;
SELECT pg_temp.acl('sec_t') AS sec_t;
SELECT pg_temp.stored() AS stored4 \gset
SET ROLE regress_pipeproc_reader;
SELECT pg_temp.err($$ SELECT * FROM pipeproc.range('sec_t') $$) AS range;
SELECT pg_temp.err($$ SELECT pipeproc.length('sec_t') $$) AS length;
SELECT pg_temp.err($$ SELECT * FROM pipeproc.proc('sec_t', 'sec_rp') $$) AS proc;
SELECT pg_temp.err($$ SELECT * FROM pipeproc.proc('sec_t', 'sec_rp2') $$) AS new_proc;
SELECT name, pending, pg_temp.seqs(last_acked_range) AS acked, lag IS NULL AS lag_hidden
FROM pipeproc.procs WHERE name = 'sec_rp';
-- inspect_proc hides the lag from a proc's owner who lost read, as the procs view does
SELECT name, pending, pg_temp.seqs(last_acked_range) AS acked, lag IS NULL AS lag_hidden
FROM pipeproc.inspect_proc('sec_rp');
RESET ROLE;
SELECT pg_temp.stored() = :'stored4' AS nothing_written;

--
-- a proc on a topic that does not exist yet gives no access once the topic is created
--
SET ROLE regress_pipeproc_stranger;
SELECT count(*) AS claimed FROM pipeproc.proc('sec_future', 'sec_fp');
RESET ROLE;
SET ROLE regress_pipeproc_owner;
SELECT split_part(pipeproc.commit('sec_future', '{"f": 0}'), '-', 2) AS seq;
RESET ROLE;
SET ROLE regress_pipeproc_stranger;
SELECT pg_temp.err($$ SELECT * FROM pipeproc.proc('sec_future', 'sec_fp') $$) AS proc;
SELECT name, topic, pending, lag IS NULL AS lag_hidden FROM pipeproc.procs WHERE name = 'sec_fp';
SELECT name, pending FROM pipeproc.destroy_proc('sec_fp');
RESET ROLE;

--
-- every function, every role, on a fresh topic sec_m (owner's; read granted to reader,
-- write to writer; sec_m_out has no grants).  The reader owns sec_m_rp (a claim pending),
-- sec_m_off (disabled) and sec_m_done (caught up).  Each call is rolled back.
--
SET ROLE regress_pipeproc_owner;
SELECT count(*) AS committed FROM (SELECT pipeproc.commit('sec_m', jsonb_build_object('m', g)) FROM generate_series(0, 4) g) c;
SELECT 'ok' AS create_topic FROM pipeproc.create_topic('sec_m_out');
SELECT 'ok' AS grant_topic FROM pipeproc.grant_topic('sec_m', 'regress_pipeproc_reader', 'read');
SELECT 'ok' AS grant_topic FROM pipeproc.grant_topic('sec_m', 'regress_pipeproc_writer', 'write');
RESET ROLE;
SET ROLE regress_pipeproc_reader;
SELECT count(*) AS claimed FROM pipeproc.proc('sec_m', 'sec_m_rp', reclaim_timeout => NULL);
SELECT count(*) AS claimed FROM pipeproc.proc('sec_m', 'sec_m_off', reclaim_timeout => NULL);
SELECT status FROM pipeproc.disable_proc('sec_m_off');
SELECT count(*) AS claimed FROM pipeproc.proc('sec_m', 'sec_m_done', count => 100);
SELECT pg_temp.seqs(pipeproc.ack('sec_m_done')) AS acked;
RESET ROLE;
-- a processor anyone may execute, and a system proc of the owner's
CREATE FUNCTION public.sec_identity(body jsonb) RETURNS jsonb LANGUAGE sql AS 'SELECT body';
SET ROLE regress_pipeproc_owner;
SELECT name FROM pipeproc.system_proc('sec_m_sys0', 'sec_m', 'public.sec_identity(jsonb)', ARRAY['sec_m_out']);
RESET ROLE;
SELECT t.relid::text AS m_tab,
       (SELECT i.inhrelid::regclass::text FROM pg_inherits i WHERE i.inhparent = t.relid
         ORDER BY i.inhrelid LIMIT 1) AS m_chunk,
       t.id AS m_id, t.relid::oid AS m_oid
FROM pipeproc.topic t WHERE t.name = 'sec_m' \gset
SELECT pg_temp.stored() AS stored5 \gset
SELECT c.k, c.call,
       pg_temp.probe_as('regress_pipeproc_owner', c.q) AS owner,
       pg_temp.probe_as('regress_pipeproc_member', c.q) AS member,
       pg_temp.probe_as('regress_pipeproc_reader', c.q) AS reader,
       pg_temp.probe_as('regress_pipeproc_writer', c.q) AS writer,
       pg_temp.probe_as('regress_pipeproc_stranger', c.q) AS stranger
FROM (VALUES
  (1, 'commit(topic, body)', $q$ SELECT pipeproc.commit('sec_m', '{"m": 9}') $q$),
  (2, 'commit(logs)', $q$ SELECT pipeproc.commit('[{"topic": "sec_m", "body": {"m": 9}}]') $q$),
  (3, 'create_topic', $q$ SELECT pipeproc.create_topic('sec_m_new') $q$),
  (4, 'create_topic(tablespace)', $q$ SELECT pipeproc.create_topic('sec_m_new', false, 'regress_pipeproc_ts') $q$),
  (5, 'drop_topic', $q$ SELECT pipeproc.drop_topic('sec_m') $q$),
  (6, 'grant_topic', $q$ SELECT pipeproc.grant_topic('sec_m', 'regress_pipeproc_stranger', 'read') $q$),
  (7, 'revoke_topic', $q$ SELECT pipeproc.revoke_topic('sec_m', 'regress_pipeproc_reader', 'read') $q$),
  (8, 'range', $q$ SELECT * FROM pipeproc.range('sec_m') $q$),
  (9, 'revrange', $q$ SELECT * FROM pipeproc.revrange('sec_m', ':4', ':0') $q$),
  (10, 'length', $q$ SELECT pipeproc.length('sec_m') $q$),
  (11, 'proc (new proc)', $q$ SELECT * FROM pipeproc.proc('sec_m', 'sec_m_new') $q$),
  (12, 'proc (reader''s proc)', $q$ SELECT * FROM pipeproc.proc('sec_m', 'sec_m_rp') $q$),
  (13, 'ack', $q$ SELECT pipeproc.ack('sec_m_rp') $q$),
  (14, 'ack_commit(name, topic, body)', $q$ SELECT * FROM pipeproc.ack_commit('sec_m_rp', 'sec_m_new', '{}') $q$),
  (15, 'ack_commit(name, logs)', $q$ SELECT * FROM pipeproc.ack_commit('sec_m_rp', '[{"topic": "sec_m_new", "body": {}}]') $q$),
  (16, 'ack_commit to sec_m_out', $q$ SELECT * FROM pipeproc.ack_commit('sec_m_rp', 'sec_m_out', '{}') $q$),
  (17, 'reclaim', $q$ SELECT pipeproc.reclaim('sec_m_rp') $q$),
  (18, 'inspect_proc', $q$ SELECT * FROM pipeproc.inspect_proc('sec_m_rp') $q$),
  (19, 'disable_proc', $q$ SELECT * FROM pipeproc.disable_proc('sec_m_rp') $q$),
  (20, 'resume_proc', $q$ SELECT * FROM pipeproc.resume_proc('sec_m_off') $q$),
  (21, 'destroy_proc', $q$ SELECT * FROM pipeproc.destroy_proc('sec_m_rp') $q$),
  -- writer and stranger may not read sec_m: 42501
  (22, 'wait_for_procs', $q$ SELECT pipeproc.wait_for_procs(ARRAY['sec_m_done'], '1 ms') $q$),
  (23, 'topics view', $q$ SELECT * FROM pipeproc.topics $q$),
  (24, 'procs view', $q$ SELECT * FROM pipeproc.procs $q$),
  (25, '_topic_stats', $q$ SELECT * FROM pipeproc._topic_stats('sec_m') $q$),
  (26, '_proc_lag', $q$ SELECT pipeproc._proc_lag('sec_m', 0, -1, true) $q$),
  (27, '_topic_readable', $q$ SELECT pipeproc._topic_readable('sec_m') $q$),
  (28, 'gc', $q$ SELECT pipeproc.gc() $q$),
  (29, 'live_proc', $q$ SELECT * FROM pipeproc.live_proc('sec_m', name => 'sec_m_live') $q$),
  -- a new system proc needs read on its topic (writer, stranger: 42501) ...
  (30, 'system_proc (new)', $q$ SELECT * FROM pipeproc.system_proc('sec_m_sys', 'sec_m', 'public.sec_identity(jsonb)') $q$),
  -- ... and write on the topics its results go to (only the owner's roles may write sec_m_out)
  (31, 'system_proc to sec_m_out', $q$ SELECT * FROM pipeproc.system_proc('sec_m_sys', 'sec_m', 'public.sec_identity(jsonb)', ARRAY['sec_m_out']) $q$),
  -- the owner's: its roles get it back; others may not take its name
  (32, 'system_proc (owner''s)', $q$ SELECT * FROM pipeproc.system_proc('sec_m_sys0', 'sec_m', 'public.sec_identity(jsonb)') $q$),
  (33, 'destroy_system_proc', $q$ SELECT * FROM pipeproc.destroy_system_proc('sec_m_sys0') $q$),
  -- everyone may call it; it runs only the system procs of roles the caller has the privileges of
  (34, 'run_system_procs', $q$ SELECT pipeproc.run_system_procs() $q$),
  (35, 'system_procs view', $q$ SELECT * FROM pipeproc.system_procs $q$)
) AS c(k, call, q)
ORDER BY c.k;
SELECT pg_temp.stored() = :'stored5' AS nothing_written;
-- the answers behind some of the 'ok's: statistics and lag only for those who may read sec_m
SELECT c.call,
       pg_temp.value_as('regress_pipeproc_owner', c.q) AS owner,
       pg_temp.value_as('regress_pipeproc_member', c.q) AS member,
       pg_temp.value_as('regress_pipeproc_reader', c.q) AS reader,
       pg_temp.value_as('regress_pipeproc_writer', c.q) AS writer,
       pg_temp.value_as('regress_pipeproc_stranger', c.q) AS stranger
FROM (VALUES
  (1, '_topic_stats: logs', $q$ SELECT logs FROM pipeproc._topic_stats('sec_m') $q$),
  (2, 'topics view: logs', $q$ SELECT logs FROM pipeproc.topics WHERE name = 'sec_m' $q$),
  (3, 'procs view: lag', $q$ SELECT lag FROM pipeproc.procs WHERE name = 'sec_m_rp' $q$),
  (4, 'inspect_proc: lag', $q$ SELECT lag FROM pipeproc.inspect_proc('sec_m_rp') $q$),
  (5, '_proc_lag', $q$ SELECT pipeproc._proc_lag('sec_m', 0, -1, true) $q$),
  (6, '_topic_readable', $q$ SELECT pipeproc._topic_readable('sec_m') $q$),
  -- writer and stranger may not read sec_m: 42501
  (7, 'wait_for_procs', $q$ SELECT pipeproc.wait_for_procs(ARRAY['sec_m_done'], '1 ms') $q$),
  -- sec_m_sys0 is the owner's: only its roles run it (sec_m has 5 logs)
  (8, 'run_system_procs', $q$ SELECT pipeproc.run_system_procs() $q$),
  (9, 'system_procs view: sec_m_sys0', $q$ SELECT count(*) FROM pipeproc.system_procs WHERE name = 'sec_m_sys0' $q$)
) AS c(k, call, q)
ORDER BY c.k;

--
-- pipeproc's catalogs and the topics' tables cannot be reached directly by any role but a
-- superuser: all access goes through pipeproc's functions
--
-- The topics' tables belong to the extension owner and live in pipeproc_data, which no
-- other role may use: no role, not even the topic's owner, a granted reader or a granted
-- writer, can read, write, rewrite, empty, DROP or GRANT on them directly (a direct INSERT
-- would bypass seq/ts allocation; a dropped table would orphan the catalog row).
-- (GRANT counts as done only if the stranger then holds DELETE on the table; a GRANT that
-- grants nothing only warns, so it is made a 42501 here)
SET client_min_messages = error;
SELECT c.k, c.access,
       pg_temp.probe_as('regress_pipeproc_owner', c.q) AS owner,
       pg_temp.probe_as('regress_pipeproc_member', c.q) AS member,
       pg_temp.probe_as('regress_pipeproc_reader', c.q) AS reader,
       pg_temp.probe_as('regress_pipeproc_writer', c.q) AS writer,
       pg_temp.probe_as('regress_pipeproc_stranger', c.q) AS stranger
FROM (VALUES
  (1, 'SELECT pipeproc.topic', $q$ SELECT * FROM pipeproc.topic $q$),
  (2, 'INSERT pipeproc.topic', $q$ INSERT INTO pipeproc.topic (name, owner, chunk_size) VALUES ('sec_x', 'regress_pipeproc_stranger', 16) $q$),
  (3, 'UPDATE pipeproc.topic', $q$ UPDATE pipeproc.topic SET owner = 'regress_pipeproc_stranger' $q$),
  (4, 'DELETE pipeproc.topic', $q$ DELETE FROM pipeproc.topic $q$),
  (5, 'SELECT pipeproc.proc', $q$ SELECT * FROM pipeproc.proc $q$),
  (6, 'UPDATE pipeproc.proc', $q$ UPDATE pipeproc.proc SET owner = 'regress_pipeproc_stranger' $q$),
  (7, 'DELETE pipeproc.proc', $q$ DELETE FROM pipeproc.proc $q$),
  (8, 'SELECT pipeproc.logs', $q$ SELECT * FROM pipeproc.logs $q$),
  (9, 'INSERT pipeproc.logs', format('INSERT INTO pipeproc.logs VALUES (%s, 999, 1, %L)', :'m_id', '{}')),
  (10, 'TRUNCATE pipeproc.logs', $q$ TRUNCATE pipeproc.logs $q$),
  (11, 'nextval(topic_id_seq)', $q$ SELECT nextval('pipeproc.topic_id_seq') $q$),
  (12, 'SELECT topic table', format('SELECT * FROM %s', :'m_tab')),
  (13, 'INSERT topic table', format('INSERT INTO %s VALUES (%s, 9, 1, %L)', :'m_tab', :'m_id', '{}')),
  (14, 'UPDATE topic table', format('UPDATE %s SET body = %L', :'m_tab', '{}')),
  (15, 'DELETE topic table', format('DELETE FROM %s', :'m_tab')),
  (16, 'TRUNCATE topic table', format('TRUNCATE %s', :'m_tab')),
  (17, 'DROP topic table', format('DROP TABLE %s', :'m_tab')),
  (18, 'GRANT on topic table', format('GRANT ALL ON %s TO regress_pipeproc_stranger; '
                                      'DO $d$ BEGIN IF NOT has_table_privilege(%L, %s::oid, %L) THEN '
                                      'RAISE EXCEPTION USING ERRCODE = %L; END IF; END $d$',
                                      :'m_tab', 'regress_pipeproc_stranger', :'m_oid', 'DELETE', '42501')),
  (19, 'SELECT chunk', format('SELECT * FROM %s', :'m_chunk')),
  (20, 'INSERT chunk', format('INSERT INTO %s VALUES (%s, 9, 1, %L)', :'m_chunk', :'m_id', '{}')),
  (21, 'DROP chunk', format('DROP TABLE %s', :'m_chunk')),
  (22, 'SELECT pipeproc.system_proc', $q$ SELECT * FROM pipeproc.system_proc $q$),
  (23, 'UPDATE pipeproc.system_proc', $q$ UPDATE pipeproc.system_proc SET owner = 'regress_pipeproc_stranger' $q$)
) AS c(k, access, q)
ORDER BY c.k;
RESET client_min_messages;
SELECT pg_temp.stored() = :'stored5' AS nothing_written;

--
-- gc() collects only in the caller's own topics (sec_g: the owner's, 20 logs, no procs)
--
SET pipeproc.gc_min_prune_time = 0;
SET ROLE regress_pipeproc_owner;
SELECT count(*) AS committed FROM (SELECT pipeproc.commit('sec_g', jsonb_build_object('g', g)) FROM generate_series(0, 19) g) c;
SELECT 'ok' AS grant_topic FROM pipeproc.grant_topic('sec_g', 'public', 'all');
RESET ROLE;
SELECT pg_sleep(0.01);
SELECT r.role, pg_temp.gc_as(r.role, 'sec_g') AS sec_g
FROM (VALUES ('regress_pipeproc_owner'), ('regress_pipeproc_member'), ('regress_pipeproc_reader'),
             ('regress_pipeproc_writer'), ('regress_pipeproc_stranger')) AS r(role);

--
-- gc() empties and deletes from chunk tables as the extension's owner.  A topic's owner
-- must not be able to make that run its own code: here it tries to put triggers on its
-- chunks of sec_g (TRUNCATE on the first, DELETE rows on the second) that record who they
-- run as; then gc() runs (rolled back) as the owner and as the superuser.
--
CREATE TEMP TABLE trigger_runs (who text, superuser boolean);
GRANT INSERT, SELECT ON trigger_runs TO PUBLIC;
-- gc() as role r (NULL: the superuser), rolled back: how many trigger runs were a superuser's
CREATE FUNCTION pg_temp.gc_superuser_runs(r text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  n bigint;
BEGIN
  BEGIN
    IF r IS NOT NULL THEN
      EXECUTE format('SET LOCAL ROLE %I', r);
    END IF;
    PERFORM pipeproc.gc();
    n := (SELECT count(*) FROM pg_temp.trigger_runs WHERE superuser);
    RAISE EXCEPTION USING ERRCODE = 'PP000', MESSAGE = 'roll back';
  EXCEPTION WHEN OTHERS THEN
    IF SQLSTATE <> 'PP000' THEN
      RAISE;
    END IF;
  END;
  RETURN n;
END $$;
SELECT (SELECT i.inhrelid::regclass::text FROM pg_inherits i WHERE i.inhparent = t.relid ORDER BY i.inhrelid LIMIT 1) AS g_chunk0,
       (SELECT i.inhrelid::regclass::text FROM pg_inherits i WHERE i.inhparent = t.relid ORDER BY i.inhrelid OFFSET 1 LIMIT 1) AS g_chunk1
FROM pipeproc.topic t WHERE t.name = 'sec_g' \gset
SET ROLE regress_pipeproc_owner;
CREATE FUNCTION pg_temp.sec_trigger() RETURNS trigger LANGUAGE plpgsql AS $f$
BEGIN
  INSERT INTO pg_temp.trigger_runs
  SELECT current_user, rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user;
  RETURN NULL;
END $f$;
SELECT pg_temp.code(format('CREATE TRIGGER sec_truncate BEFORE TRUNCATE ON %s FOR EACH STATEMENT EXECUTE FUNCTION pg_temp.sec_trigger()', :'g_chunk0')) IS NOT NULL AS tried,
       pg_temp.code(format('CREATE TRIGGER sec_delete BEFORE DELETE ON %s FOR EACH ROW EXECUTE FUNCTION pg_temp.sec_trigger()', :'g_chunk1')) IS NOT NULL AS tried;
RESET ROLE;
-- gc() empties and deletes from chunk tables as the extension owner: a topic's owner must
-- not be able to hang triggers on them (such a trigger would run as the superuser, and
-- could run ALTER ROLE ... SUPERUSER)
SELECT pg_temp.gc_superuser_runs('regress_pipeproc_owner') AS gc_by_owner,
       pg_temp.gc_superuser_runs(NULL) AS gc_by_superuser;
SELECT count(*) AS trigger_runs_left FROM trigger_runs;
SELECT pg_temp.logs_of('sec_g') AS sec_g_logs;
RESET pipeproc.gc_min_prune_time;

--
-- search_path attack: the stranger shadows functions, operators and tables that pipeproc's
-- SQL could resolve through the search_path (each logs a hit and answers wrongly), and
-- every role calls pipeproc with those objects first in its search_path.  pipeproc pins
-- its own search_path: nothing is hit and every answer is the one given without them.
--
CREATE SCHEMA regress_pipeproc_evil AUTHORIZATION regress_pipeproc_stranger;
GRANT CREATE ON SCHEMA public TO regress_pipeproc_stranger;
SET ROLE regress_pipeproc_stranger;
GRANT USAGE ON SCHEMA regress_pipeproc_evil TO PUBLIC;
CREATE TABLE regress_pipeproc_evil.hits (what text);
GRANT INSERT ON regress_pipeproc_evil.hits TO PUBLIC;
CREATE FUNCTION regress_pipeproc_evil.hit(what text) RETURNS void LANGUAGE sql
AS $$ INSERT INTO regress_pipeproc_evil.hits VALUES (what) $$;
CREATE FUNCTION regress_pipeproc_evil.texteq(a text, b text) RETURNS boolean LANGUAGE plpgsql
AS $$ BEGIN PERFORM regress_pipeproc_evil.hit('text = text'); RETURN true; END $$;
CREATE OPERATOR regress_pipeproc_evil.= (LEFTARG = text, RIGHTARG = text, FUNCTION = regress_pipeproc_evil.texteq);
CREATE FUNCTION regress_pipeproc_evil.int8eq(a bigint, b bigint) RETURNS boolean LANGUAGE plpgsql
AS $$ BEGIN PERFORM regress_pipeproc_evil.hit('bigint = bigint'); RETURN true; END $$;
CREATE OPERATOR regress_pipeproc_evil.= (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = regress_pipeproc_evil.int8eq);
CREATE FUNCTION regress_pipeproc_evil.int84pl(a bigint, b integer) RETURNS bigint LANGUAGE plpgsql
AS $$ BEGIN PERFORM regress_pipeproc_evil.hit('bigint + integer'); RETURN a + b + 1000; END $$;
CREATE OPERATOR regress_pipeproc_evil.+ (LEFTARG = bigint, RIGHTARG = integer, FUNCTION = regress_pipeproc_evil.int84pl);
CREATE FUNCTION regress_pipeproc_evil.now() RETURNS timestamptz LANGUAGE plpgsql
AS $$ BEGIN PERFORM regress_pipeproc_evil.hit('now'); RETURN '2000-01-01'; END $$;
CREATE FUNCTION regress_pipeproc_evil.nextval(regclass) RETURNS bigint LANGUAGE plpgsql
AS $$ BEGIN PERFORM regress_pipeproc_evil.hit('nextval'); RETURN 1; END $$;
CREATE FUNCTION regress_pipeproc_evil.unnest(text[]) RETURNS SETOF text LANGUAGE plpgsql
AS $$ BEGIN PERFORM regress_pipeproc_evil.hit('unnest'); RETURN NEXT 'sec_t'; END $$;
CREATE FUNCTION regress_pipeproc_evil.pg_total_relation_size(regclass) RETURNS bigint LANGUAGE plpgsql
AS $$ BEGIN PERFORM regress_pipeproc_evil.hit('pg_total_relation_size'); RETURN -1; END $$;
CREATE FUNCTION regress_pipeproc_evil.jsonb_typeof(jsonb) RETURNS text LANGUAGE plpgsql
AS $$ BEGIN PERFORM regress_pipeproc_evil.hit('jsonb_typeof'); RETURN 'object'; END $$;
CREATE FUNCTION public.jsonb_typeof(jsonb) RETURNS text LANGUAGE plpgsql
AS $$ BEGIN PERFORM regress_pipeproc_evil.hit('public.jsonb_typeof'); RETURN 'object'; END $$;
CREATE TABLE regress_pipeproc_evil.topic (id bigint, name text, relid regclass, owner regrole,
  unlogged boolean, spcoid oid, chunk_size bigint, first_seq bigint, last_ts bigint, created_at timestamptz);
INSERT INTO regress_pipeproc_evil.topic VALUES (1, 'sec_t', 'regress_pipeproc_evil.hits', 'regress_pipeproc_stranger', false, NULL, 16, 0, 0, now());
CREATE TABLE public.topic (LIKE regress_pipeproc_evil.topic);
INSERT INTO public.topic SELECT * FROM regress_pipeproc_evil.topic;
CREATE TABLE regress_pipeproc_evil.proc (name text, topic text, owner regrole);
INSERT INTO regress_pipeproc_evil.proc VALUES ('sec_rp', 'sec_t', 'regress_pipeproc_stranger');
CREATE TABLE regress_pipeproc_evil.logs (topic_id bigint, seq bigint, ts bigint, body jsonb);
GRANT SELECT ON ALL TABLES IN SCHEMA regress_pipeproc_evil TO PUBLIC;
GRANT SELECT ON public.topic TO PUBLIC;
RESET ROLE;
SELECT pg_temp.stored() AS stored6 \gset
SET search_path = regress_pipeproc_evil, pg_catalog, public;
-- the owner: read, write, grant, revoke, create, drop
SET ROLE regress_pipeproc_owner;
SELECT split_part(pipeproc.commit('sec_t', '{"n": 26}'), '-', 2) AS seq;
SELECT array_to_string(pipeproc.commit('[{"topic": "sec_sp", "body": {"p": 0}}, {"topic": "sec_sp", "body": {"p": 1}}]'), ' ') AS sp_ids \gset
SELECT pipeproc.length('sec_t') AS owner_length, pipeproc.length('sec_sp') AS sp_length;
SELECT 'ok' AS grant_topic FROM pipeproc.grant_topic('sec_sp', 'regress_pipeproc_reader', 'read');
SELECT 'ok' AS grant_topic FROM pipeproc.grant_topic('sec_t', 'regress_pipeproc_reader', 'read');
SELECT 'ok' AS revoke_topic FROM pipeproc.revoke_topic('sec_t', 'regress_pipeproc_writer', 'write');
SELECT 'ok' AS create_topic FROM pipeproc.create_topic('sec_sp2');
SELECT 'ok' AS drop_topic FROM pipeproc.drop_topic('sec_sp2');
RESET ROLE;
-- the reader: procs
SET ROLE regress_pipeproc_reader;
SELECT split_part(id, '-', 2) AS seq, body FROM pipeproc.proc('sec_sp', 'sec_sp_proc');
SELECT pg_temp.seqs(pipeproc.reclaim('sec_sp_proc')) AS fell_back_to;
SELECT split_part(id, '-', 2) AS seq FROM pipeproc.proc('sec_sp', 'sec_sp_proc', count => 5);
SELECT pg_temp.seqs(pipeproc.ack('sec_sp_proc')) AS acked;
SELECT status FROM pipeproc.disable_proc('sec_sp_proc');
SELECT status FROM pipeproc.resume_proc('sec_sp_proc');
SELECT name, topic, pending, lag FROM pipeproc.inspect_proc('sec_sp_proc');
SELECT pipeproc.wait_for_procs(ARRAY['sec_sp_proc'], '10 ms') AS caught_up;
SELECT split_part(id, '-', 2) AS seq FROM pipeproc.proc('sec_t', 'sec_rp', count => 100);
SELECT pg_temp.seqs(pipeproc.ack('sec_rp')) AS acked;
SELECT string_agg(id || ' ' || body::text, ', ' ORDER BY id) AS evil_range FROM pipeproc.range('sec_t') \gset
RESET ROLE;
-- the stranger, in its own search_path: still refused
SET ROLE regress_pipeproc_stranger;
SELECT pg_temp.err($$ SELECT * FROM pipeproc.range('sec_t') $$) AS range;
SELECT pg_temp.err($$ SELECT * FROM pipeproc.proc('sec_t', 'sec_rp') $$) AS proc;
SELECT pg_temp.err($$ SELECT pipeproc.ack('sec_rp') $$) AS ack;
SELECT pg_temp.err($$ SELECT pipeproc.grant_topic('sec_t', 'regress_pipeproc_stranger', 'read') $$) AS grant_topic;
SELECT pg_temp.err($$ SELECT pipeproc.drop_topic('sec_t') $$) AS drop_topic;
RESET ROLE;
-- the superuser: the views
SELECT string_agg(name || ' ' || coalesce(length::text, '-') || ' ' || coalesce(logs::text, '-'), ', ' ORDER BY name) AS evil_topics
FROM pipeproc.topics WHERE name LIKE 'sec\_%' \gset
SELECT string_agg(name || ' ' || topic || ' ' || pending::text || ' ' || coalesce(lag::text, '-'), ', ' ORDER BY name) AS evil_procs
FROM pipeproc.procs WHERE name LIKE 'sec\_%' \gset
RESET search_path;
SELECT count(*) AS hits FROM regress_pipeproc_evil.hits;
-- the same answers without the shadowing objects in the search_path
SELECT :'evil_range' = (SELECT string_agg(id || ' ' || body::text, ', ' ORDER BY id) FROM pipeproc.range('sec_t')) AS same_range,
       :'evil_topics' = (SELECT string_agg(name || ' ' || coalesce(length::text, '-') || ' ' || coalesce(logs::text, '-'), ', ' ORDER BY name)
                           FROM pipeproc.topics WHERE name LIKE 'sec\_%') AS same_topics,
       :'evil_procs' = (SELECT string_agg(name || ' ' || topic || ' ' || pending::text || ' ' || coalesce(lag::text, '-'), ', ' ORDER BY name)
                          FROM pipeproc.procs WHERE name LIKE 'sec\_%') AS same_procs,
       :'sp_ids' = (SELECT string_agg(id, ' ' ORDER BY id) FROM pipeproc.range('sec_sp')) AS same_ids;
SELECT split_part(id, '-', 2) AS seq, body FROM pipeproc.range('sec_t', ':24');
SELECT body FROM pipeproc.range('sec_sp');
SELECT name, topic, status, pending, pg_temp.seqs(last_acked_range) AS acked, reclaims, lag
FROM pipeproc.procs WHERE name LIKE 'sec\_%' ORDER BY name;
SELECT pg_temp.acl('sec_t') AS sec_t, pg_temp.acl('sec_sp') AS sec_sp;
-- a topic's owner is in the catalog; its tables belong to the extension owner, in a schema
-- only the extension owner may use
SELECT t.name, t.owner,
       c.relowner = (SELECT nspowner FROM pg_namespace WHERE nspname = 'pipeproc') AS table_owned_by_extension,
       c.relnamespace::regnamespace AS table_schema
FROM pipeproc.topic t JOIN pg_class c ON c.oid = t.relid
WHERE t.name LIKE 'sec\_%' ORDER BY t.name;
SELECT pg_temp.stored() AS stored;

--
-- clean up: drop the topics first (DROP OWNED BY a topic's owner would drop its table
-- under pipeproc's catalog)
--
SELECT count(*) AS dropped
FROM pipeproc.topics t, LATERAL (SELECT 1 FROM pipeproc.drop_topic(t.name)) d
WHERE t.name LIKE 'sec\_%';
SELECT count(*) AS procs_left FROM pipeproc.procs WHERE name LIKE 'sec\_%';
SELECT pg_temp.stored() AS stored;
DROP OWNED BY regress_pipeproc_owner, regress_pipeproc_member, regress_pipeproc_reader,
              regress_pipeproc_writer, regress_pipeproc_stranger;
DROP TABLESPACE regress_pipeproc_ts;
DROP FUNCTION public.sec_identity(jsonb);
DROP ROLE regress_pipeproc_member, regress_pipeproc_owner, regress_pipeproc_reader,
          regress_pipeproc_writer, regress_pipeproc_stranger;
RESET pipeproc.chunk_size;
