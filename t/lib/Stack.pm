# The store, started for one test file: nginx, the five programs and the
# Stripe emulator on free loopback ports with a database of its own
# (t/stack.sh), plus a small browser (cookies, forms, CSRF tokens) and
# direct SQL on the same database, so tests assert what users and
# operators would see.
package Stack;
use strict;
use warnings;
use File::Temp qw(tempdir);
use HTTP::Tiny;
use Cwd qw(abs_path);
use File::Basename qw(dirname);

our $TOP = abs_path(dirname(__FILE__) . '/../..');
our $BUILD = abs_path($ENV{ENROLL_BUILD} // "$TOP/build") // "$TOP/build";

# Every stack started by this test file, stopped at the end however the
# file ends (File::Temp's own cleanup would remove the pid files first).
my @running;
END { $_->stop for @running }

# Stack->start(%env): env overrides for the stack (e.g. ENROLL_WORKERS => 1).
sub start {
	my ($class, %env) = @_;
	local %ENV = (%ENV, ENROLL_NO_RATE_LIMITS => 1, %env);
	delete $ENV{$_} for grep { !defined $env{$_} && exists $env{$_} } keys %env;
	# ENROLL_TEST_PG names a cluster started by t/pg.sh (make test does):
	# each stack gets a new database of its own there.
	$ENV{ENROLL_DB} = $class->pg_createdb
	    if $ENV{ENROLL_TEST_PG} && !exists $env{ENROLL_DB};
	# A free port can be taken by another process between choosing and
	# binding it: a second try picks another.
	my $dir;
	for my $try (1 .. 2) {
		$dir = tempdir('enroll-t-XXXXXX', TMPDIR => 1, CLEANUP => 0);
		last if system("$TOP/t/stack.sh", 'start', $BUILD, $dir) == 0;
		system("tail -n 20 $dir/*.log >&2");
		system('rm', '-rf', $dir);
		die "stack did not start\n" if $try == 2;
	}
	my %cfg;
	open(my $fh, '<', "$dir/stack.env") or die "no stack.env: $!";
	while (<$fh>) { chomp; my ($k, $v) = split /=/, $_, 2; $cfg{$k} = $v; }
	close $fh;
	my $self = bless { dir => $dir, cfg => \%cfg, env => \%env, pid => $$ }, $class;
	push @running, $self;
	return $self;
}

# A second store on the same Stripe account as $other (its emulator), as
# schools run staging beside production: a webhook endpoint of its own,
# made through Stripe's API, then a stack on the port that endpoint names.
sub start_beside {
	my ($class, $other, %env) = @_;
	require IO::Socket::INET;
	my $port = IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1:0')->sockport;
	my $we = $other->emu_json('POST', '/v1/webhook_endpoints',
	    [ url => "http://127.0.0.1:$port/payment/webhook", 'enabled_events[0]' => '*' ]);
	die "the emulator made no webhook endpoint\n" unless $we->{secret};
	my $self = $class->start(PORT => $port,
	    STRIPE_SECRET_KEY => $other->cfg('STRIPE_SECRET_KEY'),
	    STRIPE_API_BASE => $other->cfg('STRIPE_API_BASE'),
	    STRIPE_WEBHOOK_SECRET => $we->{secret}, %env);
	$self->{endpoint} = $we;
	$self->{cfg}{STRIPE_EMU_DB} = $other->cfg('STRIPE_EMU_DB');
	return $self;
}

# How many hosts the stack runs (Stack->start(ENROLL_HOSTS => 2)).
sub hosts { $_[0]{cfg}{HOSTS} // 1 }

# Host $n (1 or 2) of a two-host stack, as a stack of its own: its base is
# a server that passes every request to that host's programs alone, and
# its mail folder, run folder (logs, pids) and metrics file are that
# host's; the database and Stripe are the ones both share.  A view: the
# stack it came from stops it.
sub host {
	my ($self, $n) = @_;
	die "host $n: the stack runs " . $self->hosts . " host(s)\n"
	    unless $self->hosts == 2 && ($n == 1 || $n == 2);
	my %cfg = (%{$self->{cfg}}, BASE_URL => $self->cfg("HOST${n}_URL"));
	my $dir = $self->{dir};
	if ($n == 2) {
		$cfg{ENROLL_MAIL_DIR} = $self->cfg('HOST2_MAIL_DIR');
		$cfg{ENROLL_METRICS_FILE} = $self->cfg('HOST2_METRICS_FILE');
		$dir = $self->cfg('HOST2_DIR');
	}
	return bless { %$self, cfg => \%cfg, dir => $dir, public => $self->base,
	    stopped => 1 }, ref $self;
}

# The folders mail is written to: each host's (a host's view: its own).
sub mail_dirs {
	my $self = shift;
	return ($self->cfg('ENROLL_MAIL_DIR'),
	    $self->hosts == 2 && !$self->{public} ? $self->cfg('HOST2_MAIL_DIR') : ());
}

# A new empty database in the ENROLL_TEST_PG cluster; returns its URL.
my $pg_seq = 0;
sub pg_createdb {
	my $name = sprintf('t_%d_%d_%d', $$, ++$pg_seq, int(rand(1e6)));
	my $url = `$TOP/t/pg.sh createdb $ENV{ENROLL_TEST_PG} $name`;
	die "createdb $name failed\n" if $? != 0;
	chomp $url;
	return $url;
}

# Whether this stack's store runs on PostgreSQL.
sub pg { return ($_[0]->db // '') =~ /^postgres/ }

sub base { $_[0]{cfg}{BASE_URL} }
# The store's address in its mails and redirects (a host's view is
# reached at another, see host()).
sub public_url { $_[0]{public} // $_[0]->base }
sub dir { $_[0]{dir} }
sub db { $_[0]{cfg}{ENROLL_DB} }
sub cfg { $_[0]{cfg}{$_[1]} }

# Rows of a query as arrays; values bound through sqlite3's .parameter,
# or psql's variables on PostgreSQL (?N becomes :'pN', a quoted literal);
# undef binds NULL.
sub sql {
	my ($self, $query, @binds) = @_;
	return $self->pg_sql($query, @binds) if ($self->db // '') =~ /^postgres/;
	my @cmd = ('sqlite3', '-batch', '-noheader', '-separator', "\x1f",
	    '-cmd', '.timeout 5000');
	for my $i (0 .. $#binds) {
		my $v = $binds[$i];
		if (!defined $v) {
			push @cmd, '-cmd', ".parameter set ?" . ($i + 1) . " NULL";
			next;
		}
		$v =~ s/'/''/g;
		push @cmd, '-cmd', ".parameter set ?" . ($i + 1) .
		    ($v =~ /^-?\d+$/ ? " $v" : " \"'$v'\"");
	}
	open(my $fh, '-|', @cmd, $self->db, $query) or die "sqlite3: $!";
	# split gives no field at all for an empty line: a NULL or '' value.
	my @rows = map { chomp; my @f = split /\x1f/, $_, -1; @f = ('') unless @f; \@f } <$fh>;
	close $fh;
	return @rows;
}

sub pg_sql {
	my ($self, $query, @binds) = @_;
	my $n = 0;
	# ? and ?N outside quotes, as lib/db_pg.c rewrites them.
	my $out = '';
	while ($query =~ /\G('(?:[^']|'')*'|"[^"]*"|\?(\d*)|[^'"?]+)/gc) {
		my ($tok, $num) = ($1, $2);
		if ($tok =~ /^\?/) {
			my $k = length $num ? $num : $n + 1;
			$n = $k if $k > $n;
			# An integer goes in as a number (as sqlite3's .parameter
			# binds it), anything else as a quoted literal.
			my $v = $binds[$k - 1];
			$out .= !defined $v ? 'NULL' : $v =~ /^-?\d{1,18}$/ ? ":p$k" : ":'p$k'";
		} else {
			$out .= $tok;
		}
	}
	my @cmd = ('psql', '-X', '-q', '-A', '-t', '-F', "\x1f",
	    '-v', 'ON_ERROR_STOP=1', '-d', $self->db);
	push @cmd, '-v', "p" . ($_ + 1) . "=$binds[$_]" for grep { defined $binds[$_] } 0 .. $#binds;
	require IPC::Open2;
	my $pid = IPC::Open2::open2(my $rd, my $wr, @cmd);
	print $wr "$out;\n";
	close $wr;
	# A comparison is a boolean, which psql prints t or f and SQLite 1 or
	# 0: tests compare with 1 and 0.  (No test stores a lone t or f.)
	my @rows = map { chomp; my @f = map { $_ eq 't' ? 1 : $_ eq 'f' ? 0 : $_ }
	    split /\x1f/, $_, -1; @f = ('') unless @f; \@f } <$rd>;
	waitpid $pid, 0;
	die "psql failed on: $query\n" if $? != 0;
	return @rows;
}

# The schema version the store's database is at, on either engine.
sub schema_version {
	my $self = shift;
	return $self->sql_one($self->pg ?
	    'SELECT coalesce(max(version), 0) FROM schema_migrations' :
	    'PRAGMA user_version');
}

# The first column of every row of a query, joined by $sep (what SQLite's
# group_concat gives; the query says the order).
sub sql_joined {
	my ($self, $sep, $query, @binds) = @_;
	return join($sep, map { $_->[0] } $self->sql($query, @binds));
}

# SQL for $expr with its newlines as spaces, so that a multi-line text
# comes back on one line (both engines take a newline inside quotes).
sub one_line { return "replace($_[1], '\n', ' ')" }

# SQL for $expr's bytes in hex (SQLite's hex(), PostgreSQL's encode()).
sub hex_of {
	my ($self, $expr) = @_;
	return $self->pg ? "encode(convert_to($expr, 'UTF8'), 'hex')" : "hex($expr)";
}

# Holds the store's write lock from another process for $secs seconds, as
# an operator's open transaction would: SQLite's BEGIN IMMEDIATE in the
# sqlite3 shell, or on PostgreSQL the writers' advisory lock that
# lib/db_pg.c takes in psql.  Options: sql => a statement run while
# holding it, commit => 1 to commit it (else rolled back), file => touched
# once the lock is held.  Returns the holder's pid (waitpid it).
sub hold_write_lock {
	my ($self, $secs, %o) = @_;
	my $pid = fork // die "fork: $!";
	return $pid if $pid;
	open(STDOUT, '>', '/dev/null');
	my $end = $o{commit} ? 'COMMIT;' : 'ROLLBACK;';
	if ($self->pg) {
		my $script = "$self->{dir}/hold-lock-$$.sql";
		open(my $fh, '>', $script) or POSIX::_exit(1);
		print $fh "BEGIN;\nSELECT pg_advisory_xact_lock(7306140001);\n",
		    ($o{sql} ? "$o{sql};\n" : ''), ($o{file} ? "\\! touch $o{file}\n" : ''),
		    "SELECT pg_sleep($secs);\n$end\n";
		close $fh;
		exec('psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', $self->db, '-f', $script);
	} else {
		exec('sqlite3', $self->db, '.timeout 5000', 'BEGIN IMMEDIATE;',
		    ($o{sql} ? "$o{sql};" : ()), ($o{file} ? ".shell touch $o{file}" : ()),
		    ".shell sleep $secs", $end);
	}
	require POSIX;
	POSIX::_exit(1);
}

# The first column of the first row.
sub sql_one { my @r = shift->sql(@_); return @r ? $r[0][0] : undef; }

# The same on the Stripe emulator's state (what Stripe holds).
sub emu_sql {
	my ($self, @q) = @_;
	local $self->{cfg}{ENROLL_DB} = $self->cfg('STRIPE_EMU_DB');
	return $self->sql(@q);
}
sub emu_sql_one { my @r = shift->emu_sql(@_); return @r ? $r[0][0] : undef; }

# Runs enrollctl against this stack's database.
sub enrollctl {
	my ($self, @args) = @_;
	# The school's zone the stack was started in, as the timer has it,
	# unless the test sets another.
	local %ENV = (%ENV, map { ($_ => $self->{env}{$_}) }
	    grep { defined $self->{env}{$_} && !defined $ENV{$_} }
	    'ENROLL_TIMEZONE');
	local $ENV{ENROLL_DB} = $self->db;
	local $ENV{ENROLL_MAIL_DIR} = $self->cfg('ENROLL_MAIL_DIR');
	local $ENV{ENROLL_BASE_URL} = $self->public_url;
	local $ENV{ENROLL_METRICS_FILE} = $self->cfg('ENROLL_METRICS_FILE') // $ENV{ENROLL_METRICS_FILE} // '';
	local $ENV{STRIPE_API_BASE} = $self->cfg('STRIPE_API_BASE');
	local $ENV{STRIPE_SECRET_KEY} = $self->cfg('STRIPE_SECRET_KEY');
	return system("$BUILD/bin/enrollctl", @args) >> 8;
}

sub browser { return Browser->new($_[0]->base) }

# A new student, registered and logged in through the real form; returns
# the browser and the user's id.
my $student_seq = 0;
sub student {
	my ($self, %o) = @_;
	my $b = $self->browser;
	my $email = $o{email} // sprintf('student%d.%d@example.org', $$, ++$student_seq);
	my $csrf = $b->csrf('/account/register');
	my $res = $b->post('/account/register', { name => $o{name} // 'Ada Student',
	    email => $email, password => $o{password} // 'correct horse battery' });
	die "registration failed: $res->{status}\n$res->{content}" unless $res->{status} == 303;
	my $id = $self->sql_one('SELECT id FROM users WHERE email = ?1', lc $email);
	return wantarray ? ($b, $id, $email) : $b;
}

# A new browser logged in through the login form as it is rendered;
# returns the browser and the form's answer (the browser alone in scalar
# context).
sub login {
	my ($self, $email, $pw) = @_;
	require Forms;
	my $b = $self->browser;
	$b->get('/account/login');
	my $res = Forms::submit($b, '/account/login', email => $email, password => $pw);
	return wantarray ? ($b, $res) : $b;
}

# A new admin: a student registered through the form (as student(), name
# 'Ada Admin' unless given), then made admin in the database as no page can.
sub admin {
	my ($self, %o) = @_;
	my @r = $self->student(name => 'Ada Admin', %o);
	$self->sql(q{UPDATE users SET role = 'admin' WHERE id = ?1}, $r[1]);
	return wantarray ? @r : $r[0];
}

# Adds courses (ids) to browser b's cart from each course's page, as its
# button does; dies unless each is added.
sub add_to_cart {
	my ($self, $b, @ids) = @_;
	for my $id (@ids) {
		my $slug = $self->sql_one('SELECT slug FROM courses WHERE id = ?1', $id);
		my $res = $b->post("/payment/add-to-cart/$id", {}, from => "/courses/$slug");
		die "add-to-cart $id: $res->{status}" unless $res->{status} == 303;
	}
}

# The id of the course with this slug (undef if none).
sub course_id { return $_[0]->sql_one('SELECT id FROM courses WHERE slug = ?1', $_[1]) }

# The Stripe Checkout session a checkout's redirect to Stripe's page names
# (undef when $res is no such redirect).
sub checkout_session {
	my ($self, $res) = @_;
	my ($cs) = ($res->{headers}{location} // '') =~ m{/c/pay/(cs_[A-Za-z0-9_]+)};
	return $cs;
}

# Stripe emulator: its API (with the secret key) and its control API.
sub emu {
	my ($self, $method, $path, $form) = @_;
	my $http = HTTP::Tiny->new(timeout => 30);
	my %opt = (headers => { authorization => 'Bearer ' . $self->cfg('STRIPE_SECRET_KEY') });
	if ($form) {
		$opt{content} = $http->www_form_urlencode($form);
		$opt{headers}{'content-type'} = 'application/x-www-form-urlencoded';
	}
	return $http->request($method, $self->cfg('STRIPE_API_BASE') . $path, \%opt);
}

sub emu_json {
	my $res = shift->emu(@_);
	require JSON::PP;
	return eval { JSON::PP::decode_json($res->{content}) } // {};
}

# Signs a webhook body as Stripe does, with this stack's secret.
sub stripe_signature {
	my ($self, $body, $t) = @_;
	require Digest::SHA;
	$t //= time;
	my $secret = (split /,/, $self->cfg('STRIPE_WEBHOOK_SECRET'))[0];
	return "t=$t,v1=" . Digest::SHA::hmac_sha256_hex("$t.$body", $secret);
}

# Posts a signed event to the store's webhook.
sub deliver {
	my ($self, $body, %o) = @_;
	my $http = HTTP::Tiny->new(timeout => 30);
	return $http->request('POST', $self->base . '/payment/webhook', {
	    headers => { 'content-type' => 'application/json',
	    'stripe-signature' => $o{signature} // $self->stripe_signature($body) },
	    content => $body });
}

# Polls $cond (a sub) until true or $secs pass; returns its last value.
sub wait_for {
	my ($self, $cond, $secs) = @_;
	require Time::HiRes;
	my $end = Time::HiRes::time() + ($secs // 15);
	while (1) {
		my $v = $cond->();
		return $v if $v || Time::HiRes::time() > $end;
		Time::HiRes::sleep(0.1);
	}
}

# The mails the stack's mail workers wrote for address $to (.eml files in
# ENROLL_MAIL_DIR, and the second host's), oldest first, each as its
# whole text.
sub mails_to {
	my ($self, $to) = @_;
	my @texts;
	for my $f (sort { ($a =~ s{.*/}{}r) cmp ($b =~ s{.*/}{}r) }
	    map { glob("$_/*.eml") } $self->mail_dirs) {
		open(my $fh, '<', $f) or next;
		local $/;
		my $text = <$fh> // '';
		push @texts, $text if $text =~ /^To: \Q$to\E\r?$/m;
	}
	return @texts;
}

# Waits (up to 10 s) for the $n-th mail to $to (default: one more than
# $after mails, or the first) and returns its text, or ''.
sub mail_to {
	my ($self, $to, $n) = @_;
	$n //= 1;
	$self->wait_for(sub { $self->mails_to($to) >= $n }, 10);
	return ($self->mails_to($to))[$n - 1] // '';
}

# The store's link in a mail whose path matches $path (a regex), as a path
# with its query, or undef.
sub link_in {
	my ($self, $mail, $path) = @_;
	my $base = $self->public_url;
	return $mail =~ m{\Q$base\E($path\S*)} ? $1 =~ s/\r$//r : undef;
}

# Pids of the worker processes of one program (children of its parent).
sub worker_pids {
	my ($self, $prog) = @_;
	open(my $fh, '<', "$self->{dir}/$prog.pid") or return ();
	my $parent = <$fh>;
	chomp $parent;
	my @kids = split ' ', `pgrep -P $parent`;
	return @kids;
}

sub parent_pid {
	my ($self, $prog) = @_;
	open(my $fh, '<', "$self->{dir}/$prog.pid") or return;
	my $pid = <$fh>;
	chomp $pid;
	return $pid;
}

sub log_text {
	my ($self, $name) = @_;
	open(my $fh, '<', "$self->{dir}/$name.log") or return '';
	local $/;
	return <$fh>;
}

sub stop {
	my $self = shift;
	# Only the process that started it (not a forked child) stops it.
	return if $self->{stopped} || $self->{pid} != $$;
	$self->{stopped} = 1;
	system("$TOP/t/stack.sh", 'stop', $self->{dir});
	system('rm', '-rf', $self->{dir}) unless $ENV{ENROLL_KEEP_STACK};
	# Its database in the shared cluster goes too (with its programs).
	if ($self->pg && $ENV{ENROLL_TEST_PG} && !$ENV{ENROLL_KEEP_STACK} &&
	    !exists $self->{env}{ENROLL_DB}) {
		my ($name) = $self->db =~ m{^postgres(?:ql)?:///([^?]+)};
		system('psql', '-X', '-q', '-d', $self->db =~ s{///[^?]+}{///postgres}r,
		    '-c', qq{DROP DATABASE IF EXISTS "$name" WITH (FORCE)})
		    if $name;
	}
}

sub DESTROY { $_[0]->stop }

package Browser;
use strict;
use warnings;
use HTTP::Tiny;

sub new {
	my ($class, $base) = @_;
	return bless { base => $base, jar => {},
	    http => HTTP::Tiny->new(max_redirect => 0, timeout => 30,
	    agent => 'enroll-tests') }, $class;
}

sub _cookie_header {
	my $self = shift;
	return join '; ', map { "$_=$self->{jar}{$_}" } sort keys %{$self->{jar}};
}

sub _take_cookies {
	my ($self, $res) = @_;
	my $sc = $res->{headers}{'set-cookie'} or return;
	for my $c (ref $sc ? @$sc : ($sc)) {
		my ($pair, @attrs) = split /;\s*/, $c;
		my ($k, $v) = split /=/, $pair, 2;
		if (grep { /^max-age=0$/i } @attrs) { delete $self->{jar}{$k} }
		else { $self->{jar}{$k} = $v }
	}
}

sub cookie { $_[0]{jar}{$_[1]} }
sub set_cookie { $_[0]{jar}{$_[1]} = $_[2] }

# request(METHOD, path, {form} or raw string, {headers}); follows nothing.
sub request {
	my ($self, $method, $path, $body, $headers) = @_;
	my %h = (%{$headers // {}});
	$h{cookie} = $self->_cookie_header if %{$self->{jar}};
	my %opt = (headers => \%h);
	if (ref $body eq 'HASH' || ref $body eq 'ARRAY') {
		$opt{content} = $self->{http}->www_form_urlencode($body);
		$h{'content-type'} = 'application/x-www-form-urlencoded';
	} elsif (defined $body) {
		$opt{content} = $body;
		$h{'content-type'} //= 'application/x-www-form-urlencoded';
	}
	my $url = $path =~ m{^https?://} ? $path : $self->{base} . $path;
	my $res = $self->{http}->request($method, $url, \%opt);
	$self->_take_cookies($res);
	$self->{last} = $res;
	return $res;
}

sub get { my ($s, $p, $h) = @_; return $s->request('GET', $p, undef, $h) }

# GET following redirects within the store (as a browser would).
sub get_follow {
	my ($self, $path) = @_;
	my $res = $self->get($path);
	for (1 .. 5) {
		last unless $res->{status} =~ /^30[123]$/;
		$res = $self->get($res->{headers}{location});
	}
	return $res;
}

# POST a form with this visitor's CSRF token (taken from the last page, or
# from $from when given).
sub post {
	my ($self, $path, $form, %o) = @_;
	my %f = %{$form // {}};
	$f{csrf_token} //= $self->csrf($o{from});
	delete $f{csrf_token} if $o{no_csrf};
	return $self->request('POST', $path, \%f);
}

# The CSRF token on a page (the last one fetched, or $path fetched now).
sub csrf {
	my ($self, $path) = @_;
	my $res = defined $path ? $self->get($path) : $self->{last};
	# A course page always has a form (enrol or add to cart).
	$res = $self->get('/courses/c-programming-fundamentals')
	    unless $res && defined $res->{content}
	    && $res->{content} =~ /name="csrf_token"/;
	return $1 if $res->{content} =~ /name="csrf_token" value="([^"]+)"/;
	return undef;
}

1;
