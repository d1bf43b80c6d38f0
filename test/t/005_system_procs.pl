# Crash safety of system procs: kill -9 a backend in the middle of a
# run_system_procs() transaction, then the postmaster while a call is
# processing.  After the restarts, every log of the input topic has exactly
# one result in the output topic: nothing committed is lost, nothing is
# processed twice.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use lib 'test/t';
use PipeprocTAP;
use IPC::Run;

my $node = PostgreSQL::Test::Cluster->new('sysproc');
$node->init;
$node->append_conf('postgresql.conf',
	"shared_preload_libraries = 'pipeproc'\nrestart_after_crash = on\n");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION pipeproc');

# a processor that tags each result with its source log's id, slowly (2 ms a log)
$node->safe_psql('postgres', q{
CREATE FUNCTION tag(body jsonb, id text) RETURNS jsonb LANGUAGE sql
  AS $$ SELECT jsonb_build_object('src', id, 'n', body->'n') FROM pg_catalog.pg_sleep(0.002) $$;
});
$node->safe_psql('postgres',
	"SELECT cardinality(pipeproc.commit(jsonb_agg(jsonb_build_object('topic', 'sp_in', 'body', jsonb_build_object('n', g)))))"
	  . " FROM generate_series(1, 1000) g");
$node->safe_psql('postgres',
	"SELECT count(*) FROM pipeproc.system_proc('tagger', 'sp_in', 'public.tag(jsonb, text)', ARRAY['sp_out'], count => 10)");

sub out_logs { return $node->safe_psql('postgres', "SELECT count(*) FROM pipeproc.range('sp_out')"); }
sub processed { return $node->safe_psql('postgres', "SELECT processed FROM pipeproc.system_procs WHERE name = 'tagger'"); }

# some work committed
is($node->safe_psql('postgres', 'SELECT pipeproc.run_system_procs(max_logs => 100)'), '100',
	'100 logs processed');
is(out_logs(), '100', '100 results committed');

# a session with 200 logs processed in its open transaction, killed
my $bg = $node->background_psql('postgres');
$bg->query_safe('BEGIN');
is($bg->query_safe('SELECT pipeproc.run_system_procs(max_logs => 200)'), '200',
	'200 more processed in an open transaction');
my $pid = $bg->query_safe('SELECT pg_backend_pid()');
chomp $pid;
kill 'KILL', $pid;
$bg->{run}->kill_kill;
$node->poll_query_until('postgres', 'SELECT 1', '1') or die 'server did not restart';
is(out_logs(), '100', "the killed transaction's results are gone, the committed ones stay");
is(processed(), '100', 'its logs count as not processed');
is($node->safe_psql('postgres', "SELECT pending FROM pipeproc.procs WHERE name = 'tagger'"), 'f',
	'and its claims never happened');

# a call in autocommit, killed with the postmaster while it processes
my ($stdout, $stderr) = ('', '');
my $h = IPC::Run::start(
	[ 'psql', '-XAtq', '-d', $node->connstr('postgres'), '-c', 'SELECT pipeproc.run_system_procs()' ],
	'>', \$stdout, '2>', \$stderr);
$node->poll_query_until('postgres',
	"SELECT count(*) > 0 FROM pg_stat_activity WHERE query LIKE 'SELECT pipeproc.run_system_procs()%' AND state = 'active'")
  or die 'the run did not start';
sleep 1;
kill9_and_wait($node);
$h->kill_kill;
$node->start;
ok(1, 'server restarts after kill -9 of the postmaster');
is(out_logs(), '100', "the interrupted call's results are gone");

# finish the work
my $total = 0;
for (1 .. 20)
{
	my $n = $node->safe_psql('postgres', 'SELECT pipeproc.run_system_procs()');
	$total += $n;
	last if $n == 0;
}
is($total, 900, 'the remaining 900 logs are processed after the crashes');
is(processed(), '1000', 'processed counts every log once');
is($node->safe_psql('postgres',
		"SELECT count(*) || ' ' || count(DISTINCT body->>'src') FROM pipeproc.range('sp_out')"),
	'1000 1000', 'one result per input log');
is($node->safe_psql('postgres',
		"SELECT count(*) FROM pipeproc.range('sp_in') i LEFT JOIN pipeproc.range('sp_out') o ON o.body->>'src' = i.id WHERE o.id IS NULL"),
	'0', 'no input log without its result');
is($node->safe_psql('postgres', "SELECT reclaims || ' ' || status FROM pipeproc.system_procs WHERE name = 'tagger'"),
	'0 active', 'no failure was counted');

$node->stop;
done_testing();
