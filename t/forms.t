#!/usr/bin/env perl
# Every GET form on every page, submitted as a browser submits it: the
# pages are found by following the links a guest and a logged-in student
# see, the forms are read from the HTML as rendered (their inputs, hidden
# fields, selects with their empty "All" options and their defaults), and
# each is sent as is, with text typed into its boxes, and with each option
# of each select.  Every answer must be a 200 page: a form and the handler
# behind it can never disagree again (the catalog's own search form once
# failed for every visitor while every hand-written test URL passed).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Stack;
use Forms;

my $s = Stack->start;

# Pages reachable by links from the home page, as [path, html]; at most
# one URL per path (listing pages differ only in their query).
sub crawl {
	my ($b) = @_;
	my @queue = ('/');
	my (%seen, @pages);
	while (defined(my $url = shift @queue) and @pages < 120) {
		(my $path = $url) =~ s/[?#].*//s;
		next if $seen{$path}++;
		my $res = $b->get_follow($url);
		next unless $res->{status} == 200 && ($res->{headers}{'content-type'} // '') =~ m{text/html};
		push @pages, [$url, $res->{content}];
		for my $href ($res->{content} =~ /\bhref="([^"]*)"/g) {
			$href = Forms::unescape($href);
			next unless $href =~ m{^/(?!/)} && $href !~ m{^/static/};
			push @queue, $href;
		}
	}
	return @pages;
}

# Submits every GET form of the pages b can reach; returns the pages
# (paths) that had one.
sub submit_all_get_forms {
	my ($who, $b) = @_;
	my %found;
	for my $page (crawl($b)) {
		my ($url, $html) = @$page;
		(my $path = $url) =~ s/[?#].*//s;
		my @forms = grep { $_->{method} eq 'get' } Forms::parse($html);
		next unless @forms;
		for my $fi (0 .. $#forms) {
			my $f = $forms[$fi];
			$found{$path}{$f->{action} // $path}++;
			my @controls = @{$f->{controls}};
			my @variants = ([ 'as rendered' ]);
			my @typed = grep { Forms::is_typed($controls[$_]) } 0 .. $#controls;
			push @variants, [ "'sql' typed into every box", map { ($_ => 'sql') } @typed ] if @typed;
			push @variants, [ "'  two words ' typed into box $_", $_ => '  two words ' ] for @typed;
			for my $ci (grep { $controls[$_]{type} eq 'select' } 0 .. $#controls) {
				for my $o (@{$controls[$ci]{options}}) {
					push @variants, [ "$controls[$ci]{name}='$o->{value}'", $ci => $o->{value} ];
				}
			}
			for my $v (@variants) {
				my ($label, %over) = @$v;
				my $target = Forms::get_url($f, $path, Forms::pairs($f, %over));
				my $res = $b->get_follow($target);
				is($res->{status}, 200, "$who: form $fi on $path, $label: GET $target is a page")
				    or diag(($res->{content} // '') =~ /<h1>([^<]*)/ ? "page says: $1" : '');
			}
		}
	}
	return \%found;
}

subtest 'a guest: every GET form on every page answers 200' => sub {
	my $found = submit_all_get_forms('guest', $s->browser);
	ok($found->{'/'}{'/courses'}, 'the home page has the catalog search form');
	ok($found->{'/courses'}{'/courses'}, 'and so has /courses');
};

subtest 'a student with orders: every GET form on every page answers 200' => sub {
	my ($b, $uid) = $s->student(name => 'Form Filler');
	my $course = $s->sql_one(q{SELECT id FROM courses WHERE slug = 'c-programming-fundamentals'});
	for my $st (qw(paid failed)) {
		$s->sql(q{INSERT INTO orders (number, user_id, status, currency, subtotal_amount, total_amount)
		    VALUES (?1, ?2, ?3, 'usd', 4900, 4900)}, "ORD-20261201-FORM" . uc substr($st, 0, 2), $uid, $st);
		$s->sql(q{INSERT INTO order_items (order_id, course_id, title, unit_amount)
		    SELECT id, ?2, 'C Programming Fundamentals', 4900 FROM orders WHERE number = ?1},
		    "ORD-20261201-FORM" . uc substr($st, 0, 2), $course);
	}
	$b->post("/payment/add-to-cart/$course", {}, from => '/courses/c-programming-fundamentals');
	my $found = submit_all_get_forms('student', $b);
	ok($found->{'/courses'}{'/courses'}, 'the catalog search form was found');
	ok($found->{'/payment/orders'}{'/payment/orders'}, 'and the orders filter');
};

done_testing;
