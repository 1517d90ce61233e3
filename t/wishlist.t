#!/usr/bin/env perl
# The wishlist and the right button, through nginx: a course is added
# from its page's own form, once; an owned or off-sale course cannot be;
# move to cart and remove; buying takes a course off the list; and every
# course shows the one button lib/offer.c chooses (Enroll free, Add to
# cart, In your cart, Continue learning, and the Wishlisted mark) on the
# catalog, the course page and the cart, for a guest and a student.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Stack;
use Forms;

my $s = Stack->start;

sub course { return $s->sql_one('SELECT id FROM courses WHERE slug = ?1', shift) }
# Submits the form of $page whose action is $action, as rendered.
sub submit {
	my ($b, $page, $action) = @_;
	my ($f) = grep { ($_->{action} // '') eq $action } Forms::parse($page);
	return undef unless $f;
	return $b->request('POST', $f->{action}, [ map { @$_ } Forms::pairs($f) ]);
}
# The catalog card of $slug on $html.
sub card {
	my ($html, $slug) = @_;
	return ($html =~ m{(<li class="card">\s*<h2><a href="/courses/\Q$slug\E">.*?</li>)}s)[0] // '';
}
sub wished { my ($uid, $slug) = @_; return $s->sql_one('SELECT count(*) FROM wishlist WHERE user_id = ?1 AND course_id = ?2', $uid, course($slug)) }

my $pay = course('payments-engineering');

subtest 'a student wishlists a course from its page, once' => sub {
	my ($b, $uid) = $s->student(name => 'Wishful Student');
	my $page = $b->get('/courses/payments-engineering')->{content};
	my $res = submit($b, $page, "/account/wishlist/add/$pay");
	ok($res, 'the course page has an Add to wishlist form');
	is($res->{status}, 303, 'which redirects');
	is($res->{headers}{location}, '/courses/payments-engineering', 'back to the course');
	is(wished($uid, 'payments-engineering'), 1, 'the course is on the list');
	$page = $b->get('/courses/payments-engineering')->{content};
	like($page, qr/Added to your wishlist/, 'the page says so');
	like($page, qr{♥ Wishlisted}, 'and shows it wishlisted');
	like($page, qr{action="/account/wishlist/remove/$pay"}, 'with a way to remove it');
	$res = $b->post("/account/wishlist/add/$pay", {});
	is(wished($uid, 'payments-engineering'), 1, 'adding it again changes nothing');
	like($b->get($res->{headers}{location})->{content}, qr/already on your wishlist/, 'and says so');
	like(card($b->get('/courses')->{content}, 'payments-engineering'), qr{♥ Wishlisted}, 'the catalog card shows it');

	my $list = $b->get('/account/wishlist')->{content};
	like($list, qr{data-course="payments-engineering"}, 'the wishlist page lists it');
	$res = submit($b, $list, "/account/wishlist/move-to-cart/$pay");
	ok($res, 'with a Move to cart form');
	is($res->{headers}{location}, '/payment/cart', 'which goes to the cart');
	is(wished($uid, 'payments-engineering'), 0, 'the course leaves the list');
	is($s->sql_one(q{SELECT count(*) FROM cart_items ci JOIN carts c ON c.id = ci.cart_id WHERE c.user_id = ?1 AND ci.course_id = ?2},
	    $uid, $pay), 1, 'and is in the cart');

	$b->post('/account/wishlist/add/' . course('sql-for-analysts'), {});
	$res = submit($b, $b->get('/account/wishlist')->{content}, '/account/wishlist/remove/' . course('sql-for-analysts'));
	is($res->{headers}{location}, '/account/wishlist', 'Remove comes back to the list');
	is(wished($uid, 'sql-for-analysts'), 0, 'and takes it off');
	like($b->get('/account/wishlist')->{content}, qr/Your wishlist is empty/, 'which is now empty');
};

subtest 'an owned or off-sale course cannot be wishlisted' => sub {
	my ($b, $uid) = $s->student(name => 'Owner Student');
	$s->sql(q{INSERT INTO enrollments (user_id, course_id, source) VALUES (?1, ?2, 'purchase')}, $uid, course('sql-for-analysts'));
	my $page = $b->get('/courses/sql-for-analysts')->{content};
	unlike($page, qr{/account/wishlist/add/}, 'an owned course\'s page offers no wishlist button');
	my $res = $b->post('/account/wishlist/add/' . course('sql-for-analysts'), {});
	is($res->{status}, 303, 'a hand-made request is answered');
	is(wished($uid, 'sql-for-analysts'), 0, 'but the course is not added');
	like($b->get($res->{headers}{location})->{content}, qr/You already have that course/, 'and the student is told why');
	$s->sql(q{UPDATE courses SET is_active = 0 WHERE slug = 'ux-research-workshop'});
	$b->post('/account/wishlist/add/' . course('ux-research-workshop'), {});
	is(wished($uid, 'ux-research-workshop'), 0, 'an off-sale course is not added');
	$s->sql(q{UPDATE courses SET is_active = 1 WHERE slug = 'ux-research-workshop'});
	is($b->post('/account/wishlist/add/999999', {})->{status}, 404, 'a course that does not exist is a 404');
	my $g = $s->browser;
	$res = $g->post("/account/wishlist/add/$pay", {}, from => '/courses/payments-engineering');
	like($res->{headers}{location} // '', qr{^/account/login\?next=}, 'a guest is sent to log in');
	unlike($g->get('/courses/payments-engineering')->{content}, qr{/account/wishlist/add/}, 'and sees no wishlist button');
};

subtest 'the right button, on every card and page' => sub {
	my ($b, $uid) = $s->student(name => 'Button Student');
	$s->sql(q{INSERT INTO enrollments (user_id, course_id, source) VALUES (?1, ?2, 'purchase')}, $uid, course('testing-in-practice'));
	$b->post('/payment/add-to-cart/' . course('web-security-essentials'), {}, from => '/courses/web-security-essentials');
	$b->post('/account/wishlist/add/' . course('algorithms-live'), {}, from => '/courses/algorithms-live');
	my $cat = $b->get('/courses')->{content};
	like(card($cat, 'intro-to-git'), qr{action="/courses/intro-to-git/enroll">.*Enroll free</button>}s, 'a free course: Enroll free');
	like(card($cat, 'c-programming-fundamentals'), qr{action="/payment/add-to-cart/\d+">.*Add to cart</button>}s, 'a paid one: Add to cart');
	like(card($cat, 'web-security-essentials'), qr{<a class="button secondary-button" href="/payment/cart">In your cart</a>}, 'one in the cart: In your cart');
	like(card($cat, 'testing-in-practice'), qr{<a class="button" href="/learn/testing-in-practice">Continue learning</a>}, 'one owned: Continue learning');
	like(card($cat, 'algorithms-live'), qr{Choose a cohort</a>.*♥ Wishlisted}s, 'one wishlisted (a cohort course): Choose a cohort and Wishlisted');
	unlike(card($cat, 'testing-in-practice'), qr/Add to cart/, 'an owned course offers no Add to cart');
	like($b->get('/courses/testing-in-practice')->{content}, qr{<section class="buy" id="buy">.*Continue learning</a>}s,
	    'the course page shows the same button');
	like($b->get('/courses/web-security-essentials')->{content}, qr{<section class="buy" id="buy">.*In your cart</a>}s,
	    'and In your cart');
	# Owned while in the cart (bought in another tab): the cart says so.
	$s->sql(q{INSERT INTO enrollments (user_id, course_id, source) VALUES (?1, ?2, 'admin')}, $uid, course('web-security-essentials'));
	like($b->get('/payment/cart')->{content}, qr{already yours: remove it to check out</span> <a href="/learn/web-security-essentials">Continue learning</a>},
	    'the cart shows Continue learning for a course now owned');
	my $g = $s->browser;
	$g->post('/payment/add-to-cart/' . course('sql-for-analysts'), {}, from => '/courses/sql-for-analysts');
	$cat = $g->get('/courses')->{content};
	like(card($cat, 'sql-for-analysts'), qr{In your cart}, 'a guest\'s cart counts too');
	like(card($cat, 'testing-in-practice'), qr{Add to cart}, 'and a guest owns nothing');
	unlike($cat, qr/Wishlisted/, 'nor has a wishlist');
};

subtest 'enrolling takes a course off the wishlist' => sub {
	my ($b, $uid) = $s->student(name => 'Enrolling Student');
	$b->post('/account/wishlist/add/' . course('intro-to-git'), {}, from => '/courses/intro-to-git');
	is(wished($uid, 'intro-to-git'), 1, 'a free course can be wishlisted');
	submit($b, $b->get('/account/wishlist')->{content}, '/courses/intro-to-git/enroll');
	is(wished($uid, 'intro-to-git'), 0, 'enrolling from the wishlist takes it off');
};

done_testing;
