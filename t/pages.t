#!/usr/bin/env perl
# What every page shows around its content, through nginx and FastCGI: the
# header knows who is asking on every page, error pages included (a URL no
# route matches, a malformed one, a wrong method), links to the student's
# orders, and counts the courses in the cart.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Stack;

my $s = Stack->start;

sub text_of { my $h = shift // ''; $h =~ s/<[^>]+>/ /g; $h =~ s/&amp;/&/g; $h =~ s/\s+/ /g; return $h }
sub header_of { my $h = shift // ''; return $h =~ m{<header class="site">(.*?)</header>}s ? $1 : '' }
sub course { return $s->sql_one('SELECT id FROM courses WHERE slug = ?1', shift) }

subtest 'error pages show a logged-in student as logged in' => sub {
	my ($b) = $s->student(name => 'Lost Student');
	my %want = (
		'/no/such/page' => 404,			# no route in the cart program
		'/payment/order/abc' => 404,		# no route in the account program
		'/payment/order/999999' => 404,		# a route, no such order
		'/courses/no-such-course' => 404,	# a route, no such course
		'/account/logout' => 405,		# POST only
		'/payment/webhook' => 405,		# the webhook program, POST only
		'/courses?q=%zz' => 400,		# a malformed query string
	);
	for my $url (sort keys %want) {
		my $res = $b->get($url);
		is($res->{status}, $want{$url}, "$url is a $want{$url}");
		my $h = text_of(header_of($res->{content}));
		like($h, qr/Lost Student/, "$url: the header names the student");
		like($h, qr/Log out/, "$url: and offers to log out");
		unlike($h, qr/Log in|Register/, "$url: not to log in or register");
		like($res->{content}, qr/name="csrf_token" value="[0-9a-f]{64}"/, "$url: the logout form carries the student's token");
	}
	my $res = $b->post('/account/logout', {}, from => '/no/such/page');
	is($res->{status}, 303, 'the logout button on a 404 page works');
	is($b->cookie('enroll_session'), undef, 'and logs the student out');
};

subtest 'error pages show a guest as a guest and keep the guest cookie' => sub {
	my $b = $s->browser;
	$b->get('/courses');
	my $guest = $b->cookie('enroll_guest');
	ok($guest, 'the guest has a cookie');
	for my $url ('/no/such/page', '/payment/order/abc', '/courses?q=%zz') {
		my $res = $b->get($url);
		like(text_of(header_of($res->{content})), qr/Log in.*Register/, "$url: a guest sees Log in and Register");
		ok(!$res->{headers}{'set-cookie'}, "$url: sets no cookie");
	}
	is($b->cookie('enroll_guest'), $guest, 'the guest id is unchanged');
};

subtest 'the header links a student to the orders, and counts the cart' => sub {
	my ($b) = $s->student(name => 'Header Reader');
	my $h = header_of($b->get('/courses')->{content});
	like($h, qr{<a href="/payment/orders">Orders</a>}, 'an Orders link for the student');
	like(text_of($h), qr/Cart My courses Orders/, 'beside the cart and the courses');
	unlike(text_of($h), qr/Cart \(/, 'an empty cart shows no count');
	for my $slug ('c-programming-fundamentals', 'payments-engineering') {
		$b->post('/payment/add-to-cart/' . course($slug), {}, from => "/courses/$slug");
	}
	for my $page ('/courses', '/payment/cart', '/account/dashboard', '/no/such/page') {
		like(text_of(header_of($b->get($page)->{content})), qr/Cart \(2\)/, "$page: the header says Cart (2)");
	}
	$b->post('/payment/remove-from-cart/' . course('payments-engineering'), {}, from => '/payment/cart');
	like(text_of(header_of($b->get('/courses')->{content})), qr/Cart \(1\)/, 'after removing one: Cart (1)');

	my $g = $s->browser;
	$h = header_of($g->get('/courses')->{content});
	unlike($h, qr{/payment/orders}, 'a guest has no Orders link');
	$g->post('/payment/add-to-cart/' . course('web-security-essentials'), {}, from => '/courses/web-security-essentials');
	like(text_of(header_of($g->get('/courses')->{content})), qr/Cart \(1\)/, "a guest's cart is counted too");
};

subtest 'a coupon that does not apply: the error beside the field, the code kept' => sub {
	$s->sql(q{INSERT INTO coupons (code, kind, percent_off) VALUES ('WELCOME10', 'percentage', 10)});
	$s->sql(q{INSERT INTO coupons (code, kind, percent_off, valid_until) VALUES ('OLDNEWS', 'percentage', 10, 1000)});
	my ($b, $uid) = $s->student;
	$b->post('/payment/add-to-cart/' . course('payments-engineering'), {}, from => '/courses/payments-engineering');
	for my $case (['nope', qr/There is no coupon with that code\./],
	    ['oldnews', qr/expired|no longer/i],
	    ['a b!', qr/letters, digits, dashes and underscores/],
	    ['   ', qr/Enter a coupon code/]) {
		my ($typed, $why) = @$case;
		my $res = $b->post('/payment/apply-coupon', { code => $typed }, from => '/payment/cart');
		is($res->{status}, 400, "'$typed': the cart page again, as a refusal");
		my ($err) = $res->{content} =~ m{<p class="field-error" id="code-error"[^>]*>([^<]*)</p>};
		like($err // '', $why, "'$typed': the reason is an error beside the field");
		like($res->{content}, qr{<input id="code" name="code"[^>]* value="\Q$typed\E"[^>]* aria-invalid="true" aria-describedby="code-error"}, "'$typed': the field keeps the code as typed and is marked");
		unlike($res->{content}, qr/class="flash"/, "'$typed': no banner");
		unlike($res->{content}, qr/The coupon is applied/, "'$typed': nothing says it applied");
		like($res->{content}, qr/Payments Engineering/, "'$typed': the cart is still shown");
	}
	is($s->sql_one('SELECT coalesce(coupon_code, \'none\') FROM carts WHERE user_id = ?1', $uid), 'none', 'no code was stored');
	my $res = $b->post('/payment/apply-coupon', { code => 'welcome10' }, from => '/payment/cart');
	is($res->{status}, 303, 'a good code is applied');
	$res = $b->get('/payment/cart');
	like($res->{content}, qr{<p class="flash" role="status">The coupon is applied\.</p>}, 'success is the banner');
	unlike($res->{content}, qr/field-error/, 'with no error');
	is($s->sql_one('SELECT coupon_code FROM carts WHERE user_id = ?1', $uid), 'WELCOME10', 'and the code is stored');
};

done_testing;
