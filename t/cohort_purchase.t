#!/usr/bin/env perl
# Enrolling in a cohort through the cart and checkout (issue 19), on the
# real stack and the Stripe emulator, with the forms as rendered: the
# course page lists its open cohorts, "Enroll in <cohort>" puts the course
# in the cart for it, checkout holds a place in the transaction that
# makes the order, the payment takes it, names the cohort on the
# enrollment and books the single-option steps, and the order page and
# mail link to the booking wizard.  An inactive, closed or full cohort is
# refused in plain words with nothing changed; 20 checkouts racing for a
# cohort's last place: one goes to Stripe, 19 are told it is full; an
# expired checkout gives its place back; a payment that arrives after its
# place lapsed and was taken is refunded through Stripe, with a mail.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use POSIX ();
use Forms;
use Stack;

my $s = Stack->start(ENROLL_TIMEZONE => 'Europe/Paris');
my $slug = 'systems-design-cohort';
my $course = $s->course_id($slug);
# Cohorts of the test's own, not the demo's.
$s->sql('DELETE FROM step_options WHERE cohort_id IN (SELECT id FROM cohorts WHERE course_id = ?1)', $course);
$s->sql('DELETE FROM cohorts WHERE course_id = ?1', $course);
$s->sql('DELETE FROM course_steps WHERE course_id = ?1', $course);

sub text_of { my $h = shift // ''; $h =~ s/<[^>]+>/ /g; $h =~ s/&#39;/'/g; $h =~ s/\s+/ /g; return $h }

my $deadline = time + 20 * 86400;
sub cohort {
	my ($name, $capacity) = @_;
	return $s->sql_one(q{INSERT INTO cohorts (course_id, name, starts_on,
	    enroll_deadline, capacity, created_at, updated_at) VALUES (?1, ?2,
	    '2027-03-22', ?3, ?4, 1, 1) RETURNING id}, $course, $name, $deadline, $capacity);
}
my $spring = cohort('Spring cohort', 3);
my @step = map { $s->sql_one(q{INSERT INTO course_steps (course_id, position,
    label, title) VALUES (?1, ?2, 'Week ' || ?2, ?3) RETURNING id}, $course,
    $_, ('Requirements', 'Storage')[$_ - 1]) } 1 .. 2;
sub option {
	my ($cohort, $step, $name) = @_;
	return $s->sql_one(q{INSERT INTO step_options (cohort_id, step_id, name,
	    weekday, start_minute, end_minute, starts_at, ends_at, capacity,
	    created_at, updated_at) VALUES (?1, ?2, ?3, 2, 1080, 1170,
	    1805821200, 1805826600, 30, 1, 1) RETURNING id}, $cohort, $step, $name);
}
my $w1 = option($spring, $step[0], 'Tuesday evening');
option($spring, $step[1], 'Tuesday evening');
option($spring, $step[1], 'Thursday evening');

sub pay { my ($cs) = @_; return $s->emu('POST', "/_emu/pay/$cs", { card => '4242 4242 4242 4242' }) }
sub held { return $s->sql_one('SELECT held FROM cohorts WHERE id = ?1', $_[0]) }
sub cart_lines { return $s->sql_one(q{SELECT count(*) FROM cart_items i JOIN carts c ON c.id = i.cart_id WHERE c.user_id = ?1}, $_[0]) }
sub orders_of { return $s->sql_one('SELECT count(*) FROM orders WHERE user_id = ?1', $_[0]) }
sub places_of { return $s->sql_one('SELECT count(*) FROM cohort_places WHERE user_id = ?1', $_[0]) }

# $b opens the course page and enrolls in cohort $id with its button.
sub enroll {
	my ($b, $id) = @_;
	$b->get("/courses/$slug");
	return Forms::submit($b, "/payment/enroll-cohort/$id");
}

# $b checks out with the cart page's form: the Checkout Session, or undef
# with the response when refused.
sub checkout {
	my ($b) = @_;
	$b->get('/payment/cart');
	my $res = Forms::submit($b, '/payment/checkout');
	return ($s->checkout_session($res), $res);
}

subtest 'the course page lists the open cohorts' => sub {
	my $b = $s->browser;
	my $res = $b->get("/courses/$slug");
	is($res->{status}, 200, 'the course page opens');
	my $t = text_of($res->{content});
	like($t, qr/Spring cohort Starts 2027-03-22 · enrol by \w{3} \d+ \w{3} \d{4}, \d\d:\d\d \(Europe\/Paris\) · 3 places left/,
	    'the cohort with its start, deadline in the school\'s zone and places left');
	like($res->{content}, qr{<form method="post" action="/payment/enroll-cohort/$spring">.*Enroll in Spring cohort</button>}s,
	    'and its Enroll button');
	like($res->{content}, qr{href="/courses/$slug#cohorts">Choose a cohort</a>}, 'the buy button points to the cohorts');
	unlike($res->{content}, qr{/payment/add-to-cart/$course"}, 'no plain Add to cart for a cohort course');
	unlike($t, qr/enrol by \d+ \w+ \d{4}\. \d+ places\./, 'nor the course\'s old single start and capacity: those are the cohorts\' now');
};

my ($ann, $ann_id, $ann_mail) = $s->student(name => 'Ann Cohort');
subtest 'enroll, pay, and the place is the student\'s' => sub {
	my $res = enroll($ann, $spring);
	is($res->{status}, 303, 'the Enroll form answers');
	is($res->{headers}{location}, '/payment/cart', 'with the cart');
	$res = $ann->get('/payment/cart');
	like(text_of($res->{content}), qr/Systems Design Cohort \S+ Cohort: Spring cohort/, 'the cart line names the cohort');
	like($res->{content}, qr/Added to your cart for this cohort/, 'and says what happened');
	is(held($spring), 0, 'no place is held by the cart');

	my ($cs) = checkout($ann);
	ok($cs, 'checkout sends Ann to Stripe');
	my ($oid, $exp) = @{($s->sql('SELECT id, expires_at FROM orders WHERE stripe_session_id = ?1', $cs))[0]};
	is(held($spring), 1, 'a place is held');
	my ($st, $pexp, $pord) = @{($s->sql('SELECT status, expires_at, order_id FROM cohort_places WHERE user_id = ?1', $ann_id))[0]};
	is_deeply([$st, $pord], ['reserved', $oid], 'reserved for the order');
	is($pexp, $s->emu_json('GET', "/v1/checkout/sessions/$cs")->{expires_at}, 'until the Checkout Session expires');
	is($s->sql_one('SELECT cohort_id FROM order_items WHERE order_id = ?1', $oid), $spring, 'the order item names the cohort');

	# A second click on Check out reuses the order and its place.
	my ($again) = checkout($ann);
	is($again, $cs, 'a retried checkout goes to the same session');
	is(places_of($ann_id), 1, 'and holds no second place');
	is($s->sql_one('SELECT expires_at FROM cohort_places WHERE user_id = ?1', $ann_id), $pexp, 'nor extends it');

	is(pay($cs)->{status}, 200, 'Ann pays');
	$res = $ann->get("/payment/checkout/success?session_id=$cs");
	is($res->{headers}{location}, "/payment/order/$oid", 'the success page sends her to the order');
	$res = $ann->get("/payment/order/$oid");
	like($res->{content}, qr{<a class="button" href="/account/courses/$course/book">Book your sessions</a>}, 'which links to the booking wizard');
	like(text_of($res->{content}), qr/Cohort: Spring cohort/, 'and names the cohort');
	ok($s->wait_for(sub { $s->sql_one(q{SELECT count(*) FROM stripe_events WHERE type = 'checkout.session.completed' AND order_id = ?1}, $oid) }),
	    'the webhook comes too');
	is($s->sql_one('SELECT status FROM orders WHERE id = ?1', $oid), 'paid', 'the order is paid');
	is($s->sql_one('SELECT status FROM cohort_places WHERE user_id = ?1', $ann_id), 'taken', 'the place is taken');
	is(held($spring), 1, 'still counted once');
	is($s->sql_one(q{SELECT cohort_id FROM enrollments WHERE user_id = ?1 AND course_id = ?2 AND status = 'active'}, $ann_id, $course),
	    $spring, 'the enrollment names the cohort');
	is($s->sql_one('SELECT option_id FROM step_bookings WHERE user_id = ?1 AND step_id = ?2', $ann_id, $step[0]), $w1,
	    'the single-option step is booked');
	is($s->sql_one('SELECT count(*) FROM step_bookings WHERE user_id = ?1 AND step_id = ?2 AND option_id IS NULL', $ann_id, $step[1]), 1,
	    'the step with two options waits for her choice');
	$s->wait_for(sub { grep { /is confirmed/ } $s->mails_to($ann_mail) });
	(my $mail = join ' ', grep { /is confirmed/ } $s->mails_to($ann_mail)) =~ s/\s+/ /g;
	like($mail, qr{Book your sessions of Systems Design Cohort \(Spring cohort\): \S+/account/courses/$course/book}, 'the paid mail links to the wizard');
	is($ann->get("/account/courses/$course/book")->{status}, 200, 'and the wizard opens');
	is(cart_lines($ann_id), 0, 'the cart is empty');
};

subtest 'another cohort replaces the first in the cart' => sub {
	my ($b, $id) = $s->student(name => 'Cy Chooser');
	my $autumn = cohort('Autumn cohort', 5);
	enroll($b, $spring);
	enroll($b, $autumn);
	is(cart_lines($id), 1, 'one line for the course');
	is($s->sql_one(q{SELECT i.cohort_id FROM cart_items i JOIN carts c ON c.id = i.cart_id WHERE c.user_id = ?1}, $id), $autumn, 'for the cohort chosen last');
	like(text_of($b->get('/payment/cart')->{content}), qr/Cohort: Autumn cohort/, 'the cart says so');
	$s->sql('UPDATE cohorts SET is_active = 0 WHERE id = ?1', $autumn);
	$s->sql('DELETE FROM cart_items WHERE cart_id IN (SELECT id FROM carts WHERE user_id = ?1)', $id);
};

subtest 'refusals: inactive, closed, full; nothing changes' => sub {
	my ($b, $id) = $s->student(name => 'Rae Refused');
	my @cases = (
	    ['UPDATE cohorts SET is_active = 0 WHERE id = ?1', 'UPDATE cohorts SET is_active = 1 WHERE id = ?1', 'This cohort is not taking students.'],
	    ['UPDATE cohorts SET enroll_deadline = 1000 WHERE id = ?1', "UPDATE cohorts SET enroll_deadline = $deadline WHERE id = ?1", 'Enrollment in this cohort has closed.'],
	    ['UPDATE cohorts SET capacity = held WHERE id = ?1', 'UPDATE cohorts SET capacity = 3 WHERE id = ?1', 'This cohort is full.'],
	);
	for my $c (@cases) {
		my ($break, $mend, $sentence) = @$c;
		$b->get("/courses/$slug");	# the form as rendered while open
		$s->sql($break, $spring);
		my $res = Forms::submit($b, "/payment/enroll-cohort/$spring");
		is($res->{headers}{location}, "/courses/$slug#cohorts", "refused ($sentence): back to the course page");
		like($b->get("/courses/$slug")->{content}, qr/\Q$sentence\E/, 'saying why');
		is(cart_lines($id), 0, 'nothing in the cart');
		$s->sql($mend, $spring);
	}
	$s->sql('UPDATE cohorts SET capacity = held WHERE id = ?1', $spring);
	my $page = $b->get("/courses/$slug")->{content};
	like($page, qr{<p class="notice cohort-full">Full</p>}, 'a full cohort shows Full');
	unlike($page, qr{action="/payment/enroll-cohort/$spring"}, 'with no Enroll button');
	$s->sql('UPDATE cohorts SET capacity = 3 WHERE id = ?1', $spring);

	# In the cart while open; full by the time of checkout.
	enroll($b, $spring);
	$s->sql('UPDATE cohorts SET capacity = held WHERE id = ?1', $spring);
	my ($cs, $res) = checkout($b);
	ok(!$cs, 'checkout of a cohort that filled meanwhile does not reach Stripe');
	is($res->{headers}{location}, '/payment/cart', 'it shows the cart');
	like($b->get('/payment/cart')->{content}, qr/This cohort is full\./, 'saying the cohort is full');
	is(orders_of($id), 0, 'no order');
	is(places_of($id), 0, 'no place');
	$s->sql('UPDATE cohorts SET capacity = 3 WHERE id = ?1', $spring);

	# A student who has the course is refused too.
	$ann->get("/courses/$slug");
	unlike($ann->{last}{content}, qr{action="/payment/enroll-cohort/}, 'a student who has the course sees no Enroll button');
	my $res2 = $ann->post("/payment/enroll-cohort/$spring", {}, from => "/courses/$slug");
	like($ann->get("/courses/$slug")->{content}, qr/You already have access to that course\./, 'and posting it is refused');
	is(cart_lines($ann_id), 0, 'with nothing in her cart');
};

my $last = cohort('Last place cohort', 1);
my ($winner_cs, $winner_id);
subtest '20 checkouts race for the last place: one gets it' => sub {
	my @buyers = map { [$s->student(name => "Racer $_")] } 1 .. 20;
	for my $r (@buyers) {
		enroll($r->[0], $last);
		$r->[0]->get('/payment/cart');
	}
	my @kids;
	pipe(my $rd, my $wr) or die;
	for my $i (0 .. $#buyers) {
		my $pid = fork // die "fork: $!";
		if (!$pid) {
			close $rd;
			my $b = $buyers[$i][0];
			my $res = Forms::submit($b, '/payment/checkout');
			my $cs = $s->checkout_session($res);
			my $line;
			if ($cs) { $line = "stripe $i $cs" }
			elsif (($res->{headers}{location} // '') eq '/payment/cart' &&
			    $b->get('/payment/cart')->{content} =~ /This cohort is full\./) { $line = "full $i" }
			else { $line = "other $i $res->{status}" }
			syswrite $wr, "$line\n";
			POSIX::_exit(0);
		}
		push @kids, $pid;
	}
	close $wr;
	waitpid($_, 0) for @kids;
	my @lines = <$rd>;
	my @stripe = grep { /^stripe / } @lines;
	my @full = grep { /^full / } @lines;
	is(scalar @stripe, 1, 'exactly one is sent to Stripe') or diag @lines;
	is(scalar @full, 19, 'the 19 others see "This cohort is full."') or diag @lines;
	my (undef, $i, $cs) = split ' ', $stripe[0] // 'x 0 none';
	($winner_cs, $winner_id) = ($cs, $buyers[$i][1]);
	is(held($last), 1, 'the cohort holds one place');
	is($s->sql_one('SELECT count(*) FROM cohort_places WHERE cohort_id = ?1', $last), 1, 'one place row');
	is($s->sql_one('SELECT user_id FROM cohort_places WHERE cohort_id = ?1', $last), $winner_id, 'the winner\'s');
	is($s->sql_one(q{SELECT count(*) FROM orders o JOIN order_items i ON i.order_id = o.id WHERE i.cohort_id = ?1}, $last), 1,
	    'and one order: none for the others');
};

subtest 'an expired checkout gives its place back' => sub {
	my $oid = $s->sql_one('SELECT id FROM orders WHERE stripe_session_id = ?1', $winner_cs);
	is($s->emu('POST', "/v1/checkout/sessions/$winner_cs/expire")->{status}, 200, 'the session expires at Stripe');
	ok($s->wait_for(sub { $s->sql_one('SELECT status FROM orders WHERE id = ?1', $oid) eq 'expired' }), 'the order expires');
	is($s->sql_one('SELECT status FROM cohort_places WHERE order_id = ?1', $oid), 'released', 'its place is released');
	is(held($last), 0, 'and free again');
};

subtest 'a lapsed reservation: its session is expired at Stripe' => sub {
	my ($eb, $eid) = $s->student(name => 'Eve Lapsed');
	enroll($eb, $last);
	my ($ecs) = checkout($eb);
	ok($ecs, 'Eve checks out and holds the last place');
	my $eoid = $s->sql_one('SELECT id FROM orders WHERE stripe_session_id = ?1', $ecs);
	# Her place is given back early (as an admin or a lapsed offer would).
	$s->sql(q{UPDATE cohort_places SET status = 'released' WHERE order_id = ?1}, $eoid);
	$s->sql('UPDATE cohorts SET held = held - 1 WHERE id = ?1', $last);
	my ($fb, $fid) = $s->student(name => 'Fay Next');
	enroll($fb, $last);
	my ($fcs) = checkout($fb);
	ok($fcs, 'Fay checks out and gets the place');
	is($s->emu_json('GET', "/v1/checkout/sessions/$ecs")->{status}, 'expired', 'Eve\'s session is expired at Stripe');
	is($s->sql_one('SELECT status FROM orders WHERE id = ?1', $eoid), 'cancelled', 'and her order closed');
	isnt(pay($ecs)->{status}, 200, 'Eve can no longer pay for a place that is not hers');
	is(held($last), 1, 'the cohort holds Fay\'s place');
};

my $late = cohort('Late cohort', 1);
subtest 'a payment for a place that lapsed and was taken is refunded' => sub {
	my ($cb, $cid, $cmail) = $s->student(name => 'Cal Late');
	enroll($cb, $late);
	my ($cs) = checkout($cb);
	ok($cs, 'Cal checks out and holds the last place');
	my $oid = $s->sql_one('SELECT id FROM orders WHERE stripe_session_id = ?1', $cs);
	# His reservation lapses (as if its time had passed) and Dee takes
	# the place, before any checkout could expire his session.
	$s->sql(q{UPDATE cohort_places SET status = 'released' WHERE order_id = ?1}, $oid);
	my (undef, $did) = $s->student(name => 'Dee Prompt');
	$s->sql(q{INSERT INTO cohort_places (cohort_id, user_id, status, created_at, updated_at) VALUES (?1, ?2, 'taken', 1, 1)}, $late, $did);
	is(held($late), 1, 'the place is Dee\'s');

	# Cal's Stripe page is still open: he pays.
	is(pay($cs)->{status}, 200, 'Cal pays in the emulator');
	ok($s->wait_for(sub { $s->sql_one('SELECT status FROM orders WHERE id = ?1', $oid) eq 'refunded' }), 'his order is refunded');
	my $pi = $s->sql_one('SELECT stripe_payment_intent FROM orders WHERE id = ?1', $oid);
	my $refunds = $s->emu_json('GET', "/v1/refunds?payment_intent=$pi")->{data} // [];
	is(scalar @$refunds, 1, 'Stripe holds one refund of his payment');
	is($refunds->[0]{amount}, 49900, 'of all of it');
	my $res = $cb->get("/payment/checkout/success?session_id=$cs");
	is(scalar @{$s->emu_json('GET', "/v1/refunds?payment_intent=$pi")->{data} // []}, 1, 'the success page refunds nothing more');
	is($s->sql_one(q{SELECT count(*) FROM enrollments WHERE user_id = ?1 AND status = 'active'}, $cid), 0, 'Cal has no access');
	is($s->sql_one(q{SELECT count(*) FROM cohort_places WHERE user_id = ?1 AND status <> 'released'}, $cid), 0, 'nor a place');
	is(held($late), 1, 'the cohort holds Dee\'s place only');
	is($s->sql_one('SELECT needs_review FROM orders WHERE id = ?1', $oid), 0, 'the order is not flagged');
	$s->wait_for(sub { grep { /Refund for your order/ } $s->mails_to($cmail) });
	(my $mail = join ' ', grep { /Refund for your order/ } $s->mails_to($cmail)) =~ s/\s+/ /g;
	diag $mail unless $mail =~ /filled/;
	like($mail, qr/the cohort Late cohort filled before your payment for order ORD-\S+ arrived; we have refunded you\./, 'Cal is told why, and that he is refunded');
};

done_testing;
