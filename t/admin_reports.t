#!/usr/bin/env perl
# /admin/reports on the real stack in New York's time zone: every figure
# the page and its CSV show equals a sum this test makes itself from the
# orders table, by local day (Perl's own localtime in America/New_York),
# net of refunds, per currency.
#
# How the orders are made:
#   - through the purchase path (cart, coupon, checkout, payment on the
#     Stripe emulator's page, the webhook) and refunded in part in
#     "Stripe's dashboard" (the emulator's refunds API, whose
#     charge.refunded reaches the webhook): the summary must follow each
#     change live, in the transaction that makes it;
#   - by SQL where the path does not matter: orders a few seconds either
#     side of New York's midnight, an order in eur, an unpaid checkout,
#     and courses whose titles a spreadsheet would run or must unquote.
#     Orders written by SQL bypass the store, so the test then runs
#     `enrollctl report-rebuild`, as `enrollctl migrate` does for orders
#     older than the summary.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use POSIX qw(strftime mktime floor);
use Test::More;
use Stack;

my $ZONE = 'America/New_York';
my $s = Stack->start(ENROLL_TIMEZONE => $ZONE);

sub local_day { local $ENV{TZ} = $ZONE; POSIX::tzset(); my $d = strftime('%Y-%m-%d', localtime(shift)); return $d }
# The UTC second of local midnight starting day $ago days before today.
sub local_midnight {
	my $ago = shift;
	local $ENV{TZ} = $ZONE; POSIX::tzset();
	my @t = localtime(time);
	return mktime(0, 0, 0, $t[3] - $ago, $t[4], $t[5], 0, 0, -1);
}
sub dollars { my ($c, $cur) = @_; my $sign = $c < 0 ? '-' : ''; my $d = sprintf('%.2f', abs($c) / 100); 1 while $d =~ s/^(\d+)(\d{3})/$1,$2/; return ($cur eq 'eur' ? '€' : '$') . "$sign$d" }

my $c_prog = $s->course_id('c-programming-fundamentals');	# $49.00
my $c_pay = $s->course_id('payments-engineering');		# $129.00
$s->sql(q{INSERT INTO coupons (code, kind, percent_off) VALUES ('SAVE20', 'percentage', 20)});

# The admin: a registered account made an admin by SQL (how it became one
# does not matter here; accounts.t tests enrollctl create-admin).
my ($admin, $admin_id) = $s->admin;

# ---- the purchase path -------------------------------------------------
my ($b, $uid) = $s->student(name => 'Grace Buyer');
for my $id ($c_prog, $c_pay) {
	my $slug = $s->sql_one('SELECT slug FROM courses WHERE id = ?1', $id);
	is($b->post("/payment/add-to-cart/$id", {}, from => "/courses/$slug")->{status}, 303, "course $slug in the cart");
}
$b->post('/payment/apply-coupon', { code => 'SAVE20' }, from => '/payment/cart');
my $res = $b->post('/payment/checkout', {}, from => '/payment/cart');
my $cs = $s->checkout_session($res);
ok($cs, 'checkout sends the buyer to Stripe');
is($s->emu('POST', "/_emu/pay/$cs", { card => '4242 4242 4242 4242' })->{status}, 200, 'the buyer pays');
my $live = $s->sql_one('SELECT id FROM orders WHERE stripe_session_id = ?1', $cs);
ok($s->wait_for(sub { ($s->sql_one('SELECT status FROM orders WHERE id = ?1', $live) // '') eq 'paid' }), 'the webhook marks the order paid');
is($s->sql_one('SELECT total_amount FROM orders WHERE id = ?1', $live), 14240, '$178.00 less 20% is $142.40');

# ---- the figures, computed here from the orders ------------------------
# Per (local day, currency) of paid_at: orders, gross, refunded; by course
# with refunds without a per-item record shared over the items in
# proportion to what of each was still unrefunded (cumulative floors).
sub expected {
	my ($first) = @_;	# first local day of the period, YYYY-MM-DD
	my (%day, %total, %course, %coupon);
	for my $o ($s->sql(q{SELECT id, currency, total_amount, refunded_amount, discount_amount, coalesce(coupon_code, ''), paid_at FROM orders WHERE paid_at IS NOT NULL})) {
		my ($id, $cur, $tot, $ref, $disc, $code, $paid) = @$o;
		my $d = local_day($paid);
		next if $d lt $first;
		my $r = $day{$d}{$cur} //= { orders => 0, gross => 0, refunded => 0 };
		$r->{orders}++; $r->{gross} += $tot; $r->{refunded} += $ref;
		my $t = $total{$cur} //= { orders => 0, gross => 0, refunded => 0, discount => 0, with_refund => 0 };
		$t->{orders}++; $t->{gross} += $tot; $t->{refunded} += $ref; $t->{discount} += $disc;
		$t->{with_refund}++ if $ref > 0;
		if ($code ne '' && !($tot > 0 && $ref >= $tot)) {
			$coupon{$code}{$cur}{uses}++;
			$coupon{$code}{$cur}{discount} += $disc;
		}
		my @items = $s->sql(q{SELECT course_id, unit_amount * quantity - discount_amount, refunded_amount FROM order_items WHERE order_id = ?1 ORDER BY id}, $id);
		my $attributed = 0; $attributed += $_->[2] for @items;
		my $u = $ref - $attributed; $u = 0 if $u < 0;
		my $w = 0; $w += ($_->[1] - $_->[2] > 0 ? $_->[1] - $_->[2] : 0) for @items;
		my ($cum, $prev) = (0, 0);
		for my $it (@items) {
			my ($cid, $amount, $item_ref) = @$it;
			$cum += $amount - $item_ref > 0 ? $amount - $item_ref : 0;
			my $upto = $w > 0 ? floor($u * $cum / $w) : 0;
			my $share = $upto - $prev; $prev = $upto;
			my $c = $course{$cid}{$cur} //= { enrollments => 0, gross => 0, refunded => 0 };
			$c->{gross} += $amount;
			$c->{refunded} += $item_ref + $share;
			$c->{enrollments}++ if $amount == 0 || $item_ref + $share < $amount;
		}
	}
	return { day => \%day, total => \%total, course => \%course, coupon => \%coupon };
}

# What the page's by-day table of currency $cur says: { day => [orders, refunded, net] }.
sub page_days {
	my ($html, $cur) = @_;
	my %d;
	my ($table) = $html =~ m{<table class="by_day" data-currency="$cur">(.*?)</table>}s or return {};
	while ($table =~ m{<tr data-key="([\d-]+)"><th scope="row">[^<]*</th><td class="num">(\d+)</td><td class="num">([^<]*)</td><td class="num net">([^<]*)</td></tr>}g) {
		$d{$1} = [$2, $3, $4];
	}
	return \%d;
}
sub summary_figure {
	my ($html, $cur, $what) = @_;
	my ($sec) = $html =~ m{<table class="counts summary" data-currency="$cur">(.*?)</table>}s or return undef;
	return $sec =~ m{data-figure="$what">([^<]*)<} ? $1 : undef;
}

# Compares the page of days $days with what the orders say.
sub check_page {
	my ($days, $label) = @_;
	my $html = $admin->get("/admin/reports?days=$days")->{content};
	my $first = local_day(local_midnight($days - 1));
	my $e = expected($first);
	for my $cur (sort keys %{$e->{total}}) {
		my $pd = page_days($html, $cur);
		is(scalar(keys %$pd), $days, "$label: the $cur table has a row for each of the $days days");
		my $ok = 1;
		for my $d (sort keys %$pd) {
			my $x = $e->{day}{$d}{$cur} // { orders => 0, gross => 0, refunded => 0 };
			my @want = ($x->{orders}, dollars($x->{refunded}, $cur), dollars($x->{gross} - $x->{refunded}, $cur));
			next if "@{$pd->{$d}}" eq "@want";
			$ok = 0;
			diag "$cur $d: page @{$pd->{$d}}, orders say @want";
		}
		ok($ok, "$label: every $cur day equals the orders paid that New York day, net of refunds");
		my $t = $e->{total}{$cur};
		is(summary_figure($html, $cur, 'orders'), $t->{orders}, "$label: $cur orders paid");
		is(summary_figure($html, $cur, 'gross'), dollars($t->{gross}, $cur), "$label: $cur paid");
		is(summary_figure($html, $cur, 'refunded'), dollars($t->{refunded}, $cur), "$label: $cur refunded");
		is(summary_figure($html, $cur, 'net'), dollars($t->{gross} - $t->{refunded}, $cur), "$label: $cur net");
		my $avg = floor(($t->{gross} - $t->{refunded}) / $t->{orders} + 0.5);
		is(summary_figure($html, $cur, 'average'), dollars($avg, $cur), "$label: $cur average order");
		my $rate = floor($t->{refunded} * 1000 / $t->{gross} + 0.5);
		is(summary_figure($html, $cur, 'refund-rate'), sprintf('%d.%d%%', $rate / 10, $rate % 10), "$label: $cur refund rate");
		is(summary_figure($html, $cur, 'discount'), dollars($t->{discount}, $cur), "$label: $cur coupon discounts");
	}
	my $ok = 1;
	for my $cid (keys %{$e->{course}}) {
		for my $cur (keys %{$e->{course}{$cid}}) {
			my $c = $e->{course}{$cid}{$cur};
			my ($row) = $html =~ m{<tr data-course="$cid" data-currency="$cur">(.*?)</tr>}s;
			my @cells = ($row // '') =~ m{<td[^>]*>([^<]*)</td>}g;
			my @want = (uc $cur, $c->{enrollments}, dollars($c->{gross}, $cur), dollars($c->{refunded}, $cur), dollars($c->{gross} - $c->{refunded}, $cur));
			next if "@cells" eq "@want";
			$ok = 0;
			diag "course $cid $cur: page @cells, orders say @want";
		}
	}
	ok($ok, "$label: revenue and enrollments by course equal the orders' items, refunds shared as stated");
	for my $code (keys %{$e->{coupon}}) {
		for my $cur (keys %{$e->{coupon}{$code}}) {
			my $c = $e->{coupon}{$code}{$cur};
			like($html, qr{<tr data-code="\Q$code\E" data-currency="$cur"><th scope="row">\Q$code\E</th><td>\U$cur\E</td><td class="num">$c->{uses}</td><td class="num">\Q${\ dollars($c->{discount}, $cur)}\E</td></tr>},
			    "$label: coupon $code used $c->{uses} times, " . dollars($c->{discount}, $cur) . " given");
		}
	}
	my ($started, $paid) = (0, 0);
	for my $o ($s->sql(q{SELECT created_at, paid_at IS NOT NULL FROM orders})) {
		next if local_day($o->[0]) lt $first;
		$started++; $paid += $o->[1];
	}
	like($html, qr{id="started">$started<}, "$label: $started checkouts started");
	like($html, qr{id="converted">$paid<}, "$label: $paid of them paid");
	return $html;
}

subtest 'a purchase shows at once, and a refund made in Stripe too' => sub {
	my $html = check_page(30, 'paid');
	my $today = local_day(time);
	is(page_days($html, 'usd')->{$today}[2], '$142.40', "today ($today) holds the purchase");
	my $pi = $s->emu_json('GET', "/v1/checkout/sessions/$cs")->{payment_intent};
	is($s->emu('POST', '/v1/refunds', { payment_intent => $pi, amount => 2000 })->{status}, 200, 'Stripe refunds $20.00 (its dashboard)');
	ok($s->wait_for(sub { $s->sql_one('SELECT refunded_amount FROM orders WHERE id = ?1', $live) == 2000 }), 'charge.refunded reaches the store');
	$html = check_page(30, 'refunded');
	is(page_days($html, 'usd')->{$today}[2], '$122.40', 'today is $20.00 less');
	like($html, qr/shared out over the order's items in proportion/, 'the page says how a refund without items is shared');
};

# ---- orders either side of New York's midnight, by SQL -----------------
my $midnight = local_midnight(1);	# yesterday 00:00 in New York
my ($before, $after) = (local_day($midnight - 30), local_day($midnight + 30));
isnt($before, $after, "$before 23:59:30 and $after 00:00:30 are two New York days");
# Titles a spreadsheet would run, or must keep whole.
$s->sql(q{INSERT INTO courses (slug, title, course_type, price_amount) VALUES ('formula', '=HYPERLINK("http://evil.example","x")', 'self_paced', 5000)});
$s->sql(q{INSERT INTO courses (slug, title, course_type, price_amount) VALUES ('quoted', 'The "Best" <Course>, Part 1', 'self_paced', 7000)});
my ($c_formula, $c_quoted) = ($s->course_id('formula'), $s->course_id('quoted'));
sub sql_order {
	my (%o) = @_;
	my $n = $s->sql_one(q{SELECT count(*) FROM orders}) + 1;
	$s->sql(q{INSERT INTO orders (number, user_id, status, currency, subtotal_amount, discount_amount, total_amount, coupon_code, refunded_amount, paid_at, created_at, updated_at)
	    VALUES (?1, ?2, ?3, ?4, ?5, 0, ?5, NULL, ?6, ?7, ?8, ?8)}, "ORD-T-$n", $uid, $o{status}, $o{currency}, $o{amount}, $o{refunded} // 0,
	    $o{paid}, $o{created});
	my $id = $s->sql_one(q{SELECT id FROM orders WHERE number = ?1}, "ORD-T-$n");
	$s->sql(q{INSERT INTO order_items (order_id, course_id, title, unit_amount) VALUES (?1, ?2, 'x', ?3)}, $id, $o{course}, $o{amount});
	return $id;
}
sql_order(status => 'paid', currency => 'usd', amount => 5000, course => $c_formula, paid => $midnight - 30, created => $midnight - 90);
sql_order(status => 'partially_refunded', currency => 'usd', amount => 7000, refunded => 1500, course => $c_quoted, paid => $midnight + 30, created => $midnight - 30);
sql_order(status => 'paid', currency => 'eur', amount => 3000, course => $c_quoted, paid => $midnight + 3600 * 12, created => $midnight + 3600 * 12 - 60);
# A checkout that was never paid: started, not converted.
$s->sql(q{INSERT INTO orders (number, user_id, status, currency, subtotal_amount, total_amount, created_at, updated_at) VALUES ('ORD-T-P', ?1, 'expired', 'usd', 4900, 4900, ?2, ?2)}, $uid, $midnight + 60);
{
	# enrollctl counts days in the zone it is given, as the programs do.
	local $ENV{ENROLL_TIMEZONE} = $ZONE;
	is($s->enrollctl('report-rebuild'), 0, 'enrollctl report-rebuild sums the days again');
}

subtest 'days split at New York midnight, currencies apart' => sub {
	my $html = check_page(30, '30 days');
	my $d = page_days($html, 'usd');
	is($d->{$before}[2], '$50.00', "$before holds the order paid at 23:59:30");
	is($d->{$after}[2], '$55.00', "$after holds the one paid a minute later, less its \$15.00 refund");
	is($d->{$after}[1], '$15.00', 'and says what was refunded');
	is(page_days($html, 'eur')->{$after}[2], '€30.00', 'euros have their own table');
	unlike(summary_figure($html, 'usd', 'gross'), qr/€/, 'dollars and euros are never added');
	like($html, qr{<title id="chart-day_chart-usd-title">Net revenue by day, last 30 days \(usd\)</title>}, 'each chart has a title');
	like($html, qr{<svg class="chart"[^>]*role="img" aria-labelledby="chart-day_chart-usd-title chart-day_chart-usd-desc"}, 'named for screen readers');
	my ($svg) = $html =~ m{(<svg class="chart"[^>]*id="chart-day_chart-usd">.*?</svg>)}s;
	my $days_with_money = grep { $_->[2] ne '$0.00' } values %$d;
	is(scalar(() = $svg =~ /<rect class="bar"/g), $days_with_money, 'one bar for each day with money');
	like($html, qr/The &quot;Best&quot; &lt;Course&gt;, Part 1/, 'a title is escaped in the page');
	unlike($html, qr/summed in another time zone/, 'the summary was made in the school\'s zone');
	check_page(90, '90 days');
	is($admin->get('/admin/reports?days=7')->{status}, 400, 'a period other than 30 or 90 days is refused');
};

subtest 'every table downloads as CSV, formulas neutralised, quotes doubled' => sub {
	my $r = $admin->get('/admin/reports.csv?table=by_course&days=30');
	is($r->{status}, 200, 'by course as CSV');
	like($r->{headers}{'content-type'}, qr{^text/csv}, 'text/csv');
	like($r->{headers}{'content-disposition'}, qr{attachment; filename="report-by_course-30d\.csv"}, 'a download named after the table');
	my $csv = $r->{content};
	like($csv, qr{^course_id,course,currency,enrollments,gross,refunded,net\r\n}, 'a header row, CRLF');
	like($csv, qr{\r\n$c_formula,"'=HYPERLINK\(""http://evil\.example"",""x""\)",usd,1,50\.00,0\.00,50\.00\r\n}, 'a title starting with = gets an apostrophe, its quotes doubled');
	like($csv, qr{\r\n$c_quoted,"The ""Best"" <Course>, Part 1",usd,1,70\.00,15\.00,55\.00\r\n}, 'a title with quotes and a comma is quoted, quotes doubled');
	$csv = $admin->get('/admin/reports.csv?table=by_day&days=90')->{content};
	my @rows = split /\r\n/, $csv;
	is($rows[0], 'day,currency,orders_paid,gross,refunded,net', 'by day: header');
	is(scalar(grep { /,usd,/ } @rows), 90, 'by day: 90 usd rows');
	ok((grep { $_ eq "$after,usd,1,70.00,15.00,55.00" } @rows), 'by day: the refunded order on its New York day');
	ok((grep { $_ eq "$after,eur,1,30.00,0.00,30.00" } @rows), 'by day: euros on their own row');
	for my $t (qw(summary conversion by_month top_courses coupons)) {
		my $x = $admin->get("/admin/reports.csv?table=$t&days=90");
		is($x->{status}, 200, "$t as CSV");
	}
	like($admin->get('/admin/reports.csv?table=summary&days=30')->{content},
	    qr{\r\nusd,\d+,\d+,[\d.]+,[\d.]+,[\d.]+,[\d.]+,[\d.]+,[\d.]+\r\n}, 'the summary has one row per currency');
	is($admin->get('/admin/reports.csv?table=nope')->{status}, 400, 'an unknown table is refused');
	my $student = $s->student;
	is($student->get('/admin/reports')->{status}, 403, 'a student may not see the reports');
	is($student->get('/admin/reports.csv?table=by_day')->{status}, 403, 'nor download them');
};

subtest 'a summary made in another time zone is named as such' => sub {
	{
		local $ENV{ENROLL_TIMEZONE} = 'UTC';
		is($s->enrollctl('report-rebuild'), 0, 'summed in UTC by mistake');
	}
	like($admin->get('/admin/reports')->{content}, qr/summed in another time zone than America\/New_York/, 'the page says so');
	local $ENV{ENROLL_TIMEZONE} = $ZONE;
	is($s->enrollctl('migrate'), 0, 'enrollctl migrate');
	unlike($admin->get('/admin/reports')->{content}, qr/summed in another time zone/, 'counts the days again in the school\'s zone');
	check_page(30, 'after migrate');
};

done_testing;
