#!/usr/bin/env perl
# The admin's people pages, through the forms as rendered: search by
# address and by name, a page at a time; promote and demote with the last
# admin protected (also against two demotions at once); disable (the
# person's browser is logged out, the login form says the account is
# disabled) and enable; grant a course (the student opens a lesson),
# revoke it (closed at once), extend its end; every change one audit row
# with before and after, which the audit page shows and filters by person,
# action and day; and the admin home's figures, today in the school's
# zone.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use JSON::PP;
use POSIX qw(mktime strftime);
use Forms;
use Stack;

my $ZONE = 'America/New_York';
my $s = Stack->start(ENROLL_TIMEZONE => $ZONE);
my $PW = 'correct horse battery';


# Local midnight (the school's zone) of the day holding $t, and that day
# as YYYY-MM-DD.
sub local_day {
	my $t = shift;
	local $ENV{TZ} = $ZONE;
	POSIX::tzset();
	my @l = localtime $t;
	my $start = mktime(0, 0, 0, $l[3], $l[4], $l[5]);
	my $day = strftime('%Y-%m-%d', @l);
	POSIX::tzset();
	return ($start, $day);
}

# The audit rows written since row $after, oldest first, JSON decoded.
sub audit_since {
	my $after = shift;
	return map { { id => $_->[0], actor => $_->[1], action => $_->[2], subject => $_->[3],
	    detail => $_->[4], before => decode_json($_->[5]), after => decode_json($_->[6]) } }
	    $s->sql('SELECT id, coalesce(actor_user_id, 0), action, subject, detail, before_json, after_json
	    FROM audit_log WHERE id > ?1 ORDER BY id', $after);
}
sub last_audit { return $s->sql_one('SELECT coalesce(max(id), 0) FROM audit_log') }

my ($ab, $admin, $admin_email) = $s->admin(email => 'ada.admin@example.org', password => $PW);
my ($gb, $grace, $grace_email) = $s->student(name => 'Grace Hopperfield', email => 'grace.h@example.org', password => $PW);
my ($lb, $linus, $linus_email) = $s->student(name => 'Linus Torvaldsen', email => 'l.t@example.org', password => $PW);

subtest 'search finds a person by the beginning of the address or of the name' => sub {
	my $res = $ab->get('/admin/users');
	is($res->{status}, 200, 'the people page opens');
	$res = Forms::submit($ab, '/admin/users', q => 'grace.');
	is($res->{status}, 200, 'searching by address answers');
	like($res->{content}, qr/id="user-$grace"/, 'the address finds Grace');
	unlike($res->{content}, qr/id="user-$linus"/, 'and not Linus');
	$res = Forms::submit($ab, '/admin/users', q => 'linus TORV');
	like($res->{content}, qr/id="user-$linus"/, 'the name finds Linus, whatever the case');
	unlike($res->{content}, qr/id="user-$grace"/, 'and not Grace');
	like($res->{content}, qr/value="linus TORV"/, 'the search box keeps what was typed');
	$res = Forms::submit($ab, '/admin/users', q => 'nobody-at-all');
	like(Forms::text($res->{content}), qr/No account's address or name begins with \S+nobody-at-all\S+\./, 'no match says so');
};

subtest 'the list is paged by key and sorted as chosen' => sub {
	$s->sql(q{WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 60)
	    INSERT INTO users (email, name, password_hash) SELECT 'pager' || i || '@example.org',
	    'Pager ' || (CASE WHEN i < 10 THEN '0' ELSE '' END || i), '$argon2id$v=19$x' FROM n});
	my $res = Forms::submit($ab, '/admin/users', q => 'pager', sort => 'name');
	my @first = $res->{content} =~ /Pager (\d\d)</g;
	is(scalar @first, 50, 'a page holds 50 people');
	is_deeply(\@first, [sort @first], 'sorted by name');
	my ($next) = $res->{content} =~ /<a rel="next" href="([^"]+)"/;
	ok($next, 'with a link to the next page');
	$next =~ s/&amp;/&/g;
	$res = $ab->get($next);
	my @second = $res->{content} =~ /Pager (\d\d)</g;
	is_deeply([@first, @second], [map { sprintf '%02d', $_ } 1 .. 60], 'the second page goes on where the first ended');
	unlike($res->{content}, qr/rel="next"/, 'and is the last');
	$res = Forms::submit($ab, '/admin/users', q => 'pager', sort => 'oldest');
	my @old = $res->{content} =~ /Pager (\d\d)</g;
	is($old[0], '01', 'oldest first starts with the first made');
};

subtest 'promote and demote, never the last admin' => sub {
	my $a0 = last_audit();
	my $res = $ab->get("/admin/users/$admin");
	like($res->{content}, qr/Demote to student/, 'my own page offers to demote me');
	unlike($res->{content}, qr{/admin/users/$admin/disable}, 'but not to disable me');
	$res = Forms::submit($ab, "/admin/users/$admin/role");
	is($res->{status}, 409, 'demoting the last admin is refused');
	like(Forms::text($res->{content}), qr/last administrator who can log in/, 'in plain words, next to the button');
	is($s->sql_one('SELECT role FROM users WHERE id = ?1', $admin), 'admin', 'and the role is unchanged');

	$ab->get("/admin/users/$grace");
	$res = Forms::submit($ab, "/admin/users/$grace/role");
	is($res->{status}, 303, 'making Grace an administrator');
	is($s->sql_one('SELECT role FROM users WHERE id = ?1', $grace), 'admin', 'she is one');
	like(Forms::text($ab->get("/admin/users/$grace")->{content}), qr/now an administrator/, 'the page says so');
	$res = Forms::submit($ab, "/admin/users/$grace/role");
	is($res->{status}, 303, 'and demoting her again');
	is($s->sql_one('SELECT role FROM users WHERE id = ?1', $grace), 'student', 'she is a student');
	my @rows = audit_since($a0);
	is(scalar @rows, 2, 'two changes, two audit rows (the refusal wrote none)');
	is_deeply([map { [$_->{action}, $_->{subject}, $_->{actor}, $_->{before}, $_->{after}] } @rows],
	    [['user.promote', "user:$grace", $admin, { role => 'student' }, { role => 'admin' }],
	     ['user.demote', "user:$grace", $admin, { role => 'admin' }, { role => 'student' }]],
	    'each with the role before and after');
};

subtest 'two admins demoting each other at once leave one admin' => sub {
	for my $round (1 .. 4) {
		$s->sql(q{UPDATE users SET role = 'admin' WHERE id = ?1}, $grace);
		my %form;
		for ([$ab, $grace], [$gb, $admin]) {
			my ($b, $who) = @$_;
			$b->get("/admin/users/$who");
			$form{$who} = $b->csrf;
		}
		my @kids;
		for ([$ab, $grace], [$gb, $admin]) {
			my ($b, $who) = @$_;
			my $pid = fork // die "fork: $!";
			if ($pid == 0) {
				my $r = $b->post("/admin/users/$who/role", { role => 'student', csrf_token => $form{$who} });
				# The loser is refused by the last-admin check (409), or,
				# when the winner committed before its request began,
				# as no longer an admin (403).
				exit($r->{status} == 303 ? 0 : $r->{status} =~ /^40[39]$/ ? 1 : 2);
			}
			push @kids, $pid;
		}
		my @codes = map { waitpid($_, 0); $? >> 8 } @kids;
		my $admins = $s->sql_one(q{SELECT count(*) FROM users WHERE role = 'admin' AND id IN (?1, ?2)}, $admin, $grace);
		is($admins, 1, "round $round: exactly one of the two is still an admin");
		is_deeply([sort @codes], [0, 1], "round $round: one demotion done, the other refused");
		$s->sql(q{UPDATE users SET role = 'admin' WHERE id = ?1}, $admin);
		$s->sql(q{UPDATE users SET role = 'student' WHERE id = ?1}, $grace);
	}
};

subtest 'disable ends the sessions and the login; enable restores it' => sub {
	my $a0 = last_audit();
	my (undef, $extra) = $s->login($grace_email, $PW);
	ok($s->sql_one('SELECT count(*) FROM sessions WHERE user_id = ?1', $grace) >= 2, 'Grace is logged in twice');
	is($gb->get('/account/dashboard')->{status}, 200, 'her browser shows her dashboard');
	$ab->get("/admin/users/$grace");
	my $res = Forms::submit($ab, "/admin/users/$grace/disable");
	is($res->{status}, 303, 'the admin disables her account');
	is($s->sql_one('SELECT count(*) FROM sessions WHERE user_id = ?1', $grace), 0, 'every session of hers ended at once');
	$res = $gb->get('/account/dashboard');
	is($res->{status}, 303, 'her browser is logged out');
	like($res->{headers}{location}, qr{^/account/login}, 'and sent to the login page');
	my ($b2, $login) = $s->login($grace_email, $PW);
	is($login->{status}, 403, 'her login is refused');
	like(Forms::text($login->{content}), qr/This account is disabled/, 'saying plainly that the account is disabled');
	is($s->sql_one('SELECT count(*) FROM sessions WHERE user_id = ?1', $grace), 0, 'and makes no session');
	(undef, $login) = $s->login('nobody@example.org', $PW);
	unlike(Forms::text($login->{content}), qr/disabled/, 'an unknown address is not told about disabling');
	like(Forms::text($ab->get("/admin/users/$grace")->{content}), qr/disabled since .* cannot log in/, 'her page says disabled');
	like($ab->get('/admin/users?q=grace')->{content}, qr/id="user-$grace".*?disabled/s, 'and so does the list');

	# A forgotten-password link still sets a password, but logs nobody in.
	my $rb = $s->browser;
	my $before = () = $s->mails_to($grace_email);
	$rb->get('/account/forgot-password');
	Forms::submit($rb, '/account/forgot-password', email => $grace_email);
	my ($link) = $s->mail_to($grace_email, $before + 1) =~ m{\Q${\ $s->base}\E(/account/reset-password\?token=[0-9a-f]+)};
	ok($link, 'a reset link is mailed to the disabled account');
	$rb->get($link);
	$res = Forms::submit($rb, '/account/reset-password', password => $PW);
	is($res->{status}, 303, 'the new password is taken');
	like($res->{headers}{location}, qr{^/account/login}, 'but the browser goes to the login page');
	like(Forms::text($rb->get('/account/login')->{content}), qr/this account is disabled/, 'told that the account is disabled');
	is($s->sql_one('SELECT count(*) FROM sessions WHERE user_id = ?1', $grace), 0, 'and no session was made');

	$res = $ab->post("/admin/users/$admin/disable", {}, from => "/admin/users/$admin");
	is($res->{status}, 409, 'an admin cannot disable themselves');
	like(Forms::text($res->{content}), qr/cannot disable your own account/, 'in plain words');
	ok(!$s->sql_one('SELECT disabled_at FROM users WHERE id = ?1', $admin), 'and stays enabled');

	$ab->get("/admin/users/$grace");
	$res = Forms::submit($ab, "/admin/users/$grace/enable");
	is($res->{status}, 303, 'the admin enables her account');
	($gb, $login) = $s->login($grace_email, $PW);
	is($login->{status}, 303, 'she logs in again');
	is($gb->get('/account/dashboard')->{status}, 200, 'and sees her dashboard');
	my @rows = audit_since($a0);
	is_deeply([map { $_->{action} } @rows], ['user.disable', 'user.enable'], 'each change one audit row');
	ok($rows[0]{after}{disabled_at} > 0 && exists $rows[0]{before}{disabled_at} && !defined $rows[0]{before}{disabled_at},
	    'disable: disabled_at none -> a time');
	ok(!defined $rows[1]{after}{disabled_at} && $rows[1]{before}{disabled_at} == $rows[0]{after}{disabled_at},
	    'enable: that time -> none');
};

my $sec = $s->sql_one(q{SELECT id FROM courses WHERE slug = 'web-security-essentials'});
my $lesson = 'web-security-essentials/2';

subtest 'grant a course: the student opens its lessons' => sub {
	is($lb->get("/learn/$lesson")->{status}, 403, 'before: the lesson is closed to Linus');
	my $a0 = last_audit();
	$ab->get("/admin/users/$linus");
	my $res = Forms::submit($ab, "/admin/users/$linus/grant", course => 'web-security-essentials', note => '');
	is($res->{status}, 400, 'a grant without a note is refused');
	like(Forms::text($res->{content}), qr/Say in a few words why/, 'the note field says why');
	like($res->{content}, qr/id="course"[^>]*value="web-security-essentials"|value="web-security-essentials"[^>]*id="course"/, 'the course typed is kept');
	$res = Forms::submit($ab, "/admin/users/$linus/grant", course => 'no-such-course', note => 'Scholarship');
	is($res->{status}, 400, 'an unknown course is refused');
	like(Forms::text($res->{content}), qr/No course has that slug or number/, 'next to the course field');
	is($s->sql_one('SELECT count(*) FROM enrollments WHERE user_id = ?1', $linus), 0, 'nothing was granted');
	is(last_audit(), $a0, 'nor audited');

	$ab->get("/admin/users/$linus");
	$res = Forms::submit($ab, "/admin/users/$linus/grant", course => 'web-security-essentials', note => 'Scholarship 2027');
	is($res->{status}, 303, 'the grant is made');
	my ($src, $note, $st) = @{($s->sql('SELECT source, note, status FROM enrollments WHERE user_id = ?1 AND course_id = ?2', $linus, $sec))[0]};
	is_deeply([$src, $note, $st], ['admin', 'Scholarship 2027', 'active'], 'an enrollment from the admin, with the note');
	my $page = $lb->get("/learn/$lesson");
	is($page->{status}, 200, 'Linus opens the lesson');
	like($page->{content}, qr/escape on output/, 'and reads it');
	my @rows = audit_since($a0);
	is(scalar @rows, 1, 'one audit row');
	is($rows[0]{action}, 'enrollment.grant', 'enrollment.grant');
	is($rows[0]{subject}, "user:$linus", 'on the person');
	is($rows[0]{detail}, 'course web-security-essentials', 'naming the course');
	is_deeply([$rows[0]{after}{status}, $rows[0]{after}{source}, $rows[0]{after}{note}], ['active', 'admin', 'Scholarship 2027'],
	    'with the enrollment after');
	is_deeply($rows[0]{before}, {}, 'and nothing before');

	$ab->get("/admin/users/$linus");
	$res = Forms::submit($ab, "/admin/users/$linus/grant", course => "$sec", note => 'again');
	is($res->{status}, 409, 'granting it again (by number) is refused');
	like(Forms::text($res->{content}), qr/has access to that course already/, 'in plain words');
};

subtest 'revoke ends access at once; extend moves the end' => sub {
	my $en = $s->sql_one('SELECT id FROM enrollments WHERE user_id = ?1 AND course_id = ?2', $linus, $sec);
	my $a0 = last_audit();
	$ab->get("/admin/users/$linus");
	my $res = Forms::submit($ab, "/admin/enrollments/$en/revoke");
	is($res->{status}, 303, 'the admin revokes the enrollment');
	$res = $lb->get("/learn/$lesson");
	is($res->{status}, 403, 'the lesson is closed to Linus at once');
	like($res->{content}, qr/data-reason="revoked"/, 'because it was revoked');
	$res = $ab->post("/admin/enrollments/$en/revoke", {}, from => "/admin/users/$linus");
	is($res->{status}, 409, 'revoking twice is refused');

	$ab->get("/admin/users/$linus");
	Forms::submit($ab, "/admin/users/$linus/grant", course => 'web-security-essentials', note => 'Back after appeal');
	is($lb->get("/learn/$lesson")->{status}, 200, 'granted again, it opens again');
	my $granted = $s->sql_one('SELECT granted_at FROM enrollments WHERE id = ?1', $en);
	my $old_end = $granted + 365 * 86400;

	$ab->get("/admin/users/$linus");
	$res = Forms::submit($ab, "/admin/enrollments/$en/extend", until => 'next spring');
	is($res->{status}, 400, 'a date that is not one is refused');
	like(Forms::text($res->{content}), qr/Enter the last day of access as a date/, 'next to the field');
	like($res->{content}, qr/value="next spring"/, 'keeping what was typed');
	my (undef, $early) = local_day($old_end - 30 * 86400);
	$ab->get("/admin/users/$linus");
	$res = Forms::submit($ab, "/admin/enrollments/$en/extend", until => $early);
	is($res->{status}, 400, 'a date before the current end is refused');
	like(Forms::text($res->{content}), qr/Pick a date after the current end of access/, 'in plain words');
	ok(!$s->sql_one('SELECT expires_at FROM enrollments WHERE id = ?1', $en), 'nothing changed');

	my ($start, $day) = local_day($old_end + 100 * 86400);
	my ($next_start) = local_day($start + 30 * 3600);
	$ab->get("/admin/users/$linus");
	$res = Forms::submit($ab, "/admin/enrollments/$en/extend", until => $day);
	is($res->{status}, 303, "the admin extends access to $day");
	is($s->sql_one('SELECT expires_at FROM enrollments WHERE id = ?1', $en), $next_start,
	    'access now ends at the end of that day in the school\'s zone');
	is($lb->get("/learn/$lesson")->{status}, 200, 'Linus still reads the lesson');
	$s->sql('UPDATE enrollments SET granted_at = granted_at - 400 * 86400 WHERE id = ?1', $en);
	is($lb->get("/learn/$lesson")->{status}, 200, 'even once 365 days from the grant have passed');

	my @rows = audit_since($a0);
	is_deeply([map { $_->{action} } @rows], ['enrollment.revoke', 'enrollment.grant', 'enrollment.extend'],
	    'revoke, grant, extend: one audit row each (the refusals none)');
	is_deeply([$rows[0]{before}{status}, $rows[0]{after}{status}], ['active', 'revoked'], 'revoke: status active -> revoked');
	is_deeply([$rows[1]{before}{status}, $rows[1]{after}{status}, $rows[1]{after}{note}], ['revoked', 'active', 'Back after appeal'],
	    'grant again: revoked -> active, with the new note');
	is_deeply([$rows[2]{before}{expires_at}, $rows[2]{after}{expires_at}], [$old_end, $next_start], 'extend: the old end -> the new');
};

subtest 'the audit log shows each change and filters by person, action and day' => sub {
	my $res = $ab->get('/admin/audit');
	is($res->{status}, 200, 'the audit page opens');
	my $text = Forms::text($res->{content});
	like($text, qr/enrollment\.extend/, 'it lists the extension');
	like($text, qr/status\s*: active → revoked/, 'a revocation reads status: active → revoked');
	like($text, qr/role\s*: student → admin/, 'a promotion reads role: student → admin');
	like($text, qr/note\s*: \(not set\) → Scholarship 2027/, 'a first grant shows its note as new');
	my @ids = $res->{content} =~ /id="audit-(\d+)"/g;
	is_deeply(\@ids, [sort { $b <=> $a } @ids], 'newest first');

	$res = Forms::submit($ab, '/admin/audit', person => $linus_email);
	is($res->{status}, 200, 'filtering by the person Linus');
	my @actions = $res->{content} =~ /<td class="action">([^<]+)</g;
	is_deeply([sort { $a cmp $b } @actions], [sort qw(enrollment.grant enrollment.revoke enrollment.grant enrollment.extend)],
	    'shows the changes to his enrollments, and nothing else');
	$res = Forms::submit($ab, '/admin/audit', person => $admin_email, action => 'user.');
	@actions = $res->{content} =~ /<td class="action">([^<]+)</g;
	ok(@actions >= 4 && !grep({ !/^user\./ } @actions), 'the admin\'s own changes to accounts, by an action\'s beginning');
	$res = Forms::submit($ab, '/admin/audit', person => '', action => 'user.disable');
	@actions = $res->{content} =~ /<td class="action">([^<]+)</g;
	is_deeply(\@actions, ['user.disable'], 'one action exactly');

	my (undef, $today) = local_day(time);
	my (undef, $tomorrow) = local_day(time + 86400 + 3600);
	$ab->get('/admin/audit');
	$res = Forms::submit($ab, '/admin/audit', from => $today, to => $today);
	my $n = () = $res->{content} =~ /id="audit-\d+"/g;
	is($n, $s->sql_one('SELECT count(*) FROM audit_log'), 'today (in the school\'s zone) holds every change');
	$res = Forms::submit($ab, '/admin/audit', from => $tomorrow, to => '');
	like($res->{content}, qr/id="no-rows"/, 'tomorrow holds none');
	$res = Forms::submit($ab, '/admin/audit', from => '', to => '2020-01-01');
	like($res->{content}, qr/id="no-rows"/, 'nor does a day long past');
	$res = Forms::submit($ab, '/admin/audit', from => 'yesterday');
	is($res->{status}, 400, 'a date that is not one is refused');
	like(Forms::text($res->{content}), qr/Enter a date like/, 'next to its field');
	$res = Forms::submit($ab, '/admin/audit', person => 'nobody@example.org');
	is($res->{status}, 400, 'an address no account uses is refused');
	like(Forms::text($res->{content}), qr/No account uses this address/, 'in plain words');
	like($res->{content}, qr/value="nobody\@example.org"/, 'keeping what was typed');
};

subtest 'the admin home shows today\'s sales, orders to review and new accounts' => sub {
	my ($start) = local_day(time);
	my $n = 0;
	my $order = sub {
		my ($cur, $amount, $paid_at, $review) = @_;
		$n++;
		$s->sql(q{INSERT INTO orders (number, user_id, status, currency, subtotal_amount, total_amount,
		    paid_at, created_at, needs_review, review_reason) VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7, ?8, ?9)},
		    "ORD-HOME-$n", $linus, $paid_at ? 'paid' : 'pending', $cur, $amount, $paid_at || undef, time, $review ? 1 : 0,
		    $review ? 'Amount differs from Stripe' : '');
	};
	$order->('usd', 4900, $start + 1, 0);
	$order->('usd', 7900, time, 0);
	$order->('eur', 1000, time, 1);
	$order->('usd', 99900, $start - 1, 0);	# paid yesterday
	$order->('usd', 5000, 0, 0);		# never paid
	my $res = $ab->get('/admin/');
	is($res->{status}, 200, 'the home page opens');
	my ($usd) = $res->{content} =~ m{<tr id="sales-usd">(.*?)</tr>}s;
	my ($eur) = $res->{content} =~ m{<tr id="sales-eur">(.*?)</tr>}s;
	like(Forms::text($usd), qr/USD 2 \$128\.00/, 'US dollars: 2 orders paid today, $128.00 (not yesterday\'s, not the unpaid)');
	like(Forms::text($eur), qr/EUR 1 .*10\.00/, 'euros: 1 order, 10.00');
	my ($review) = $res->{content} =~ m{<ul id="review">(.*?)</ul>}s;
	like(Forms::text($review), qr/ORD-HOME-3 .*Amount differs from Stripe/, 'the order to review is listed with why');
	unlike(Forms::text($review), qr/ORD-HOME-[1245]\b/, 'and no other');
	my ($signups) = $res->{content} =~ m{<ul id="signups">(.*?)</ul>}s;
	like(Forms::text($signups), qr/^\s*Pager 60/, 'the newest account comes first among the sign-ups');
	like($res->{content}, qr{href="/admin/audit"}, 'with quick links');
	is($res->{content} =~ /id="count-admins">(\d+)</ ? $1 : -1, 1, 'one administrator');
};

done_testing;
