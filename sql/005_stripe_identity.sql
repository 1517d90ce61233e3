-- migrate: rebuilds tables
-- 005: this store's identity at Stripe, every Checkout Session it created,
-- and the disputed state of an order.  (The line above makes the migration
-- run with foreign keys off, as SQLite's table rebuild needs; the runner
-- checks them before it commits.)

-- Every Checkout Session made for an order, not only the current one: a
-- payment for a session the order no longer uses is refunded only when
-- the session is in this table for that order (never someone else's).
CREATE TABLE checkout_sessions (
	session_id TEXT PRIMARY KEY,
	order_id INTEGER NOT NULL REFERENCES orders (id),
	attempt INTEGER NOT NULL,
	payment_intent TEXT,
	created_at INTEGER NOT NULL
);
CREATE INDEX checkout_sessions_order ON checkout_sessions (order_id);
CREATE INDEX checkout_sessions_payment_intent ON checkout_sessions (payment_intent);

INSERT INTO checkout_sessions (session_id, order_id, attempt, payment_intent, created_at)
	SELECT stripe_session_id, id, checkout_attempt, stripe_payment_intent, updated_at
	FROM orders WHERE stripe_session_id IS NOT NULL;

-- orders gains the status 'disputed' (a chargeback: Stripe has taken the
-- money back) and the disputed amount.  SQLite cannot alter a CHECK, so
-- the table is rebuilt (https://sqlite.org/lang_altertable.html, "other
-- kinds of table schema changes"); PostgreSQL would alter the constraint.
CREATE TABLE orders_new (
	id INTEGER PRIMARY KEY,
	number TEXT NOT NULL UNIQUE,
	user_id INTEGER NOT NULL REFERENCES users (id),
	status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'paid',
	    'failed', 'expired', 'cancelled', 'refunded', 'partially_refunded',
	    'disputed')),
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
	disputed_amount INTEGER NOT NULL DEFAULT 0 CHECK (disputed_amount >= 0),
	needs_review INTEGER NOT NULL DEFAULT 0 CHECK (needs_review IN (0, 1)),
	review_reason TEXT NOT NULL DEFAULT '',
	paid_at INTEGER,
	created_at INTEGER NOT NULL DEFAULT (unixepoch()),
	updated_at INTEGER NOT NULL DEFAULT (unixepoch()),
	CHECK (total_amount = subtotal_amount - discount_amount)
);
INSERT INTO orders_new (id, number, user_id, status, currency, subtotal_amount,
	discount_amount, total_amount, coupon_id, coupon_code, checkout_attempt,
	stripe_session_id, stripe_session_url, stripe_payment_intent, expires_at,
	refunded_amount, needs_review, review_reason, paid_at, created_at, updated_at)
	SELECT id, number, user_id, status, currency, subtotal_amount,
	discount_amount, total_amount, coupon_id, coupon_code, checkout_attempt,
	stripe_session_id, stripe_session_url, stripe_payment_intent, expires_at,
	refunded_amount, needs_review, review_reason, paid_at, created_at, updated_at
	FROM orders;
DROP TABLE orders;
ALTER TABLE orders_new RENAME TO orders;
CREATE INDEX orders_user ON orders (user_id, created_at DESC, id DESC);
CREATE INDEX orders_status ON orders (status, expires_at);
CREATE INDEX orders_payment_intent ON orders (stripe_payment_intent);
