#!/usr/bin/env perl
# The Stripe emulator over real HTTP: keys, validation against the spec,
# idempotency, checkout sessions and the hosted page with each test card,
# events, signed webhook delivery (checked with the stripe npm package),
# refunds, expiry, the fault modes, webhook endpoints made through the API
# (each signing with its own secret), disputes, and a restart on the same
# state file.  Forked receivers record what the emulator delivers; the
# first answers with the statuses the test queues for it.
use strict;
use warnings;
use FindBin;
use File::Temp qw(tempdir);
use HTTP::Tiny;
use IO::Socket::INET;
use JSON::PP;
use POSIX qw(WNOHANG);
use Digest::SHA qw(hmac_sha256_hex);
use Test::More;
use Time::HiRes qw(sleep time);

my $root   = "$FindBin::Bin/..";
my $build  = $ENV{ENROLL_BUILD} // 'build';
$build = "$root/$build" unless $build =~ m{^/};
my $bin    = "$build/bin/stripe-emu";
my $shared = $ENV{ENROLL_SHARED} // "$root/../shared";
my $spec   = "$shared/stripe/spec3-subset.json";
plan skip_all => "no $bin (make BUILD=... first)" unless -x $bin;
plan skip_all => "no $spec" unless -r $spec;

my $KEY    = 'sk_test_emu' . ('x' x 20) . 'abcd';
my $SECRET = 'whsec_emutestsecret0123456789';
my $dir    = tempdir(CLEANUP => 1);
my $db     = "$dir/emu.db";
my $json   = JSON::PP->new->canonical;
my $http   = HTTP::Tiny->new(timeout => 15, max_redirect => 0);

# --- webhook receivers: one request at a time, recorded to files ---------
# Each records into $dir/NAME; the one named rcv answers with the statuses
# queued by answer_with, the others with 200.
my @receivers;

sub start_receiver {
	my ($name) = @_;
	my $sock = IO::Socket::INET->new(LocalAddr => '127.0.0.1',
	    LocalPort => 0, Listen => 16, ReuseAddr => 1) or die "listen: $!";
	my $port = $sock->sockport;
	mkdir "$dir/$name";
	my $pid = fork // die "fork: $!";
	if ($pid == 0) {
		receive($sock, $name);
		POSIX::_exit(0);	# no END blocks: they belong to the test
	}
	close $sock;
	push @receivers, $pid;
	return $port;
}

sub receive {
	my ($sock, $name) = @_;
	my $n = 0;
	while (my $c = $sock->accept) {
		local $/ = "\r\n";
		my ($len, $sig) = (0, '');
		my $line = <$c> // next;
		my ($path) = $line =~ /^\S+ (\S+)/;
		while (defined($line = <$c>)) {
			last if $line eq "\r\n";
			$len = $1 if $line =~ /^Content-Length:\s*(\d+)/i;
			$sig = $1 if $line =~ /^Stripe-Signature:\s*(\S+)/i;
		}
		my $body = '';
		read($c, $body, $len) if $len;
		my $status = $name eq 'rcv' ? next_answer() : 200;
		my $rec = { sig => $sig, body => $body, status => $status,
		    at => time, path => $path };
		open my $f, '>', sprintf("%s/%s/%06d.tmp", $dir, $name, ++$n) or die;
		print $f JSON::PP->new->encode($rec);
		close $f;
		rename sprintf("%s/%s/%06d.tmp", $dir, $name, $n),
		    sprintf("%s/%s/%06d.json", $dir, $name, $n);
		print $c "HTTP/1.1 $status X\r\nContent-Length: 0\r\n"
		    . "Connection: close\r\n\r\n";
		close $c;
	}
}

my $rport = start_receiver('rcv');

# Statuses queued for the receiver, one per request, then 200.
sub next_answer {
	my $file = "$dir/answers";
	local $/ = "\n";
	open my $f, '<', $file or return 200;
	my @a = <$f>;
	close $f;
	my $s = shift @a // 200;
	chomp $s;
	open $f, '>', "$file.tmp" or return $s;
	print $f @a;
	close $f;
	rename "$file.tmp", $file;
	return $s;
}

sub answer_with { open my $f, '>', "$dir/answers" or die; print $f map {"$_\n"} @_; close $f }

# What receiver NAME (default rcv, the command line's endpoint) got.
sub received {
	my ($name) = @_;
	$name //= 'rcv';
	opendir my $d, "$dir/$name" or return ();
	my @f = sort grep { /\.json$/ } readdir $d;
	return map {
		open my $fh, '<', "$dir/$name/$_" or die;
		local $/;
		my $r = JSON::PP->new->decode(<$fh>);
		$r->{event} = eval { JSON::PP->new->decode($r->{body}) } // {};
		$r;
	} @f;
}

# --- the emulator --------------------------------------------------------
my $HOOK = "http://127.0.0.1:$rport/payment/webhook";
my ($emu, $base);

# Starts the emulator on the state file $db with the command line's
# endpoint signing with $secret; sets $emu and $base.
sub start_emu {
	my ($secret) = @_;
	unlink "$dir/port";
	$emu = fork // die "fork: $!";
	if ($emu == 0) {
		open STDERR, '>>', "$dir/emu.log" or die;
		exec $bin, '--listen', '127.0.0.1:0', '--port-file', "$dir/port",
		    '--db', $db, '--spec', $spec, '--api-key', $KEY,
		    '--webhook-url', $HOOK, '--webhook-secret', $secret;
		die "exec: $!";
	}
	my $port;
	for (1 .. 200) {
		last if -s "$dir/port" && (($port) = do { local @ARGV = "$dir/port"; <> } =~ /(\d+)/);
		sleep 0.05;
	}
	BAIL_OUT("emulator did not start: " . slurp("$dir/emu.log")) unless $port;
	$base = "http://127.0.0.1:$port";
}
start_emu($SECRET);

END {
	local $?;
	if ($emu) { kill 'TERM', $emu; waitpid $emu, 0 }
	for my $r (@receivers) { kill 'TERM', $r; waitpid $r, 0 }
}

sub slurp { open my $f, '<', shift or return ''; local $/; <$f> }

# api(METHOD, PATH, [pairs], key => ..., idem => ...) -> (status, json, res)
sub api {
	my ($method, $path, $params, %o) = @_;
	my $form = $params ? $http->www_form_urlencode($params) : '';
	my %h = (exists $o{key} ? (defined $o{key} ? (Authorization => "Bearer $o{key}") : ())
	    : (Authorization => "Bearer $KEY"), 'Stripe-Version' => '2023-08-16');
	$h{'Idempotency-Key'} = $o{idem} if $o{idem};
	my $url = "$base$path";
	my %req = (headers => \%h);
	if ($method eq 'GET') {
		$url .= "?$form" if $form ne '';
	} else {
		$h{'Content-Type'} = 'application/x-www-form-urlencoded';
		$req{content} = $form;
	}
	my $res = $http->request($method, $url, \%req);
	my $j = eval { $json->decode($res->{content}) };
	return ($res->{status}, $j, $res);
}

sub ctl {
	my ($method, $path, $params) = @_;
	my $res = $params
	    ? $http->post_form("$base/_emu/$path", $params)
	    : $http->request($method, "$base/_emu/$path");
	return ($res->{status}, eval { $json->decode($res->{content}) }, $res);
}

sub sql {
	my $q = shift;
	my $out = `sqlite3 '$db' "$q"`;
	chomp $out;
	return $out;
}

sub wait_for {
	my ($cond, $secs) = @_;
	my $end = time + ($secs // 5);
	while (time < $end) {
		my $v = $cond->();
		return $v if $v;
		sleep 0.05;
	}
	return $cond->();
}

sub events_of_type {
	my ($type) = @_;
	my (undef, $l) = api(GET => '/v1/events', [type => $type, limit => 100]);
	return @{ $l->{data} // [] };
}

sub delivered_ids { map { $_->{event}{id} // () } received() }

my @lines = (
	'line_items[0][price_data][currency]'                    => 'usd',
	'line_items[0][price_data][unit_amount]'                 => 4900,
	'line_items[0][price_data][product_data][name]'          => 'Intro to <C> & "Unix"',
	'line_items[0][quantity]'                                => 1,
	'line_items[1][price_data][currency]'                    => 'usd',
	'line_items[1][price_data][unit_amount]'                 => 1500,
	'line_items[1][price_data][product_data][name]'          => 'Workbook',
	'line_items[1][quantity]'                                => 2,
);

sub new_session {
	my (@extra) = @_;
	my ($st, $s) = api(POST => '/v1/checkout/sessions', [mode => 'payment',
	    @lines, success_url => 'http://shop.test/ok?cs={CHECKOUT_SESSION_ID}',
	    cancel_url => 'http://shop.test/cart', expires_at => int(time) + 3600,
	    'metadata[order_id]' => 7, @extra]);
	is($st, 200, 'checkout session created') or diag explain $s;
	return $s;
}

# --- keys, routes, validation -------------------------------------------
{
	my ($st, $j, $r) = api(GET => '/v1/customers/cus_x', undef, key => undef);
	is($st, 401, 'no key: 401');
	is($j->{error}{type}, 'invalid_request_error', 'no key: Stripe error type');
	like($j->{error}{message}, qr/You did not provide an API key/, 'no key: message');
	($st, $j) = api(GET => '/v1/customers/cus_x', undef, key => 'sk_test_wrongkey1234');
	is($st, 401, 'wrong key: 401');
	like($j->{error}{message}, qr/^Invalid API Key provided: sk_test_\*+1234$/,
	    'wrong key: masked like Stripe');
	($st, $j) = api(GET => '/v1/nothing');
	is($st, 404, 'unknown path: 404');
	like($j->{error}{message}, qr/Unrecognized request URL \(GET: \/v1\/nothing\)/,
	    'unknown path: Stripe message');
	($st, $j) = api(GET => '/v1/customers/cus_missing');
	is($st, 404, 'missing object: 404');
	is($j->{error}{code}, 'resource_missing', 'missing object: resource_missing');
}

{
	my ($st, $j) = api(POST => '/v1/checkout/sessions', [mode => 'payment',
	    @lines, 'line_items[0][foo]' => 1, success_url => 'http://x/ok']);
	is($st, 400, 'unknown nested parameter: 400');
	is($j->{error}{code}, 'parameter_unknown', 'unknown: code');
	is($j->{error}{param}, 'line_items[0][foo]', 'unknown: param as sent');
	is($j->{error}{message}, 'Received unknown parameter: line_items[0][foo]',
	    'unknown: message');
	($st, $j) = api(POST => '/v1/customers', [emial => 'x@y.z']);
	is($j->{error}{param}, 'emial', 'unknown top-level parameter');
	($st, $j) = api(POST => '/v1/checkout/sessions', [mode => 'payment',
	    @lines, 'line_items[1][quantity]' => 'two', success_url => 'http://x/ok']);
	is($st, 400, 'non-integer quantity: 400');
	is($j->{error}{code}, 'parameter_invalid_integer', 'wrong type: code');
	is($j->{error}{param}, 'line_items[1][quantity]', 'wrong type: param');
	($st, $j) = api(POST => '/v1/checkout/sessions', [mode => 'paymnt', @lines,
	    success_url => 'http://x/ok']);
	like($j->{error}{message}, qr/^Invalid mode: must be one of payment, setup, or subscription/,
	    'enum checked from the spec');
	($st, $j) = api(POST => '/v1/checkout/sessions', [mode => 'payment', @lines]);
	is($j->{error}{code}, 'parameter_missing', 'required success_url');
	is($j->{error}{param}, 'success_url', 'required: param');
	($st, $j) = api(POST => '/v1/checkout/sessions', [mode => 'payment',
	    'line_items[0][price_data][unit_amount]' => 100,
	    'line_items[0][quantity]' => 1, success_url => 'http://x/ok']);
	is($j->{error}{param}, 'line_items[0][price_data][currency]',
	    'nested required parameter');
	($st, $j) = api(POST => '/v1/customers', [name => 'x' x 257]);
	is($st, 400, 'maxLength from the spec');
	($st, $j) = api(POST => '/v1/refunds', [payment_intent => 'pi_x', metadata => '']);
	is($j->{error}{code}, 'resource_missing', 'anyOf: empty string unsets metadata');
	($st, $j) = api(POST => '/v1/customers', [metadata => 'x']);
	is($st, 400, 'object parameter given a string: 400');
	($st, $j) = api(GET => '/v1/events', ['created[gte]' => 'soon']);
	is($j->{error}{code}, 'parameter_invalid_integer', 'GET query validated too');
	($st, $j) = api(POST => '/v1/checkout/sessions', [mode => 'payment', @lines,
	    success_url => 'http://x/ok', expires_at => int(time) + 600]);
	like($j->{error}{message}, qr/at least 30 minutes/, 'expires_at under 30 min refused');
	($st, $j) = api(POST => '/v1/checkout/sessions', [mode => 'payment', @lines,
	    success_url => 'http://x/ok', expires_at => int(time) + 25 * 3600]);
	like($j->{error}{message}, qr/less than 24 hours/, 'expires_at over 24 h refused');
	my $res = $http->request(POST => "$base/v1/customers", { headers => {
	    Authorization => "Bearer $KEY",
	    'Content-Type' => 'application/x-www-form-urlencoded' },
	    content => 'email=%zz&x' });
	is($res->{status}, 400, 'malformed form: 400');
	$res = $http->request(POST => "$base/v1/customers", { headers => {
	    Authorization => "Bearer $KEY" }, content => 'a=' . ('x' x 300_000) });
	is($res->{status}, 413, 'body over the limit: 413');
	($st) = api(GET => '/v1/events', [limit => 5]);
	is($st, 200, 'still serving after malformed input');
}

# --- idempotency ----------------------------------------------------------
{
	my @p = (email => 'idem@example.com', name => 'Idem');
	my ($s1, $a, $r1) = api(POST => '/v1/customers', \@p, idem => 'key-1');
	my ($s2, $b, $r2) = api(POST => '/v1/customers', \@p, idem => 'key-1');
	is($s2, 200, 'replay: 200');
	is($b->{id}, $a->{id}, 'replay returns the same object');
	is($r2->{content}, $r1->{content}, 'replay body is byte for byte the first');
	is($r2->{headers}{'idempotent-replayed'}, 'true', 'Idempotent-Replayed: true');
	is(sql("SELECT count(*) FROM customers WHERE email = 'idem\@example.com'"), 1,
	    'one customer row');
	my ($s3, $c) = api(POST => '/v1/customers', [email => 'other@example.com'],
	    idem => 'key-1');
	is($s3, 400, 'same key, other parameters: 400');
	is($c->{error}{type}, 'idempotency_error', 'idempotency_error');
	like($c->{error}{message}, qr/^Keys for idempotent requests can only be used with the same parameters they were first used with/,
	    'Stripe message');
	my ($s4, $d) = api(POST => '/v1/coupons', [amount_off => 100, currency => 'usd'],
	    idem => 'key-1');
	is($d->{error}{type}, 'idempotency_error', 'same key on another endpoint');
	my ($s5) = api(POST => '/v1/customers', [foo => 1], idem => 'key-v');
	my ($s6, $e) = api(POST => '/v1/customers', [email => 'v@example.com'],
	    idem => 'key-v');
	is("$s5 $s6", '400 200', 'a validation error is not saved under the key');
}

# --- checkout, the hosted page, payments ------------------------------------
my ($paid_cs, $paid_pi);
{
	my ($st, $co) = api(POST => '/v1/coupons', [amount_off => 900, currency => 'usd',
	    duration => 'once', name => 'Launch']);
	is($st, 200, 'coupon created');
	my $s = new_session('discounts[0][coupon]' => $co->{id});
	is($s->{object}, 'checkout.session', 'object');
	like($s->{id}, qr/^cs_test_\w+$/, 'id like Stripe');
	is($s->{amount_subtotal}, 4900 + 2 * 1500, 'amount_subtotal from line items');
	is($s->{amount_total}, 4900 + 2 * 1500 - 900, 'amount_total less the coupon');
	is($s->{total_details}{amount_discount}, 900, 'total_details.amount_discount');
	is($s->{status}, 'open', 'open');
	is($s->{payment_status}, 'unpaid', 'unpaid');
	is($s->{url}, "$base/c/pay/$s->{id}", 'url is the hosted page');
	my ($ls, $li) = api(GET => "/v1/checkout/sessions/$s->{id}/line_items");
	is(scalar @{ $li->{data} }, 2, 'two line items');
	is($li->{data}[1]{amount_subtotal}, 3000, 'line amount');
	is($li->{data}[0]{amount_discount} + $li->{data}[1]{amount_discount}, 900,
	    'discount shared over the lines');

	my $page = $http->get($s->{url});
	is($page->{status}, 200, 'page served');
	like($page->{content}, qr/Intro to &lt;C&gt; &amp; &quot;Unix&quot;/, 'line name, escaped');
	like($page->{content}, qr/Workbook<\/td><td class="n">2<\/td><td class="n">30\.00 USD/,
	    'quantity and amount');
	like($page->{content}, qr/id="discount">\x{e2}\x{88}\x{92}9\.00 USD/, 'discount shown');
	like($page->{content}, qr/id="total">70\.00 USD/, 'total shown');
	like($page->{content}, qr/name="card"/, 'card field');

	my $r = $http->post_form("$s->{url}", [card => '4000 0000 0000 0002']);
	is($r->{status}, 200, 'declined card: page again');
	like($r->{content}, qr/Your card was declined\./, 'page shows the decline');
	$r = $http->post_form("$s->{url}", [card => '1234']);
	like($r->{content}, qr/card number is incorrect/, 'not a card number');

	$r = $http->post_form("$s->{url}", [card => '4242 4242 4242 4242',
	    email => 'student@example.com']);
	is($r->{status}, 303, 'paid: 303');
	is($r->{headers}{location}, "http://shop.test/ok?cs=$s->{id}",
	    'redirect to success_url with the session id');
	my (undef, $g) = api(GET => "/v1/checkout/sessions/$s->{id}");
	is($g->{status}, 'complete', 'session complete');
	is($g->{payment_status}, 'paid', 'session paid');
	is($g->{customer_details}{email}, 'student@example.com', 'customer_details.email');
	like($g->{payment_intent}, qr/^pi_/, 'payment_intent set');
	my (undef, $pi) = api(GET => "/v1/payment_intents/$g->{payment_intent}");
	is($pi->{status}, 'succeeded', 'payment intent succeeded');
	is($pi->{amount}, 7000, 'payment intent amount');
	like($pi->{latest_charge}, qr/^ch_/, 'latest_charge');
	is($pi->{metadata}{order_id}, undef, 'session metadata is not the intent\'s');
	(undef, $co) = api(GET => "/v1/coupons/$co->{id}");
	is($co->{times_redeemed}, 1, 'coupon redeemed once');
	my ($cl) = events_of_type('checkout.session.completed');
	is($cl->{data}{object}{id}, $s->{id}, 'checkout.session.completed listed');
	is($cl->{data}{object}{payment_status}, 'paid', 'with payment_status paid');
	is($cl->{api_version}, '2023-08-16', 'api_version');
	is($cl->{object}, 'event', 'event object');
	ok(scalar(grep { $_->{data}{object}{id} eq $pi->{id} }
	    events_of_type('payment_intent.succeeded')), 'payment_intent.succeeded listed');
	ok(scalar(events_of_type('charge.succeeded')), 'charge.succeeded listed');
	my ($pf) = events_of_type('payment_intent.payment_failed');
	is($pf->{data}{object}{last_payment_error}{decline_code}, 'generic_decline',
	    'the decline made payment_intent.payment_failed');
	$page = $http->get($s->{url});
	like($page->{content}, qr/complete/, 'paid page says complete');
	unlike($page->{content}, qr/name="card"/, 'and takes no payment');
	my ($ps) = ctl(POST => "pay/$s->{id}", [card => '4242424242424242']);
	is($ps, 409, 'paying again is refused');
	my (undef, $list) = api(GET => '/v1/checkout/sessions',
	    [payment_intent => $pi->{id}]);
	is(scalar @{ $list->{data} }, 1, 'list filtered by payment_intent');
	is($list->{object}, 'list', 'list object');
	($paid_cs, $paid_pi) = ($s->{id}, $pi->{id});
}

{
	my $s = new_session();
	my ($st, $j, $r) = ctl(POST => "pay/$s->{id}", [card => '4000000000009995']);
	is($st, 402, 'insufficient funds: 402');
	like($r->{headers}{'emu-outcome'}, qr/decline_code=insufficient_funds/,
	    'Emu-Outcome has the decline code');
	is($j->{status}, 'open', 'session stays open');
	my (undef, $pi) = api(GET => "/v1/payment_intents/$j->{payment_intent}");
	is($pi->{last_payment_error}{decline_code}, 'insufficient_funds',
	    'last_payment_error.decline_code');
	is($pi->{last_payment_error}{code}, 'card_declined', 'code card_declined');
	is($pi->{status}, 'requires_payment_method', 'intent waits for a new card');
	($st, $j) = ctl(POST => "pay/$s->{id}", [card => '4242424242424242']);
	is($j->{payment_status}, 'paid', 'a second card pays');
}

{
	my $s = new_session();
	my $r = $http->post_form($s->{url}, [card => '4000 0027 6000 3184']);
	is($r->{status}, 200, '3184: extra step');
	like($r->{content}, qr/Complete authentication/, 'authentication page');
	my (undef, $g) = api(GET => "/v1/checkout/sessions/$s->{id}");
	is($g->{status}, 'open', 'still open while authenticating');
	my (undef, $pi) = api(GET => "/v1/payment_intents/$g->{payment_intent}");
	is($pi->{status}, 'requires_action', 'intent requires_action');
	$r = $http->post_form("$s->{url}/authenticate", [result => 'complete']);
	is($r->{status}, 303, 'Complete pays and redirects');
	(undef, $g) = api(GET => "/v1/checkout/sessions/$s->{id}");
	is($g->{payment_status}, 'paid', 'paid after authentication');

	$s = new_session();
	$http->post_form($s->{url}, [card => '4000002760003184']);
	$r = $http->post_form("$s->{url}/authenticate", [result => 'fail']);
	like($r->{content}, qr/unable to authenticate/, 'Fail shows the error');
	(undef, $g) = api(GET => "/v1/checkout/sessions/$s->{id}");
	is($g->{status}, 'open', 'failed authentication leaves it open');
	ok(scalar(grep { $_->{data}{object}{id} eq $g->{payment_intent} &&
	    $_->{data}{object}{last_payment_error}{code} eq
	    'payment_intent_authentication_failure' }
	    events_of_type('payment_intent.payment_failed')),
	    'payment_intent.payment_failed for the failed authentication');
}

# --- expiry -----------------------------------------------------------------
{
	my $s = new_session();
	my $r = $http->post_form("$s->{url}/cancel", []);
	is($r->{status}, 303, 'Cancel: 303');
	is($r->{headers}{location}, 'http://shop.test/cart', 'to cancel_url');
	my ($st, $x) = api(POST => "/v1/checkout/sessions/$s->{id}/expire");
	is($st, 200, 'expire');
	is($x->{status}, 'expired', 'status expired');
	is($x->{url}, undef, 'no url once expired');
	ok(scalar(grep { $_->{data}{object}{id} eq $s->{id} }
	    events_of_type('checkout.session.expired')), 'checkout.session.expired');
	($st, $x) = api(POST => "/v1/checkout/sessions/$s->{id}/expire");
	is($st, 400, 'expiring twice is refused');
	my $page = $http->get($s->{url});
	like($page->{content}, qr/has expired/, 'page says expired');
	unlike($page->{content}, qr/name="card"/, 'no card field');
	($st) = ctl(POST => "pay/$s->{id}", [card => '4242424242424242']);
	is($st, 409, 'an expired session cannot be paid');
	is(sql("SELECT status FROM checkout_sessions WHERE id = '$s->{id}'"), 'expired',
	    'stored expired');
}

# --- refunds ----------------------------------------------------------------
{
	my ($st, $re) = api(POST => '/v1/refunds', [payment_intent => $paid_pi,
	    amount => 2000, reason => 'requested_by_customer']);
	is($st, 200, 'partial refund');
	like($re->{id}, qr/^re_/, 'refund id');
	is($re->{amount}, 2000, 'refund amount');
	is($re->{status}, 'succeeded', 'refund succeeded');
	my ($ev) = events_of_type('charge.refunded');
	is($ev->{data}{object}{amount_refunded}, 2000, 'charge.refunded amount_refunded');
	ok(!$ev->{data}{object}{refunded}, 'not refunded in full');
	($st, my $e) = api(POST => '/v1/refunds', [payment_intent => $paid_pi,
	    amount => 6000]);
	is($st, 400, 'over-refund refused');
	is($e->{error}{code}, 'amount_too_large', 'amount_too_large');
	($st, $re) = api(POST => '/v1/refunds', [payment_intent => $paid_pi]);
	is($re->{amount}, 5000, 'the rest is refunded');
	($ev) = events_of_type('charge.refunded');
	is($ev->{data}{object}{amount_refunded}, 7000, 'charge.refunded: all of it');
	ok($ev->{data}{object}{refunded}, 'refunded true');
	is($ev->{data}{previous_attributes}{amount_refunded}, 2000, 'previous_attributes');
	is(scalar(events_of_type('refund.created')), 2, 'refund.created twice');
	($st, $e) = api(POST => '/v1/refunds', [payment_intent => $paid_pi, amount => 1]);
	is($e->{error}{code}, 'charge_already_refunded', 'nothing left to refund');
	(undef, $re) = api(GET => "/v1/refunds/$re->{id}");
	is($re->{amount}, 5000, 'refund retrieved');
}

# --- events and delivery ----------------------------------------------------
{
	my (undef, $l) = api(GET => '/v1/events', [limit => 3]);
	is(scalar @{ $l->{data} }, 3, 'limit');
	ok($l->{has_more}, 'has_more');
	my @all = @{ (api(GET => '/v1/events', [limit => 100]))[1]{data} };
	ok($all[0]{created} >= $all[-1]{created}, 'newest first');
	my (undef, $p2) = api(GET => '/v1/events', [limit => 2,
	    starting_after => $l->{data}[2]{id}]);
	is($p2->{data}[0]{id}, $all[3]{id}, 'starting_after pages on');
	(undef, $l) = api(GET => '/v1/events', ['created[gt]' => int(time) + 1000]);
	is(scalar @{ $l->{data} }, 0, 'created[gt] filters');
	(undef, $l) = api(GET => '/v1/events', [type => 'checkout.session.*', limit => 100]);
	ok(!grep({ $_->{type} !~ /^checkout\.session\./ } @{ $l->{data} }),
	    'type wildcard');

	ctl(POST => 'deliver-pending', []);
	my @rcv = received();
	my %got = map { $_->{event}{id} => 1 } @rcv;
	ok(!grep({ !$got{$_->{id}} } @all), 'every event was delivered')
	    or diag explain [map { $_->{id} } grep { !$got{$_->{id}} } @all];
	my ($done) = grep { $_->{event}{type} eq 'checkout.session.completed' } @rcv;
	ok($done, 'checkout.session.completed delivered');
	like($done->{sig}, qr/^t=\d+,v1=[0-9a-f]{64}$/, 'Stripe-Signature shape');
	my (undef, $one) = api(GET => "/v1/events/$done->{event}{id}");
	is($one->{pending_webhooks}, 0, 'pending_webhooks 0 once delivered');
	SKIP: {
		skip 'node or the stripe npm package is missing', 3
		    unless -d "$root/t/node_modules/stripe" && `node -v 2>/dev/null`;
		my @check = (@rcv, { sig => $done->{sig}, body => $done->{body} . ' ' });
		open my $f, '>', "$dir/verify.json" or die;
		print $f $json->encode([map { { sig => $_->{sig}, body => $_->{body} } } @check]);
		close $f;
		my $out = `node '$root/t/js/emu-verify.js' '$SECRET' '$dir/verify.json'`;
		my $res = eval { $json->decode($out) } // [];
		my $tampered = pop @$res;
		is(scalar(grep { /^evt_/ } @$res), scalar @rcv,
		    'stripe.webhooks.constructEvent accepts every delivery')
		    or diag $out;
		ok((grep { $_ eq $done->{event}{id} } @$res), 'including checkout.session.completed');
		like($tampered // '', qr/^error/, 'and refuses a changed body');
	}
}

# --- faults -----------------------------------------------------------------
{
	my ($st, $f) = ctl(POST => 'faults', [api_status => 500, api_count => 1]);
	is($st, 200, 'fault set');
	my @p = (email => 'retry@example.com');
	my ($s1, $e1, $r1) = api(POST => '/v1/customers', \@p, idem => 'retry-1');
	is($s1, 500, 'injected 500');
	is($e1->{error}{type}, 'api_error', 'api_error');
	my ($s2, $c) = api(POST => '/v1/customers', \@p, idem => 'retry-1');
	is($s2, 200, 'the retry with the same key succeeds: a 500 is not saved');
	is(sql("SELECT count(*) FROM customers WHERE email = 'retry\@example.com'"), 1,
	    'one customer');
	my (undef, $reqs) = ctl(GET => 'requests');
	my @mine = grep { ($_->{idempotency_key} // '') eq 'retry-1' } @$reqs;
	is(join(',', map { $_->{status} } @mine), '500,200', '/_emu/requests logs both');
	is($mine[0]{body}, 'email=retry%40example.com', 'with the raw body');
	is($mine[0]{stripe_version}, '2023-08-16', 'and Stripe-Version');
	ctl(POST => 'faults', [api_status => 429, api_count => 2]);
	my ($s3, $e3) = api(GET => '/v1/events');
	is($s3, 429, 'injected 429');
	is($e3->{error}{type}, 'rate_limit_error', 'rate_limit_error');
	ctl(POST => 'reset-faults', []);
	($s3) = api(GET => '/v1/events');
	is($s3, 200, 'reset-faults');
	ctl(POST => 'faults', [api_hang_ms => 400]);
	my $t0 = time;
	($s3) = api(GET => '/v1/events', [limit => 1]);
	ok(time - $t0 >= 0.35, 'api_hang_ms delays the answer');
}

sub customer_event {
	my ($email) = @_;
	my (undef, $c) = api(POST => '/v1/customers', [email => $email]);
	my ($ev) = grep { $_->{data}{object}{id} eq $c->{id} }
	    events_of_type('customer.created');
	return $ev->{id};
}

{
	ctl(POST => 'faults', [delivery => 'drop']);
	my $id = customer_event('drop@example.com');
	ctl(POST => 'deliver-pending', []);
	sleep 0.3;
	ok(!grep({ $_ eq $id } delivered_ids()), 'drop: never delivered');
	is(sql("SELECT state FROM deliveries WHERE event_id = '$id'"), 'dropped',
	    'drop: recorded as dropped');

	ctl(POST => 'faults', [delivery => 'duplicate']);
	$id = customer_event('dup@example.com');
	ok(wait_for(sub { 2 == grep { $_ eq $id } delivered_ids() }),
	    'duplicate: the same event id delivered twice');

	ctl(POST => 'faults', [delivery => 'reorder', delivery_delay_ms => 5000]);
	my @ids = map { customer_event("r$_\@example.com") } 1 .. 3;
	sleep 0.3;
	ok(!grep({ my $i = $_; grep { $_ eq $i } @ids } delivered_ids()),
	    'reorder: held');
	ctl(POST => 'deliver-pending', []);
	my @order = grep { my $i = $_; grep { $_ eq $i } @ids } delivered_ids();
	is_deeply(\@order, [reverse @ids], 'reorder: delivered newest first');

	ctl(POST => 'faults', [delivery => 'delay', delivery_delay_ms => 600]);
	my $t0 = time;
	$id = customer_event('delay@example.com');
	ok(wait_for(sub { grep { $_ eq $id } delivered_ids() }, 5), 'delay: delivered');
	my ($rec) = grep { ($_->{event}{id} // '') eq $id } received();
	ok($rec->{at} - $t0 >= 0.5, 'delay: after the delay');

	ctl(POST => 'reset-faults', []);
	ctl(POST => 'deliver-pending', []);
	answer_with(500, 500);
	$id = customer_event('retry-hook@example.com');
	ok(wait_for(sub { grep { $_->{event}{id} eq $id && $_->{status} == 200 }
	    received() }, 8), 'retried until the endpoint answers 200');
	is(join(',', map { $_->{status} } grep { ($_->{event}{id} // '') eq $id }
	    received()), '500,500,200', 'two failures, then success');
	my @at = map { $_->{at} } grep { ($_->{event}{id} // '') eq $id } received();
	ok($at[2] - $at[1] > $at[1] - $at[0], 'with growing backoff');
	is(sql("SELECT attempts || ' ' || state FROM deliveries WHERE event_id = '$id'"),
	    '3 delivered', 'attempts recorded');
	is(sql("SELECT count(*) FROM delivery_attempts WHERE event_id = '$id'"), 3,
	    'each attempt recorded');
}

# --- webhook endpoints made through the API -------------------------------
# What a store on a shared account relies on: each endpoint gets each event
# it takes once, signed with its own secret.

# 1 when one of rec's v1 signatures is HMAC-SHA256 of "t.body" with secret.
sub signed_with {
	my ($rec, $secret) = @_;
	my ($t) = ($rec->{sig} // '') =~ /(?:^|,)t=(\d+)/ or return 0;
	my $want = hmac_sha256_hex("$t.$rec->{body}", $secret);
	return scalar grep { $_ eq $want } $rec->{sig} =~ /(?:^|,)v1=([0-9a-f]{64})/g;
}

sub newest_event_id {
	my (undef, $l) = api(GET => '/v1/events', [limit => 1]);
	return $l->{data}[0]{id};
}

# Ids of the events made after event $mark, oldest first.
sub events_since {
	my ($mark) = @_;
	my (undef, $l) = api(GET => '/v1/events', [ending_before => $mark, limit => 100]);
	return reverse map { $_->{id} } @{ $l->{data} // [] };
}

sub new_endpoint {
	my ($url, @p) = @_;
	my ($st, $we) = api(POST => '/v1/webhook_endpoints', [url => $url, @p]);
	is($st, 200, "endpoint for $url created") or diag explain $we;
	return $we;
}

sub endpoint_by_url {
	my ($url) = @_;
	my (undef, $l) = api(GET => '/v1/webhook_endpoints', [limit => 100]);
	my ($we) = grep { $_->{url} eq $url } @{ $l->{data} // [] };
	return $we;
}

sub paid_session {
	my ($card, @extra) = @_;
	my $s = new_session(@extra);
	my ($st, $j) = ctl(POST => "pay/$s->{id}", [card => $card]);
	is($st, 200, "paid with $card") or diag explain $j;
	return $j;
}

my (%we, %secret, %rport);
{
	$rport{$_} = start_receiver($_) for qw(a b c x);
	my $mark = newest_event_id();
	my $wa = new_endpoint("http://127.0.0.1:$rport{a}/hook",
	    'enabled_events[]' => '*', description => 'store A',
	    'metadata[install]' => 'inst-a', api_version => '2023-08-16');
	like($wa->{id}, qr/^we_\w+$/, 'endpoint id we_...');
	is($wa->{object}, 'webhook_endpoint', 'object webhook_endpoint');
	like($wa->{secret}, qr/^whsec_\w{24,}$/, 'create answers the secret');
	is($wa->{status}, 'enabled', 'status enabled');
	is_deeply($wa->{enabled_events}, ['*'], 'enabled_events');
	is($wa->{description}, 'store A', 'description');
	is($wa->{metadata}{install}, 'inst-a', 'metadata');
	is($wa->{api_version}, '2023-08-16', 'api_version');
	ok(!$wa->{livemode}, 'livemode false');
	my (undef, $g) = api(GET => "/v1/webhook_endpoints/$wa->{id}");
	is($g->{url}, $wa->{url}, 'endpoint retrieved');
	ok(!exists $g->{secret}, 'retrieve does not answer the secret');
	my $wb = new_endpoint("http://127.0.0.1:$rport{b}/hook",
	    'enabled_events[0]' => '*');
	isnt($wb->{secret}, $wa->{secret}, 'each endpoint has its own secret');
	my $wc = new_endpoint("http://127.0.0.1:$rport{c}/hook",
	    'enabled_events[]' => 'checkout.session.completed');
	%we = (a => $wa, b => $wb, c => $wc);
	%secret = map { $_ => $we{$_}{secret} } keys %we;

	my (undef, $l) = api(GET => '/v1/webhook_endpoints', [limit => 2]);
	is($l->{object}, 'list', 'endpoints listed');
	is(scalar @{ $l->{data} }, 2, 'list limit');
	ok($l->{has_more}, 'list has_more');
	is($l->{data}[0]{id}, $wc->{id}, 'newest first');
	ok(!grep({ exists $_->{secret} } @{ $l->{data} }), 'list answers no secret');
	(undef, $l) = api(GET => '/v1/webhook_endpoints',
	    [starting_after => $l->{data}[1]{id}, limit => 10]);
	is_deeply([map { $_->{url} } @{ $l->{data} }], [$wa->{url}, $HOOK],
	    'starting_after pages on to the command line\'s endpoint');

	customer_event('endpoints@example.com');
	my $paid = paid_session('4242 4242 4242 4242');
	my ($st, $d) = ctl(POST => 'deliver-pending', []);
	is($d->{due}, 0, 'every delivery attempted');
	my @want = events_since($mark);
	ok(@want >= 5, 'a customer and a payment made events') or diag explain \@want;
	for my $n (qw(a b)) {
		my @got = received($n);
		is_deeply([sort map { $_->{event}{id} } @got], [sort @want],
		    "endpoint $n got every event once");
		is(scalar(grep { signed_with($_, $secret{$n}) } @got), scalar @got,
		    "endpoint $n: each signed with its own secret");
		ok(!grep({ signed_with($_, $n eq 'a' ? $secret{b} : $secret{a}) } @got),
		    "endpoint $n: none signed with the other's secret");
		ok(!grep({ signed_with($_, $SECRET) } @got),
		    "endpoint $n: none signed with the command line's secret");
	}
	my %main = map { $_->{event}{id} => 1 } received();
	ok(!grep({ !$main{$_} } @want), 'the command line\'s endpoint still gets every event');
	my @cgot = received('c');
	my @completed = grep { $_->{type} eq 'checkout.session.completed' }
	    map { (api(GET => "/v1/events/$_"))[1] } @want;
	is(scalar @completed, 1, 'one checkout.session.completed');
	is_deeply([map { $_->{event}{id} } @cgot], [map { $_->{id} } @completed],
	    'enabled_events [checkout.session.completed]: only those');
	ok(signed_with($cgot[0], $secret{c}), 'signed with its secret');
	is($cgot[0]{event}{pending_webhooks}, 4,
	    'pending_webhooks counts the endpoints that take the event');
	my ($cust) = grep { $_->{event}{type} eq 'customer.created' } received('a');
	is($cust->{event}{pending_webhooks}, 3, 'customer.created: three endpoints take it');
	my (undef, $ev) = api(GET => "/v1/events/$completed[0]{id}");
	is($ev->{pending_webhooks}, 0, 'pending_webhooks 0 once all delivered');
	my (undef, $dl) = ctl(GET => 'deliveries');
	my @mine = grep { $_->{event_id} eq $completed[0]{id} } @$dl;
	is_deeply([sort map { $_->{endpoint_id} } @mine],
	    [sort map { $_->{id} } $wa, $wb, $wc, endpoint_by_url($HOOK)],
	    '/_emu/deliveries: one delivery per endpoint');
	my ($to_c) = grep { $_->{endpoint_id} eq $wc->{id} } @mine;
	is($to_c->{url}, $wc->{url}, '/_emu/deliveries shows the url');
	is($to_c->{state}, 'delivered', 'and the state');
}

{
	my ($st, $e) = api(POST => '/v1/webhook_endpoints', [url => 'http://x.test/h',
	    'enabled_events[]' => '*', secret => 'whsec_mine']);
	is($st, 400, 'unknown parameter on endpoint create: 400');
	is($e->{error}{type}, 'invalid_request_error', 'Stripe error type');
	is($e->{error}{code}, 'parameter_unknown', 'parameter_unknown');
	is($e->{error}{param}, 'secret', 'param as sent');
	is($e->{error}{message}, 'Received unknown parameter: secret', 'Stripe message');
	($st, $e) = api(POST => '/v1/webhook_endpoints', [url => 'http://x.test/h']);
	is($e->{error}{code}, 'parameter_missing', 'enabled_events is required');
	is($e->{error}{param}, 'enabled_events', 'missing: param');
	($st, $e) = api(POST => '/v1/webhook_endpoints', [url => 'http://x.test/h',
	    'enabled_events[]' => 'charge.nonsense']);
	like($e->{error}{message}, qr/^Invalid enabled_events\[\]: must be one of \*, /,
	    'event types checked against the spec');
	($st, $e) = api(POST => '/v1/webhook_endpoints', [url => 'not a url',
	    'enabled_events[]' => '*']);
	is($e->{error}{code}, 'url_invalid', 'url checked');
	($st, $e) = api(POST => "/v1/webhook_endpoints/$we{a}{id}", [api_version => '2023-08-16']);
	is($e->{error}{code}, 'parameter_unknown', 'api_version cannot be updated');
	($st, $e) = api(GET => '/v1/webhook_endpoints/we_missing');
	is($st, 404, 'unknown endpoint: 404');
	is($e->{error}{code}, 'resource_missing', 'resource_missing');
	($st, $e) = api(POST => "/v1/webhook_endpoints/$we{c}{id}",
	    ['enabled_events[]' => 'checkout.session.completed',
	    'enabled_events[]' => 'charge.dispute.created', description => 'C',
	    'metadata[k]' => 'v']);
	is_deeply($e->{enabled_events}, ['checkout.session.completed',
	    'charge.dispute.created'], 'update replaces enabled_events');
	is($e->{description}, 'C', 'update sets the description');
	ok(!exists $e->{secret}, 'update answers no secret');
	(undef, $e) = api(POST => "/v1/webhook_endpoints/$we{c}{id}", [description => '']);
	is($e->{description}, undef, 'an empty description unsets it');
	is($e->{metadata}{k}, 'v', 'metadata kept');
}

{
	my $x = "http://127.0.0.1:$rport{x}";
	my $d = new_endpoint("$x/disabled", 'enabled_events[]' => '*');
	my $e = new_endpoint("$x/deleted", 'enabled_events[]' => '*');
	ctl(POST => 'faults', [delivery => 'reorder', delivery_delay_ms => 5000]);
	my $mark = newest_event_id();
	my $held = customer_event('held@example.com');
	my ($st, $u) = api(POST => "/v1/webhook_endpoints/$d->{id}", [disabled => 'true']);
	is($u->{status}, 'disabled', 'endpoint disabled');
	my ($ds, $del) = api(DELETE => "/v1/webhook_endpoints/$e->{id}");
	is($ds, 200, 'endpoint deleted');
	is_deeply($del, { id => $e->{id}, object => 'webhook_endpoint', deleted => JSON::PP::true },
	    'delete answers the deleted object');
	($ds, $del) = api(GET => "/v1/webhook_endpoints/$e->{id}");
	is($ds, 404, 'a deleted endpoint is gone');
	($ds, $del) = api(DELETE => "/v1/webhook_endpoints/$e->{id}");
	is($ds, 404, 'deleting twice: 404');
	ctl(POST => 'reset-faults', []);
	my $after = customer_event('after@example.com');
	ctl(POST => 'deliver-pending', []);
	sleep 0.2;
	is(scalar(received('x')), 0, 'a disabled or deleted endpoint receives nothing')
	    or diag explain [received('x')];
	my (undef, $dl) = ctl(GET => 'deliveries');
	is(join(',', sort map { $_->{state} } grep { $_->{event_id} eq $held &&
	    ($_->{endpoint_id} eq $d->{id} || $_->{endpoint_id} eq $e->{id}) } @$dl),
	    'canceled,canceled', 'what was held for them is canceled');
	ok(!grep({ $_->{event_id} eq $after && $_->{endpoint_id} eq $d->{id} } @$dl),
	    'nothing is queued for a disabled endpoint');
	my %got = map { $_->{event}{id} => 1 } received('a');
	ok($got{$held} && $got{$after}, 'while an enabled endpoint gets both');
	(undef, $u) = api(POST => "/v1/webhook_endpoints/$d->{id}", [disabled => 'false']);
	is($u->{status}, 'enabled', 'endpoint enabled again');
	(undef, $u) = api(POST => "/v1/webhook_endpoints/$d->{id}", [disabled => 'true']);
}

# --- list calls for reconciliation, and planted discrepancies -------------
# Pages every object of a list call; dies on a repeat (a broken cursor).
sub list_all {
	my ($path, @filter) = @_;
	my (@all, %seen, $after);
	for (my $page = 0; $page < 100; $page++) {
		my ($st, $l) = api(GET => $path, [@filter, limit => 2,
		    ($after ? (starting_after => $after) : ())]);
		die "$path: $st" unless $st == 200;
		for (@{ $l->{data} }) { die "repeat $_->{id}" if $seen{$_->{id}}++ }
		push @all, @{ $l->{data} };
		return @all unless $l->{has_more};
		$after = $l->{data}[-1]{id};
	}
	die "$path: more than 100 pages";
}

sub deliveries_of {
	my ($object_id) = @_;
	return split /\n/, sql("SELECT d.state FROM deliveries d JOIN events e"
	    . " ON e.id = d.event_id WHERE e.object_id = '$object_id'");
}

{
	my @paid = map { paid_session('4242424242424242') } 1 .. 3;
	my %pis = map { $_->{payment_intent} => 1 } @paid;
	my ($st, $l) = api(GET => '/v1/charges', [limit => 2]);
	is($st, 200, 'GET /v1/charges');
	is($l->{object}, 'list', 'charges: a list object');
	is($l->{url}, '/v1/charges', 'charges: its url');
	is(scalar @{ $l->{data} }, 2, 'charges: limit 2');
	ok($l->{has_more}, 'charges: has_more');
	is($l->{data}[0]{payment_intent}, $paid[2]{payment_intent}, 'charges: newest first');
	my @all = list_all('/v1/charges');
	is(scalar @all, sql('SELECT count(*) FROM charges'),
	    'charges: starting_after pages through every charge once');
	is(scalar(grep { $pis{$_->{payment_intent}} } @all), 3, 'charges: the three new ones among them');
	my $c0 = (grep { $_->{payment_intent} eq $paid[0]{payment_intent} } @all)[0];
	my @in = list_all('/v1/charges', 'created[gte]' => $c0->{created},
	    'created[lt]' => $c0->{created} + 1);
	ok((grep { $_->{id} eq $c0->{id} } @in), 'created[gte]/[lt]: the charge of that second');
	is(scalar(grep { $_->{created} != $c0->{created} } @in), 0,
	    'created[gte]/[lt]: nothing of another second');
	is(scalar(list_all('/v1/charges', 'created[lt]' => $c0->{created})),
	    sql("SELECT count(*) FROM charges WHERE json_extract(json, '\$.created') < $c0->{created}"),
	    'created[lt] alone: the older ones');
	my @by_pi = list_all('/v1/charges', payment_intent => $c0->{payment_intent});
	is_deeply([map { $_->{id} } @by_pi], [$c0->{id}], 'charges: by payment_intent');
	my @pis = list_all('/v1/payment_intents', 'created[gte]' => $c0->{created});
	ok((grep { $_->{id} eq $c0->{payment_intent} } @pis), 'GET /v1/payment_intents with created[gte]');

	($st, my $e) = api(GET => '/v1/charges', ['created[since]' => 1]);
	is($st, 400, 'a created filter the spec does not have: 400');
	is($e->{error}{type}, 'invalid_request_error', 'Stripe\'s error type');
	is($e->{error}{code}, 'parameter_unknown', 'parameter_unknown');
	is($e->{error}{param}, 'created[since]', 'naming the parameter');
	($st, $e) = api(GET => '/v1/checkout/sessions', ['created[gte]' => 1]);
	is($e->{error}{code}, 'parameter_unknown',
	    'sessions have no created filter in 2023-08-16: refused');
	($st, $e) = api(GET => '/v1/refunds', ['created[gte]' => 'soon']);
	is($st, 400, 'created[gte] not an integer: 400');
	is($e->{error}{param}, 'created[gte]', 'naming it') or diag explain $e;
	($st, $e) = api(GET => '/v1/charges', [limit => 101]);
	is($e->{error}{param}, 'limit', 'limit over 100 refused');
	($st, $e) = api(GET => '/v1/refunds', [starting_after => 're_nope']);
	is($st, 404, 'an unknown cursor: 404');
	is($e->{error}{code}, 'resource_missing', 'resource_missing');

	# A refund made in Stripe's dashboard: listed, never delivered.
	my $pi = $paid[1]{payment_intent};
	my ($rs, $re) = ctl(POST => "refund/$pi", [amount => 500]);
	is($rs, 200, '/_emu/refund') or diag explain $re;
	is($re->{object}, 'refund', 'answers the refund');
	is($re->{amount}, 500, 'of the amount asked');
	my @refunds = list_all('/v1/refunds', payment_intent => $pi);
	is_deeply([map { $_->{id} } @refunds], [$re->{id}], 'GET /v1/refunds lists it');
	my ($ch) = list_all('/v1/charges', payment_intent => $pi);
	is($ch->{amount_refunded}, 500, 'the charge says so');
	my @states = deliveries_of($re->{id});
	ok(@states && !grep({ $_ ne 'dropped' } @states),
	    'its refund.created goes to no endpoint') or diag explain \@states;
	($rs) = ctl(POST => "refund/$pi", [amount => 999999]);
	is($rs, 400, '/_emu/refund of more than is left: 400');
	($rs) = ctl(POST => 'refund/pi_nope', []);
	is($rs, 404, '/_emu/refund of nothing paid: 404');
	($rs, $re) = ctl(POST => "refund/$pi", []);
	is($re->{amount}, $ch->{amount} - 500, '/_emu/refund without an amount: all that is left');
	($rs) = ctl(POST => "refund/$pi", []);
	is($rs, 409, '/_emu/refund of a fully refunded charge: 409');

	# A payment whose webhooks were all lost.
	my $s = new_session();
	my ($ps, $paid) = ctl(POST => "pay/$s->{id}", [card => '4242424242424242', silent => 1]);
	is($paid->{status}, 'complete', 'pay silent=1: paid');
	@states = deliveries_of($s->{id});
	ok(@states && !grep({ $_ ne 'dropped' } @states),
	    'pay silent=1: checkout.session.completed goes to no endpoint');
	ok((grep { $_->{payment_intent} eq $paid->{payment_intent} } list_all('/v1/charges',
	    'created[gte]' => $paid->{created})), 'pay silent=1: the charge is listed');

	# A payment whose amount changed.
	my ($as, $am) = ctl(POST => "amount/$paid[2]{id}", [amount => 1234]);
	is($as, 200, '/_emu/amount') or diag explain $am;
	is($am->{amount_total}, 1234, 'the session\'s amount_total');
	($ch) = list_all('/v1/charges', payment_intent => $paid[2]{payment_intent});
	is($ch->{amount}, 1234, 'the charge\'s amount');
	($as) = ctl(POST => "amount/$paid[2]{id}", [amount => 'x']);
	is($as, 400, '/_emu/amount without a number: 400');
}

# --- disputes ---------------------------------------------------------------
{
	my $mark = newest_event_id();
	my $s = paid_session('4000 0000 0000 0259');
	is($s->{status}, 'complete', '0259: session complete');
	is($s->{payment_status}, 'paid', '0259: paid');
	my (undef, $g) = api(GET => "/v1/checkout/sessions/$s->{id}",
	    ['expand[]' => 'payment_intent.latest_charge']);
	my $pi = $g->{payment_intent};
	is($pi->{status}, 'succeeded', '0259: payment intent succeeded');
	my $ch = $pi->{latest_charge};
	is($ch->{status}, 'succeeded', '0259: charge succeeded');
	ok($ch->{disputed}, '0259: the charge is disputed');
	my @types = map { (api(GET => "/v1/events/$_"))[1]{type} } events_since($mark);
	is_deeply(\@types, ['payment_intent.created', 'charge.succeeded',
	    'payment_intent.succeeded', 'checkout.session.completed',
	    'charge.dispute.created'], '0259: the payment\'s events, then the dispute\'s');
	my ($ev) = grep { $_->{data}{object}{charge} eq $ch->{id} }
	    events_of_type('charge.dispute.created');
	my $dp = $ev->{data}{object};
	like($dp->{id}, qr/^dp_\w+$/, 'dispute id dp_...');
	is($dp->{object}, 'dispute', 'object dispute');
	is($dp->{amount}, $ch->{amount}, 'dispute amount = charge amount');
	is($dp->{currency}, 'usd', 'currency');
	is($dp->{payment_intent}, $pi->{id}, 'payment_intent');
	is($dp->{reason}, 'fraudulent', 'reason fraudulent');
	is($dp->{status}, 'needs_response', 'status needs_response');
	ok(!$dp->{livemode}, 'livemode false');
	ok($dp->{created} > 0 && $dp->{evidence_details}{due_by} > $dp->{created},
	    'created and evidence due_by');
	is(sql("SELECT status FROM disputes WHERE charge = '$ch->{id}'"), 'needs_response',
	    'dispute stored');
	ctl(POST => 'deliver-pending', []);
	ok((grep { $_->{event}{id} eq $ev->{id} } received('a')),
	    'charge.dispute.created delivered');
	my ($st, $e) = api(POST => '/v1/refunds', [payment_intent => $pi->{id}]);
	is($e->{error}{code}, 'charge_disputed', 'a disputed charge is not refunded');

	my $later = paid_session('4242424242424242');
	(undef, $g) = api(GET => "/v1/payment_intents/$later->{payment_intent}");
	my ($ds, $d1) = ctl(POST => "dispute/$later->{payment_intent}", []);
	is($ds, 200, '/_emu/dispute on a paid intent');
	is($d1->{object}, 'dispute', 'answers the dispute');
	is($d1->{charge}, $g->{latest_charge}, 'of its latest charge');
	is($d1->{status}, 'needs_response', 'needs_response');
	my (undef, $dev) = api(GET => '/v1/events', [type => 'charge.dispute.created', limit => 1]);
	is($dev->{data}[0]{data}{object}{id}, $d1->{id}, 'with charge.dispute.created');
	($ds) = ctl(POST => "dispute/$g->{latest_charge}", []);
	is($ds, 409, 'a second dispute of the charge is refused');
	($ds) = ctl(POST => 'dispute/ch_missing', []);
	is($ds, 404, 'unknown charge: 404');
	($ds) = ctl(POST => "dispute/pi_missing", []);
	is($ds, 404, 'unknown intent: 404');
}

# --- what the store reads back -----------------------------------------------
{
	my $s = paid_session('4242424242424242', 'payment_intent_data[metadata][order_id]' => 7,
	    'payment_intent_data[metadata][install]' => 'inst-a');
	is($s->{metadata}{order_id}, 7, 'session metadata on the session');
	my ($st, $g) = api(GET => "/v1/checkout/sessions/$s->{id}",
	    ['expand[]' => 'payment_intent.latest_charge']);
	is($st, 200, 'retrieve with expand[]=payment_intent.latest_charge');
	my $pi = $g->{payment_intent};
	is(ref $pi, 'HASH', 'payment_intent expanded');
	is($pi->{object}, 'payment_intent', 'into a payment intent');
	is($pi->{metadata}{order_id}, 7, 'payment_intent_data[metadata] on the intent');
	is($pi->{metadata}{install}, 'inst-a', 'every key of it');
	my $ch = $pi->{latest_charge};
	is(ref $ch, 'HASH', 'latest_charge expanded');
	is($ch->{object}, 'charge', 'into a charge');
	is($ch->{amount}, $s->{amount_total}, 'charge amount');
	is($ch->{amount_refunded}, 0, 'amount_refunded 0');
	ok(JSON::PP::is_bool($ch->{refunded}) && !$ch->{refunded}, 'refunded false');
	ok(JSON::PP::is_bool($ch->{disputed}) && !$ch->{disputed}, 'disputed false');
	my (undef, $l) = api(GET => '/v1/checkout/sessions', [payment_intent => $pi->{id}]);
	is_deeply([map { $_->{id} } @{ $l->{data} }], [$s->{id}],
	    'list by payment_intent finds the session');
	(undef, $l) = api(GET => '/v1/checkout/sessions', [payment_intent => $pi->{id},
	    'expand[]' => 'data.payment_intent.latest_charge']);
	is($l->{data}[0]{payment_intent}{latest_charge}{id}, $ch->{id},
	    'and expands data.payment_intent.latest_charge');
	(undef, $l) = api(GET => '/v1/checkout/sessions', [payment_intent => 'pi_none']);
	is(scalar @{ $l->{data} }, 0, 'and nothing for an unknown intent');

	my ($rs, $re) = api(POST => '/v1/refunds', [payment_intent => $pi->{id},
	    amount => 1000, 'metadata[order_id]' => 7]);
	is($re->{metadata}{order_id}, 7, 'refund metadata answered');
	(undef, $re) = api(GET => "/v1/refunds/$re->{id}");
	is($re->{metadata}{order_id}, 7, 'refund metadata stored');
	(undef, $g) = api(GET => "/v1/checkout/sessions/$s->{id}",
	    ['expand[]' => 'payment_intent.latest_charge']);
	$ch = $g->{payment_intent}{latest_charge};
	is($ch->{amount_refunded}, 1000, 'a refund shows in amount_refunded');
	ok(!$ch->{refunded}, 'not refunded in full yet');
	api(POST => '/v1/refunds', [payment_intent => $pi->{id}]);
	(undef, $g) = api(GET => "/v1/checkout/sessions/$s->{id}",
	    ['expand[]' => 'payment_intent.latest_charge']);
	$ch = $g->{payment_intent}{latest_charge};
	is($ch->{amount_refunded}, $s->{amount_total}, 'the rest refunded');
	ok($ch->{refunded}, 'refunded true');

	my $open = new_session();
	($st, $g) = api(GET => "/v1/checkout/sessions/$open->{id}",
	    ['expand[]' => 'payment_intent.latest_charge']);
	is($st, 200, 'expand on an unpaid session');
	is($g->{payment_intent}, undef, 'payment_intent stays null');

	my ($cs, $cu) = api(POST => '/v1/customers', [email => 'meta@example.com',
	    'metadata[install]' => 'inst-a', 'metadata[user_id]' => 12]);
	is_deeply($cu->{metadata}, { install => 'inst-a', user_id => 12 },
	    'customer metadata answered');
	(undef, $cu) = api(GET => "/v1/customers/$cu->{id}");
	is($cu->{metadata}{install}, 'inst-a', 'customer metadata stored');
	my ($cos, $co) = api(POST => '/v1/coupons', [amount_off => 500, currency => 'usd',
	    duration => 'once', 'metadata[install]' => 'inst-a']);
	is($co->{metadata}{install}, 'inst-a', 'coupon metadata answered');
	(undef, $co) = api(GET => "/v1/coupons/$co->{id}");
	is($co->{metadata}{install}, 'inst-a', 'coupon metadata stored');
}

# --- deleting a customer, as a store does when a person deletes an account
{
	my (undef, $cu) = api(POST => '/v1/customers', [email => 'leaving@example.com',
	    name => 'Leaving Soon', 'metadata[install]' => 'inst-a']);
	my ($st, $del) = api(DELETE => "/v1/customers/$cu->{id}");
	is($st, 200, 'DELETE /v1/customers/{id} answers 200');
	is_deeply($del, { id => $cu->{id}, object => 'customer', deleted => JSON::PP::true() },
	    'with Stripe\'s deleted object');
	my $g;
	($st, $g) = api(GET => "/v1/customers/$cu->{id}");
	is($st, 200, 'a deleted customer can still be retrieved');
	ok($g->{deleted} && !exists $g->{email}, 'as the deleted stub, without the person');
	is(sql("SELECT count(*) FROM customers WHERE email = 'leaving\@example.com'"), 0,
	    'the emulator keeps no email of it');
	my ($ev) = grep { $_->{data}{object}{id} eq $cu->{id} } events_of_type('customer.deleted');
	ok($ev, 'customer.deleted is emitted');
	($st, $g) = api(DELETE => "/v1/customers/$cu->{id}");
	is($st, 404, 'a second DELETE is a 404');
	is($g->{error}{code}, 'resource_missing', 'resource_missing');
	($st, $g) = api(POST => "/v1/customers/$cu->{id}", [name => 'Back']);
	is($st, 404, 'and a deleted customer cannot be updated');
	($st, $g) = api(DELETE => '/v1/customers/cus_never_was');
	is($st, 404, 'an unknown customer is a 404 too');
	($st, $g) = api(DELETE => "/v1/customers/$cu->{id}", [name => 'x']);
	is($st, 400, 'DELETE takes no parameters the spec does not list');
}

# --- the clock: expires_at passes ------------------------------------------
{
	my $s = new_session(expires_at => int(time) + 31 * 60);
	my ($st) = ctl(POST => 'advance-clock', [seconds => 32 * 60]);
	is($st, 200, 'clock advanced');
	my (undef, $g) = api(GET => "/v1/checkout/sessions/$s->{id}");
	is($g->{status}, 'expired', 'expired when expires_at passed');
	ok(scalar(grep { $_->{data}{object}{id} eq $s->{id} }
	    events_of_type('checkout.session.expired')), 'with checkout.session.expired');
}

# --- a restart on the same state file, as make run does -------------------
sub stop_emu {
	my ($name) = @_;
	kill 'TERM', $emu;
	waitpid $emu, 0;
	is($?, 0, $name) or diag slurp("$dir/emu.log");
	$emu = 0;
}

{
	my $ROTATED = 'whsec_emutestsecret_rotated';
	my $main = endpoint_by_url($HOOK);
	my ($st, $u) = api(POST => "/v1/webhook_endpoints/$main->{id}",
	    [disabled => 'true', 'enabled_events[]' => 'coupon.created']);
	is($u->{status}, 'disabled', 'the command line\'s endpoint disabled through the API');
	stop_emu('SIGTERM: the emulator exits cleanly (no sanitizer report)');
	start_emu($ROTATED);
	my (undef, $l) = api(GET => '/v1/webhook_endpoints', [limit => 100]);
	my @mains = grep { $_->{url} eq $HOOK } @{ $l->{data} };
	is(scalar @mains, 1, 'restart: still one endpoint for --webhook-url');
	is($mains[0]{id}, $main->{id}, 'restart: the same endpoint');
	is($mains[0]{status}, 'enabled', 'restart: enabled again');
	is_deeply($mains[0]{enabled_events}, ['*'], 'restart: for every event');
	is(scalar @{ $l->{data} }, 5, 'restart: the API\'s endpoints kept, the deleted one gone');
	my $id = customer_event('restart@example.com');
	ctl(POST => 'deliver-pending', []);
	my ($rec) = grep { ($_->{event}{id} // '') eq $id } received();
	ok($rec && signed_with($rec, $ROTATED), 'restart: signed with the new secret');
	ok($rec && !signed_with($rec, $SECRET), 'restart: not with the old one');
	($rec) = grep { ($_->{event}{id} // '') eq $id } received('a');
	ok($rec && signed_with($rec, $secret{a}),
	    'restart: an endpoint made through the API keeps its secret');
	stop_emu('SIGTERM after the restart: exits cleanly');
}
unlike(slurp("$dir/emu.log"), qr/(AddressSanitizer|LeakSanitizer|runtime error)/,
    'no sanitizer report in the log');

done_testing();
