#!/usr/bin/env perl
# The browser journey (t/js/journey.js) in headless Debian Chromium under
# playwright-core, against a stack of its own with the Stripe emulator: a
# new student registers, searches, reads a preview as a guest, buys two
# courses with a coupon, learns one to its certificate and verifies it,
# then has a card declined, forgets the password and sets a new one
# through the link in the mail.  The journey prints the TAP; its screenshots
# (every page at 1280 and 390 px) go to BUILD/journey/.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use File::Path qw(remove_tree);
use Stack;

my $out = "$Stack::BUILD/journey";
remove_tree($out);
my $s = Stack->start;
$s->sql(q{INSERT INTO coupons (code, kind, percent_off) VALUES ('JOURNEY20', 'percentage', 20)});
my $rc = system('node', "$Stack::TOP/t/js/journey.js", $s->base, $out, 'JOURNEY20',
    $s->cfg('ENROLL_MAIL_DIR'));
exit($rc == 0 ? 0 : 1);
