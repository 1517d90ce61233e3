-- 003: purchase.  Coupons and their reservations, orders frozen at
-- checkout, enrollments (one per user and course), Stripe's events (one row
-- per event id: a redelivery changes nothing) and the mail outbox written in
-- the same transaction as what it reports.

CREATE TABLE coupons (
	id INTEGER PRIMARY KEY,
	code TEXT NOT NULL UNIQUE CHECK (code <> '' AND code = upper(code)),
	description TEXT NOT NULL DEFAULT '',
	kind TEXT NOT NULL CHECK (kind IN ('percentage', 'fixed')),
	percent_off INTEGER CHECK (percent_off BETWEEN 1 AND 100),
	amount_off INTEGER CHECK (amount_off > 0),
	currency TEXT NOT NULL DEFAULT 'usd' CHECK (length(currency) = 3),
	max_discount_amount INTEGER CHECK (max_discount_amount > 0),
	min_purchase_amount INTEGER NOT NULL DEFAULT 0 CHECK (min_purchase_amount >= 0),
	max_uses INTEGER CHECK (max_uses > 0),
	max_uses_per_user INTEGER CHECK (max_uses_per_user > 0),
	valid_from INTEGER,
	valid_until INTEGER,
	is_active INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
	created_at INTEGER NOT NULL DEFAULT (unixepoch()),
	CHECK ((kind = 'percentage' AND percent_off IS NOT NULL AND amount_off IS NULL)
	    OR (kind = 'fixed' AND amount_off IS NOT NULL AND percent_off IS NULL)),
	CHECK (valid_from IS NULL OR valid_until IS NULL OR valid_from < valid_until)
);

-- A coupon restricted to course types and/or courses discounts only the
-- matching items; with neither it applies to the whole cart.
CREATE TABLE coupon_course_types (
	coupon_id INTEGER NOT NULL REFERENCES coupons (id) ON DELETE CASCADE,
	course_type TEXT NOT NULL,
	PRIMARY KEY (coupon_id, course_type)
);
CREATE TABLE coupon_courses (
	coupon_id INTEGER NOT NULL REFERENCES coupons (id) ON DELETE CASCADE,
	course_id INTEGER NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
	PRIMARY KEY (coupon_id, course_id)
);

CREATE TABLE orders (
	id INTEGER PRIMARY KEY,
	number TEXT NOT NULL UNIQUE,
	user_id INTEGER NOT NULL REFERENCES users (id),
	status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'paid',
	    'failed', 'expired', 'cancelled', 'refunded', 'partially_refunded')),
	currency TEXT NOT NULL CHECK (length(currency) = 3),
	subtotal_amount INTEGER NOT NULL CHECK (subtotal_amount >= 0),
	discount_amount INTEGER NOT NULL DEFAULT 0 CHECK (discount_amount >= 0),
	total_amount INTEGER NOT NULL CHECK (total_amount >= 0),
	coupon_id INTEGER REFERENCES coupons (id),
	coupon_code TEXT,
	checkout_attempt INTEGER NOT NULL DEFAULT 0,
	stripe_session_id TEXT UNIQUE,
	stripe_session_url TEXT,
	stripe_payment_intent TEXT,
	expires_at INTEGER,
	refunded_amount INTEGER NOT NULL DEFAULT 0 CHECK (refunded_amount >= 0),
	needs_review INTEGER NOT NULL DEFAULT 0 CHECK (needs_review IN (0, 1)),
	review_reason TEXT NOT NULL DEFAULT '',
	paid_at INTEGER,
	created_at INTEGER NOT NULL DEFAULT (unixepoch()),
	updated_at INTEGER NOT NULL DEFAULT (unixepoch()),
	CHECK (total_amount = subtotal_amount - discount_amount)
);
CREATE INDEX orders_user ON orders (user_id, created_at DESC, id DESC);
CREATE INDEX orders_status ON orders (status, expires_at);
CREATE INDEX orders_payment_intent ON orders (stripe_payment_intent);

CREATE TABLE order_items (
	id INTEGER PRIMARY KEY,
	order_id INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
	course_id INTEGER NOT NULL REFERENCES courses (id),
	title TEXT NOT NULL,
	unit_amount INTEGER NOT NULL CHECK (unit_amount >= 0),
	quantity INTEGER NOT NULL DEFAULT 1 CHECK (quantity > 0),
	discount_amount INTEGER NOT NULL DEFAULT 0 CHECK (discount_amount >= 0),
	UNIQUE (order_id, course_id)
);

-- A reservation is held by a pending checkout and counts against the
-- coupon's limits; it becomes a redemption when the order is paid and is
-- released when the checkout expires, fails or is cancelled.
CREATE TABLE coupon_redemptions (
	id INTEGER PRIMARY KEY,
	coupon_id INTEGER NOT NULL REFERENCES coupons (id),
	user_id INTEGER NOT NULL REFERENCES users (id),
	order_id INTEGER NOT NULL UNIQUE REFERENCES orders (id),
	status TEXT NOT NULL CHECK (status IN ('reserved', 'redeemed', 'released')),
	amount INTEGER NOT NULL CHECK (amount >= 0),
	created_at INTEGER NOT NULL DEFAULT (unixepoch()),
	updated_at INTEGER NOT NULL DEFAULT (unixepoch())
);
CREATE INDEX coupon_redemptions_use ON coupon_redemptions (coupon_id, status, user_id);

CREATE TABLE enrollments (
	id INTEGER PRIMARY KEY,
	user_id INTEGER NOT NULL REFERENCES users (id),
	course_id INTEGER NOT NULL REFERENCES courses (id),
	order_id INTEGER REFERENCES orders (id),
	source TEXT NOT NULL CHECK (source IN ('purchase', 'free', 'admin', 'seat')),
	status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked')),
	granted_at INTEGER NOT NULL DEFAULT (unixepoch()),
	revoked_at INTEGER,
	UNIQUE (user_id, course_id)
);
CREATE INDEX enrollments_order ON enrollments (order_id);

CREATE TABLE stripe_customers (
	user_id INTEGER PRIMARY KEY REFERENCES users (id),
	customer_id TEXT NOT NULL UNIQUE
);

CREATE TABLE stripe_events (
	id INTEGER PRIMARY KEY,
	event_id TEXT NOT NULL UNIQUE,
	type TEXT NOT NULL,
	created INTEGER NOT NULL,
	received_at INTEGER NOT NULL DEFAULT (unixepoch()),
	order_id INTEGER REFERENCES orders (id),
	outcome TEXT NOT NULL DEFAULT ''
);
CREATE INDEX stripe_events_created ON stripe_events (created);

CREATE TABLE outbox (
	id INTEGER PRIMARY KEY,
	dedupe_key TEXT NOT NULL UNIQUE,
	to_addr TEXT NOT NULL,
	subject TEXT NOT NULL,
	body TEXT NOT NULL,
	status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
	attempts INTEGER NOT NULL DEFAULT 0,
	next_attempt_at INTEGER NOT NULL DEFAULT (unixepoch()),
	last_error TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL DEFAULT (unixepoch()),
	sent_at INTEGER
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
