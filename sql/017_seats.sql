-- 017: team purchases and seats (issue 18).  A cart is bought for its
-- owner or for one team they manage; a team order's items carry a
-- quantity of seats, and fulfilment adds them to the team's seats for
-- each course instead of enrolling the buyer.  A manager hands a seat to
-- a member (access at once) or to an address by an invitation mail (a
-- seat held until the link is accepted, cancelled or revoked).  Times are
-- unix seconds (UTC), set by the code.

-- The team a cart is bought for (NULL: for its owner).
ALTER TABLE carts ADD COLUMN team_id INTEGER REFERENCES teams (id);
-- Seats of a line; 1 for a cart bought for its owner.
ALTER TABLE cart_items ADD COLUMN quantity INTEGER NOT NULL DEFAULT 1
	CHECK (quantity BETWEEN 1 AND 1000);

-- The team an order was bought for (Stripe's client_reference_id names
-- it); NULL for an order a student bought for themselves.
ALTER TABLE orders ADD COLUMN team_id INTEGER REFERENCES teams (id);
-- A team's orders, newest first (the team's billing page).
-- PostgreSQL: the same partial index.
CREATE INDEX orders_team ON orders (team_id, created_at, id)
	WHERE team_id IS NOT NULL;
-- Seats an item's refunds took back (a team order's item only).
ALTER TABLE order_items ADD COLUMN refunded_seats INTEGER NOT NULL DEFAULT 0
	CHECK (refunded_seats >= 0 AND refunded_seats <= quantity);

-- A team's seats of a course: bought (net of refunded) and held.  held
-- counts every assignment that is not revoked (active or invited); the
-- CHECK makes "never more assignments than seats" hold whatever the
-- race: a seat is taken by one conditional UPDATE (lib/seat.c).
CREATE TABLE team_seats (
	team_id INTEGER NOT NULL REFERENCES teams (id),
	course_id INTEGER NOT NULL REFERENCES courses (id),
	seats INTEGER NOT NULL CHECK (seats >= 0),
	held INTEGER NOT NULL DEFAULT 0 CHECK (held >= 0 AND held <= seats),
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (team_id, course_id)
);
-- Seats of a course across teams (the admin's utilisation report).
CREATE INDEX team_seats_course ON team_seats (course_id, team_id);

-- One row per seat handed out.  'invited': mailed to email, waiting for
-- the link (token_hash; the token lives only in the mail); 'active':
-- user_id holds it and has an enrollment of source 'seat' naming it;
-- 'revoked': given back (the seat is free again).
CREATE TABLE seat_assignments (
	id INTEGER PRIMARY KEY,
	team_id INTEGER NOT NULL,
	course_id INTEGER NOT NULL,
	user_id INTEGER REFERENCES users (id),
	email TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('invited', 'active', 'revoked')),
	token_hash TEXT UNIQUE CHECK (token_hash IS NULL OR
	    length(token_hash) = 64),
	expires_at INTEGER,
	assigned_by INTEGER REFERENCES users (id),
	created_at INTEGER NOT NULL,
	accepted_at INTEGER,
	revoked_at INTEGER,
	revoked_by INTEGER REFERENCES users (id),
	FOREIGN KEY (team_id, course_id) REFERENCES team_seats (team_id,
	    course_id),
	CHECK (status <> 'active' OR user_id IS NOT NULL)
);
-- An address holds at most one live seat of a team's course.
-- PostgreSQL: the same partial unique index.
CREATE UNIQUE INDEX seat_assignments_live ON seat_assignments (team_id,
	course_id, email) WHERE status <> 'revoked';
-- A person's seats (access, leaving a team, erasure and export).
CREATE INDEX seat_assignments_user ON seat_assignments (user_id, team_id)
	WHERE user_id IS NOT NULL;

-- The seat an enrollment of source 'seat' comes from.
ALTER TABLE enrollments ADD COLUMN seat_id INTEGER
	REFERENCES seat_assignments (id);
CREATE INDEX enrollments_seat ON enrollments (seat_id)
	WHERE seat_id IS NOT NULL;
