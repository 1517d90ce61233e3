#!/usr/bin/env perl
# lib/stripe against the local Stripe emulator, through the stripe-call
# tool: every call the store makes works; a create retried after a 500 or
# after a hang past the client's timeout makes exactly one object (same
# Idempotency-Key on every attempt); a reused key with another body is
# ERR_CONFLICT with Stripe's idempotency_error; an unknown parameter is
# parameter_unknown; the bytes sent equal what stripe-node sends.
use strict;
use warnings;
use File::Temp qw(tempdir);
use HTTP::Tiny;
use JSON::PP;
use POSIX qw(WNOHANG);
use Test::More;

my $build = $ENV{ENROLL_BUILD} // 'build';
my $emu = "$build/bin/stripe-emu";
my $call = "$build/t/tools/stripe-call";
my $spec = '../shared/stripe/spec3-subset.json';
our $key = 'sk_test_x';

for my $f ($emu, $call) {
	BAIL_OUT("$f is not built") unless -x $f;
}

my $json = JSON::PP->new->canonical;
my $http = HTTP::Tiny->new(timeout => 10);
my $dir = tempdir(CLEANUP => 1);
my ($pid, $base) = start_emu();

END {
	if ($pid) {
		kill 'TERM', $pid;
		waitpid($pid, 0);
	}
}

sub start_emu {
	my $port_file = "$dir/port";
	my $p = fork() // die "fork: $!";
	if ($p == 0) {
		open(STDOUT, '>', "$dir/emu.log") or die;
		open(STDERR, '>&', \*STDOUT) or die;
		exec($emu, '--listen', '127.0.0.1:0', '--port-file', $port_file,
		    '--db', "$dir/emu.db", '--spec', $spec, '--api-key', $key)
		    or die "exec $emu: $!";
	}
	for (1 .. 100) {
		if (-s $port_file) {
			open(my $fh, '<', $port_file) or die;
			my $port = <$fh>;
			chomp $port;
			return ($p, "http://127.0.0.1:$port") if $port =~ /^\d+$/;
		}
		if (waitpid($p, WNOHANG) == $p) {
			$pid = 0;
			BAIL_OUT("stripe-emu exited: " . slurp("$dir/emu.log"));
		}
		select(undef, undef, undef, 0.1);
	}
	BAIL_OUT('stripe-emu wrote no port file in 10 s');
}

sub slurp {
	open(my $fh, '<', shift) or return '';
	local $/;
	return <$fh>;
}

# Runs stripe-call; returns its decoded JSON line (with {rc} added).
sub stripe {
	my ($opts, $cmd, %args) = @_;
	my @argv = ($call, '-B', '5', @$opts, $base, $key, $cmd,
	    map { my $k = $_; ref $args{$k} ?
	    (map { "$k=$_" } @{$args{$k}}) : ("$k=$args{$k}") } sort keys %args);
	# Its log lines (retries, the 401) go to a file, shown on failure.
	my $kid = open(my $fh, '-|') // die "fork: $!";
	if ($kid == 0) {
		open(STDERR, '>>', "$dir/call.log") or die;
		exec(@argv) or die "exec $call: $!";
	}
	my $out = do { local $/; <$fh> };
	close($fh);
	my $rc = $? >> 8;
	my $r = eval { $json->decode($out) } // { ok => JSON::PP::false,
	    err => "no JSON: $out" };
	$r->{rc} = $rc;
	return $r;
}

sub control {
	my ($method, $path, $form) = @_;
	my $res = $method eq 'GET' ? $http->get("$base/_emu/$path")
	    : $http->post_form("$base/_emu/$path", $form // {});
	die "/_emu/$path: $res->{status} $res->{content}"
	    unless $res->{success};
	return $json->decode($res->{content});
}

sub last_seq {
	my $all = control('GET', 'requests');
	return @$all ? $all->[-1]{seq} : 0;
}

sub requests_since {
	my ($seq) = @_;
	return grep { $_->{path} =~ m{^/v1/} }
	    @{control('GET', "requests?since=$seq")};
}

# stripe-node's encoding of the parameters in the JSON text src (text, not
# a Perl hash, so that the order of the keys is the one written).
sub stripe_node_form {
	my ($src) = @_;
	open(my $fh, '-|', 'node', 't/js/stripe-form.js', $src)
	    or die "node: $!";
	my $out = do { local $/; <$fh> };
	close($fh);
	chomp $out;
	return $out;
}

my $ok = sub { my ($r, $name) = @_;
	ok($r->{ok}, $name) or diag(explain($r)); return $r->{result} };

# ---- every call works ----------------------------------------------------

my $seq0 = last_seq();
my $cus = $ok->(stripe([], 'create-customer', idem => 'enroll-customer-7',
    email => 'ann+test@example.com', name => "Ann O'Neil", user_id => 7),
    'create-customer');
like($cus->{id}, qr/^cus_/, 'customer id');
is($cus->{user_id}, 7, 'metadata[user_id] round-trips');
my $got = $ok->(stripe([], 'get-customer', id => $cus->{id}), 'get-customer');
is($got->{email}, 'ann+test@example.com', 'retrieved email');

my $coupon = $ok->(stripe([], 'create-coupon', idem => 'enroll-coupon-42-1',
    amount_off => 1500, currency => 'eur', name => 'Order 42 discount',
    order_id => 42), 'create-coupon');
is_deeply([@$coupon{qw(amount_off currency duration max_redemptions)}],
    [1500, 'eur', 'once', 1], 'coupon is a one-off of the exact amount');

my @items = ('Intro to C:4900:eur:1', 'Team seat: SQL & you:2500:eur:3');
my $success = 'https://shop.test/payment/checkout/success?session_id={CHECKOUT_SESSION_ID}';
my $cancel = 'https://shop.test/payment/checkout/cancel';
my $expires = time() + 3600;
my $cs = $ok->(stripe([], 'create-session', idem => 'enroll-checkout-42-1',
    customer => $cus->{id}, ref => 42, order_id => 42, item => \@items,
    coupon => $coupon->{id}, expires_at => $expires,
    success_url => $success, cancel_url => $cancel, pmt => ['card']),
    'create-session');
like($cs->{id}, qr/^cs_/, 'session id');
is($cs->{status}, 'open', 'session is open');
ok($cs->{url}, 'session has a hosted page url');
is($cs->{order_id}, 42, 'metadata[order_id] round-trips');
is($cs->{client_reference_id}, '42', 'client_reference_id round-trips');
is($cs->{customer}, $cus->{id}, 'customer reused');
is($cs->{amount_subtotal}, 4900 + 3 * 2500, 'amount_subtotal');
is($cs->{amount_total}, 4900 + 3 * 2500 - 1500, 'amount_total less coupon');
is($cs->{expires_at}, $expires, 'expires_at');

# The bytes sent are stripe-node's bytes for the same parameters.
my ($create) = grep { $_->{method} eq 'POST' &&
    $_->{path} eq '/v1/checkout/sessions' } requests_since($seq0);
my $params = <<'EOT';
{"mode": "payment", "customer": "%s", "client_reference_id": "42",
 "metadata": {"order_id": "42"},
 "payment_intent_data": {"metadata": {"order_id": "42"}},
 "line_items": [
  {"price_data": {"currency": "eur", "unit_amount": 4900,
    "product_data": {"name": "Intro to C"}}, "quantity": 1},
  {"price_data": {"currency": "eur", "unit_amount": 2500,
    "product_data": {"name": "Team seat: SQL & you"}}, "quantity": 3}],
 "discounts": [{"coupon": "%s"}], "expires_at": %d,
 "success_url": %s, "cancel_url": %s, "payment_method_types": ["card"]}
EOT
my $node = stripe_node_form(sprintf($params, $cus->{id}, $coupon->{id},
    $expires, $json->encode($success), $json->encode($cancel)));
is($create->{body}, $node, 'checkout body is byte for byte stripe-node\'s');
is($create->{idempotency_key}, 'enroll-checkout-42-1', 'Idempotency-Key sent');
my @versions = map { $_->{stripe_version} // 'none' } requests_since($seq0);
is_deeply([grep { $_ ne '2023-08-16' } @versions], [],
    'every call pins Stripe-Version 2023-08-16');
my @get_keys = map { $_->{idempotency_key} // '' }
    grep { $_->{method} eq 'GET' } requests_since($seq0);
is_deeply([grep { $_ ne '' } @get_keys], [], 'no Idempotency-Key on GET');

$got = $ok->(stripe([], 'get-session', id => $cs->{id}), 'get-session');
is($got->{status}, 'open', 'retrieved session is open');
my $list = $ok->(stripe([], 'list-sessions', customer => $cus->{id}),
    'list-sessions by customer');
is_deeply([map { $_->{id} } @{$list->{data}}], [$cs->{id}],
    'the customer has exactly that session');

# Pay it without a browser, then everything that needs a payment.
control('POST', "pay/$cs->{id}", { card => '4242424242424242' });
$got = $ok->(stripe([], 'get-session', id => $cs->{id}), 'get-session paid');
is_deeply([@$got{qw(status payment_status)}], ['complete', 'paid'],
    'session is complete and paid');
like($got->{payment_intent}, qr/^pi_/, 'paid session has a payment intent');
$list = $ok->(stripe([], 'list-sessions',
    payment_intent => $got->{payment_intent}), 'list-sessions by payment_intent');
is_deeply([map { $_->{id} } @{$list->{data}}], [$cs->{id}],
    'the payment intent belongs to that session');
my $refund = $ok->(stripe([], 'create-refund', idem => 'enroll-refund-42-1',
    payment_intent => $got->{payment_intent}, amount => 500,
    reason => 'requested_by_customer', order_id => 42), 'create-refund');
like($refund->{id}, qr/^re_/, 'refund id');
is($refund->{amount}, 500, 'partial refund amount');
like($refund->{status}, qr/^(succeeded|pending)$/, 'refund status');
my $events = $ok->(stripe([], 'list-events', created_gt => 0,
    type => ['checkout.session.completed']), 'list-events by type');
is_deeply([map { $_->{object}{id} } @{$events->{data}}], [$cs->{id}],
    'one checkout.session.completed, for our session');
my $page = $ok->(stripe([], 'list-events', limit => 1), 'list-events page 1');
is(scalar @{$page->{data}}, 1, 'limit=1 gives one event');
ok($page->{has_more}, 'has_more on a first page');
my $next = $ok->(stripe([], 'list-events', limit => 1,
    starting_after => $page->{data}[0]{id}), 'list-events page 2');
isnt($next->{data}[0]{id}, $page->{data}[0]{id}, 'starting_after pages on');

# The list calls of reconciliation: charges and refunds, by payment
# intent or time, one page or every page through starting_after.
my $charges = $ok->(stripe([], 'list-charges', payment_intent => $got->{payment_intent}),
    'list-charges by payment_intent');
is(scalar @{$charges->{data}}, 1, 'one charge for that payment');
my $charge = $charges->{data}[0];
is_deeply([@$charge{qw(status amount amount_refunded currency order_id)}],
    ['succeeded', 4900 + 3 * 2500 - 1500, 500, 'eur', 42],
    'the charge: amount, what is refunded, and our order in its metadata');
my $refunds = $ok->(stripe([], 'list-refunds', payment_intent => $got->{payment_intent}),
    'list-refunds by payment_intent');
is_deeply([map { [$_->{id}, $_->{amount}, $_->{charge}] } @{$refunds->{data}}],
    [[$refund->{id}, 500, $charge->{id}]], 'its one refund');
for my $n (1 .. 2) {
	my $more = $ok->(stripe([], 'create-session', idem => "enroll-checkout-list-$n",
	    order_id => 60 + $n, item => ['Intro to C:4900:eur:1'], success_url => $success),
	    "create-session $n to list");
	control('POST', "pay/$more->{id}", { card => '4242424242424242' });
}
my $all = $ok->(stripe([], 'list-charges', all => 1, limit => 1), 'list-charges, every page of one');
is(scalar @{$all->{data}}, 3, 'three charges, one page each');
ok(!$all->{has_more}, 'to the end');
my %ids = map { $_->{id} => 1 } @{$all->{data}};
is(scalar keys %ids, 3, 'none twice');
is_deeply([map { $_->{order_id} } @{$all->{data}}], [62, 61, 42], 'newest first');
my $cut = $ok->(stripe([], 'list-charges', all => 1, limit => 1, max_pages => 2),
    'list-charges, at most two pages');
is(scalar @{$cut->{data}}, 2, 'two charges');
ok($cut->{has_more}, 'and says the list was cut short');
my $t = $all->{data}[2]{created};
my $none = $ok->(stripe([], 'list-charges', all => 1, created_gte => $t + 86400 * 365),
    'list-charges created[gte] a year ahead');
is(scalar @{$none->{data}}, 0, 'nothing');
my $since = $ok->(stripe([], 'list-charges', all => 1, created_gte => $t, created_lt => $t + 86400),
    'list-charges created[gte]..[lt]');
is(scalar @{$since->{data}}, 3, 'the day\'s three');
my ($lseq) = last_seq();
stripe([], 'list-charges', created_gte => 5, created_lt => 9, payment_intent => 'pi_x', limit => 3,
    starting_after => 'ch_y');
my ($lreq) = requests_since($lseq);
is("$lreq->{path}?$lreq->{query}",
    '/v1/charges?created[gte]=5&created[lt]=9&limit=3&payment_intent=pi_x&starting_after=ch_y',
    'the list request, byte for byte');
my $bad = stripe([], 'list-refunds', limit => 101);
is($bad->{err}, 'ERR_INVALID', 'limit 101 refused before sending');

my $cs2 = $ok->(stripe([], 'create-session', idem => 'enroll-checkout-43-1',
    order_id => 43, item => ['Intro to C:4900:eur:1'],
    success_url => $success), 'create-session minimal');
my $exp = $ok->(stripe([], 'expire-session', idem => 'enroll-expire-43-1',
    id => $cs2->{id}), 'expire-session');
is($exp->{status}, 'expired', 'session expired');
ok(!defined $exp->{url}, 'expired session has no url');

# ---- retries make one object ----------------------------------------------

sub customer_creates {
	my ($seq, $idem) = @_;
	return grep { $_->{method} eq 'POST' && $_->{path} eq '/v1/customers' &&
	    ($_->{idempotency_key} // '') eq $idem } requests_since($seq);
}

my $seq = last_seq();
control('POST', 'faults', { api_status => 500, api_count => 1 });
my $r = stripe([], 'create-customer', idem => 'enroll-customer-8',
    email => 'bo@example.com', user_id => 8);
ok($r->{ok}, 'create-customer succeeds after one 500');
is($r->{attempts}, 2, 'in two attempts');
my @sent = customer_creates($seq, 'enroll-customer-8');
is_deeply([map { $_->{status} } @sent], [500, 200],
    'the 500 and the retry carried the same Idempotency-Key');
is($sent[0]{body}, $sent[1]{body}, 'and the same body');
my $again = stripe([], 'create-customer', idem => 'enroll-customer-8',
    email => 'bo@example.com', user_id => 8);
is($again->{result}{id}, $r->{result}{id},
    'the same key again gives the same customer (one object)');

$seq = last_seq();
my $before = stripe([], 'list-sessions', customer => $cus->{id});
control('POST', 'faults', { api_status => 503, api_count => 1 });
$r = stripe([], 'create-session', idem => 'enroll-checkout-44-1',
    customer => $cus->{id}, order_id => 44, item => ['Intro to C:4900:eur:1'],
    success_url => $success);
ok($r->{ok}, 'create-session succeeds after one 503');
my $after = stripe([], 'list-sessions', customer => $cus->{id});
is(scalar @{$after->{result}{data}} - scalar @{$before->{result}{data}}, 1,
    'exactly one new session');

$seq = last_seq();
$before = $after;
control('POST', 'faults', { api_hang_ms => 2500 });
$r = stripe(['-T', '1000'], 'create-session', idem => 'enroll-checkout-45-1',
    customer => $cus->{id}, order_id => 45, item => ['Intro to C:4900:eur:1'],
    success_url => $success);
ok($r->{ok}, 'create-session succeeds after a hang past the timeout')
    or diag(explain($r));
is($r->{attempts}, 2, 'in two attempts');
$after = stripe([], 'list-sessions', customer => $cus->{id});
is(scalar @{$after->{result}{data}} - scalar @{$before->{result}{data}}, 1,
    'exactly one new session after the hang');
my @hung = grep { ($_->{idempotency_key} // '') eq 'enroll-checkout-45-1' }
    requests_since($seq);
is(scalar @hung, 2, 'two attempts reached the emulator with one key');
ok((grep { $_->{replayed} } @hung) == 1, 'the retry was answered by replay');

control('POST', 'faults', { api_status => 500, api_count => 5 });
$r = stripe(['-a', '3'], 'get-customer', id => $cus->{id});
is($r->{err}, 'ERR_UPSTREAM', 'persistent 500 is ERR_UPSTREAM');
is($r->{attempts}, 3, 'after 3 attempts');
control('POST', 'reset-faults');

control('POST', 'faults', { api_status => 429, api_count => 1 });
$r = stripe([], 'get-customer', id => $cus->{id});
ok($r->{ok} && $r->{attempts} == 2, 'a 429 is retried');
control('POST', 'reset-faults');

# ---- errors ---------------------------------------------------------------

$r = stripe([], 'create-customer', idem => 'enroll-customer-8',
    email => 'someone-else@example.com', user_id => 8);
is($r->{err}, 'ERR_CONFLICT', 'same key, other body: ERR_CONFLICT');
is($r->{type}, 'idempotency_error', 'Stripe\'s idempotency_error');
like($r->{message}, qr/Keys for idempotent requests can only be used with the same parameters/,
    'Stripe\'s message for it');
is($r->{attempts}, 1, 'not retried');

$r = stripe([], 'raw', method => 'POST', path => '/v1/customers',
    body => 'email=a%40b.c&foo=bar', idem => 'enroll-raw-1');
is($r->{err}, 'ERR_INVALID', 'unknown parameter: ERR_INVALID');
is_deeply([@$r{qw(code param)}], ['parameter_unknown', 'foo'],
    'parameter_unknown names it');
is($r->{message}, 'Received unknown parameter: foo', 'Stripe\'s message');

$r = stripe([], 'raw', method => 'POST', path => '/v1/checkout/sessions',
    body => 'mode=payment&success_url=x&line_items[0][foo]=1',
    idem => 'enroll-raw-2');
is_deeply([@$r{qw(err code param)}],
    ['ERR_INVALID', 'parameter_unknown', 'line_items[0][foo]'],
    'a nested unknown parameter is named with its brackets');

$r = stripe([], 'get-session', id => 'cs_test_doesnotexist');
is_deeply([@$r{qw(err code status)}], ['ERR_NOTFOUND', 'resource_missing',
    404], 'unknown session: ERR_NOTFOUND');

{
	local $key = 'sk_test_wrong';
	$r = stripe([], 'get-customer', id => $cus->{id});
}
is_deeply([@$r{qw(err status attempts)}], ['ERR_UPSTREAM', 401, 1],
    'a wrong key is ERR_UPSTREAM, not retried');

diag("stripe-call log:\n" . slurp("$dir/call.log")) unless Test::More->builder->is_passing;
done_testing();
