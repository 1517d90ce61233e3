-- PostgreSQL form of sql/014_reconcile.sql.  What differs: nothing.
--
-- 014: reconciliation with Stripe reads the orders paid in a period
-- (/admin/reconcile); without this index every check reads every order.
-- The reports (015) read orders by paid_at through it too.
CREATE INDEX orders_paid_at ON orders (paid_at);
