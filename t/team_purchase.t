#!/usr/bin/env perl
# Team purchases (issue 18) end to end through nginx, the programs and the
# Stripe emulator, every form submitted as the page renders it: a manager
# buys seats of a course for a team (the cart's "Buy for", seats, a coupon
# per seat), Stripe's session carries the quantity and names the team,
# fulfilment gives the team seats and the buyer nothing; a top-up; a plain
# member can neither choose the team nor forge the choice; a webhook
# delivered twice adds seats once; an admin refunds a seat when all are
# held, choosing whose seat ends; the team's billing page.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Stack;
use Forms;

my $s = Stack->start;

my $cid = $s->course_id('c-programming-fundamentals');	# $49.00
my $slug = 'c-programming-fundamentals';
my $lesson = $s->sql_one('SELECT id FROM lessons WHERE course_id = ?1 AND is_preview = 0 ORDER BY position LIMIT 1', $cid);
$s->sql(q{INSERT INTO coupons (code, kind, percent_off) VALUES ('SEAT10', 'percentage', 10)});
$s->sql(q{INSERT INTO coupons (code, kind, amount_off, currency, max_uses) VALUES ('FIVE', 'fixed', 500, 'usd', 1)});

sub text_of { return Forms::text($_[0]) }
sub seats_of { my $t = shift; return $s->sql_one('SELECT seats || \'/\' || held FROM team_seats WHERE team_id = ?1 AND course_id = ?2', $t, $cid) // 'none' }
sub pay { my $cs = shift; return $s->emu('POST', "/_emu/pay/$cs", { card => '4242 4242 4242 4242' }) }
sub order_of { return $s->sql_one('SELECT id FROM orders WHERE stripe_session_id = ?1', $_[0]) }
sub status_of { return $s->sql_one('SELECT status FROM orders WHERE id = ?1', $_[0]) }

# Submits the form of $b's last page for $action with the checkboxes named
# $box whose values are in @values ticked, as a person ticks them.
sub submit_ticked {
	my ($b, $action, $box, $values, %typed) = @_;
	my ($f) = grep { ($_->{action} // '') eq $action } Forms::parse($b->{last}{content});
	die "no form for $action\n" unless $f;
	my %tick = map { $_ => 1 } @$values;
	my ($i, %over) = (-1);
	for my $c (@{$f->{controls}}) {
		$i++;
		$c->{checked} = 1 if ($c->{name} // '') eq $box && $tick{$c->{value}};
		$over{$i} = $typed{$c->{name}} if defined $c->{name} && exists $typed{$c->{name}};
	}
	my @pairs = Forms::pairs($f, %over);
	return $b->request('POST', $action, join '&', map { Forms::urlencode($_->[0]) . '=' . Forms::urlencode($_->[1]) } @pairs);
}

my ($mia, $mia_id, $mia_email) = $s->student(name => 'Mia Manager');
my ($pete, $pete_id) = $s->student(name => 'Pete Member');
my ($olly) = $s->student(name => 'Olly Outsider');
$mia->get('/account/teams');
my $res = Forms::submit($mia, '/account/teams', name => 'Acme Learning');
my ($team) = $res->{headers}{location} =~ m{^/account/teams/(\d+)$};
ok($team, 'Mia creates a team');
# Pete joins as a plain member (the invitation itself is t/teams.t's).
$s->sql(q{INSERT INTO team_members (team_id, user_id, role, joined_at) VALUES (?1, ?2, 'member', 0)}, $team, $pete_id);
# Mia has the course herself: a team can still buy seats of it.
$s->sql(q{INSERT INTO enrollments (user_id, course_id, source, granted_at) VALUES (?1, ?2, 'admin', 0)}, $mia_id, $cid);

my ($o1, $o2);
subtest 'a manager buys 3 seats for the team with a coupon per seat' => sub {
	my $page = $mia->get('/payment/cart')->{content};
	like(text_of($page), qr/Buy for Me Acme Learning Choose/, 'the cart offers "Buy for": me or the team');
	$res = Forms::submit($mia, '/payment/buy-for', for => $team);
	is($res->{status}, 303, 'choosing the team');
	is($s->sql_one('SELECT team_id FROM carts WHERE user_id = ?1', $mia_id), $team, 'the cart is for the team');
	$s->add_to_cart($mia, $cid);
	$page = $mia->get('/payment/cart')->{content};
	like(text_of($page), qr/Buying seats for the team Acme Learning/, 'the cart says so');
	like($page, qr/<option value="$team" selected>Acme Learning/, 'the team is chosen');
	$res = Forms::submit($mia, "/payment/cart-seats/$cid", seats => '0');
	is($res->{status}, 400, 'zero seats are refused');
	is(Forms::field_error($res->{content}, "seats-$cid"), 'Type a number of seats from 1 to 1000.', 'in plain words beside the field');
	like($res->{content}, qr/id="seats-$cid" name="seats"[^>]*value="0"/, 'what was typed is kept');
	$res = Forms::submit($mia, "/payment/cart-seats/$cid", seats => '1001');
	is($res->{status}, 400, '1001 seats are refused');
	is($s->sql_one('SELECT quantity FROM cart_items WHERE course_id = ?1', $cid), 1, 'nothing changed');
	$res = Forms::submit($mia, "/payment/cart-seats/$cid", seats => '3');
	is($res->{status}, 303, '3 seats');
	$mia->get('/payment/cart');
	$res = Forms::submit($mia, '/payment/apply-coupon', code => 'seat10');
	is($res->{status}, 303, 'the coupon applies');
	$page = $mia->get('/payment/cart')->{content};
	like(text_of($page), qr/\$49\.00 × 3 = \$147\.00/, 'the line: unit × seats = line total');
	like($page, qr{id="subtotal">\$147\.00<}, 'subtotal $147.00');
	like($page, qr{id="discount">−\$14\.70<}, '10% off each seat: $14.70');
	like($page, qr{id="total"><strong>\$132\.30<}, 'total $132.30');

	$res = Forms::submit($mia, '/payment/checkout');
	my $cs = $s->checkout_session($res);
	ok($cs, 'checkout goes to Stripe');
	$o1 = order_of($cs);
	is_deeply([@{($s->sql('SELECT team_id, subtotal_amount, discount_amount, total_amount FROM orders WHERE id = ?1', $o1))[0]}],
	    [$team, 14700, 1470, 13230], 'the order is the team\'s, with per-seat amounts');
	is($s->sql_one('SELECT quantity FROM order_items WHERE order_id = ?1', $o1), 3, 'its item is 3 seats');
	my $session = $s->emu_json('GET', "/v1/checkout/sessions/$cs");
	is($session->{client_reference_id}, "team_$team", 'client_reference_id names the team');
	is($session->{metadata}{order_id}, "$o1", 'metadata still names the order');
	is($session->{amount_total}, 13230, 'Stripe charges our total');
	my $items = $s->emu_json('GET', "/v1/checkout/sessions/$cs/line_items");
	is($items->{data}[0]{quantity}, 3, 'the line item carries quantity 3');
	is($items->{data}[0]{price}{unit_amount}, 4900, 'at the unit price');

	# The webhook is delivered twice.
	$s->emu('POST', '/_emu/faults', { delivery => 'duplicate' });
	is(pay($cs)->{status}, 200, 'Mia pays');
	ok($s->wait_for(sub { status_of($o1) eq 'paid' }), 'the webhook fulfils the order');
	ok($s->wait_for(sub { $s->emu_sql_one(q{SELECT count(*) FROM delivery_attempts}) >= 2 }, 10), 'the event was delivered more than once');
	$s->emu('POST', '/_emu/faults', { delivery => 'normal' });
	is(seats_of($team), '3/0', 'the team has 3 seats, none held');
	is($s->sql_one(q{SELECT count(*) FROM enrollments WHERE user_id = ?1 AND order_id IS NOT NULL}, $mia_id), 0, 'the buyer is not enrolled by it');
	is($s->sql_one(q{SELECT count(*) FROM cart_items ci JOIN carts c ON c.id = ci.cart_id WHERE c.user_id = ?1}, $mia_id), 0, 'the cart is emptied');
	$res = $mia->get("/payment/checkout/success?session_id=$cs");
	is($res->{headers}{location}, "/payment/order/$o1", 'the success page shows the order');
	my $receipt = $mia->get("/payment/order/$o1")->{content};
	like(text_of($receipt), qr/the seats are your team's now/, 'saying the seats are the team\'s');
	like($receipt, qr{<p id="team-order">.*href="/account/teams/$team/seats"}s, 'the receipt sends the buyer to the seats page');
	unlike($receipt, qr{href="/learn/}, 'not to lessons the buyer has no seat of');
	like(text_of($receipt), qr/× 3 seats/, 'and counts the seats');
	is(seats_of($team), '3/0', 'still 3 seats');
	my $body = $s->sql_one('SELECT ' . $s->one_line('body') . q{ FROM outbox WHERE to_addr = ?1 AND subject LIKE 'Your order%'}, lc $mia_email);
	like($body, qr/3 seats of C Programming Fundamentals/, 'the mail says how many seats of what');
	like($body, qr/team Acme Learning/, 'for which team');
	like($body, qr{/account/teams/$team/seats}, 'and links to its seats');
};

subtest 'buying 2 more tops the seats up to 5' => sub {
	$s->add_to_cart($mia, $cid);
	$mia->get('/payment/cart');
	is(Forms::submit($mia, "/payment/cart-seats/$cid", seats => '2')->{status}, 303, '2 seats');
	$mia->get('/payment/cart');
	is(Forms::submit($mia, '/payment/apply-coupon', code => 'FIVE')->{status}, 303, 'a $5 coupon');
	my $page = $mia->get('/payment/cart')->{content};
	like($page, qr{id="discount">−\$10\.00<}, '$5 off each seat');
	like($page, qr{id="total"><strong>\$88\.00<}, 'total $88.00');
	my $cs = $s->checkout_session(Forms::submit($mia, '/payment/checkout'));
	$o2 = order_of($cs);
	pay($cs);
	ok($s->wait_for(sub { status_of($o2) eq 'paid' }), 'paid');
	is(seats_of($team), '5/0', 'the team has 5 seats');
	is($s->sql_one('SELECT count(*) FROM coupon_redemptions WHERE order_id = ?1 AND status = \'redeemed\'', $o2), 1, 'the coupon counts one use for the order');
};

subtest 'a plain member cannot buy for the team' => sub {
	$s->add_to_cart($pete, $cid);
	my $page = $pete->get('/payment/cart')->{content};
	unlike($page, qr/Buy for/, 'no "Buy for" for a plain member');
	$res = $pete->post('/payment/buy-for', { for => $team }, from => '/payment/cart');
	is($res->{status}, 403, 'a forged choice of the team is refused');
	like(text_of($res->{content}), qr/only when you own or manage it/, 'in plain words');
	is($s->sql_one('SELECT count(*) FROM carts WHERE user_id = ?1 AND team_id IS NULL', $pete_id), 1, 'the cart stays his');
	# A manager demoted before checking out.
	my ($max, $max_id) = $s->student(name => 'Max Manager');
	$s->sql(q{INSERT INTO team_members (team_id, user_id, role, joined_at) VALUES (?1, ?2, 'manager', 0)}, $team, $max_id);
	$max->get('/payment/cart');
	is(Forms::submit($max, '/payment/buy-for', for => $team)->{status}, 303, 'a manager chooses the team');
	$s->add_to_cart($max, $cid);
	$s->sql(q{UPDATE team_members SET role = 'member' WHERE team_id = ?1 AND user_id = ?2}, $team, $max_id);
	$max->get('/payment/cart');
	$res = Forms::submit($max, '/payment/checkout');
	is($res->{status}, 403, 'checkout is refused once he no longer manages it');
	like(text_of($res->{content}), qr/You no longer manage the team/, 'saying why');
	is($s->sql_one('SELECT count(*) FROM orders WHERE user_id = ?1', $max_id), 0, 'no order was made');
};

subtest 'refund of 1 seat when all are held: the admin chooses whose seat ends' => sub {
	my ($sam, $sam_id, $sam_email) = $s->student(name => 'Sam Seated');
	$s->sql(q{INSERT INTO team_members (team_id, user_id, role, joined_at) VALUES (?1, ?2, 'member', 0)}, $team, $sam_id);
	# Five seats held: Sam's, in use, and four invitations.
	my $sam_seat = $s->sql_one(q{INSERT INTO seat_assignments (team_id, course_id, user_id, email, status, created_at) VALUES (?1, ?2, ?3, ?4, 'active', 100) RETURNING id}, $team, $cid, $sam_id, lc $sam_email);
	$s->sql(q{INSERT INTO enrollments (user_id, course_id, source, seat_id, granted_at) VALUES (?1, ?2, 'seat', ?3, 100)}, $sam_id, $cid, $sam_seat);
	$s->sql(q{INSERT INTO seat_assignments (team_id, course_id, email, status, created_at) VALUES (?1, ?2, ?3, 'invited', 200)}, $team, $cid, "invitee$_\@example.org") for 1 .. 4;
	$s->sql(q{UPDATE team_seats SET held = 5 WHERE team_id = ?1 AND course_id = ?2}, $team, $cid);
	is($sam->get("/learn/$slug/$lesson")->{status}, 200, 'Sam opens a lesson through his seat');

	my $admin = $s->admin;
	my $page = $admin->get("/admin/orders/$o1")->{content};
	my ($link) = $page =~ m{href="(/admin/orders/$o1/refund-seats\?item=\d+)"};
	ok($link, 'the order page links each team item to its seats refund');
	$page = $admin->get($link)->{content};
	my $text = text_of($page);
	like($text, qr/Seats bought 3 at \$49\.00/, 'the page shows the seats bought');
	like($text, qr/Per seat \$44\.10/, 'and what one seat refunds, the coupon share off');
	like($text, qr/Sam Seated \Q@{[lc $sam_email]}\E in use/, 'it lists who holds the seats: Sam');
	like($text, qr/\(invited\) invitee1\@example\.org invited/, 'and the invitations');
	$res = Forms::submit($admin, "/admin/orders/$o1/refund-seats", seats => '1');
	is($res->{status}, 409, 'refunding a seat without choosing whose is refused');
	like(Forms::field_error($res->{content}, 'refund-revoke') // '', qr/Too few seats are free/, 'beside the list');
	is(seats_of($team), '5/5', 'nothing changed');
	is($s->sql_one('SELECT count(*) FROM refunds WHERE order_id = ?1', $o1), 0, 'no refund made');

	$res = submit_ticked($admin, "/admin/orders/$o1/refund-seats", 'revoke', [$sam_seat], seats => '1');
	is($res->{status}, 303, 'with Sam chosen the refund is made') or diag text_of($res->{content});
	is(seats_of($team), '4/4', 'the team has 4 seats, all held');
	is($s->sql_one('SELECT status FROM seat_assignments WHERE id = ?1', $sam_seat), 'revoked', 'Sam\'s seat is revoked');
	is($s->sql_one(q{SELECT count(*) FROM seat_assignments WHERE team_id = ?1 AND status = 'revoked'}, $team), 1, 'and nobody else\'s');
	is($sam->get("/learn/$slug/$lesson")->{status}, 403, 'Sam can no longer open the lesson');
	is($s->sql_one('SELECT refunded_seats FROM order_items WHERE order_id = ?1', $o1), 1, 'the item counts 1 seat refunded');
	is($s->sql_one(q{SELECT amount FROM refunds WHERE order_id = ?1 AND status = 'succeeded'}, $o1), 4410, 'refunded $44.10');
	is(status_of($o1), 'partially_refunded', 'the order is partly refunded');
	is($s->sql_one(q{SELECT count(*) FROM audit_log WHERE action = 'seat.revoke' AND subject = 'team:' || ?1}, $team), 1, 'the revocation has its audit row');
	like($s->sql_one('SELECT ' . $s->one_line('body') . q{ FROM outbox WHERE to_addr = ?1 AND subject LIKE 'Refund for your order%'}, lc $mia_email) // '',
	    qr/\$44\.10 .*1 seat of C Programming Fundamentals/, 'the buyer is told what was refunded: a seat');
};

subtest 'the team\'s billing page' => sub {
	$mia->get("/account/teams/$team");
	like($mia->{last}{content}, qr{href="/account/teams/$team/billing"}, 'the team page links to it');
	$res = $mia->get("/account/teams/$team/billing");
	is($res->{status}, 200, 'the owner sees it');
	my $text = text_of($res->{content});
	my ($n1, $n2) = map { $s->sql_one('SELECT number FROM orders WHERE id = ?1', $_) } $o1, $o2;
	like($text, qr/\Q$n2\E Mia Manager 2 × C Programming Fundamentals \$88\.00 — Paid.*\Q$n1\E Mia Manager 3 × C Programming Fundamentals \(1 refunded\) \$132\.30 \$44\.10 Partially refunded Receipt/,
	    'both orders, newest first, with their seats and refunds');
	my $receipt = $s->sql_one('SELECT receipt_url FROM orders WHERE id = ?1', $o1);
	ok($receipt && index($res->{content}, qq{href="$receipt"}) >= 0, 'and Stripe\'s receipt of each');
	like($res->{content}, qr{href="/payment/order/$o1"}, 'the buyer\'s orders link to their pages');
	my ($nora, $nora_id) = $s->student(name => 'Nora Manager');
	$s->sql(q{INSERT INTO team_members (team_id, user_id, role, joined_at) VALUES (?1, ?2, 'manager', 0)}, $team, $nora_id);
	$res = $nora->get("/account/teams/$team/billing");
	is($res->{status}, 200, 'another manager sees it');
	like(text_of($res->{content}), qr/\Q$n1\E Mia Manager 3 ×/, 'the same orders');
	unlike($res->{content}, qr{href="/payment/order/}, 'without links to pages only the buyer may open');
	ok(index($res->{content}, qq{href="$receipt"}) >= 0, 'with Stripe\'s receipts');
	is($nora->get("/payment/order/$o1")->{status}, 404, 'the buyer\'s order page is indeed not hers');
	is($pete->get("/account/teams/$team/billing")->{status}, 403, 'a plain member is refused');
	like(text_of($pete->{last}{content}), qr/Only the team's owner and managers/, 'in plain words');
	is($olly->get("/account/teams/$team/billing")->{status}, 404, 'an outsider finds no such team');
};

subtest 'an unpaid team order checked out again comes back for the team, with its seats' => sub {
	$mia->get('/payment/cart');
	$s->add_to_cart($mia, $cid);
	$mia->get('/payment/cart');
	is(Forms::submit($mia, "/payment/cart-seats/$cid", seats => '4')->{status}, 303, '4 seats');
	$mia->get('/payment/cart');
	my $cs = $s->checkout_session(Forms::submit($mia, '/payment/checkout'));
	my $o3 = order_of($cs);
	ok($o3, 'a checkout');
	# It lapses unpaid; Mia empties her cart and buys for herself.
	$s->sql(q{UPDATE orders SET status = 'expired' WHERE id = ?1}, $o3);
	$s->sql(q{DELETE FROM cart_items WHERE cart_id = (SELECT id FROM carts WHERE user_id = ?1)}, $mia_id);
	$mia->get('/payment/cart');
	is(Forms::submit($mia, '/payment/buy-for', for => 'me')->{status}, 303, 'back to buying for herself');
	$mia->get("/payment/order/$o3");
	$res = Forms::submit($mia, "/payment/order/$o3/continue");
	is($res->{status}, 303, 'she checks the order out again');
	is($s->sql_one('SELECT team_id FROM carts WHERE user_id = ?1', $mia_id), $team, 'the cart is for the team again');
	is($s->sql_one(q{SELECT quantity FROM cart_items WHERE course_id = ?1 AND cart_id = (SELECT id FROM carts WHERE user_id = ?2)}, $cid, $mia_id), 4, 'with its 4 seats');
};

subtest 'a whole refund made at Stripe takes the order\'s seats back, newest assignments first' => sub {
	is(seats_of($team), '4/4', 'four seats, all held');
	my @newest = map { $_->[0] } $s->sql(q{SELECT id FROM seat_assignments WHERE team_id = ?1 AND status <> 'revoked' ORDER BY created_at DESC, id DESC LIMIT 2}, $team);
	my $pi = $s->sql_one('SELECT stripe_payment_intent FROM orders WHERE id = ?1', $o2);
	is($s->emu('POST', '/v1/refunds', { payment_intent => $pi })->{status}, 200, 'the second order refunded in Stripe\'s dashboard');
	ok($s->wait_for(sub { status_of($o2) eq 'refunded' }), 'the order is refunded');
	is(seats_of($team), '2/2', 'its 2 seats are gone');
	is($s->sql_one(q{SELECT count(*) FROM seat_assignments WHERE id IN (?1, ?2) AND status = 'revoked'}, @newest), 2, 'the two newest assignments were revoked');
	like($s->sql_one('SELECT review_reason FROM orders WHERE id = ?1', $o2), qr/2 seats, and 2 assigned seats were revoked/, 'the order is flagged, saying so');
	is($s->sql_one('SELECT refunded_seats FROM order_items WHERE order_id = ?1', $o2), 2, 'its seats count as refunded');
};

done_testing;
