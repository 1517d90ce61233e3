-- PostgreSQL form of sql/013_admin_orders.sql.  What differs: BIGINT columns.
--
-- 013: the admin's orders and refunds pages.
--
-- The charge that paid an order (Stripe's ch_ id), kept by fulfilment with
-- the receipt, so an admin can find an order by any id Stripe shows.
ALTER TABLE orders ADD COLUMN stripe_charge_id TEXT;
CREATE INDEX orders_charge ON orders (stripe_charge_id);

-- The refund form's one-time token: a second submission of the same
-- rendered form (a double click, a retried POST) finds the refund the
-- first one made instead of making another.
ALTER TABLE refunds ADD COLUMN form_token TEXT;
CREATE UNIQUE INDEX refunds_form_token ON refunds (form_token);

-- /admin/orders lists orders needing review first, then newest first, a
-- page at a time by key (needs_review, created_at, id).  Each filter that
-- narrows the list drives its own index with that key behind it, so a
-- page at a million orders reads about one page of index entries.
CREATE INDEX orders_admin_review ON orders (needs_review, created_at, id);
CREATE INDEX orders_admin_status ON orders (status, needs_review, created_at, id);
CREATE INDEX orders_admin_coupon ON orders (coupon_id, needs_review, created_at, id);
-- (The course filter checks each order the driver yields through
-- order_items' UNIQUE (order_id, course_id): no index of its own.)

-- The order page lists the Stripe events received for the order.
CREATE INDEX stripe_events_order ON stripe_events (order_id, created);
