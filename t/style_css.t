#!/usr/bin/env perl
# static/style.css is whole: every block it opens is closed, and no block
# but an @media one holds another.  A lost brace once put every rule after
# it inside a phone-only @media block, so the admin pages looked right at
# 390 px and wrong on a desk.
use strict;
use warnings;
use FindBin;
use Test::More;

open(my $fh, '<', "$FindBin::Bin/../static/style.css") or die $!;
my $css = do { local $/; <$fh> };
$css =~ s{/\*.*?\*/}{}gs;
my ($depth, @open, $bad) = (0);
while ($css =~ /([^{}]*)([{}])/g) {
	my ($head, $brace) = ($1, $2);
	if ($brace eq '{') {
		$head =~ s/^\s+|\s+$//g;
		$bad //= "\"$head\" opens inside \"$open[-1]\"" if @open && $open[-1] !~ /^\@media/;
		push @open, $head;
	} else {
		$bad //= 'a } closes nothing' unless @open;
		pop @open;
	}
}
ok(!defined $bad, 'no rule opens inside another rule') or diag $bad;
is(scalar @open, 0, 'every block is closed') or diag "still open: @open";
done_testing;
