# Two databases with pipeproc on one server: topic ids are per database, so
# their counters must not mix; and re-creating the extension starts topics
# afresh even though the new topic ids repeat the old ones.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('dbs');
$node->init;
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'pipeproc'\n");
$node->start;
for my $db ('d1', 'd2')
{
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	$node->safe_psql($db, 'CREATE EXTENSION pipeproc');
}

sub seq_of
{
	my ($db, $topic) = @_;
	return $node->safe_psql($db, "SELECT split_part(pipeproc.commit('$topic', '{}'), '-', 2)");
}

is(seq_of('d1', 'a'), '0', 'd1: first log of topic a (id 1)');
is(seq_of('d1', 'a'), '1', 'd1: second log');
is(seq_of('d1', 'a'), '2', 'd1: third log');
is(seq_of('d2', 'b'), '0', 'd2: topic b, also id 1, starts at 0');
is($node->safe_psql('d2', "SELECT pipeproc.length('b')"), '1', 'd2: length 1');
is(seq_of('d1', 'a'), '3', 'd1 goes on undisturbed');

$node->restart;
is(seq_of('d2', 'b'), '1', 'after a restart, d2 (used first) goes on from its own logs');
is(seq_of('d1', 'a'), '4', 'and d1 from its own');

$node->safe_psql('d1', 'DROP EXTENSION pipeproc CASCADE');
$node->safe_psql('d1', 'CREATE EXTENSION pipeproc');
is(seq_of('d1', 'c'), '0', 'a topic of a re-created extension starts at 0, though its id is 1 again');

$node->stop;
done_testing();
