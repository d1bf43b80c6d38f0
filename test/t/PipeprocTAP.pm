# test/t/PipeprocTAP.pm — helpers shared by pipeproc's TAP tests (loaded with
# `use lib 'test/t'`; prove runs them from the top directory).
package PipeprocTAP;
use strict;
use warnings;
use Exporter 'import';
our @EXPORT = qw(kill9_and_wait);

# kill -9 the node's postmaster and wait (up to 60 s) until it and its
# children are gone, so that the node can be started again.
sub kill9_and_wait
{
	my ($node) = @_;
	my $pmpid = $node->{_pid};
	$node->kill9;
	for (1 .. 600)
	{
		last unless kill(0, $pmpid) || `pgrep -P $pmpid` ne '';
		select(undef, undef, undef, 0.1);
	}
	return;
}

1;
