-- 014: reconciliation with Stripe reads the orders paid in a period
-- (/admin/reconcile); without this index every check reads every order.
-- IF NOT EXISTS: the reports may want the same index under the same name.
CREATE INDEX IF NOT EXISTS orders_paid_at ON orders (paid_at);
