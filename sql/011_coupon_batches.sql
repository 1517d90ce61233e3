-- 011: batches of single-use coupon codes.  An admin generates N codes
-- sharing one rule set for a partner or an event; each code is an ordinary
-- coupon (max_uses 1) that remembers its batch, so checkout needs nothing
-- new and the batch's CSV lists its codes with whether each was used.
CREATE TABLE coupon_batches (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL CHECK (name <> ''),
	prefix TEXT NOT NULL CHECK (prefix <> '' AND prefix = upper(prefix)),
	size INTEGER NOT NULL CHECK (size > 0),
	created_at INTEGER NOT NULL
);
ALTER TABLE coupons ADD COLUMN batch_id INTEGER REFERENCES coupon_batches (id);
CREATE INDEX coupons_batch ON coupons (batch_id, code);
