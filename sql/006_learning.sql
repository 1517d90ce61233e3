-- 006: learning.  Lesson bodies and course descriptions rendered from
-- CommonMark once, when saved (lib/content.c), so pages send stored HTML;
-- lessons done and where each student is in each course; certificates of
-- completion with a public code; the wishlist; Stripe's receipt of an
-- order's charge.  Times are unix seconds (UTC) set by the code.

-- NULL means "render me": lib/content.c renders stale rows (enrollctl
-- migrate and seed-demo do it for all), and a page meeting one renders it
-- for that request.  A body changed without its HTML (by hand, in SQL)
-- becomes stale again through the triggers below.
ALTER TABLE lessons ADD COLUMN body_html TEXT;
ALTER TABLE courses ADD COLUMN description_html TEXT;
CREATE TRIGGER lessons_body_stale AFTER UPDATE OF body ON lessons
	WHEN new.body_html IS old.body_html AND new.body IS NOT old.body
BEGIN
	UPDATE lessons SET body_html = NULL WHERE id = new.id;
END;
CREATE TRIGGER courses_description_stale AFTER UPDATE OF description ON courses
	WHEN new.description_html IS old.description_html
	    AND new.description IS NOT old.description
BEGIN
	UPDATE courses SET description_html = NULL WHERE id = new.id;
END;

-- One row per lesson a student marked complete; "not complete" deletes it.
CREATE TABLE lesson_progress (
	user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	lesson_id INTEGER NOT NULL REFERENCES lessons (id) ON DELETE CASCADE,
	completed_at INTEGER NOT NULL,
	PRIMARY KEY (user_id, lesson_id)
);
CREATE INDEX lesson_progress_lesson ON lesson_progress (lesson_id);

-- Where a student is in a course: the last lesson opened, the last
-- activity, and when every lesson was first done.  completed_at is set
-- once and kept: a lesson added later, or one marked not complete again,
-- does not take a completion (or its certificate) back.
CREATE TABLE course_progress (
	user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	course_id INTEGER NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
	last_lesson_id INTEGER REFERENCES lessons (id) ON DELETE SET NULL,
	last_activity_at INTEGER NOT NULL,
	completed_at INTEGER,
	PRIMARY KEY (user_id, course_id)
);
-- A student's library reads every row of theirs with the enrollment
-- (lib/library.c): this index answers it without the table.
CREATE INDEX course_progress_user ON course_progress (user_id, course_id, last_activity_at, completed_at);
CREATE INDEX course_progress_lesson ON course_progress (last_lesson_id);

-- A certificate of completion: the name and title as they were when it
-- was issued, and a random code that is the public verification URL
-- (/certificates/<code>).  Its validity is not stored: it follows the
-- enrollment (a refund or a revocation voids it; see lib/certificate.c).
CREATE TABLE certificates (
	id INTEGER PRIMARY KEY,
	code TEXT NOT NULL UNIQUE CHECK (length(code) = 32),
	user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	course_id INTEGER NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
	student_name TEXT NOT NULL,
	course_title TEXT NOT NULL,
	issued_at INTEGER NOT NULL,
	UNIQUE (user_id, course_id)
);

CREATE TABLE wishlist (
	user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	course_id INTEGER NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
	added_at INTEGER NOT NULL,
	PRIMARY KEY (user_id, course_id)
);
CREATE INDEX wishlist_user_added ON wishlist (user_id, added_at);

-- A student's library: every enrollment, newest first, with what the
-- access rule reads of it, from the index alone (lib/library.c).
CREATE INDEX enrollments_user_granted ON enrollments (user_id, granted_at, id, course_id, status, source, order_id);

-- Stripe's own receipt of the charge that paid an order (charge.receipt_url).
ALTER TABLE orders ADD COLUMN receipt_url TEXT;
-- What a student spent, summed from the index alone (the dashboard).
CREATE INDEX orders_user_spent ON orders (user_id, status, currency, total_amount, refunded_amount);
