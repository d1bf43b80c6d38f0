# The garbage collector and crashes: a collection killed mid-way collects
# nothing; a committed collection survives a crash of the whole server; and
# when every log of a topic has been collected, seqs and timestamps go on
# from where they were after the restart (they are kept in the catalog, not
# only in shared memory).
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use lib 'test/t';
use PipeprocTAP;

my $node = PostgreSQL::Test::Cluster->new('gc');
$node->init;
$node->append_conf('postgresql.conf',
	"shared_preload_libraries = 'pipeproc'\nrestart_after_crash = on\n");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION pipeproc');

sub fill
{
	my ($topic, $n) = @_;
	return $node->safe_psql('postgres',
		"SET pipeproc.chunk_size = 16; SELECT cardinality(pipeproc.commit(jsonb_agg(jsonb_build_object('topic', '$topic',"
		  . " 'body', jsonb_build_object('n', g))))) FROM generate_series(1, $n) g");
}

sub kill9_and_restart
{
	kill9_and_wait($node);
	$node->start;
}

is(fill('g', 100), '100', '100 logs in chunks of 16');
my $last_ts = $node->safe_psql('postgres',
	"SELECT split_part(id, '-', 1) FROM pipeproc.revrange('g', count => 1)");
select(undef, undef, undef, 0.05);

# a backend killed in the middle of a collection, inside its transaction
my $bg = $node->background_psql('postgres');
$bg->query_safe("SET pipeproc.gc_min_prune_time = 0");
$bg->query_safe("BEGIN");
is($bg->query_safe("SELECT pipeproc.gc()"), '100', 'the collection sees 100 logs');
my $pid = $bg->query_safe("SELECT pg_backend_pid()");
chomp $pid;
kill 'KILL', $pid;
$bg->{run}->kill_kill;
$node->poll_query_until('postgres', 'SELECT 1', '1') or die "server did not restart";
is($node->safe_psql('postgres', "SELECT count(*) FROM pipeproc.range('g')"), '100',
	'a collection killed before commit collected nothing');

# a committed collection, then the whole server killed
is($node->safe_psql('postgres', "SET pipeproc.gc_min_prune_time = 0; SELECT pipeproc.gc()"),
	'100', 'every log collected');
kill9_and_restart();
is($node->safe_psql('postgres', "SELECT count(*) FROM pipeproc.range('g')"), '0',
	'the collection survives a crash of the server');
is($node->safe_psql('postgres', "SELECT pipeproc.length('g')"), '0', 'length 0 with no log left');

my $id = $node->safe_psql('postgres', "SELECT pipeproc.commit('g', '{\"n\": 101}')");
my ($ts, $seq) = split /-/, $id;
is($seq, '100', 'after the restart seqs go on from where they were');
cmp_ok($ts, '>=', $last_ts, 'and timestamps do not go back');

# the same after a clean restart
$node->safe_psql('postgres', "SELECT pg_sleep(0.02)");
is($node->safe_psql('postgres', "SET pipeproc.gc_min_prune_time = 0; SELECT pipeproc.gc()"),
	'1', 'the new log collected');
$node->restart;
$id = $node->safe_psql('postgres', "SELECT pipeproc.commit('g', '{\"n\": 102}')");
($ts, $seq) = split /-/, $id;
is($seq, '101', 'seqs go on after a clean restart too');

$node->stop;
done_testing();
