#!/usr/bin/env perl
# make install into a temporary root, as a school's IT person would run it
# for real: the programs, enrollctl, the systemd units (checked by
# systemd-analyze verify, hardened to systemd's "OK" exposure) and an
# environment file readable by root and its group only, never overwritten.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use File::Temp qw(tempdir);
use Stack;

plan skip_all => 'systemd-analyze is not installed (make deps installs systemd)'
    unless -x '/usr/bin/systemd-analyze';

my $root = tempdir('enroll-install-XXXXXX', TMPDIR => 1, CLEANUP => 1);
my $build = $Stack::BUILD =~ s{^\Q$Stack::TOP\E/}{}r;
sub install { return system("make -s -C '$Stack::TOP' --assume-old=all install DESTDIR='$root' BUILD='$build' >'$root.log' 2>&1") }

is(install(), 0, 'make install DESTDIR=... succeeds') or diag(`cat '$root.log'`);
my $units = "$root/usr/local/lib/systemd/system";
ok(-x "$root/usr/local/libexec/enroll/$_", "$_ in libexec") for qw(cart checkout webhook account admin);
ok(-x "$root/usr/local/bin/enrollctl", 'enrollctl in bin');
my @units = map { s{.*/}{}r } glob("$units/enroll-*");
for my $p (qw(cart checkout webhook account admin)) {
	ok((grep { $_ eq "enroll-$p.service" } @units) && (grep { $_ eq "enroll-$p.socket" } @units), "a socket and a service for $p");
}
for my $u (qw(migrate.service mail.service expire.timer reconcile.timer backup.timer)) {
	ok((grep { $_ eq "enroll-$u" } @units), "enroll-$u");
}
my $cart = do { open(my $fh, '<', "$units/enroll-cart.service") or die; local $/; <$fh> };
like($cart, qr{^ExecStart=/usr/local/libexec/enroll/cart }m, 'the cart unit runs the installed program');
like($cart, qr{^Requires=enroll-cart\.socket enroll-migrate\.service$}m, 'on its socket, after the migration');
like($cart, qr{^User=enroll$}m, 'as its own user');
like($cart, qr{^ProtectSystem=strict$}m, 'with the system read-only');
unlike($cart, qr/@[A-Z]+@/, 'every placeholder filled in');
is((stat "$root/etc/enroll/enroll.env")[2] & 0777, 0640, 'the environment file is 0640');

# systemd-analyze needs the system's own units (targets) inside the root.
system('mkdir', '-p', "$root/usr/lib/systemd") == 0 or die;
system('cp', '-a', '/usr/lib/systemd/system', "$root/usr/lib/systemd/") == 0 or die;
my $out = `systemd-analyze verify --root='$root' $units/enroll-* 2>&1`;
is($? >> 8, 0, 'systemd-analyze verify passes on every unit') or diag($out);
unlike($out, qr/enroll-/, 'with nothing to say about them');
for my $svc (grep { /\.service$/ } @units) {
	my $sec = `systemd-analyze security --offline=true '$units/$svc' 2>/dev/null`;
	my ($score, $level) = $sec =~ /Overall exposure level for \S+: ([\d.]+) (\w+)/;
	is($level, 'OK', "$svc: exposure $score, systemd's OK");
}

open(my $fh, '>>', "$root/etc/enroll/enroll.env") or die;
print $fh "STRIPE_SECRET_KEY=sk_live_kept\n";
close $fh;
is(install(), 0, 'a second make install');
like(do { open(my $e, '<', "$root/etc/enroll/enroll.env") or die; local $/; <$e> }, qr/sk_live_kept/, 'keeps the edited environment file');

done_testing;
