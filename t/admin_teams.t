#!/usr/bin/env perl
# The admin's teams (issue 18) through the real stack: the list searched
# by the beginning of a name or of a word of it, sorted by name, newest
# or seats, a page at a time; a team's page with its members and roles,
# seats per course, assignments, orders (linked to the order's page) and
# audit trail; the seat utilisation report whose every figure equals a
# sum this test makes itself from the rows, filtered by course, and its
# CSV with the same rows and a formula in a team's name neutralised; and
# a student refused every new page.  Teams, seats and assignments are
# made as SQL rows shaped as lib/team.c and lib/seat.c make them.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Forms;
use Stack;

my $s = Stack->start;
my ($ab, $admin) = $s->admin(email => 'ada.admin@example.org');
my ($sb, $student) = $s->student(name => 'Sam Student', email => 'sam@example.org');
my ($ob, $owner) = $s->student(name => 'Olga Owner', email => 'olga@example.org');
my $sql_c = $s->course_id('sql-for-analysts');
my $git_c = $s->course_id('testing-in-practice');

# The owner makes one team through the form (its audit row is real).
$ob->get('/account/teams');
is(Forms::submit($ob, '/account/teams', name => 'Acme Learning')->{status}, 303, 'a team is created through its form');
my $acme = $s->sql_one(q{SELECT id FROM teams WHERE name = 'Acme Learning'});

# 60 more teams owned by Olga, and one whose name a spreadsheet would run.
$s->sql(q{WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 60)
    INSERT INTO teams (name, created_at) SELECT 'Pager Team ' || (CASE WHEN i < 10 THEN '0' ELSE '' END || i), 1000 + i FROM n});
$s->sql(q{INSERT INTO teams (name, created_at) VALUES ('=HYPERLINK("http://evil.example/","x") Crew', 2000)});
my $evil = $s->sql_one(q{SELECT id FROM teams WHERE name LIKE '=HYPERLINK%'});
$s->sql(q{INSERT INTO team_members (team_id, user_id, role, joined_at) SELECT id, ?1, 'owner', 1 FROM teams
    WHERE id <> ?2}, $owner, $acme);

# Members of Acme, seats and assignments of every status.
my %u;
for my $p (['Max Member', 'max@example.org', 'member'], ['Mia Manager', 'mia@example.org', 'manager'],
    ['Rob Revoked', 'rob@example.org', 'member']) {
	my (undef, $id) = $s->student(name => $p->[0], email => $p->[1]);
	$u{$p->[1]} = $id;
	$s->sql(q{INSERT INTO team_members (team_id, user_id, role, joined_at) VALUES (?1, ?2, ?3, 5)}, $acme, $id, $p->[2]);
}
sub seats { $s->sql(q{INSERT INTO team_seats (team_id, course_id, seats, held, updated_at) VALUES (?1, ?2, ?3, 0, 1)}, @_) }
# An assignment of $status; an active one gets its enrollment, and every
# live one holds a seat, as lib/seat.c's seat_take does.
sub assign {
	my ($team, $course, $email, $status, $user) = @_;
	# An invitation not accepted names no account (user 0: NULL).
	$s->sql(q{INSERT INTO seat_assignments (team_id, course_id, user_id, email, status, created_at, accepted_at, revoked_at)
	    VALUES (?1, ?2, ?3, ?4, ?5, 100, 200, CASE WHEN ?5 = 'revoked' THEN 300 END)},
	    $team, $course, $user || undef, $email, $status);
	$s->sql(q{UPDATE team_seats SET held = held + 1 WHERE team_id = ?1 AND course_id = ?2}, $team, $course)
	    unless $status eq 'revoked';
	$s->sql(q{INSERT INTO enrollments (user_id, course_id, source, seat_id, granted_at)
	    SELECT user_id, course_id, 'seat', id, 1 FROM seat_assignments WHERE email = ?1 AND team_id = ?2 AND course_id = ?3},
	    $email, $team, $course) if $status eq 'active';
}
seats($acme, $sql_c, 5);
seats($acme, $git_c, 2);
assign($acme, $sql_c, 'max@example.org', 'active', $u{'max@example.org'});
assign($acme, $sql_c, 'mia@example.org', 'active', $u{'mia@example.org'});
assign($acme, $sql_c, 'new.person@example.org', 'invited');
assign($acme, $git_c, 'rob@example.org', 'revoked', $u{'rob@example.org'});
assign($acme, $git_c, 'max@example.org', 'active', $u{'max@example.org'});
seats($evil, $sql_c, 3);
assign($evil, $sql_c, 'x1@example.org', 'invited');
my $p7 = $s->sql_one(q{SELECT id FROM teams WHERE name = 'Pager Team 07'});
seats($p7, $git_c, 9);
# An order bought for Acme: 5 seats.
$s->sql(q{INSERT INTO orders (number, user_id, status, currency, subtotal_amount, total_amount, team_id, paid_at, created_at)
    VALUES ('ORD-TEAM-1', ?1, 'paid', 'usd', 25000, 25000, ?2, 50, 50)}, $owner, $acme);
my $order = $s->sql_one(q{SELECT id FROM orders WHERE number = 'ORD-TEAM-1'});
$s->sql(q{INSERT INTO order_items (order_id, course_id, title, unit_amount, quantity) VALUES (?1, ?2, 'SQL', 5000, 5)},
    $order, $sql_c);

sub ids_of { my @ids = $_[0] =~ /<tr id="team-(\d+)"/g; return @ids }
sub next_of { my ($n) = $_[0] =~ /<a rel="next" href="([^"]+)"/; $n =~ s/&amp;/&/g if $n; return $n }

subtest 'the list finds a team by a word of its name, whatever the case' => sub {
	my $res = $ab->get('/admin/teams');
	is($res->{status}, 200, 'the teams page opens');
	like($res->{content}, qr{<a href="/admin/teams"[^>]*aria-current="page">Teams</a>}, 'the admin menu marks Teams');
	$res = Forms::submit($ab, '/admin/teams', q => 'TEAM 0');
	my @ids = ids_of($res->{content});
	is(scalar @ids, 9, 'a word\'s beginning finds Pager Team 01 to 09');
	like($res->{content}, qr/value="TEAM 0"/, 'the search box keeps what was typed');
	$res = Forms::submit($ab, '/admin/teams', q => 'acme');
	is_deeply([ids_of($res->{content})], [$acme], 'the name\'s beginning finds Acme');
	my $row = Forms::text(($res->{content} =~ m{(<tr id="team-$acme">.*?</tr>)}s)[0]);
	like($row, qr/Acme Learning .*Olga Owner olga\@example\.org 4 7 4 3/, 'with owner, members, seats, held, free');
	like($res->{content}, qr{<tr id="team-$acme">.*?href="/admin/users/$owner"}s, 'the owner links to their page');
	$res = Forms::submit($ab, '/admin/teams', q => 'earning');
	like(Forms::text($res->{content}), qr/No team's name, nor any word of it, begins with \S+earning\S+\./,
	    'the middle of a word finds nothing, and says so');
};

subtest 'each order pages by key, nothing lost or repeated' => sub {
	my %want = (name => [sort { lc $a->[1] cmp lc $b->[1] || $a->[0] <=> $b->[0] }
	    $s->sql('SELECT id, name FROM teams')]);
	for my $sort (qw(name newest seats)) {
		$ab->get('/admin/teams');
		my $res = Forms::submit($ab, '/admin/teams', sort => $sort);
		my @first = ids_of($res->{content});
		is(scalar @first, 50, "$sort: a page holds 50 teams");
		my $next = next_of($res->{content});
		ok($next, "$sort: with a link to the next");
		unlike($next, qr/offset/i, 'by key');
		my @second = ids_of($ab->get($next)->{content});
		is(scalar @second, 12, "$sort: the next page holds the other 12");
		ok(!next_of($ab->{last}{content}), "$sort: and no more");
		my %all = map { $_ => 1 } @first, @second;
		is(scalar keys %all, 62, "$sort: every team once");
		my @got = (@first, @second);
		if ($sort eq 'name') {
			is_deeply(\@got, [map { $_->[0] } @{$want{name}}], 'by name, whatever the case');
		} elsif ($sort eq 'newest') {
			is_deeply(\@got, [sort { $b <=> $a } @got], 'newest first');
		} else {
			is_deeply([@got[0 .. 2]], [$p7, $acme, $evil], 'most seats first: 9, 7, 3');
		}
	}
};

subtest 'a team\'s page: members, seats, assignments, orders, audit trail' => sub {
	my $res = $ab->get("/admin/teams/$acme");
	is($res->{status}, 200, 'the team\'s page opens');
	my $html = $res->{content};
	for my $m ([$owner, 'owner'], [$u{'max@example.org'}, 'member'], [$u{'mia@example.org'}, 'manager']) {
		like($html, qr{<tr data-member="$m->[0]"><td><a href="/admin/users/$m->[0]">[^<]+</a></td><td[^>]*>[^<]+</td><td class="role">$m->[1]</td>},
		    "member $m->[0] is listed as $m->[1], linked to their page");
	}
	my ($seat) = $html =~ m{(<tr data-course="$sql_c">.*?</tr>)}s;
	like(Forms::text($seat), qr/SQL for Analysts 5 2 1 2 40\.0%/i, 'SQL seats: 5 bought, 2 active, 1 invited, 2 free, 40% in use');
	($seat) = $html =~ m{(<tr data-course="$git_c">.*?</tr>)}s;
	like(Forms::text($seat), qr/ 2 1 0 1 50\.0%/, 'the other course: 2 bought, 1 active, a revoked one not counted');
	my @statuses = $html =~ m{<td class="status">(\w+)</td>}g;
	is_deeply([sort @statuses], [sort qw(active active invited revoked active)], 'every assignment, with its status');
	like($html, qr{new\.person\@example\.org</span></td><td>SQL for Analysts</td><td class="status">invited</td>}i,
	    'an invitation names its address and course');
	like($html, qr{<a href="/admin/orders/$order">ORD-TEAM-1</a>}, 'the order links to its page by id');
	like(Forms::text(($html =~ m{(<tr data-order="$order">.*?</tr>)}s)[0]), qr/olga\@example\.org paid 5 \$250\.00/,
	    'with its buyer, status, seats and total');
	is($ab->get("/admin/orders/$order")->{status}, 200, 'and that page opens');
	like($html, qr{<td class="action">team\.create}, 'the audit trail shows the creation');
	is($ab->get('/admin/teams/999999')->{status}, 404, 'a team that does not exist is a 404');
	# Another team has no orders and says so.
	like($ab->get("/admin/teams/$p7")->{content}, qr/id="no-orders"/, 'a team without orders says so');
};

# The report's rows computed here from seat_assignments and team_seats.
sub expected_rows {
	my $course = shift;
	return map { { team => $_->[0], course => $_->[1], bought => $_->[2], active => $_->[3],
	    invited => $_->[4], free => $_->[2] - $_->[3] - $_->[4] } }
	    $s->sql(q{SELECT s.team_id, s.course_id, s.seats,
	      (SELECT count(*) FROM seat_assignments a WHERE a.team_id = s.team_id AND a.course_id = s.course_id AND a.status = 'active'),
	      (SELECT count(*) FROM seat_assignments a WHERE a.team_id = s.team_id AND a.course_id = s.course_id AND a.status = 'invited')
	      FROM team_seats s WHERE ?1 = 0 OR s.course_id = ?1 ORDER BY s.course_id, s.team_id}, $course);
}
sub pct { my ($a, $b) = @_; return '' unless $b; my $pm = int(($a * 2000 + $b) / (2 * $b)); return sprintf('%d.%d', $pm / 10, $pm % 10) }

subtest 'the seat report: every figure is a sum of the rows' => sub {
	my $res = $ab->get('/admin/reports');
	like($res->{content}, qr{href="/admin/reports/seats"}, 'the reports page links to it');
	like($ab->get('/admin/teams')->{content}, qr{href="/admin/reports/seats"}, 'so does the teams page');
	$res = $ab->get('/admin/reports/seats');
	is($res->{status}, 200, 'the report opens');
	my $html = $res->{content};
	my @want = expected_rows(0);
	is(scalar(() = $html =~ /<tr data-team=/g), scalar @want, 'a row per team and course');
	for my $w (@want) {
		my ($row) = $html =~ m{(<tr data-team="$w->{team}" data-course="$w->{course}">.*?</tr>)}s;
		my %got = map { $_ => (($row // '') =~ m{<td class="num $_">([^<]*)</td>})[0] } qw(bought active invited free utilisation);
		is_deeply(\%got, { (map { $_ => $w->{$_} } qw(bought active invited free)),
		    utilisation => pct($w->{active}, $w->{bought}) . '%' }, "team $w->{team}, course $w->{course}");
	}
	for my $c ($sql_c, $git_c) {
		my @r = grep { $_->{course} == $c } @want;
		my %sum;
		for my $k (qw(bought active invited free)) { $sum{$k} += $_->{$k} for @r }
		my ($row) = $html =~ m{(<tr data-course="$c">.*?</tr>)}s;
		my %got = map { $_ => (($row // '') =~ m{<td class="num $_">([^<]*)</td>})[0] } qw(teams bought active invited free);
		is_deeply(\%got, { %sum, teams => scalar @r }, "the totals of course $c are the sums of its rows");
	}
	# Filtered by course.
	$res = Forms::submit($ab, '/admin/reports/seats', course => $git_c);
	my @teams = $res->{content} =~ /<tr data-team="(\d+)" data-course="(\d+)"/g;
	my %courses = map { $teams[2 * $_ + 1] => 1 } 0 .. $#teams / 2;
	is_deeply([keys %courses], [$git_c], 'the filter shows only that course');
	is(scalar(@teams) / 2, scalar(expected_rows($git_c)), 'all its rows');
	like($res->{content}, qr{<option value="$git_c" selected>}, 'the filter keeps the choice');
};

subtest 'the CSV has the same rows, a formula neutralised' => sub {
	my $res = $ab->get('/admin/reports/seats.csv');
	is($res->{status}, 200, 'the CSV downloads');
	like($res->{headers}{'content-type'}, qr{^text/csv}, 'as CSV');
	like($res->{headers}{'content-disposition'}, qr/attachment; filename="seat-utilisation\.csv"/, 'as a file');
	my @lines = split /\r\n/, $res->{content};
	is(shift @lines, 'team_id,team,course_id,course,bought,active,invited,free,utilisation_percent', 'its header');
	my @want = expected_rows(0);
	is(scalar @lines, scalar @want, 'a line per row of the report');
	for my $i (0 .. $#want) {
		my $w = $want[$i];
		like($lines[$i], qr/^$w->{team},.*,$w->{course},[^,]*,$w->{bought},$w->{active},$w->{invited},$w->{free},\Q@{[pct($w->{active}, $w->{bought})]}\E$/,
		    "line $i: team $w->{team}, course $w->{course}");
	}
	my ($evil_line) = grep { /^$evil,/ } @lines;
	like($evil_line, qr/^$evil,"'=HYPERLINK\(""http:/, 'the =HYPERLINK( name starts with an apostrophe');
	unlike($res->{content}, qr/(^|,)"?=HYPERLINK/m, 'no cell starts with =');
	$res = $ab->get("/admin/reports/seats.csv?course=$git_c");
	is(scalar(split /\r\n/, $res->{content}) - 1, scalar(expected_rows($git_c)), 'the filter applies to the CSV');
};

subtest 'the audit log links a team\'s rows to its page' => sub {
	$ab->get('/admin/audit');
	my $res = Forms::submit($ab, '/admin/audit', subject => "team:$acme");
	is($res->{status}, 200, 'the audit log, filtered by the team as its form sends it');
	like($res->{content}, qr{<a href="/admin/teams/$acme">team:$acme</a>}, 'links team:' . $acme . ' to the team\'s page');
};

subtest 'a student gets 403 from every new page, a guest the login' => sub {
	for my $path ('/admin/teams', "/admin/teams/$acme", '/admin/reports/seats', '/admin/reports/seats.csv',
	    '/admin/teams?q=acme&sort=name') {
		is($sb->get($path)->{status}, 403, "a student gets 403 from $path");
		is($s->browser->get($path)->{status}, 303, "a guest is sent to log in from $path");
	}
};

done_testing;
