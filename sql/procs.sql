-- Procs: claim, ack, ack_commit, reclaim, timeouts, disable/resume/destroy,
-- offsets, and every error of SPEC section 4.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pipeproc;
RESET client_min_messages;
\set SHOW_CONTEXT never
CREATE FUNCTION pg_temp.err(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN EXECUTE q; RETURN 'no error';
EXCEPTION WHEN OTHERS THEN RETURN SQLSTATE || ': ' || SQLERRM; END $$;
-- seqs of a range text "T-S..T-S"
CREATE FUNCTION pg_temp.seqs(r text) RETURNS text LANGUAGE sql AS
$$ SELECT regexp_replace(r, '\d+-(\d+)\.\.\d+-(\d+)', '\1..\2') $$;

SELECT count(*) FROM (SELECT pipeproc.commit('pt', jsonb_build_object('n', g)) FROM generate_series(0, 9) g) x;

-- first call creates the proc and claims one log
SELECT split_part(id, '-', 2) AS seq, body FROM pipeproc.proc('pt', 'p1');
-- pending: nothing more until ack or reclaim
SELECT count(*) FROM pipeproc.proc('pt', 'p1');
SELECT pg_temp.seqs(pipeproc.ack('p1'));
-- acking again returns the same range
SELECT pg_temp.seqs(pipeproc.ack('p1'));
-- count is taken per call
SELECT split_part(id, '-', 2) AS seq FROM pipeproc.proc('pt', 'p1', count => 3);
-- reclaim: the same logs again, reclaims + 1, falls back to the last ack
SELECT pg_temp.seqs(pipeproc.reclaim('p1'));
SELECT reclaims, pending FROM pipeproc.procs WHERE name = 'p1';
SELECT split_part(id, '-', 2) AS seq FROM pipeproc.proc('pt', 'p1', count => 3);
SELECT pg_temp.seqs(pipeproc.ack('p1'));
SELECT reclaims, pending, pg_temp.seqs(last_claimed_range) AS last_claimed,
       pg_temp.seqs(previous_claimed_range) AS previous, pg_temp.seqs(last_acked_range) AS acked, lag
  FROM pipeproc.procs WHERE name = 'p1';
-- stored settings win; only count is per call
SELECT split_part(id, '-', 2) AS seq FROM pipeproc.proc('pt', 'p1', from_offset => ':0', max_reclaims => 99);
SELECT max_reclaims, from_offset FROM pipeproc.inspect_proc('p1');
SELECT pg_temp.seqs(pipeproc.ack('p1'));

-- ack_commit: ack plus commit, atomically
SELECT split_part(id, '-', 2) AS seq FROM pipeproc.proc('pt', 'p1');
SELECT pg_temp.seqs(acked), array_length(ids, 1) FROM pipeproc.ack_commit('p1', 'pt_out', '{"r": 1}');
SELECT split_part(id, '-', 2) AS seq FROM pipeproc.proc('pt', 'p1');
SELECT pg_temp.seqs(acked), array_length(ids, 1)
  FROM pipeproc.ack_commit('p1', '[{"topic": "pt_out", "body": {"r": 2}}, {"topic": "pt_out2", "body": [3]}]');
SELECT pipeproc.length('pt_out'), pipeproc.length('pt_out2');
-- without a claim: error, and nothing is committed
SELECT pg_temp.err($$ SELECT * FROM pipeproc.ack_commit('p1', 'pt_out', '{"r": 9}') $$);
SELECT pg_temp.err($$ SELECT * FROM pipeproc.ack_commit('p1', '[{"topic": "pt_out", "body": {}}]') $$);
SELECT pipeproc.length('pt_out');

-- offsets
SELECT split_part(id, '-', 2) AS seq FROM pipeproc.proc('pt', 'from_seq', ':4');
SELECT split_part(id, '-', 1) AS ts6, split_part(id, '-', 2) FROM pipeproc.range('pt', ':6', ':6') \gset
SELECT split_part(id, '-', 2) AS seq FROM pipeproc.proc('pt', 'from_id', (SELECT id FROM pipeproc.range('pt', ':6', ':6')));
-- (logs committed in the same millisecond as log 6 are included: ts >= T)
SELECT array_agg(split_part(id, '-', 2)) = (SELECT array_agg(split_part(id, '-', 2)) FROM pipeproc.range('pt', :'ts6')) AS same_as_range,
       bool_and(split_part(id, '-', 1) >= :'ts6') AS all_at_or_after
  FROM pipeproc.proc('pt', 'from_ts', :'ts6', count => 20);
SELECT split_part(id, '-', 2) AS seq FROM pipeproc.proc('pt', 'from_end', '$>');
SELECT pipeproc.commit('pt', '{"n": 10}') IS NOT NULL;
SELECT split_part(id, '-', 2) AS seq FROM pipeproc.proc('pt', 'from_end', '$>');
SELECT pg_temp.err($$ SELECT * FROM pipeproc.proc('pt', 'bad_seq', ':999') $$);

-- a proc on a topic that does not exist yet follows it once logs arrive
SELECT count(*) FROM pipeproc.proc('pt_later', 'later');
SELECT pipeproc.commit('pt_later', '{"x": 1}') IS NOT NULL;
SELECT split_part(id, '-', 2) AS seq FROM pipeproc.proc('pt_later', 'later');

-- max_reclaims with disable: the reclaim that reaches it disables the proc
SELECT count(*) FROM pipeproc.proc('pt', 'mr', max_reclaims => 2);
SELECT pg_temp.seqs(pipeproc.reclaim('mr')) IS NULL AS no_ack_yet;
SELECT count(*) FROM pipeproc.proc('pt', 'mr');
SELECT pipeproc.reclaim('mr');
SELECT status, reclaims FROM pipeproc.procs WHERE name = 'mr';
SELECT pg_temp.err($$ SELECT * FROM pipeproc.proc('pt', 'mr') $$);
SELECT pg_temp.err($$ SELECT pipeproc.reclaim('mr') $$);
SELECT pg_temp.err($$ SELECT pipeproc.disable_proc('mr') $$);
SELECT status, reclaims FROM pipeproc.resume_proc('mr');
SELECT pg_temp.err($$ SELECT pipeproc.resume_proc('mr') $$);
SELECT count(*) FROM pipeproc.proc('pt', 'mr');
-- on_max_reclaims continue never disables
SELECT count(*) FROM pipeproc.proc('pt', 'mc', max_reclaims => 1, on_max_reclaims => 'continue');
SELECT pipeproc.reclaim('mc') IS NULL;
SELECT count(*) FROM pipeproc.proc('pt', 'mc');
SELECT pipeproc.reclaim('mc') IS NULL;
SELECT status, reclaims FROM pipeproc.procs WHERE name = 'mc';
-- disabled: ack and inspect still work
SELECT count(*) FROM pipeproc.proc('pt', 'dis');
SELECT status FROM pipeproc.disable_proc('dis');
SELECT pg_temp.seqs(pipeproc.ack('dis'));
SELECT status, pending FROM pipeproc.inspect_proc('dis');

-- reclaim_timeout: an expired claim is reclaimed on the next call
SELECT count(*) FROM pipeproc.proc('pt', 'to', reclaim_timeout => '50 ms', max_reclaims => 2);
SELECT pg_sleep(0.1);
SELECT split_part(id, '-', 2) AS seq FROM pipeproc.proc('pt', 'to');
SELECT reclaims, pending FROM pipeproc.procs WHERE name = 'to';
-- the automatic reclaim that disables returns no rows and stays disabled
SELECT pg_sleep(0.1);
SELECT count(*) FROM pipeproc.proc('pt', 'to');
SELECT status, reclaims, pending FROM pipeproc.procs WHERE name = 'to';
SELECT pg_temp.err($$ SELECT * FROM pipeproc.proc('pt', 'to') $$);
-- NULL timeout never expires
SELECT count(*) FROM pipeproc.proc('pt', 'never', reclaim_timeout => NULL);
SELECT reclaim_timeout IS NULL FROM pipeproc.procs WHERE name = 'never';

-- destroy removes only that proc; the name can be reused afresh
SELECT name, pending FROM pipeproc.destroy_proc('p1');
SELECT count(*) FROM pipeproc.procs WHERE name = 'p1';
SELECT count(*) > 0 FROM pipeproc.procs;
SELECT split_part(id, '-', 2) AS seq FROM pipeproc.proc('pt', 'p1');

-- a claim in a transaction that rolls back leaves the proc as it was
BEGIN;
SELECT split_part(id, '-', 2) AS seq FROM pipeproc.proc('pt', 'rb');
ROLLBACK;
SELECT count(*) FROM pipeproc.procs WHERE name = 'rb';

-- wait_for_procs
SELECT pipeproc.wait_for_procs(ARRAY['from_end'], '10 ms');
SELECT count(*) FROM pipeproc.proc('pt', 'from_end');
SELECT pipeproc.wait_for_procs(ARRAY['from_end'], '10 ms');
SELECT pg_temp.seqs(pipeproc.ack('from_end'));
SELECT pipeproc.wait_for_procs(ARRAY['from_end'], '10 ms');
SELECT pg_temp.err($$ SELECT pipeproc.wait_for_procs(ARRAY['nope']) $$);

-- errors
SELECT pg_temp.err($$ SELECT * FROM pipeproc.proc('other_topic', 'mr') $$);
SELECT pg_temp.err($$ SELECT * FROM pipeproc.proc('pt', 'bad name') $$);
SELECT pg_temp.err($$ SELECT * FROM pipeproc.proc('pt', repeat('x', 129)) $$);
SELECT pg_temp.err($$ SELECT * FROM pipeproc.proc('pt', 'ok', count => 0) $$);
SELECT pg_temp.err($$ SELECT * FROM pipeproc.proc('pt', 'ok', max_reclaims => 0) $$);
SELECT pg_temp.err($$ SELECT * FROM pipeproc.proc('pt', 'ok', max_reclaims => -2) $$);
SELECT pg_temp.err($$ SELECT * FROM pipeproc.proc('pt', 'ok', on_max_reclaims => 'explode') $$);
SELECT pg_temp.err($$ SELECT * FROM pipeproc.proc('pt', 'ok', reclaim_timeout => '-1 s') $$);
SELECT pg_temp.err($$ SELECT * FROM pipeproc.proc('pt', 'ok', from_offset => '>>') $$);
SELECT pg_temp.err($$ SELECT * FROM pipeproc.proc('pt', 'ok', from_offset => '') $$);
SELECT pg_temp.err($$ SELECT * FROM pipeproc.proc(NULL, 'ok') $$);
SELECT pg_temp.err($$ SELECT * FROM pipeproc.proc('pt', NULL) $$);
SELECT pg_temp.err($$ SELECT * FROM pipeproc.proc('pt', 'ok', from_offset => NULL) $$);
SELECT pg_temp.err($$ SELECT * FROM pipeproc.proc('pt', 'ok', count => NULL) $$);
SELECT pg_temp.err($$ SELECT * FROM pipeproc.proc('pt', 'ok', max_reclaims => NULL) $$);
SELECT pg_temp.err($$ SELECT * FROM pipeproc.proc('pt', 'ok', on_max_reclaims => NULL) $$);
SELECT pg_temp.err($$ SELECT pipeproc.ack('nope') $$);
SELECT pg_temp.err($$ SELECT pipeproc.ack(NULL) $$);
SELECT pg_temp.err($$ SELECT pipeproc.reclaim('nope') $$);
SELECT pg_temp.err($$ SELECT pipeproc.reclaim('never') $$);
SELECT pg_temp.err($$ SELECT pipeproc.reclaim('from_end') $$);
SELECT pg_temp.err($$ SELECT pipeproc.inspect_proc('nope') $$);
SELECT pg_temp.err($$ SELECT pipeproc.destroy_proc('nope') $$);
SELECT pg_temp.err($$ SELECT pipeproc.disable_proc(NULL) $$);
SELECT pg_temp.err($$ SELECT * FROM pipeproc.ack_commit('nope', 'pt', '{}') $$);
SELECT pg_temp.err($$ SELECT * FROM pipeproc.ack_commit('never', NULL, '{}') $$);
SELECT pg_temp.err($$ SELECT * FROM pipeproc.ack_commit('never', 'pt', NULL) $$);
SELECT pg_temp.err($$ SELECT pipeproc.ack('fresh') $$);
SELECT count(*) FROM pipeproc.proc('pt_empty_never', 'fresh');
SELECT pg_temp.err($$ SELECT pipeproc.ack('fresh') $$);

-- transactions: a claim and its ack can share one; a rolled-back savepoint undoes what it
-- claimed or acked, and the proc goes on as if it had never happened
SELECT count(*) FROM (SELECT pipeproc.commit('pt_tx', jsonb_build_object('n', g)) FROM generate_series(1, 5) g) x;
BEGIN;
SELECT body->>'n' AS n FROM pipeproc.proc('pt_tx', 'tx');
SAVEPOINT s1;
SELECT pg_temp.seqs(pipeproc.ack('tx'));
ROLLBACK TO SAVEPOINT s1;
SELECT pending, last_acked_range IS NULL AS never_acked FROM pipeproc.procs WHERE name = 'tx';
SELECT pg_temp.seqs(pipeproc.ack('tx'));
SAVEPOINT s2;
SELECT body->>'n' AS n FROM pipeproc.proc('pt_tx', 'tx');
ROLLBACK TO SAVEPOINT s2;
SELECT body->>'n' AS n FROM pipeproc.proc('pt_tx', 'tx');
RELEASE SAVEPOINT s2;
SELECT pg_temp.seqs(pipeproc.ack('tx'));
COMMIT;
SELECT pending, pg_temp.seqs(last_acked_range) AS acked FROM pipeproc.procs WHERE name = 'tx';
-- claim and ack in one statement: at most once, like a queue's pop (every row's ack call
-- acks the whole claim; the calls after the first return the same range)
SELECT body->>'n' AS n, pg_temp.seqs(pipeproc.ack('tx')) AS acked FROM pipeproc.proc('pt_tx', 'tx', count => 2);
SELECT pending, pg_temp.seqs(last_acked_range) AS acked FROM pipeproc.procs WHERE name = 'tx';
SELECT body->>'n' AS n, pg_temp.seqs(pipeproc.ack('tx')) AS acked FROM pipeproc.proc('pt_tx', 'tx');
-- a read-only transaction can neither claim nor ack (nor do anything else to a proc)
BEGIN READ ONLY;
SELECT pg_temp.err($$ SELECT * FROM pipeproc.proc('pt_tx', 'tx') $$);
SELECT pg_temp.err($$ SELECT * FROM pipeproc.proc('pt_tx', 'tx_new') $$);
SELECT pg_temp.err($$ SELECT pipeproc.ack('tx') $$);
SELECT pg_temp.err($$ SELECT pipeproc.reclaim('tx') $$);
SELECT pg_temp.err($$ SELECT pipeproc.disable_proc('tx') $$);
SELECT pg_temp.err($$ SELECT pipeproc.destroy_proc('tx') $$);
COMMIT;
SELECT count(*) AS tx_procs FROM pipeproc.procs WHERE name LIKE 'tx%';
-- a proc row already changed by the same statement (only the table's owner can do that)
SELECT pg_temp.err($$ WITH u AS (UPDATE pipeproc.proc SET reclaims = reclaims WHERE name = 'tx' RETURNING 1)
                      SELECT pipeproc.ack('tx') FROM u $$);

-- drop_topic removes the topic's procs
SELECT pipeproc.drop_topic('pt');
SELECT name FROM pipeproc.procs ORDER BY name;
