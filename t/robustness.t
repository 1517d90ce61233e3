#!/usr/bin/env perl
# Malformed and hostile requests through nginx: each gets a plain 4xx page,
# nothing crashes, nothing hangs, and the store keeps answering.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use IO::Socket::INET;
use Stack;

my $s = Stack->start(ENROLL_WORKERS => 2);
my $b = $s->browser;
my ($port) = $s->base =~ /:(\d+)$/;

# Sends raw bytes, returns the status code of the answer (or 0).
sub raw {
	my ($bytes, $half_close) = @_;
	my $sock = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port", Timeout => 20) or die $!;
	print $sock $bytes;
	shutdown($sock, 1) if $half_close;
	local $/;
	my $res = <$sock> // '';
	return $res =~ m{^HTTP/1\.[01] (\d{3})} ? $1 : 0;
}

my $csrf = $b->csrf('/courses/c-programming-fundamentals');
ok($csrf, 'a visitor gets a CSRF token');

is($b->get('/courses?q=%zz')->{status}, 400, 'bad percent-encoding in the query is a 400');
is($b->get('/courses?q=a%00b')->{status}, 400, 'an encoded NUL in the query is a 400');
is($b->get('/courses?q=a&q=b')->{status}, 400, 'a duplicated field is refused, not guessed');
is($b->get('/no/such/page')->{status}, 404, 'unknown path is a 404');
like($b->{last}{content}, qr/could not find that page/, 'in plain words');
is($b->request('DELETE', '/courses')->{status}, 405, 'wrong method is a 405');
is($b->request('POST', '/courses', { csrf_token => $csrf })->{status}, 405, 'POST to a GET page is a 405');
my $head = $b->request('HEAD', '/courses');
is($head->{status}, 200, 'HEAD answers 200');
is($head->{content} // '', '', 'HEAD has no body');

my $many = join '&', map { "f$_=1" } 1 .. 300;
is($b->request('GET', "/courses?$many")->{status}, 413, 'too many query fields is a 413');
is($b->request('POST', '/payment/pricing', $many . "&csrf_token=$csrf")->{status}, 413, 'too many form fields is a 413');
my $big = 'q=' . ('x' x (300 * 1024));
is($b->request('POST', '/courses', $big)->{status}, 413, 'a body over the limit is refused by size (413)');
is($b->get('/courses?q=' . ('y' x 70000))->{status} =~ /^4\d\d$/ ? 1 : 0, 1, 'a huge query string is a 4xx');
is($b->request('POST', '/courses', "a=%ZZ&csrf_token=$csrf")->{status}, 400, 'bad percent-encoding in a body is a 400');

my $t0 = time;
raw("POST /payment/pricing HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 50\r\nConnection: close\r\n\r\nshort", 1);
ok(time - $t0 < 10, 'a body cut short by the client ends the request instead of hanging');
is(raw("GARBAGE\r\n\r\n"), 400, 'a garbage request line is a 400');
is(raw("GET /%00 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n") =~ /^4/ ? 1 : 0, 1, 'NUL in the path is a 4xx');
is(raw("GET /courses/%E2%28 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"), 404, 'invalid UTF-8 in a slug is a 404');
is(raw("GET /courses HTTP/1.1\r\nHost: x\r\nCookie: " . ('a=b; ' x 1000) . "\r\nConnection: close\r\n\r\n") =~ /^(200|4\d\d)$/ ? 1 : 0, 1,
   'a cookie header with a thousand cookies is answered');

# Straight to a worker over FastCGI (nginx buffers whole bodies, so it
# never forwards a short one): a body shorter than its CONTENT_LENGTH, and
# one announced larger than the limit, are refused without a hang.
sub fcgi {
	my ($body, %env) = @_;
	my $sock = $s->dir . '/cart.sock';
	open(my $fh, '-|', 'sh', '-c', 'b=$1; shift; printf %s "$b" | timeout 10 env -i "$@" cgi-fcgi -bind -connect "$0"',
	    $sock, $body, map { "$_=$env{$_}" } sort keys %env) or die $!;
	local $/;
	my $out = <$fh> // '';
	close $fh;
	return $out =~ /^Status: (\d+)/ ? $1 : 0;
}
my %post = (REQUEST_METHOD => 'POST', REQUEST_URI => '/payment/apply-coupon',
    CONTENT_TYPE => 'application/x-www-form-urlencoded', REQUEST_ID => 'fcgi-test');
is(fcgi('code=ABC', %post, CONTENT_LENGTH => 100), 400, 'a body shorter than CONTENT_LENGTH is a 400');
is(fcgi('code=ABC', %post, CONTENT_LENGTH => 10_000_000), 413, 'a body announced over the limit is a 413');
is(fcgi('', %post, CONTENT_LENGTH => '12abc'), 400, 'a malformed CONTENT_LENGTH is a 400');

my $workers_before = join ',', sort $s->worker_pids('cart');
is($b->get('/courses')->{status}, 200, 'after all that the store still answers');
is(join(',', sort $s->worker_pids('cart')), $workers_before, 'no worker crashed');
unlike($s->log_text('cart'), qr/AddressSanitizer|runtime error/, 'no sanitizer report in the log');
like($s->log_text('cart'), qr/\[[0-9a-f]{32}\] pid=\d+ cart 404 \/no\/such\/page/, 'errors are logged once with the request id');

done_testing;
