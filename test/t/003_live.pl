# Live procs across a restart: which topics are followed lives in shared
# memory, rebuilt from the catalog when a topic is first used after the
# restart, so listeners keep hearing of commits, and unfollowed topics stay
# silent.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('live');
$node->init;
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'pipeproc'\n");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION pipeproc');
is($node->safe_psql('postgres', "SELECT channel FROM pipeproc.live_proc('followed', name => 'lp')"),
	'pipeproc:followed', 'live proc made');
$node->safe_psql('postgres', "SELECT pipeproc.create_topic('quiet')");

# commit to both topics in another session, then poll the listener: the
# notifications it received show up in its output
sub heard
{
	my ($bg) = @_;
	$node->safe_psql('postgres', "SELECT pipeproc.commit('followed', '{\"n\": 1}')");
	$node->safe_psql('postgres', "SELECT pipeproc.commit('quiet', '{\"n\": 1}')");
	my $out = '';
	for (1 .. 50)
	{
		$out .= $bg->query_safe("SELECT 1");
		last if $out =~ /Asynchronous notification/;
		select(undef, undef, undef, 0.1);
	}
	return $out;
}

my $bg = $node->background_psql('postgres');
$bg->query_safe('LISTEN "pipeproc:followed"; LISTEN "pipeproc:quiet"');
my $out = heard($bg);
like($out, qr/notification "pipeproc:followed"/, 'a commit to the followed topic notifies');
unlike($out, qr/notification "pipeproc:quiet"/, 'a commit to another topic does not');
$bg->quit;

$node->restart;
$bg = $node->background_psql('postgres');
$bg->query_safe('LISTEN "pipeproc:followed"; LISTEN "pipeproc:quiet"');
$out = heard($bg);
like($out, qr/notification "pipeproc:followed"/, 'after a restart the topic still notifies');
unlike($out, qr/notification "pipeproc:quiet"/, 'and the other one is still silent');
$bg->quit;

is($node->safe_psql('postgres', "SELECT count(*) FROM pipeproc.proc('followed', 'lp', count => 10)"),
	'2', 'the listener takes both logs');

$node->stop;
done_testing();
