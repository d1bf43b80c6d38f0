# Crash safety: kill -9 a backend, then the postmaster, in the middle of
# commits and claims.  Nothing committed is lost, no acked log comes
# again, no log is skipped, and ids keep growing after the restart.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use lib 'test/t';
use PipeprocTAP;

my $node = PostgreSQL::Test::Cluster->new('crash');
$node->init;
$node->append_conf('postgresql.conf',
	"shared_preload_libraries = 'pipeproc'\nrestart_after_crash = on\n");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION pipeproc');

# 100 logs in 10 transactions
for my $i (0 .. 9)
{
	$node->safe_psql('postgres',
		"SELECT pipeproc.commit(jsonb_agg(jsonb_build_object('topic', 'crash', 'body', jsonb_build_object('n', $i * 10 + g))))"
		  . " FROM generate_series(0, 9) g");
}

my %delivered;

# claim count logs with proc c and ack them in the same transaction
sub consume
{
	my ($count) = @_;
	my $out = $node->safe_psql('postgres',
		"BEGIN; SELECT split_part(id, '-', 2) FROM pipeproc.proc('crash', 'c', count => $count);"
		  . " SELECT pipeproc.ack('c') WHERE EXISTS (SELECT FROM pipeproc.procs WHERE name = 'c' AND pending); COMMIT;");
	my @seqs = grep { /^\d+$/ } split /\n/, $out;
	$delivered{$_}++ for @seqs;
	return scalar @seqs;
}

is(consume(10), 10, "claimed 10") for 1 .. 4;

# a session in the middle of a commit and a claim, killed with SIGKILL
my $bg = $node->background_psql('postgres');
$bg->query_safe("BEGIN");
$bg->query_safe("SELECT pipeproc.commit('crash', '{\"n\": \"lost\"}')");
$bg->query_safe("SELECT count(*) FROM pipeproc.proc('crash', 'c', count => 10)");
my $pid = $bg->query_safe("SELECT pg_backend_pid()");
chomp $pid;
my $last_ts = $node->safe_psql('postgres',
	"SELECT split_part(id, '-', 1) FROM pipeproc.revrange('crash', count => 1)");
kill 'KILL', $pid;
$bg->{run}->kill_kill;
$node->poll_query_until('postgres', 'SELECT 1', '1') or die "server did not restart";

is($node->safe_psql('postgres', "SELECT pipeproc.length('crash')"), '100',
	'all committed logs survive a backend crash, the uncommitted one is gone');
is($node->safe_psql('postgres', "SELECT pending FROM pipeproc.procs WHERE name = 'c'"), 'f',
	'the claim of the killed transaction never happened');
my $id = $node->safe_psql('postgres', "SELECT pipeproc.commit('crash', '{\"n\": 100}')");
my ($ts, $seq) = split /-/, $id;
is($seq, '100', 'seqs continue after the last committed log');
ok($ts >= $last_ts, 'ts does not go back');

is(consume(10), 10, "claimed 10 after restart");

# a claim committed but not acked, then the whole server is killed
$node->safe_psql('postgres', "SELECT count(*) FROM pipeproc.proc('crash', 'c', count => 10)");
kill9_and_wait($node);
$node->start;
ok(1, 'server restarts after kill -9 of the postmaster');
is($node->safe_psql('postgres', "SELECT pending FROM pipeproc.procs WHERE name = 'c'"), 't',
	'a committed claim survives a postmaster crash');
is($node->safe_psql('postgres', "SELECT count(*) FROM pipeproc.proc('crash', 'c')"), '0',
	'a pending claim blocks new claims after the crash');
$node->safe_psql('postgres', "SELECT pipeproc.reclaim('c')");

# consume the rest: every seq 0..100 exactly once
1 while consume(7) > 0;
is(scalar(keys %delivered), 101, 'every log delivered');
is(scalar(grep { $delivered{$_} != 1 } keys %delivered), 0, 'no log delivered twice (acked claims)');
is(join(',', sort { $a <=> $b } keys %delivered), join(',', 0 .. 100), 'no log skipped');
is($node->safe_psql('postgres', "SELECT pipeproc.wait_for_procs(ARRAY['c'], '1s')"), 't',
	'the proc caught up');

$node->stop;
done_testing();
