#!/usr/bin/env perl
# The catalog through nginx and FastCGI: what a visitor sees matches what
# the database holds, for every demo course, filter, search and page.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Stack;

my $s = Stack->start;
my $b = $s->browser;

sub text_of { my $h = shift; $h =~ s/<[^>]+>/ /g; $h =~ s/&amp;/&/g; $h =~ s/\s+/ /g; return $h }
sub dollars { my $c = shift; return 'Free' if $c == 0; my $d = sprintf('%.2f', $c / 100); 1 while $d =~ s/^(\d+)(\d{3})/$1,$2/; return "\$$d" }

subtest 'home page lists every active demo course with its price' => sub {
	my $res = $b->get('/');
	is($res->{status}, 200, 'home answers 200');
	my @courses = $s->sql('SELECT title, price_amount FROM courses WHERE is_active = 1 ORDER BY title');
	is(scalar @courses, 12, 'a dozen demo courses in the database');
	my $text = text_of($res->{content});
	for my $c (@courses) {
		like($text, qr/\Q$c->[0]\E.*?\Q${\ dollars($c->[1])}\E/, "$c->[0] shown at " . dollars($c->[1]));
	}
	like($res->{headers}{'content-security-policy'} // '', qr/default-src 'self'/, 'CSP header');
	is($res->{headers}{'x-content-type-options'}, 'nosniff', 'nosniff header');
};

subtest 'filter by type shows exactly the courses of that type' => sub {
	for my $type (qw(self_paced cohort workshop)) {
		my $res = $b->get("/courses?type=$type");
		is($res->{status}, 200, "$type answers 200");
		my @want = map { $_->[0] } $s->sql('SELECT title FROM courses WHERE is_active = 1 AND course_type = ?1 ORDER BY title', $type);
		my @got = $res->{content} =~ m{<h2><a href="/courses/[a-z0-9-]+">([^<]+)</a></h2>}g;
		is_deeply(\@got, \@want, "$type: the same courses, by title");
	}
	my $res = $b->get('/courses?type=nonsense');
	is($res->{status}, 400, 'unknown type is a 400');
	like($res->{content}, qr/no such course type/i, 'in plain words');
};

subtest 'title search finds by word prefix, case-insensitive' => sub {
	my $res = $b->get('/courses?q=SECUR');
	like($res->{content}, qr/Web Security Essentials/, 'prefix "SECUR" finds Web Security Essentials');
	unlike($res->{content}, qr/SQL for Analysts/, 'and not unrelated courses');
	$res = $b->get('/courses?q=' . 'linux%20command');
	like($res->{content}, qr/The Linux Command Line/, 'two words both match');
	$res = $b->get('/courses?q=zzzznothing');
	like($res->{content}, qr/No courses match/, 'no match says so');
	$res = $b->get('/courses?q=%22%29%20OR%20*');
	is($res->{status}, 200, 'FTS syntax characters in a search are harmless');
};

subtest 'every demo course has a page with its outline and price' => sub {
	for my $c ($s->sql('SELECT id, slug, title, price_amount, course_type FROM courses')) {
		my ($id, $slug, $title, $price, $type) = @$c;
		my $res = $b->get("/courses/$slug");
		is($res->{status}, 200, "/courses/$slug answers 200");
		my $text = text_of($res->{content});
		like($text, qr/\Q$title\E/, "$slug shows its title");
		like($text, qr/\Q${\ dollars($price)}\E/, "$slug shows " . dollars($price));
		for my $l ($s->sql('SELECT title FROM lessons WHERE course_id = ?1 ORDER BY position', $id)) {
			like($text, qr/\Q$l->[0]\E/, "$slug outline has '$l->[0]'");
		}
		if ($price == 0) { like($res->{content}, qr{action="/courses/$slug/enroll"}, 'free course offers enrolment') }
		elsif ($type eq 'cohort') { like($res->{content}, qr{action="/payment/enroll-cohort/\d+"}, 'cohort course offers its cohorts') }
		else { like($res->{content}, qr{action="/payment/add-to-cart/$id"}, 'paid course offers add to cart') }
	}
	is($b->get('/courses/no-such-course')->{status}, 404, 'unknown slug is a 404');
	is($b->get('/courses/Bad_Slug!')->{status}, 404, 'malformed slug is a 404');
};

subtest 'an inactive course is hidden from the catalog and its page' => sub {
	$s->sql("UPDATE courses SET is_active = 0 WHERE slug = 'sql-for-analysts'");
	unlike($b->get('/courses')->{content}, qr/SQL for Analysts/, 'not in the catalog');
	is($b->get('/courses/sql-for-analysts')->{status}, 404, 'its page is a 404');
	$s->sql("UPDATE courses SET is_active = 1 WHERE slug = 'sql-for-analysts'");
};

subtest 'values from the database are escaped on the page' => sub {
	$s->sql(q{INSERT INTO courses (slug, title, summary, course_type, price_amount) VALUES ('xss', '<script>alert(1)</script> & "Co"', 'a<b>', 'self_paced', 100)});
	my $res = $b->get('/courses/xss');
	unlike($res->{content}, qr/<script>alert/, 'no raw script tag');
	like($res->{content}, qr/&lt;script&gt;alert\(1\)&lt;\/script&gt; &amp; &quot;Co&quot;/, 'title escaped');
	$s->sql(q{DELETE FROM courses WHERE slug = 'xss'});
};

subtest 'the catalog paginates twelve to a page' => sub {
	$s->sql(q{WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 30)
		INSERT INTO courses (slug, title, course_type, price_amount) SELECT 'zz-extra-' || i, 'Zz Extra ' || (CASE WHEN i < 10 THEN '0' ELSE '' END || i), 'self_paced', 1000 FROM n});
	my $total = $s->sql_one('SELECT count(*) FROM courses WHERE is_active = 1');
	is($total, 42, '42 active courses');
	my (@seen, $page);
	my $url = '/courses';
	while (defined $url) {
		my $res = $b->get($url);
		my @titles = $res->{content} =~ m{<h2><a href="/courses/[a-z0-9-]+">([^<]+)</a></h2>}g;
		ok(@titles <= 12, 'at most 12 on a page');
		push @seen, @titles;
		$page++;
		($url) = $res->{content} =~ m{<a rel="next" href="([^"]+)"};
		$url =~ s/&amp;/&/g if defined $url;
		last if $page > 10;
	}
	is($page, 4, 'four pages');
	my @want = map { $_->[0] } $s->sql('SELECT title FROM courses WHERE is_active = 1 ORDER BY title, id');
	is_deeply(\@seen, \@want, 'every course exactly once, in title order');
	is($b->get('/courses?page=abc')->{status}, 400, 'a non-numeric page is a 400');
	like($b->get('/courses?page=99')->{content}, qr/No courses match/, 'a page past the end is empty, not an error');
};

subtest 'pricing lists prices' => sub {
	my $res = $b->get('/payment/pricing');
	is($res->{status}, 200, 'pricing answers 200');
	like(text_of($res->{content}), qr/Payments Engineering \S* ?Self-paced \$129\.00/, 'a course with type and price');
};

done_testing;
