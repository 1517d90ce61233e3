#!/usr/bin/env perl
# The admin's coupons through the real stack: every field of the form
# refused and accepted (the error beside it, what was typed kept), a
# coupon made through the form and used at checkout by a student, limits
# that never go below the uses made (also when admins and buyers race),
# deactivation that leaves paid orders and held reservations alone,
# batches of single-use codes and their CSV, and one audit row per change
# with the fields before and after.  The school is in Paris, so the dates
# typed are not UTC.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use POSIX ();
use Time::Local qw(timegm);
use JSON::PP;
use Stack;
use Forms;

my $s = Stack->start(ENROLL_TIMEZONE => 'Europe/Paris');
my ($admin, $admin_id) = $s->admin;

my $c_prog = $s->course_id('c-programming-fundamentals');	# $49.00, self-paced
my $c_pay = $s->course_id('payments-engineering');		# $129.00
my $c_sec = $s->course_id('web-security-essentials');		# $79.00

sub coupon_id { return $s->sql_one('SELECT id FROM coupons WHERE code = ?1', shift) }
sub audits { return $s->sql(q{SELECT action, before_json, after_json, actor_user_id FROM audit_log WHERE subject = ?1 ORDER BY id}, shift) }

# Submits the form for $action on $b's last page as a person fills it:
# %typed into its fields, and under ticks => { name => [values] } those
# checkboxes ticked (every other box as rendered).  Returns the response.
sub fill {
	my ($b, $action, %typed) = @_;
	my $ticks = delete $typed{ticks} // {};
	my ($f) = grep { ($_->{action} // '') eq $action } Forms::parse($b->{last}{content} // '');
	die "no form for $action\n" unless $f;
	my %names = map { defined $_->{name} ? ($_->{name} => 1) : () } @{$f->{controls}};
	for my $k (keys %typed, keys %$ticks) { die "the form for $action has no field $k\n" unless $names{$k} }
	my (%over, $i);
	$i = -1;
	for my $c (@{$f->{controls}}) {
		$i++;
		next unless defined $c->{name};
		$over{$i} = $typed{$c->{name}} if exists $typed{$c->{name}};
		if ($c->{type} eq 'checkbox' && $ticks->{$c->{name}}) {
			$c->{checked} = grep { $_ eq $c->{value} } @{$ticks->{$c->{name}}};
		}
	}
	my @pairs = Forms::pairs($f, %over);
	my $body = join '&', map { Forms::urlencode($_->[0]) . '=' . Forms::urlencode($_->[1]) } @pairs;
	return $b->request('POST', $action, $body);
}

# The value an input of $html shows, and the error beside a field.
sub value_of { my ($html, $name) = @_; return $html =~ /<input id="[^"]*" name="\Q$name\E"[^>]*value="([^"]*)"/ ? Forms::unescape($1) : undef }

# Opens the new-coupon form and submits it.
sub create { my %t = @_; $admin->get('/admin/coupons/new'); return fill($admin, '/admin/coupons/create', %t) }
sub edit { my ($id, %t) = @_; $admin->get("/admin/coupons/$id"); return fill($admin, "/admin/coupons/$id/save", %t) }

# A student's purchase (t/purchase.t): cart, coupon, checkout, payment.
sub apply_coupon {
	my ($b, $code) = @_;
	$b->get('/payment/cart');
	my $res = Forms::submit($b, '/payment/apply-coupon', code => $code);
	# A refused code is shown at once; an accepted one after a redirect.
	return $res->{status} == 303 ? $b->get('/payment/cart')->{content} : $res->{content};
}
sub checkout {
	my ($b) = @_;
	$b->get('/payment/cart');
	my $res = Forms::submit($b, '/payment/checkout');
	return undef unless $res->{status} == 303;
	my $cs = $s->checkout_session($res);
	return $cs;
}
sub pay { my ($cs) = @_; return $s->emu('POST', "/_emu/pay/$cs", { card => '4242 4242 4242 4242' }) }
sub order_of { return $s->sql_one('SELECT id FROM orders WHERE stripe_session_id = ?1', shift) }
sub buy {
	my ($b, $code, @courses) = @_;
	$s->add_to_cart($b, @courses);
	apply_coupon($b, $code) if defined $code;
	return checkout($b);
}
sub paid {
	my ($b, $cs) = @_;
	pay($cs);
	$b->get("/payment/checkout/success?session_id=$cs");
	return $s->sql_one('SELECT status FROM orders WHERE stripe_session_id = ?1', $cs);
}

subtest 'each field is refused in plain words beside it, with what was typed kept' => sub {
	my @cases = (
		[ code => { code => 'bad code!' }, qr/letters, digits/ ],
		[ code => { code => '' }, qr/Type a code/ ],
		[ kind => { code => 'K1', kind => 'half' }, qr/percentage or a fixed amount/ ],
		[ percent_off => { code => 'P1', percent_off => '0' }, qr/from 1 to 100/ ],
		[ percent_off => { code => 'P2', percent_off => '101' }, qr/from 1 to 100/ ],
		[ percent_off => { code => 'P3', percent_off => '12.5' }, qr/from 1 to 100/ ],
		[ amount_off => { code => 'P4', percent_off => '10', amount_off => '5' }, qr/takes no fixed amount/ ],
		[ amount_off => { code => 'F1', kind => 'fixed', amount_off => '12.345' }, qr/such as 12\.50/ ],
		[ amount_off => { code => 'F2', kind => 'fixed', amount_off => 'ten' }, qr/such as 12\.50/ ],
		[ amount_off => { code => 'F3', kind => 'fixed', amount_off => '0' }, qr/greater than zero/ ],
		[ percent_off => { code => 'F4', kind => 'fixed', amount_off => '5', percent_off => '10' }, qr/takes no percentage/ ],
		[ currency => { code => 'C1', percent_off => '10', currency => 'dollars' }, qr/three-letter currency/ ],
		[ max_discount => { code => 'M1', percent_off => '10', max_discount => '-5' }, qr/no cap/ ],
		[ min_purchase => { code => 'M2', percent_off => '10', min_purchase => '1,00' }, qr/for none/ ],
		[ max_uses => { code => 'U1', percent_off => '10', max_uses => '0' }, qr/1 or more/ ],
		[ max_uses_per_user => { code => 'U2', percent_off => '10', max_uses_per_user => 'many' }, qr/1 or more/ ],
		[ valid_from => { code => 'D1', percent_off => '10', valid_from => 'tomorrow' }, qr/Pick a date and time/ ],
		[ valid_until => { code => 'D2', percent_off => '10', valid_from => '2026-06-15T09:00', valid_until => '2026-06-15T08:00' }, qr/after the start/ ],
		[ valid_from => { code => 'D3', percent_off => '10', valid_from => '2026-03-29T02:30' }, qr/Pick a date and time/ ],
	);
	for my $c (@cases) {
		my ($field, $typed, $msg) = @$c;
		my $res = create(%$typed);
		my $what = join ' ', map { "$_=$typed->{$_}" } sort keys %$typed;
		is($res->{status}, 400, "$what: refused with 400");
		like(Forms::field_error($res->{content}, $field) // '', $msg, "$what: the error is beside $field");
		for my $k (grep { $_ ne 'kind' } keys %$typed) {
			is(value_of($res->{content}, $k), $k eq 'code' ? uc $typed->{$k} =~ s/^\s+|\s+$//gr : $typed->{$k}, "$what: $k keeps what was typed")
			    unless $k eq 'code' && $typed->{$k} =~ /[^A-Za-z0-9_-]/;
		}
		like($res->{content}, qr/value="\Q$typed->{code}\E"/, "$what: a refused code is shown as typed") if $typed->{code} =~ /!/;
	}
	my $res = create(code => 'T1', percent_off => '10', ticks => { course_types => ['self_paced'] });
	is($res->{status}, 303, 'a ticked course type is accepted');
	# A value no box offers (a tampered form) is refused beside the list.
	$admin->get('/admin/coupons/new');
	$admin->{last}{content} =~ s/value="self_paced"/value="ghost"/;
	$res = fill($admin, '/admin/coupons/create', code => 'T2', percent_off => '10', ticks => { course_types => ['ghost'] });
	is($res->{status}, 400, 'a course type that does not exist is refused');
	like(Forms::field_error($res->{content}, 'course_types'), qr/from the list/, 'beside the course types');
	$admin->get('/admin/coupons/new');
	$admin->{last}{content} =~ s/name="courses" value="$c_prog"/name="courses" value="999999"/;
	$res = fill($admin, '/admin/coupons/create', code => 'T3', percent_off => '10', ticks => { courses => ['999999'] });
	is($res->{status}, 400, 'a course that does not exist is refused');
	like(Forms::field_error($res->{content}, 'courses'), qr/from the list/, 'beside the courses');
	$res = create(code => 'T4', percent_off => '0', ticks => { courses => [$c_pay], course_types => ['cohort'] });
	is($res->{status}, 400, 'a form refused for one field');
	like($res->{content}, qr/name="courses" value="$c_pay" checked/, 'keeps the ticked courses');
	like($res->{content}, qr/name="course_types" value="cohort" checked/, 'and course types');
	unlike($res->{content}, qr/name="course_types" value="workshop" checked/, 'and only those');
	is($s->sql_one(q{SELECT count(*) FROM coupons WHERE code <> 'T1'}), 0, 'no refused coupon was stored');
};

subtest 'every field accepted, stored in cents and UTC seconds, and shown back' => sub {
	my $res = create(code => ' autumn-5 ', description => 'Autumn offer', kind => 'fixed', amount_off => '12.50',
	    currency => 'EUR', max_discount => '20', min_purchase => '1,000.00', max_uses => '30',
	    max_uses_per_user => '2', valid_from => '2026-06-15T09:00', valid_until => '2026-12-24T18:30',
	    ticks => { course_types => ['cohort', 'workshop'], courses => [$c_prog, $c_sec] });
	is($res->{status}, 303, 'the full form creates the coupon');
	my $id = coupon_id('AUTUMN-5');
	ok($id, 'stored under its code in capitals');
	is($res->{headers}{location}, "/admin/coupons/$id", 'and the admin is sent to its page');
	is_deeply(($s->sql(q{SELECT description, kind, coalesce(CAST(percent_off AS TEXT), 'none'), amount_off, currency, max_discount_amount,
	    min_purchase_amount, max_uses, max_uses_per_user, valid_from, valid_until, is_active FROM coupons WHERE id = ?1}, $id))[0],
	    ['Autumn offer', 'fixed', 'none', 1250, 'eur', 2000, 100000, 30, 2,
	     timegm(0, 0, 7, 15, 5, 2026), timegm(0, 30, 17, 24, 11, 2026), 1],
	    'amounts in cents, Paris times in UTC seconds (summer and winter)');
	is_deeply([map { $_->[0] } $s->sql('SELECT course_type FROM coupon_course_types WHERE coupon_id = ?1 ORDER BY 1', $id)],
	    ['cohort', 'workshop'], 'limited to the ticked course types');
	is_deeply([map { $_->[0] } $s->sql('SELECT course_id FROM coupon_courses WHERE coupon_id = ?1 ORDER BY 1', $id)],
	    [sort { $a <=> $b } $c_prog, $c_sec], 'and to the ticked courses');
	my $page = $admin->get("/admin/coupons/$id")->{content};
	is(value_of($page, 'amount_off'), '12.50', 'the page shows the amount as typed');
	is(value_of($page, 'min_purchase'), '1000.00', 'the minimum purchase');
	is(value_of($page, 'valid_from'), '2026-06-15T09:00', 'the start in the school\'s time');
	is(value_of($page, 'valid_until'), '2026-12-24T18:30', 'the end too');
	like($page, qr/Europe\/Paris/, 'named beside the dates');
	like($page, qr/value="fixed" selected/, 'the kind is selected');
	like($page, qr/name="course_types" value="cohort" checked/, 'the ticked boxes are ticked');
	like($page, qr/name="courses" value="$c_sec" checked/, 'the courses too');

	$res = create(code => 'Autumn-5', percent_off => '0');
	is($res->{status}, 400, 'a taken code with another error is refused');
	is(Forms::field_error($res->{content}, 'code'), 'Another coupon has this code.', 'both errors are shown at once: the code\'s');
	like(Forms::field_error($res->{content}, 'percent_off'), qr/from 1 to 100/, 'and the percentage\'s');
	$res = create(code => 'Autumn-5', percent_off => '10');
	is($res->{status}, 409, 'a code already taken is refused');
	is(Forms::field_error($res->{content}, 'code'), 'Another coupon has this code.', 'in plain words beside the code');
	is(value_of($res->{content}, 'percent_off'), '10', 'the rest of the form kept');

	my ($action, $before, $after, $actor) = @{(audits("coupon:$id"))[0]};
	is($action, 'coupon.create', 'the creation is audited');
	is($actor, $admin_id, 'with the admin who made it');
	is($before, '{}', 'nothing before');
	my $made = decode_json($after);
	is_deeply([@$made{qw(code amount_off currency max_uses valid_from)}], ['AUTUMN-5', 1250, 'eur', 30, timegm(0, 0, 7, 15, 5, 2026)], 'every rule after');

	$res = edit($id, kind => 'percentage', amount_off => '', percent_off => '15', max_uses => '', valid_until => '',
	    ticks => { course_types => [], courses => [$c_prog] });
	is($res->{status}, 303, 'an edit saves');
	is_deeply(($s->sql('SELECT kind, percent_off, coalesce(amount_off, 0), coalesce(max_uses, 0), coalesce(valid_until, 0) FROM coupons WHERE id = ?1', $id))[0],
	    ['percentage', 15, 0, 0, 0], 'a percentage now, without a limit or an end');
	is($s->sql_one('SELECT count(*) FROM coupon_course_types WHERE coupon_id = ?1', $id), 0, 'no type restriction left');
	is($s->sql_joined(',', 'SELECT course_id FROM coupon_courses WHERE coupon_id = ?1 ORDER BY course_id', $id), $c_prog, 'one course left');
	my @rows = audits("coupon:$id");
	is(scalar @rows, 2, 'one more audit row');
	my ($b2, $a2) = (decode_json($rows[1][1]), decode_json($rows[1][2]));
	is($rows[1][0], 'coupon.update', 'an update');
	is_deeply([@$b2{qw(kind amount_off percent_off max_uses)}], ['fixed', 1250, 0, 30], 'with the fields before');
	is_deeply([@$a2{qw(kind amount_off percent_off max_uses)}], ['percentage', 0, 15, 0], 'and after');
	ok(!exists $a2->{currency} && !exists $a2->{code}, 'and only the fields that changed');
};

subtest 'a coupon made through the form is used at checkout' => sub {
	my $res = create(code => 'launch25', percent_off => '25', max_uses => '5', ticks => { course_types => ['self_paced'] });
	is($res->{status}, 303, 'the admin creates LAUNCH25 through the form');
	my ($b, $uid) = $s->student;
	my $cart = do { $s->add_to_cart($b, $c_prog); apply_coupon($b, 'launch25') };
	like($cart, qr/The coupon is applied/, 'the student\'s cart takes it');
	my $cs = checkout($b);
	ok($cs, 'the checkout goes to Stripe');
	is(paid($b, $cs), 'paid', 'the payment completes the order');
	is_deeply(($s->sql('SELECT subtotal_amount, discount_amount, total_amount, coupon_code FROM orders WHERE stripe_session_id = ?1', $cs))[0],
	    [4900, 1225, 3675, 'LAUNCH25'], '25% off $49.00');
	my $page = $admin->get('/admin/coupons/' . coupon_id('LAUNCH25'))->{content};
	like($page, qr{id="redeemed">1<}, 'the coupon\'s page counts one redemption');
	like($page, qr{id="remaining">4<}, 'and four remaining');
	like($admin->get('/admin/coupons?q=LAUN')->{content}, qr{<td class="num">1</td>\s*<td class="num">0</td>\s*<td class="num">4</td>}, 'the list shows its usage');
};

subtest 'a limit is never set below the uses already made' => sub {
	create(code => 'LIMITED', percent_off => '10', max_uses => '5');
	my $id = coupon_id('LIMITED');
	my ($b1) = $s->student;
	is(paid($b1, buy($b1, 'LIMITED', $c_prog)), 'paid', 'one use paid');
	my $cs2 = buy($b1, 'LIMITED', $c_pay);
	ok(order_of($cs2), 'a second use held by the same student\'s checkout');
	my ($b2) = $s->student;
	ok(buy($b2, 'LIMITED', $c_sec), 'a third by another student\'s checkout');
	my $res = edit($id, max_uses => '2');
	is($res->{status}, 409, 'a limit of 2 under 3 uses is refused');
	like(Forms::field_error($res->{content}, 'max_uses'), qr/used 3 times already .*cannot be lower than 3/, 'in plain words beside the limit');
	is(value_of($res->{content}, 'max_uses'), '2', 'with what was typed');
	is($s->sql_one('SELECT max_uses FROM coupons WHERE id = ?1', $id), 5, 'the limit is unchanged');
	$res = edit($id, max_uses_per_user => '1');
	is($res->{status}, 409, 'a limit of 1 per person when one has used it twice is refused');
	like(Forms::field_error($res->{content}, 'max_uses_per_user'), qr/One person has used this coupon 2 times/, 'beside the per-person limit');
	is($s->sql_one('SELECT max_uses_per_user FROM coupons WHERE id = ?1', $id), undef // '', 'unchanged');
	is(edit($id, max_uses => '3', max_uses_per_user => '2')->{status}, 303, 'limits equal to the uses are accepted');
	my ($b3) = $s->student;
	$s->add_to_cart($b3, $c_prog);
	like(apply_coupon($b3, 'LIMITED'), qr/used as many times as it allows/, 'and no fourth use is possible');
	is(scalar(grep { $_->[0] eq 'coupon.update' } audits("coupon:$id")), 1, 'only the accepted edit is audited');
};

subtest 'concurrent checkouts and limit edits never exceed the limit' => sub {
	create(code => 'RACE', percent_off => '10', max_uses => '12');
	my $id = coupon_id('RACE');
	my @buyers;
	for (1 .. 8) {
		my ($b) = $s->student;
		$s->add_to_cart($b, $c_prog);
		like(apply_coupon($b, 'RACE'), qr/The coupon is applied/, "buyer $_ has the coupon in the cart");
		$b->get('/payment/cart');
		push @buyers, $b;
	}
	# Children leave with POSIX::_exit: no END block of Test::More or of
	# the stack runs in them.
	# A watcher reads limit and uses in one statement (one snapshot) over
	# and over while the race runs, and counts any moment they disagree.
	my $stop = $s->dir . '/race.stop';
	my $watcher = fork // die "fork: $!";
	if ($watcher == 0) {
		my $over = 0;
		until (-e $stop) {
			$over += $s->sql_one(q{SELECT count(*) FROM coupons c WHERE c.id = ?1 AND c.max_uses <
			    (SELECT count(*) FROM coupon_redemptions r WHERE r.coupon_id = c.id AND r.status IN ('reserved', 'redeemed'))}, $id) // 0;
		}
		POSIX::_exit($over > 0 ? 1 : 0);
	}
	my @kids;
	for my $b (@buyers) {
		my $pid = fork // die "fork: $!";
		if ($pid == 0) { Forms::submit($b, '/payment/checkout'); POSIX::_exit(0) }
		push @kids, $pid;
	}
	# Three admins at once, each lowering and raising the limit: some
	# of the lower limits fall below the uses the checkouts make.
	for my $limits ([9, 4, 10], [5, 10, 3], [10, 6, 9]) {
		my $pid = fork // die "fork: $!";
		if ($pid == 0) {
			my $rc = 0;
			for my $limit (@$limits) {
				$admin->get("/admin/coupons/$id");
				my $res = fill($admin, "/admin/coupons/$id/save", max_uses => $limit);
				$rc |= 1 unless $res->{status} == 303 || ($res->{status} == 409 && Forms::field_error($res->{content}, 'max_uses'));
			}
			POSIX::_exit($rc);
		}
		push @kids, $pid;
	}
	my $bad = 0;
	for (@kids) { waitpid($_, 0); $bad++ if $? != 0 }
	is($bad, 0, 'every edit was saved or refused beside the limit');
	open(my $fh, '>', $stop) or die;
	close $fh;
	waitpid($watcher, 0);
	is($?, 0, 'at no moment were the uses above the limit');
	my $limit = $s->sql_one('SELECT max_uses FROM coupons WHERE id = ?1', $id);
	my $uses = $s->sql_one(q{SELECT count(*) FROM coupon_redemptions WHERE coupon_id = ?1 AND status IN ('reserved', 'redeemed')}, $id);
	ok($uses <= $limit, "$uses uses within the limit of $limit");
	ok($uses >= 1, 'and checkouts did reserve');
	is($s->sql_one(q{SELECT count(*) FROM orders WHERE coupon_code = 'RACE'}), $uses, 'every order with the coupon holds one of those uses');
	my @limits = map { decode_json($_->[2])->{max_uses} } grep { $_->[0] eq 'coupon.update' } audits("coupon:$id");
	ok(@limits >= 1, scalar(@limits) . ' limit changes were saved');
	is($limits[-1], $limit, 'the last one audited is the one in force');
};

subtest 'deactivating keeps paid orders and held reservations' => sub {
	create(code => 'PAUSE', kind => 'fixed', amount_off => '10', currency => 'usd');
	my $id = coupon_id('PAUSE');
	my ($b1) = $s->student;
	my $cs1 = buy($b1, 'PAUSE', $c_prog);
	is(paid($b1, $cs1), 'paid', 'one order paid with it');
	my ($b2) = $s->student;
	my $cs2 = buy($b2, 'PAUSE', $c_sec);
	my $o2 = order_of($cs2);
	is($s->sql_one('SELECT status FROM coupon_redemptions WHERE order_id = ?1', $o2), 'reserved', 'another checkout holds it');
	my @orders_before = $s->sql(q{SELECT id, status, discount_amount, total_amount FROM orders WHERE coupon_code = 'PAUSE' ORDER BY id});

	$admin->get("/admin/coupons/$id");
	my $res = Forms::submit($admin, "/admin/coupons/$id/deactivate");
	is($res->{status}, 303, 'the admin deactivates it');
	is($s->sql_one('SELECT is_active FROM coupons WHERE id = ?1', $id), 0, 'it is inactive');
	is_deeply([$s->sql(q{SELECT id, status, discount_amount, total_amount FROM orders WHERE coupon_code = 'PAUSE' ORDER BY id})],
	    \@orders_before, 'orders are unchanged');
	is_deeply([map { $_->[0] } $s->sql('SELECT status FROM coupon_redemptions WHERE coupon_id = ?1 ORDER BY order_id', $id)],
	    ['redeemed', 'reserved'], 'the redemption and the reservation are kept');
	like($admin->get("/admin/coupons/$id")->{content}, qr{id="state">inactive<}, 'its page says inactive');
	like($admin->get('/admin/coupons?status=inactive')->{content}, qr/>PAUSE</, 'the inactive filter lists it');
	unlike($admin->get('/admin/coupons?status=active')->{content}, qr/>PAUSE</, 'the active one does not');

	my ($b3) = $s->student;
	$s->add_to_cart($b3, $c_pay);
	like(apply_coupon($b3, 'PAUSE'), qr/no longer active/, 'a new cart cannot use it');
	is(paid($b2, $cs2), 'paid', 'the held checkout can still be paid');
	is_deeply(($s->sql('SELECT discount_amount, total_amount FROM orders WHERE id = ?1', $o2))[0], [1000, 6900], 'with its discount');
	is($s->sql_one('SELECT status FROM coupon_redemptions WHERE order_id = ?1', $o2), 'redeemed', 'and its reservation redeemed');

	$admin->get("/admin/coupons/$id");
	is(Forms::submit($admin, "/admin/coupons/$id/activate")->{status}, 303, 'the admin activates it again');
	like(apply_coupon($b3, 'PAUSE'), qr/The coupon is applied/, 'and carts can use it again');
	my @rows = grep { $_->[0] =~ /activate/ } audits("coupon:$id");
	is_deeply([map { [$_->[0], $_->[1], $_->[2]] } @rows],
	    [['coupon.deactivate', '{"is_active":1}', '{"is_active":0}'], ['coupon.activate', '{"is_active":0}', '{"is_active":1}']],
	    'each switch is audited with before and after');
};

# Parses CSV (RFC 4180) into rows of fields.
sub parse_csv {
	my ($text) = @_;
	my (@rows, @f, $cell, $q);
	$cell = '';
	my @ch = split //, $text;
	for (my $i = 0; $i < @ch; $i++) {
		my $c = $ch[$i];
		if ($q) {
			if ($c eq '"' && ($ch[$i + 1] // '') eq '"') { $cell .= '"'; $i++ }
			elsif ($c eq '"') { $q = 0 }
			else { $cell .= $c }
		} elsif ($c eq '"') { $q = 1 }
		elsif ($c eq ',') { push @f, $cell; $cell = '' }
		elsif ($c eq "\r" && ($ch[$i + 1] // '') eq "\n") { push @f, $cell; push @rows, [@f]; @f = (); $cell = ''; $i++ }
		else { $cell .= $c }
	}
	return @rows;
}

subtest 'a batch of single-use codes, listed, paged and downloaded as CSV' => sub {
	$admin->get('/admin/coupons/batches/new');
	my $res = fill($admin, '/admin/coupons/batches/create', name => '', prefix => 'bad prefix', count => '5000', percent_off => '15');
	is($res->{status}, 400, 'a batch without a name, with a bad prefix and too many codes is refused');
	like(Forms::field_error($res->{content}, 'name'), qr/Name the partner/, 'the name\'s error');
	like(Forms::field_error($res->{content}, 'prefix'), qr/prefix of letters/, 'the prefix\'s');
	like(Forms::field_error($res->{content}, 'count'), qr/from 1 to 1000/, 'the count\'s');
	is(value_of($res->{content}, 'count'), '5000', 'what was typed is kept');
	is(value_of($res->{content}, 'percent_off'), '15', 'in the rules too');
	unlike($res->{content}, qr/name="max_uses"/, 'the batch form has no total limit: each code is used once');
	$res = fill($admin, '/admin/coupons/batches/create', name => '=HYPERLINK("http://evil.example","x")', prefix => '-partner',
	    count => '60', percent_off => '15', ticks => { courses => [$c_pay] });
	is($res->{status}, 303, 'a batch of 60 is made');
	my ($bid) = $res->{headers}{location} =~ m{/admin/coupons/batches/(\d+)$};
	ok($bid, 'and its page shown');
	is($s->sql_one('SELECT count(*) FROM coupons WHERE batch_id = ?1 AND max_uses = 1 AND percent_off = 15', $bid), 60, '60 coupons of one use each');
	is($s->sql_one('SELECT count(*) FROM coupon_courses cc JOIN coupons c ON c.id = cc.coupon_id WHERE c.batch_id = ?1 AND cc.course_id = ?2', $bid, $c_pay),
	    60, 'each limited to the chosen course');
	my @audit = audits("coupon_batch:$bid");
	is(scalar @audit, 1, 'one audit row for the batch');
	my $after = decode_json($audit[0][2]);
	is_deeply([@$after{qw(size prefix percent_off max_uses)}], [60, '-PARTNER', 15, 1], 'with its rules');

	my $code = $s->sql_one('SELECT code FROM coupons WHERE batch_id = ?1 ORDER BY code LIMIT 1', $bid);
	my ($buyer) = $s->student;
	$s->add_to_cart($buyer, $c_pay);
	like(apply_coupon($buyer, lc $code), qr/The coupon is applied/, "a student uses $code");
	my $cs = checkout($buyer);
	ok($cs, 'and checks out');

	$res = $admin->get("/admin/coupons/batches/$bid/codes.csv");
	is($res->{status}, 200, 'the CSV downloads');
	like($res->{headers}{'content-type'}, qr{^text/csv}, 'as CSV');
	like($res->{headers}{'content-disposition'}, qr/attachment; filename="coupon-batch-$bid\.csv"/, 'as a file');
	my @rows = parse_csv($res->{content});
	is_deeply(shift @rows, [qw(code batch used active)], 'a header');
	is(scalar @rows, 60, 'then 60 codes');
	my %seen = map { $_->[0] => 1 } @rows;
	is(scalar keys %seen, 60, 'all different');
	is(scalar(grep { $_->[0] =~ /^'-PARTNER-[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{8}$/ } @rows), 60,
	    'each the prefix and eight unambiguous characters, its leading "-" neutralised for spreadsheets');
	is(scalar(grep { $_->[1] eq q{'=HYPERLINK("http://evil.example","x")} } @rows), 60, 'the batch name that looks like a formula is neutralised');
	is_deeply([map { $_->[2] } grep { $_->[0] eq "'$code" } @rows], ['reserved'], 'the code in a checkout is reserved');
	is(paid($buyer, $cs), 'paid', 'its order is paid');
	@rows = parse_csv($admin->get("/admin/coupons/batches/$bid/codes.csv")->{content});
	is(scalar(grep { $_->[2] eq 'yes' } @rows), 1, 'then one code is used');
	is(scalar(grep { $_->[2] eq 'no' } @rows), 59, 'and 59 are not');
	my $bpage = $admin->get("/admin/coupons/batches/$bid")->{content};
	like($bpage, qr{id="batch-redeemed">1<.*id="batch-unused">59<}s, 'the batch page counts them');
	my $first = $s->sql_one('SELECT min(id) FROM coupons WHERE batch_id = ?1', $bid);
	like($bpage, qr{href="/admin/coupons/$first">its first one</a>}, 'and leads to the rules its codes share');
	like($admin->get('/admin/coupons/batches')->{content}, qr/=HYPERLINK\(&quot;http/, 'the list of batches shows its name, escaped');

	# The list by code, paged by key: 50, then the other 10, no repeat.
	my $page = $admin->get("/admin/coupons?batch=$bid")->{content};
	my @first = $page =~ m{<a href="/admin/coupons/\d+">(-PARTNER-\w+)</a>}g;
	is(scalar @first, 50, 'the first page lists 50 codes');
	my ($next) = $page =~ m{<a rel="next" href="([^"]+)"};
	ok($next, 'with a link to the next');
	$next = Forms::unescape($next);
	like($next, qr/after=-PARTNER-/, 'by key, not by offset');
	my @second = $admin->get($next)->{content} =~ m{<a href="/admin/coupons/\d+">(-PARTNER-\w+)</a>}g;
	is(scalar @second, 10, 'the next page the other 10');
	my %all = map { $_ => 1 } @first, @second;
	is(scalar keys %all, 60, 'none twice');
	is_deeply([@first, @second], [sort @first, @second], 'in code order');
	$admin->get('/admin/coupons');
	$res = Forms::submit($admin, '/admin/coupons', q => lc substr($code, 0, 12));
	my @found = $res->{content} =~ m{<a href="/admin/coupons/\d+">([^<]+)</a>}g;
	ok(@found >= 1 && !grep({ index($_, uc substr($code, 0, 12)) != 0 } @found), 'the search finds codes by their beginning, in any case');
	$admin->get('/admin/coupons');
	$res = Forms::submit($admin, '/admin/coupons', q => 'no such?');
	is($res->{status}, 400, 'a search no code can match is refused');
	like(Forms::field_error($res->{content}, 'q'), qr/only letters, digits/, 'beside the search box');
	like($res->{content}, qr/name="q" type="search" value="no such\?"/, 'which keeps what was typed');
	$admin->get('/admin/coupons');
	$res = Forms::submit($admin, '/admin/coupons', sort => 'newest');
	is($res->{status}, 200, 'the list sorts newest first');
	my @newest = $res->{content} =~ m{<tr id="coupon-(\d+)">}g;
	is_deeply(\@newest, [reverse sort { $a <=> $b } @newest], 'by id, descending');
};

subtest 'a guest and a student are refused' => sub {
	my $guest = $s->browser;
	is($guest->get('/admin/coupons')->{status}, 303, 'a guest is sent to log in');
	my ($st) = $s->student;
	is($st->get('/admin/coupons/new')->{status}, 403, 'a student gets 403');
	my $res = $st->post('/admin/coupons/create', { code => 'HACK', kind => 'percentage', percent_off => 100, currency => 'usd' }, from => '/courses/c-programming-fundamentals');
	is($res->{status}, 403, 'and cannot post the form');
	is(coupon_id('HACK'), undef, 'nothing was made');
};

done_testing;
