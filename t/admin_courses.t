#!/usr/bin/env perl
# The admin's courses through nginx and the admin program, with the forms
# as rendered: creating and editing a course (each field's error next to
# it, what was typed kept), the list's search, filters, sort and pages,
# lessons added, edited, moved and deleted, a cover uploaded (and every
# kind of bad upload refused with nothing stored) and served by nginx with
# its type, nosniff and a year's caching; every change one audit row with
# before and after.  A price change reaches carts, never orders; a course
# with orders is deactivated, never deleted.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use MIME::Base64 qw(decode_base64);
use Digest::SHA qw(sha256_hex);
use Stack;
use Forms;

my $s = Stack->start;
my $media = $s->cfg('ENROLL_MEDIA_DIR');

my ($admin, $admin_id) = $s->admin(email => 'courses-admin@example.org');

sub audit_count { return $s->sql_one('SELECT count(*) FROM audit_log') }
sub last_audit { my @r = $s->sql('SELECT action, subject, before_json, after_json, actor_user_id FROM audit_log ORDER BY id DESC LIMIT 1'); return $r[0] }
sub covers_stored { opendir(my $d, "$media/covers") or return 0; my @f = grep { !/^\.\.?$/ } readdir $d; return scalar @f }

# The pairs of the form of $b's last page whose action is $action, as a
# browser submits them, minus the names in %drop and with %set put in.
sub form_pairs {
	my ($b, $action, $set, @drop) = @_;
	my ($f) = grep { ($_->{action} // '') eq $action } Forms::parse($b->{last}{content});
	die "no form $action" unless $f;
	my %d = map { $_ => 1 } @drop;
	my @p = grep { !$d{$_->[0]} } Forms::pairs($f);
	for my $k (keys %{$set // {}}) {
		my ($have) = grep { $_->[0] eq $k } @p;
		if ($have) { $have->[1] = $set->{$k} } else { push @p, [$k, $set->{$k}] }
	}
	return @p;
}

sub post_pairs {
	my ($b, $action, @p) = @_;
	return $b->request('POST', $action, join '&', map { Forms::urlencode($_->[0]) . '=' . Forms::urlencode($_->[1]) } @p);
}

# A multipart/form-data body of the text pairs and one file, as browsers
# send it.
sub multipart {
	my ($pairs, $file) = @_;
	my $bd = '----enrollTestBoundary7MA4YWxk';
	my $body = '';
	$body .= "--$bd\r\nContent-Disposition: form-data; name=\"$_->[0]\"\r\n\r\n$_->[1]\r\n" for @$pairs;
	$body .= "--$bd\r\nContent-Disposition: form-data; name=\"$file->{name}\"; filename=\"$file->{filename}\"\r\nContent-Type: $file->{type}\r\n\r\n$file->{data}\r\n" if $file;
	$body .= "--$bd--\r\n";
	return ($body, "multipart/form-data; boundary=$bd");
}

# Uploads $file through the cover form of course $id's page.
sub upload {
	my ($id, $file, %o) = @_;
	$admin->get("/admin/courses/$id");
	my @p = form_pairs($admin, "/admin/courses/$id/cover", { cover_alt => $o{alt} // 'A lighthouse at dusk' });
	my ($body, $type) = multipart(\@p, $file);
	$body = substr($body, 0, $o{cut}) if $o{cut};
	return $admin->request('POST', "/admin/courses/$id/cover", $body, { 'content-type' => $type });
}

# A real 1x1 PNG.
my $png = decode_base64('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==');

my $cid;
subtest 'the new-course form refuses bad input field by field and keeps it' => sub {
	my $before = $s->sql_one('SELECT count(*) FROM courses');
	my $audits = audit_count();
	is($admin->get('/admin/courses/new')->{status}, 200, 'the form opens');
	my $res = Forms::submit($admin, '/admin/courses/new', title => '', slug => 'Bad Slug!',
	    price => 'twelve', currency => 'usd', access_days => '0', summary => 'Kept summary');
	is($res->{status}, 400, 'refused with a 400');
	like(Forms::field_error($res->{content}, 'title'), qr/Give the course a title/, 'title: its error');
	like(Forms::field_error($res->{content}, 'slug'), qr/lower-case letters, digits and hyphens/, 'slug: its error');
	like(Forms::field_error($res->{content}, 'price'), qr/Type a price such as 49\.00/, 'price: its error');
	like(Forms::field_error($res->{content}, 'access_days'), qr/whole number from 1/, 'days of access: its error');
	like($res->{content}, qr/value="Bad Slug!"/, 'the typed slug is kept');
	like($res->{content}, qr/value="Kept summary"/, 'and the summary');
	like($res->{content}, qr/value="twelve"/, 'and the price');
	$admin->get('/admin/courses/new');
	$res = Forms::submit($admin, '/admin/courses/new', title => 'Euro', slug => 'euro-x', price => '10', currency => 'EURO');
	like(Forms::field_error($res->{content}, 'currency'), qr/three-letter code/, 'currency: its error');
	is($s->sql_one('SELECT count(*) FROM courses'), $before, 'no course was made');
	is(audit_count(), $audits, 'and nothing audited');
};

subtest 'a course is created through the form, with one audit row' => sub {
	$admin->get('/admin/courses/new');
	my $res = Forms::submit($admin, '/admin/courses/new', title => 'Lighthouse Keeping', slug => 'lighthouse-keeping',
	    summary => 'Keep the light burning.', description => "# Lamps\n\nTrim the *wick* daily.",
	    course_type => 'workshop', level => 'advanced', instructor => 'Grace Keeper',
	    price => '25.00', currency => 'usd', access_days => '365');
	is($res->{status}, 303, 'created');
	($cid) = ($res->{headers}{location} // '') =~ m{^/admin/courses/(\d+)$};
	ok($cid, 'and sent to its page');
	my @row = @{($s->sql('SELECT title, slug, course_type, level, instructor, price_amount, currency, is_active, access_days, ' . $s->one_line('description_html') . ' FROM courses WHERE id = ?1', $cid))[0]};
	is_deeply([@row[0 .. 8]], ['Lighthouse Keeping', 'lighthouse-keeping', 'workshop', 'advanced', 'Grace Keeper', 2500, 'usd', 1, 365], 'the row holds what was typed');
	like($row[9], qr{<em>wick</em>}, 'the description is rendered from CommonMark');
	my $a = last_audit();
	is($a->[0], 'course.create', 'audited as a creation');
	is($a->[1], "course:$cid", 'of this course');
	is($a->[4], $admin_id, 'by the admin');
	is($a->[2], '{}', 'nothing before');
	like($a->[3], qr/"price_amount":2500/, 'the price after');
	like($admin->get("/admin/courses/$cid")->{content}, qr/The course is created/, 'the page says so');

	$admin->get('/admin/courses/new');
	$res = Forms::submit($admin, '/admin/courses/new', title => 'Another', slug => 'lighthouse-keeping', price => '1', currency => 'usd');
	is($res->{status}, 400, 'a taken slug is refused');
	like(Forms::field_error($res->{content}, 'slug'), qr/Another course has this slug/, 'next to the slug');
};

subtest 'the list searches, filters, sorts and pages by key' => sub {
	my $res = $admin->get('/admin/courses?q=Lighthouse');
	like($res->{content}, qr/id="course-$cid"/, 'found by a title word');
	like($admin->get('/admin/courses?q=lighthouse-ke')->{content}, qr/id="course-$cid"/, 'found by a slug\'s start');
	unlike($admin->get('/admin/courses?q=Lighthouse&type=cohort')->{content}, qr/id="course-$cid"/, 'not among cohorts');
	unlike($admin->get('/admin/courses?q=Lighthouse&active=0')->{content}, qr/id="course-$cid"/, 'nor among those off sale');
	is($admin->get('/admin/courses?sort=sideways')->{status}, 400, 'an unknown sort is a 400');
	$s->sql(q{WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 70)
	    INSERT INTO courses (slug, title, course_type, price_amount) SELECT 'bulk-' || (CASE WHEN i < 10 THEN '0' ELSE '' END || i), 'Bulk ' || (CASE WHEN i < 10 THEN '0' ELSE '' END || i), 'cohort', i * 100 FROM n});
	my (%seen, $pages);
	my $url = '/admin/courses?q=bulk&sort=price';
	while ($url) {
		$res = $admin->get($url);
		$pages++;
		$seen{$1}++ while $res->{content} =~ /id="course-(\d+)"/g;
		($url) = $res->{content} =~ /<a rel="next" href="([^"]+)"/;
		$url =~ s/&amp;/&/g if $url;
		last if $pages > 5;
	}
	is($pages, 2, 'seventy courses make two pages');
	is(scalar keys %seen, 70, 'every course once');
	is((grep { $_ > 1 } values %seen), 0, 'none twice');
	my @order = $admin->get('/admin/courses?q=bulk&sort=price')->{content} =~ /Bulk (\d\d)/g;
	is_deeply([@order[0 .. 2]], ['01', '02', '03'], 'cheapest first');
};

subtest 'lessons: added, refused, edited, moved and deleted, each audited' => sub {
	$admin->get("/admin/courses/$cid");
	my $audits = audit_count();
	my $res = Forms::submit($admin, "/admin/courses/$cid/lessons", lesson_title => '', lesson_minutes => 'ten', lesson_body => 'kept body');
	is($res->{status}, 400, 'a lesson without a title is refused');
	like(Forms::field_error($res->{content}, 'lesson_title'), qr/Give the lesson a title/, 'next to its title');
	like(Forms::field_error($res->{content}, 'lesson_minutes'), qr/whole number/, 'and its minutes');
	like($res->{content}, qr/kept body/, 'the typed text is kept');
	is(audit_count(), $audits, 'nothing audited');
	for my $t ('Lamps', 'Lenses', 'Logbooks') {
		$admin->get("/admin/courses/$cid");
		$res = Forms::submit($admin, "/admin/courses/$cid/lessons", lesson_title => $t, lesson_minutes => '12', lesson_body => "About **$t**.");
		is($res->{status}, 303, "lesson $t added");
	}
	my $order = sub { join ',', map { "$_->[0]$_->[1]" } $s->sql('SELECT position, title FROM lessons WHERE course_id = ?1 ORDER BY position', $cid) };
	is($order->(), '1Lamps,2Lenses,3Logbooks', 'in order');
	like($s->sql_one(q{SELECT body_html FROM lessons WHERE title = 'Lenses' AND course_id = ?1}, $cid), qr{<strong>Lenses</strong>}, 'its body rendered');
	is(last_audit()->[0], 'lesson.create', 'audited');

	my $logbooks = $s->sql_one(q{SELECT id FROM lessons WHERE title = 'Logbooks' AND course_id = ?1}, $cid);
	$admin->get("/admin/courses/$cid");
	is(Forms::submit($admin, "/admin/lessons/$logbooks/up")->{status}, 303, 'Logbooks moves up');
	is($order->(), '1Lamps,2Logbooks,3Lenses', 'the two swapped');
	my $a = last_audit();
	is($a->[0], 'lesson.move_up', 'audited as a move');
	like($a->[2], qr/"position":3/, 'from 3');
	like($a->[3], qr/"position":2/, 'to 2');
	my $lamps = $s->sql_one(q{SELECT id FROM lessons WHERE title = 'Lamps' AND course_id = ?1}, $cid);
	is($admin->post("/admin/lessons/$lamps/up", {}, from => "/admin/courses/$cid")->{status}, 400, 'the first cannot move up');
	is($order->(), '1Lamps,2Logbooks,3Lenses', 'nothing moved');

	$admin->get("/admin/lessons/$logbooks");
	$res = Forms::submit($admin, "/admin/lessons/$logbooks", lesson_title => '', lesson_minutes => '99999');
	is($res->{status}, 400, 'an edit without a title is refused');
	like(Forms::field_error($res->{content}, 'lesson_title'), qr/Give the lesson a title/, 'next to the title');
	$admin->get("/admin/lessons/$logbooks");
	$res = Forms::submit($admin, "/admin/lessons/$logbooks", lesson_title => 'Keeping logbooks', lesson_body => "Write _every_ hour.", lesson_minutes => '20');
	is($res->{status}, 303, 'edited');
	is_deeply([@{($s->sql('SELECT title, duration_minutes FROM lessons WHERE id = ?1', $logbooks))[0]}], ['Keeping logbooks', 20], 'the row changed');
	like($s->sql_one('SELECT body_html FROM lessons WHERE id = ?1', $logbooks), qr{<em>every</em>}, 'its body rendered');
	$a = last_audit();
	is($a->[0], 'lesson.update', 'audited');
	like($a->[2], qr/"title":"Logbooks"/, 'the title before');
	like($a->[3], qr/"title":"Keeping logbooks"/, 'and after');

	$admin->get("/admin/courses/$cid");
	is(Forms::submit($admin, "/admin/lessons/$lamps/delete")->{status}, 303, 'Lamps deleted');
	is($order->(), '1Keeping logbooks,2Lenses', 'the others close up');
	$a = last_audit();
	is($a->[0], 'lesson.delete', 'audited');
	like($a->[2], qr/"title":"Lamps"/, 'with what was deleted');
	is($a->[3], '{}', 'and nothing after');
};

subtest 'bad uploads are refused and nothing is stored' => sub {
	my $audits = audit_count();
	my $check = sub {
		my ($name, $res, $status, $says) = @_;
		is($res->{status}, $status, "$name: $status");
		like(Forms::text($res->{content}), $says, "$name: says why") if $says;
		is($s->sql_one('SELECT coalesce(cover, \'none\') FROM courses WHERE id = ?1', $cid), 'none', "$name: no cover set");
		is(covers_stored(), 0, "$name: no file in the media folder");
		is(audit_count(), $audits, "$name: nothing audited");
	};
	$check->('a text file', upload($cid, { name => 'cover', filename => 'notes.txt', type => 'text/plain', data => "just words\n" }),
	    415, qr/not a PNG, JPEG or WebP image/);
	$check->('HTML named x.png', upload($cid, { name => 'cover', filename => 'x.png', type => 'image/png', data => "<html><script>alert(1)</script></html>" }),
	    415, qr/not a PNG, JPEG or WebP image/);
	$check->('a PNG over 2 MiB', upload($cid, { name => 'cover', filename => 'big.png', type => 'image/png', data => $png . ("\0" x (2 * 1024 * 1024)) }),
	    413, qr/larger than 2 MiB/);
	$check->('a file far over the limit', upload($cid, { name => 'cover', filename => 'huge.png', type => 'image/png', data => $png . ("\0" x (3 * 1024 * 1024)) }), 413);
	$check->('a truncated body', upload($cid, { name => 'cover', filename => 'x.png', type => 'image/png', data => $png }, cut => 400), 400);
	$check->('no alt text', upload($cid, { name => 'cover', filename => 'x.png', type => 'image/png', data => $png }, alt => ''), 400, qr/Describe the picture/);
	my $big = 'description=' . ('a' x (300 * 1024));
	is($admin->request('POST', "/admin/courses/$cid", $big)->{status}, 413, 'other routes keep the small body limit');
};

my $cover;
subtest 'a cover is stored under its hash and served by nginx' => sub {
	my $res = upload($cid, { name => 'cover', filename => 'lighthouse.gif', type => 'application/octet-stream', data => $png });
	is($res->{status}, 303, 'a PNG is accepted, whatever its name and declared type');
	$cover = 'covers/' . sha256_hex($png) . '.png';
	is($s->sql_one('SELECT cover FROM courses WHERE id = ?1', $cid), $cover, 'stored under the hash of its bytes, as a .png');
	is($s->sql_one('SELECT cover_alt FROM courses WHERE id = ?1', $cid), 'A lighthouse at dusk', 'with its alt text');
	ok(-f "$media/$cover", 'the file is in the media folder');
	my $a = last_audit();
	is($a->[0], 'course.cover', 'audited');
	like($a->[3], qr/"cover":"\Q$cover\E"/, 'with the cover after');
	$res = Browser->new($s->base)->get("/$cover" =~ s{^/}{/media/}r);
	is($res->{status}, 200, 'nginx serves it');
	is($res->{headers}{'content-type'}, 'image/png', 'as image/png');
	is($res->{headers}{'x-content-type-options'}, 'nosniff', 'with nosniff');
	is($res->{headers}{'cache-control'}, 'public, max-age=31536000, immutable', 'cached for a year');
	is($res->{content}, $png, 'the same bytes');
	is(Browser->new($s->base)->get('/media/covers/')->{status}, 403, 'the folder is not listed');

	$res = Browser->new($s->base)->get('/courses/lighthouse-keeping');
	like($res->{content}, qr{<img class="cover cover-wide" src="/media/\Q$cover\E" alt="A lighthouse at dusk"}, 'the course page shows it with its alt text');
	$res = Browser->new($s->base)->get('/courses?q=Lighthouse');
	like($res->{content}, qr{<img class="cover" src="/media/\Q$cover\E" alt="A lighthouse at dusk"}, 'and its catalog card');
	unlike(Browser->new($s->base)->get('/courses/c-programming-fundamentals')->{content}, qr/<img class="cover/, 'a course without one shows none');
};

subtest 'a price change reaches carts, never pending or paid orders' => sub {
	$s->sql(q{UPDATE courses SET course_type = 'self_paced', access_days = NULL WHERE id = ?1}, $cid);
	my $buy = sub {
		my ($pay) = @_;
		my ($b, $uid) = $s->student;
		$b->post("/payment/add-to-cart/$cid", {}, from => '/courses/lighthouse-keeping');
		my $res = $b->post('/payment/checkout', {}, from => '/payment/cart');
		my $cs = $s->checkout_session($res);
		my $oid = $s->sql_one('SELECT id FROM orders WHERE stripe_session_id = ?1', $cs);
		if ($pay) {
			$s->emu('POST', "/_emu/pay/$cs", { card => '4242 4242 4242 4242' });
			$b->get("/payment/checkout/success?session_id=$cs");
		}
		return ($b, $oid);
	};
	my ($pb, $pending) = $buy->(0);
	my ($paidb, $paid) = $buy->(1);
	ok($pending && $paid, 'two orders');
	is($s->sql_one('SELECT status FROM orders WHERE id = ?1', $paid), 'paid', 'one paid');
	is($s->sql_one('SELECT status FROM orders WHERE id = ?1', $pending), 'pending', 'one pending');
	my ($cart) = $s->student;
	$cart->post("/payment/add-to-cart/$cid", {}, from => '/courses/lighthouse-keeping');
	like(Forms::text($cart->get('/payment/cart')->{content}), qr/\$25\.00/, 'a cart shows the price');
	my $frozen = sub { join '|', map { join ',', @$_ } $s->sql('SELECT o.status, o.subtotal_amount, o.total_amount, i.title, i.unit_amount FROM orders o JOIN order_items i ON i.order_id = o.id WHERE o.id IN (?1, ?2) ORDER BY o.id', $pending, $paid) };
	my $was = $frozen->();

	$admin->get("/admin/courses/$cid");
	my $res = Forms::submit($admin, "/admin/courses/$cid", price => '45.00', title => 'Lighthouse Keeping, Revised');
	is($res->{status}, 303, 'the admin changes price and title');
	is($s->sql_one('SELECT price_amount FROM courses WHERE id = ?1', $cid), 4500, 'the course costs 45.00');
	my $a = last_audit();
	is($a->[0], 'course.update', 'audited');
	like($a->[2], qr/"price_amount":2500/, 'the price before');
	like($a->[3], qr/"price_amount":4500/, 'and after');
	unlike($a->[3], qr/"slug"/, 'only what changed');
	is($frozen->(), $was, 'both orders keep their amounts and titles');
	my $page_cart = Forms::text($cart->get('/payment/cart')->{content});
	like($page_cart, qr/\$45\.00/, 'the open cart shows the new price');
	like($page_cart, qr/price changed from \$25\.00 to \$45\.00/, 'and says it changed');
	my ($fresh) = $s->student;
	$fresh->post("/payment/add-to-cart/$cid", {}, from => '/courses/lighthouse-keeping');
	$page_cart = Forms::text($fresh->get('/payment/cart')->{content});
	like($page_cart, qr/\$45\.00/, 'a new cart has the new price');
	unlike($page_cart, qr/price changed/, 'with nothing to say about it');
	my $page = Forms::text($paidb->get("/payment/order/$paid")->{content});
	like($page, qr/\$25\.00/, 'the paid order\'s page shows what was paid');
	like($page, qr/Lighthouse Keeping/, 'under the old title');
	unlike($page, qr/Revised/, 'not the new one');
};

subtest 'a course with orders is deactivated, never deleted; one without is deleted' => sub {
	my $audits = audit_count();
	$admin->get("/admin/courses/$cid");
	my $res = Forms::submit($admin, "/admin/courses/$cid/delete");
	is($res->{status}, 409, 'deleting a sold course is refused');
	like(Forms::text($res->{content}), qr/has orders or students/, 'in plain words');
	is($s->sql_one('SELECT count(*) FROM courses WHERE id = ?1', $cid), 1, 'the course stays');
	is(audit_count(), $audits, 'nothing audited');

	$admin->get("/admin/courses/$cid");
	$res = post_pairs($admin, "/admin/courses/$cid", form_pairs($admin, "/admin/courses/$cid", {}, 'is_active'));
	is($res->{status}, 303, 'unticking "On sale" saves');
	is($s->sql_one('SELECT is_active FROM courses WHERE id = ?1', $cid), 0, 'the course is off sale');
	my $a = last_audit();
	like($a->[2], qr/"is_active":true/, 'audited: on sale before');
	like($a->[3], qr/"is_active":false/, 'off after');
	unlike($admin->get('/courses?q=Lighthouse')->{content}, qr/lighthouse-keeping/, 'the catalog no longer lists it');

	$admin->get('/admin/courses/new');
	$res = Forms::submit($admin, '/admin/courses/new', title => 'Short Lived', slug => 'short-lived', price => '5', currency => 'usd');
	my ($gone) = $res->{headers}{location} =~ m{(\d+)$};
	$admin->get("/admin/courses/$gone");
	Forms::submit($admin, "/admin/courses/$gone/lessons", lesson_title => 'Only');
	$admin->get("/admin/courses/$gone");
	$res = Forms::submit($admin, "/admin/courses/$gone/delete");
	is($res->{status}, 303, 'a course never ordered is deleted');
	is($s->sql_one('SELECT count(*) FROM courses WHERE id = ?1', $gone), 0, 'its row is gone');
	is($s->sql_one('SELECT count(*) FROM lessons WHERE course_id = ?1', $gone), 0, 'with its lessons');
	$a = last_audit();
	is($a->[0], 'course.delete', 'audited');
	like($a->[2], qr/"title":"Short Lived"/, 'with what was deleted');
};

done_testing;
