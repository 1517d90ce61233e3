-- 020: cohorts, their steps and live session options (issue 19).  A
-- course of type 'cohort' runs one or more cohorts; its steps are taught
-- live, step n in week n of a cohort, each in one or more options (a
-- weekday and local times in the school's zone, with its own capacity).
-- A student pays for a cohort, then books an option of every step.
-- courses.capacity, starts_at and enroll_deadline belong to cohorts now;
-- they stay in courses unread.  Times are unix seconds (UTC), set by the
-- code; a day people chose is 'YYYY-MM-DD' in the school's zone.

-- held counts every place taken or held: a paid student, a pending
-- checkout's reservation, a waitlist offer (cohort_places); the CHECK
-- makes "never oversold" hold whatever the race, as team_seats does.
CREATE TABLE cohorts (
	id INTEGER PRIMARY KEY,
	course_id INTEGER NOT NULL REFERENCES courses (id),
	name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
	starts_on TEXT NOT NULL CHECK (length(starts_on) = 10),
	enroll_deadline INTEGER NOT NULL,
	capacity INTEGER NOT NULL CHECK (capacity > 0),
	held INTEGER NOT NULL DEFAULT 0 CHECK (held >= 0 AND held <= capacity),
	is_active INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	UNIQUE (course_id, name)
);
-- A course's cohorts by start (the course page, the admin).
CREATE INDEX cohorts_course ON cohorts (course_id, starts_on, id);

-- A course's steps in order (positions 1..n, kept so by the code).
CREATE TABLE course_steps (
	id INTEGER PRIMARY KEY,
	course_id INTEGER NOT NULL REFERENCES courses (id),
	position INTEGER NOT NULL CHECK (position > 0),
	label TEXT NOT NULL CHECK (length(label) BETWEEN 1 AND 40),
	title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
	UNIQUE (course_id, position)
);

-- A cohort's option for a step: weekday 1 (Monday) .. 7, minutes after
-- local midnight; starts_at and ends_at are the session's instants,
-- computed from those in the school's zone with the offset of the
-- session's own day (lib/cohort_time.c) and computed again when the zone
-- or the cohort's start changes.  booked counts bookings (CHECK as for
-- cohorts.held).  The meeting link is shown to booked students only.
CREATE TABLE step_options (
	id INTEGER PRIMARY KEY,
	cohort_id INTEGER NOT NULL REFERENCES cohorts (id),
	step_id INTEGER NOT NULL REFERENCES course_steps (id),
	name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
	weekday INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),
	start_minute INTEGER NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),
	end_minute INTEGER NOT NULL CHECK (end_minute > start_minute AND
	    end_minute <= 1440),
	starts_at INTEGER NOT NULL,
	ends_at INTEGER NOT NULL CHECK (ends_at > starts_at),
	capacity INTEGER NOT NULL CHECK (capacity > 0),
	booked INTEGER NOT NULL DEFAULT 0 CHECK (booked >= 0 AND
	    booked <= capacity),
	meeting_url TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);
-- A cohort's options by step and time (the wizard, the schedule).
CREATE INDEX step_options_cohort ON step_options (cohort_id, step_id,
	starts_at, id);

-- A place in a cohort: 'reserved' by a pending checkout (order_id) until
-- it is paid, expires or fails; 'taken' by a paid student; 'offered' to
-- the first on the waitlist until expires_at; 'released' when given back.
-- Every place not released counts in cohorts.held.  expires_at is set
-- once, when the place is held: touching a cart never extends it.
CREATE TABLE cohort_places (
	id INTEGER PRIMARY KEY,
	cohort_id INTEGER NOT NULL REFERENCES cohorts (id),
	user_id INTEGER NOT NULL REFERENCES users (id),
	order_id INTEGER REFERENCES orders (id),
	status TEXT NOT NULL CHECK (status IN ('reserved', 'taken', 'offered',
	    'released')),
	expires_at INTEGER,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);
-- A person holds at most one live place in a cohort.
-- PostgreSQL: the same partial unique index.
CREATE UNIQUE INDEX cohort_places_live ON cohort_places (cohort_id,
	user_id) WHERE status <> 'released';
CREATE INDEX cohort_places_order ON cohort_places (order_id)
	WHERE order_id IS NOT NULL;
-- Places that run out (reservations and offers), by when.
CREATE INDEX cohort_places_expiry ON cohort_places (status, expires_at)
	WHERE expires_at IS NOT NULL;

-- The cohort a cart line, an order's item and an enrollment are for.
ALTER TABLE cart_items ADD COLUMN cohort_id INTEGER REFERENCES cohorts (id);
ALTER TABLE order_items ADD COLUMN cohort_id INTEGER
	REFERENCES cohorts (id);
ALTER TABLE enrollments ADD COLUMN cohort_id INTEGER
	REFERENCES cohorts (id);
-- A cohort's students (its roster).
CREATE INDEX enrollments_cohort ON enrollments (cohort_id, user_id)
	WHERE cohort_id IS NOT NULL;

-- A student's booking of a step: option_id NULL until they choose (the
-- row is made for every step when the place is paid for).
CREATE TABLE step_bookings (
	id INTEGER PRIMARY KEY,
	user_id INTEGER NOT NULL REFERENCES users (id),
	cohort_id INTEGER NOT NULL REFERENCES cohorts (id),
	step_id INTEGER NOT NULL REFERENCES course_steps (id),
	option_id INTEGER REFERENCES step_options (id),
	booked_at INTEGER,
	changed_at INTEGER NOT NULL,
	UNIQUE (user_id, step_id)
);
-- An option's students (the roster, the calendar).
CREATE INDEX step_bookings_option ON step_bookings (option_id, user_id)
	WHERE option_id IS NOT NULL;
CREATE INDEX step_bookings_cohort ON step_bookings (cohort_id, user_id);

-- Who waits for a full cohort, first come first served.  'offered': a
-- place was freed and held for them (cohort_places 'offered') until it
-- expires; then the next in line is offered it.
CREATE TABLE cohort_waitlist (
	id INTEGER PRIMARY KEY,
	cohort_id INTEGER NOT NULL REFERENCES cohorts (id),
	user_id INTEGER NOT NULL REFERENCES users (id),
	status TEXT NOT NULL CHECK (status IN ('waiting', 'offered', 'enrolled',
	    'expired', 'left')),
	created_at INTEGER NOT NULL,
	offered_at INTEGER,
	offer_expires_at INTEGER
);
-- PostgreSQL: the same partial unique index.
CREATE UNIQUE INDEX cohort_waitlist_live ON cohort_waitlist (cohort_id,
	user_id) WHERE status IN ('waiting', 'offered');
CREATE INDEX cohort_waitlist_line ON cohort_waitlist (cohort_id, status,
	id);

-- A student's private calendar feed: the token lives only in the URL
-- given to them; its hex SHA-256 is kept.  A new one revokes the old.
CREATE TABLE calendar_feeds (
	user_id INTEGER PRIMARY KEY REFERENCES users (id),
	token_hash TEXT NOT NULL UNIQUE CHECK (length(token_hash) = 64),
	created_at INTEGER NOT NULL
);

-- A student's own time zone (an IANA name), shown beside the school's;
-- NULL: the school's only.
ALTER TABLE users ADD COLUMN timezone TEXT;
