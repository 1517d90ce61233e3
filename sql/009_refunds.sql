-- 009: refunds the store makes (an admin refunds an order whole, chosen
-- items, or an amount, through Stripe's refunds API).  Our record comes
-- first and names the idempotency key, so a double click or a retried
-- request never refunds twice; Stripe's refund id is kept when it answers.
-- Refunds made in Stripe's dashboard have no row here: the order's
-- refunded_amount (from the charge) counts them all.
CREATE TABLE refunds (
	id INTEGER PRIMARY KEY,
	order_id INTEGER NOT NULL REFERENCES orders (id),
	amount INTEGER NOT NULL CHECK (amount > 0),
	currency TEXT NOT NULL CHECK (length(currency) = 3),
	-- 'pending' until Stripe answers; 'failed' leaves everything as it was.
	status TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
	reason TEXT NOT NULL DEFAULT '',
	note TEXT NOT NULL DEFAULT '',
	stripe_refund_id TEXT UNIQUE,
	failure_message TEXT NOT NULL DEFAULT '',
	created_by INTEGER REFERENCES users (id),
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);
CREATE INDEX refunds_order ON refunds (order_id, id);
CREATE INDEX refunds_created ON refunds (created_at, id);

-- Which items a refund covers, and how much of each (an amount refund
-- covers none: it is money back, access stays).
CREATE TABLE refund_items (
	refund_id INTEGER NOT NULL REFERENCES refunds (id),
	order_item_id INTEGER NOT NULL REFERENCES order_items (id),
	amount INTEGER NOT NULL CHECK (amount >= 0),
	PRIMARY KEY (refund_id, order_item_id)
);

-- What of each item has been refunded by refunds that succeeded (kept in
-- the transaction that marks the refund succeeded), for reports by course.
ALTER TABLE order_items ADD COLUMN refunded_amount INTEGER NOT NULL DEFAULT 0
	CHECK (refunded_amount >= 0);
