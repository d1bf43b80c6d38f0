/* pipeproc--0.1.sql: install script of pipeproc 0.1 */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION pipeproc" to load this file. \quit

-- Every reference is schema-qualified: the script must not depend on the
-- search_path of whoever runs CREATE EXTENSION.

CREATE SEQUENCE pipeproc.topic_id_seq;

-- The topic and chunk tables (pipeproc_data.topic_<id>, topic_<id>_<k>) live
-- in a schema of their own that no role but the extension owner may use:
-- they belong to the extension owner, nobody can reach them by name, and
-- logs are read and written only through pipeproc's functions.  A topic's
-- privileges are granted on its table there (see grant_topic).
CREATE SCHEMA pipeproc_data;
REVOKE ALL ON SCHEMA pipeproc_data FROM PUBLIC;

-- The topic catalog.  relid is pipeproc.topic_<id>, a partition of
-- pipeproc.logs; first_seq/last_ts keep what the collector removed so that
-- seqs and timestamps never go back.
CREATE TABLE pipeproc.topic (
    id          bigint PRIMARY KEY DEFAULT pg_catalog.nextval('pipeproc.topic_id_seq'),
    name        text NOT NULL UNIQUE,
    relid       pg_catalog.regclass,
    owner       pg_catalog.regrole NOT NULL,
    unlogged    boolean NOT NULL DEFAULT false,
    spcoid      pg_catalog.oid,
    chunk_size  bigint NOT NULL,
    first_seq   bigint NOT NULL DEFAULT 0,
    last_ts     bigint NOT NULL DEFAULT 0,
    created_at  timestamptz NOT NULL DEFAULT pg_catalog.now()
);

-- All logs: one LIST partition per topic, each RANGE-partitioned by seq
-- into chunks.  The tables are created by pipeproc itself, named by id.
CREATE TABLE pipeproc.logs (
    topic_id    bigint NOT NULL,
    seq         bigint NOT NULL,
    ts          bigint NOT NULL,
    body        jsonb NOT NULL
) PARTITION BY LIST (topic_id);

-- Procs.  The cursor is a position: the proc continues with the logs after
-- (after_ts, after_seq); with after_exact, simply those with seq > after_seq.
CREATE TABLE pipeproc.proc (
    name                    text PRIMARY KEY,
    topic                   text NOT NULL,
    owner                   pg_catalog.regrole NOT NULL,
    from_offset             text NOT NULL,
    status                  text NOT NULL DEFAULT 'active',
    created_at              timestamptz NOT NULL DEFAULT pg_catalog.now(),
    last_claimed_at         timestamptz,
    last_acked_at           timestamptz,
    last_claimed_range      text,
    last_acked_range        text,
    previous_claimed_range  text,
    pending                 boolean NOT NULL DEFAULT false,
    reclaims                integer NOT NULL DEFAULT 0,
    max_reclaims            integer NOT NULL,
    reclaim_timeout         interval,
    on_max_reclaims         text NOT NULL,
    after_ts                bigint NOT NULL,
    after_seq               bigint NOT NULL,
    after_exact             boolean NOT NULL,
    claim_first_seq         bigint,
    claim_last_ts           bigint,
    claim_last_seq          bigint,
    live                    boolean NOT NULL DEFAULT false  -- made by live_proc
);
CREATE INDEX proc_topic_idx ON pipeproc.proc (topic);

SELECT pg_catalog.pg_extension_config_dump('pipeproc.topic', '');
SELECT pg_catalog.pg_extension_config_dump('pipeproc.topic_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('pipeproc.proc', '');

-- Writing ------------------------------------------------------------------

CREATE FUNCTION pipeproc.commit(topic text, body jsonb)
RETURNS text
AS 'MODULE_PATHNAME', 'pipeproc_commit'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION pipeproc.commit(text, jsonb) IS 'append a log to a topic; returns its id';

CREATE FUNCTION pipeproc.commit(logs jsonb)
RETURNS text[]
AS 'MODULE_PATHNAME', 'pipeproc_commit_batch'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION pipeproc.commit(jsonb) IS 'append an array of {"topic", "body"} logs atomically; returns their ids';

CREATE FUNCTION pipeproc.create_topic(topic text, unlogged boolean DEFAULT false,
                                      tablespace name DEFAULT NULL)
RETURNS void
AS 'MODULE_PATHNAME', 'pipeproc_create_topic'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION pipeproc.create_topic(text, boolean, name) IS 'create a topic explicitly';

CREATE FUNCTION pipeproc.drop_topic(topic text)
RETURNS void
AS 'MODULE_PATHNAME', 'pipeproc_drop_topic'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION pipeproc.drop_topic(text) IS 'remove a topic, its logs and its procs';

CREATE FUNCTION pipeproc.grant_topic(topic text, role text, privilege text)
RETURNS void
AS 'MODULE_PATHNAME', 'pipeproc_grant_topic'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION pipeproc.grant_topic(text, text, text) IS 'grant ''read'', ''write'' or ''all'' on a topic to a role (or ''public''); owner only';

CREATE FUNCTION pipeproc.revoke_topic(topic text, role text, privilege text)
RETURNS void
AS 'MODULE_PATHNAME', 'pipeproc_revoke_topic'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION pipeproc.revoke_topic(text, text, text) IS 'revoke ''read'', ''write'' or ''all'' on a topic from a role (or ''public''); owner only';

-- Reading ------------------------------------------------------------------

CREATE FUNCTION pipeproc.range(topic text, start text DEFAULT NULL, stop text DEFAULT NULL,
                               count integer DEFAULT NULL, exclusive boolean DEFAULT false)
RETURNS TABLE (id text, body jsonb)
AS 'MODULE_PATHNAME', 'pipeproc_range'
LANGUAGE C STABLE PARALLEL UNSAFE ROWS 100;
COMMENT ON FUNCTION pipeproc.range(text, text, text, integer, boolean) IS 'logs of a topic between two bounds, ascending';

CREATE FUNCTION pipeproc.revrange(topic text, start text DEFAULT NULL, stop text DEFAULT NULL,
                                  count integer DEFAULT NULL, exclusive boolean DEFAULT false)
RETURNS TABLE (id text, body jsonb)
AS 'MODULE_PATHNAME', 'pipeproc_revrange'
LANGUAGE C STABLE PARALLEL UNSAFE ROWS 100;
COMMENT ON FUNCTION pipeproc.revrange(text, text, text, integer, boolean) IS 'logs of a topic between two bounds, descending (start is the upper bound)';

CREATE FUNCTION pipeproc.length(topic text)
RETURNS bigint
AS 'MODULE_PATHNAME', 'pipeproc_length'
LANGUAGE C STABLE PARALLEL UNSAFE;
COMMENT ON FUNCTION pipeproc.length(text) IS 'last seq of a topic + 1 (0 when no log is left)';

CREATE FUNCTION pipeproc._topic_stats(topic text,
                                      OUT length bigint, OUT logs bigint,
                                      OUT first_id text, OUT last_id text)
AS 'MODULE_PATHNAME', 'pipeproc_topic_stats'
LANGUAGE C STABLE PARALLEL UNSAFE;

CREATE VIEW pipeproc.topics AS
SELECT t.name,
       s.length,
       s.logs,
       s.first_id,
       s.last_id,
       t.created_at,
       t.unlogged,
       (SELECT pg_catalog.sum(pg_catalog.pg_total_relation_size(p.relid))::bigint
          FROM pg_catalog.pg_partition_tree(t.relid) AS p) AS bytes
  FROM pipeproc.topic AS t,
       LATERAL pipeproc._topic_stats(t.name) AS s;
COMMENT ON VIEW pipeproc.topics IS 'one row per topic; statistics are NULL for topics you may not read';

-- Procs --------------------------------------------------------------------

CREATE FUNCTION pipeproc._proc_lag(topic text, after_ts bigint, after_seq bigint,
                                   after_exact boolean)
RETURNS bigint
AS 'MODULE_PATHNAME', 'pipeproc_proc_lag'
LANGUAGE C STABLE STRICT PARALLEL UNSAFE;

CREATE FUNCTION pipeproc._topic_readable(topic text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'pipeproc_topic_readable'
LANGUAGE C STABLE STRICT PARALLEL UNSAFE;

CREATE VIEW pipeproc.procs AS
SELECT p.name, p.topic, p.from_offset, p.status, p.created_at,
       p.last_claimed_at, p.last_acked_at,
       p.last_claimed_range, p.last_acked_range, p.previous_claimed_range,
       p.pending, p.reclaims, p.max_reclaims, p.reclaim_timeout, p.on_max_reclaims,
       pipeproc._proc_lag(p.topic, p.after_ts, p.after_seq, p.after_exact) AS lag
  FROM pipeproc.proc AS p
 WHERE pg_catalog.pg_has_role(p.owner::pg_catalog.oid, 'USAGE')
    OR pipeproc._topic_readable(p.topic);
COMMENT ON VIEW pipeproc.procs IS 'one row per proc you own or whose topic you may read: its settings, its claims and how far behind its topic it is';

CREATE FUNCTION pipeproc.proc(topic text, name text, from_offset text DEFAULT '>',
                              count integer DEFAULT 1, max_reclaims integer DEFAULT 10,
                              reclaim_timeout interval DEFAULT '10 seconds',
                              on_max_reclaims text DEFAULT 'disable')
RETURNS TABLE (id text, body jsonb)
AS 'MODULE_PATHNAME', 'pipeproc_proc'
LANGUAGE C VOLATILE PARALLEL UNSAFE ROWS 1;
COMMENT ON FUNCTION pipeproc.proc(text, text, text, integer, integer, interval, text) IS 'claim the next logs of a topic for a proc (created on first use)';

CREATE FUNCTION pipeproc.ack(name text)
RETURNS text
AS 'MODULE_PATHNAME', 'pipeproc_ack'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION pipeproc.ack(text) IS 'mark the pending claim of a proc as done; returns the acked range';

CREATE FUNCTION pipeproc.ack_commit(name text, topic text, body jsonb)
RETURNS TABLE (acked text, ids text[])
AS 'MODULE_PATHNAME', 'pipeproc_ack_commit'
LANGUAGE C VOLATILE PARALLEL UNSAFE ROWS 1;
COMMENT ON FUNCTION pipeproc.ack_commit(text, text, jsonb) IS 'ack a proc and commit a log, atomically';

CREATE FUNCTION pipeproc.ack_commit(name text, logs jsonb)
RETURNS TABLE (acked text, ids text[])
AS 'MODULE_PATHNAME', 'pipeproc_ack_commit'
LANGUAGE C VOLATILE PARALLEL UNSAFE ROWS 1;
COMMENT ON FUNCTION pipeproc.ack_commit(text, jsonb) IS 'ack a proc and commit an array of logs, atomically';

CREATE FUNCTION pipeproc.reclaim(name text)
RETURNS text
AS 'MODULE_PATHNAME', 'pipeproc_reclaim'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION pipeproc.reclaim(text) IS 'drop the pending claim so the same logs come again; returns the last acked range';

CREATE FUNCTION pipeproc.inspect_proc(name text)
RETURNS pipeproc.procs
AS 'MODULE_PATHNAME', 'pipeproc_inspect_proc'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION pipeproc.inspect_proc(text) IS 'the state of a proc';

CREATE FUNCTION pipeproc.disable_proc(name text)
RETURNS pipeproc.procs
AS 'MODULE_PATHNAME', 'pipeproc_disable_proc'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION pipeproc.disable_proc(text) IS 'disable a proc';

CREATE FUNCTION pipeproc.resume_proc(name text)
RETURNS pipeproc.procs
AS 'MODULE_PATHNAME', 'pipeproc_resume_proc'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION pipeproc.resume_proc(text) IS 'resume a disabled proc (resets its reclaims)';

CREATE FUNCTION pipeproc.destroy_proc(name text)
RETURNS pipeproc.procs
AS 'MODULE_PATHNAME', 'pipeproc_destroy_proc'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION pipeproc.destroy_proc(text) IS 'remove a proc; returns its last state';

CREATE FUNCTION pipeproc.wait_for_procs(names text[] DEFAULT NULL, timeout interval DEFAULT NULL)
RETURNS boolean
AS 'MODULE_PATHNAME', 'pipeproc_wait_for_procs'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION pipeproc.wait_for_procs(text[], interval) IS 'wait until the (named) active procs have acked the last log of their topics';

-- Live procs -----------------------------------------------------------------

CREATE FUNCTION pipeproc.live_proc(topic text, mode text DEFAULT 'live', count integer DEFAULT 1,
                                   name text DEFAULT NULL)
RETURNS TABLE (name text, channel text)
AS 'MODULE_PATHNAME', 'pipeproc_live_proc'
LANGUAGE C VOLATILE PARALLEL UNSAFE ROWS 1;
COMMENT ON FUNCTION pipeproc.live_proc(text, text, integer, text) IS 'a proc that follows a topic; LISTEN on channel to hear of every transaction that commits to it';

-- System procs -------------------------------------------------------------
-- A system proc is a proc (row of pipeproc.proc) whose logs pipeproc hands to
-- a processor function, committing what it returns to to_topics and acking,
-- in one transaction per claim.  name is the system proc's name; proc the
-- name of its proc (the same, or <name>__<topic> for the from_topics form).

CREATE TABLE pipeproc.system_proc (
    proc            text PRIMARY KEY REFERENCES pipeproc.proc (name) ON DELETE CASCADE,
    name            text NOT NULL,
    owner           pg_catalog.regrole NOT NULL,
    from_topic      text NOT NULL,
    processor       pg_catalog.oid NOT NULL,    -- a function; not regprocedure, which pg_upgrade refuses
    to_topics       text[],
    count           integer NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    processed       bigint NOT NULL DEFAULT 0,
    last_error      text,
    last_error_at   timestamptz
);
CREATE INDEX system_proc_name_idx ON pipeproc.system_proc (name);
SELECT pg_catalog.pg_extension_config_dump('pipeproc.system_proc', '');

CREATE VIEW pipeproc.system_procs AS
SELECT s.name, s.proc, s.from_topic, s.to_topics, s.processor::pg_catalog.regprocedure AS processor,
       s.owner, s.count,
       p.status, p.pending, p.reclaims, p.lag, s.processed, s.last_error, s.last_error_at,
       NULL::integer AS worker_pid, s.created_at
  FROM pipeproc.system_proc AS s
  JOIN pipeproc.procs AS p ON p.name OPERATOR(pg_catalog.=) s.proc;
COMMENT ON VIEW pipeproc.system_procs IS 'one row per system proc (per topic of a from_topics system proc) you may see: its processor, progress and last error';

CREATE FUNCTION pipeproc.system_proc(name text, from_topic text, processor regprocedure,
                                     to_topics text[] DEFAULT NULL, from_offset text DEFAULT '>',
                                     count integer DEFAULT 1, max_reclaims integer DEFAULT 10,
                                     reclaim_timeout interval DEFAULT '10 seconds',
                                     on_max_reclaims text DEFAULT 'disable')
RETURNS SETOF pipeproc.procs
AS 'MODULE_PATHNAME', 'pipeproc_system_proc'
LANGUAGE C VOLATILE PARALLEL UNSAFE ROWS 1;
COMMENT ON FUNCTION pipeproc.system_proc(text, text, regprocedure, text[], text, integer, integer, interval, text) IS 'a proc whose logs pipeproc passes to a processor function, committing its results to to_topics';

CREATE FUNCTION pipeproc.system_proc(name text, from_topics text[], processor regprocedure,
                                     to_topics text[] DEFAULT NULL, from_offset text DEFAULT '>',
                                     count integer DEFAULT 1, max_reclaims integer DEFAULT 10,
                                     reclaim_timeout interval DEFAULT '10 seconds',
                                     on_max_reclaims text DEFAULT 'disable')
RETURNS SETOF pipeproc.procs
AS 'MODULE_PATHNAME', 'pipeproc_system_proc'
LANGUAGE C VOLATILE PARALLEL UNSAFE ROWS 2;
COMMENT ON FUNCTION pipeproc.system_proc(text, text[], regprocedure, text[], text, integer, integer, interval, text) IS 'one system proc per topic, named <name>__<topic>';

CREATE FUNCTION pipeproc.destroy_system_proc(name text)
RETURNS SETOF pipeproc.procs
AS 'MODULE_PATHNAME', 'pipeproc_destroy_system_proc'
LANGUAGE C VOLATILE PARALLEL UNSAFE ROWS 1;
COMMENT ON FUNCTION pipeproc.destroy_system_proc(text) IS 'remove a system proc and its proc(s); returns their last rows';

CREATE FUNCTION pipeproc.run_system_procs(max_logs integer DEFAULT NULL)
RETURNS bigint
AS 'MODULE_PATHNAME', 'pipeproc_run_system_procs'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION pipeproc.run_system_procs(integer) IS 'run the system procs you own in this session until they have no work (or max_logs are processed); returns how many logs were processed';

-- Garbage collection ---------------------------------------------------------

CREATE FUNCTION pipeproc.gc()
RETURNS bigint
AS 'MODULE_PATHNAME', 'pipeproc_gc'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION pipeproc.gc() IS 'collect old logs that no active proc needs, in the topics you own; returns how many';

-- Privileges ---------------------------------------------------------------
-- The catalogs are written only by pipeproc's functions (which act as the
-- extension owner); everyone may read the views.  Access to a topic's
-- logs is decided per topic by the privileges on its table.
REVOKE ALL ON pipeproc.topic, pipeproc.proc, pipeproc.system_proc, pipeproc.logs FROM PUBLIC;
REVOKE ALL ON SEQUENCE pipeproc.topic_id_seq FROM PUBLIC;
GRANT USAGE ON SCHEMA pipeproc TO PUBLIC;
GRANT SELECT ON pipeproc.topics, pipeproc.procs, pipeproc.system_procs TO PUBLIC;
