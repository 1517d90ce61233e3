-- The benchmark's big store: 1,000,000 orders over about three years
-- before @now (one every 94 seconds), for /admin/reports and /admin/orders.
-- Run by sqlite3 with `.parameter set @now <unix seconds>` against a
-- migrated database holding the demo catalog; then `enrollctl
-- report-rebuild` sums the reports' days (the store itself keeps them as
-- orders change; orders written by SQL are not seen until then).
--   50,000 buyers (buyer<n>@example.org); buyer n has the orders i with
--   i % 50000 = n, twenty each.
--   One order in three has two courses, one in seven the coupon BENCH10
--   (10% off), one in ten is in eur.  One in twenty is never paid
--   (expired) and one in twenty failed; one in 25 is refunded in full,
--   one in 25 partly: half of those by the store, for one course (a
--   per-item record), half in Stripe's dashboard (a third of the order,
--   no per-item record).
PRAGMA foreign_keys = OFF;
BEGIN;
INSERT INTO users (email, name, password_hash, created_at, updated_at)
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 49999)
SELECT 'buyer' || i || '@example.org', 'Buyer ' || i, '$argon2id$v=19$bench',
    @now - 100000000, @now - 100000000 FROM n;

INSERT INTO coupons (code, description, kind, percent_off, created_at)
VALUES ('BENCH10', 'Benchmark coupon', 'percentage', 10, @now - 100000000)
ON CONFLICT (code) DO NOTHING;

-- The first twelve priced courses (the demo catalog's, even when bench.sh
-- has added 10,000 more): the reports read one row per course sold on a
-- day, so the number of courses sold, not of orders, sets their cost.
CREATE TEMP TABLE bench_courses AS
SELECT row_number() OVER (ORDER BY id) - 1 AS k, id, title, price AS price
FROM (SELECT id, title, price_amount AS price FROM courses
    WHERE price_amount > 0 ORDER BY id LIMIT 12);
CREATE TEMP TABLE bench_k AS SELECT count(*) AS n FROM bench_courses;

-- One row per order: its courses (a, and b or NULL), its money and fate.
CREATE TEMP TABLE bench_gen AS
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000),
p AS (
	SELECT i, i % (SELECT n FROM bench_k) AS ka,
	    CASE WHEN i % 3 = 0 THEN (i + 1 + i % ((SELECT n FROM bench_k) - 1)) % (SELECT n FROM bench_k) END AS kb
	FROM n
), q AS (
	SELECT p.i, a.id AS ca, a.title AS ta, a.price AS pa,
	    b.id AS cb, b.title AS tb, coalesce(b.price, 0) AS pb
	FROM p JOIN bench_courses a ON a.k = p.ka LEFT JOIN bench_courses b ON b.k = p.kb
)
SELECT i, ca, ta, pa, cb, tb, pb, pa + pb AS sub,
    CASE WHEN i % 7 = 0 THEN (pa + pb) / 10 ELSE 0 END AS disc,
    CASE WHEN i % 10 = 7 THEN 'eur' ELSE 'usd' END AS currency,
    @now - i * 94 AS created,
    CASE WHEN i % 20 = 1 THEN 'expired' WHEN i % 20 = 6 THEN 'failed'
         WHEN i % 25 = 2 THEN 'refunded' WHEN i % 25 = 3 THEN 'partially_refunded'
         ELSE 'paid' END AS status
FROM q;

INSERT INTO orders (number, user_id, status, currency, subtotal_amount,
    discount_amount, total_amount, coupon_id, coupon_code, refunded_amount,
    paid_at, created_at, updated_at)
SELECT 'ORD-B' || g.i, (SELECT min(id) FROM users WHERE email LIKE 'buyer%') + g.i % 50000,
    g.status, g.currency, g.sub, g.disc, g.sub - g.disc,
    CASE WHEN g.disc > 0 THEN (SELECT id FROM coupons WHERE code = 'BENCH10') END,
    CASE WHEN g.disc > 0 THEN 'BENCH10' END,
    CASE g.status WHEN 'refunded' THEN g.sub - g.disc
        WHEN 'partially_refunded' THEN
            CASE WHEN g.i % 50 = 3 THEN g.pa - g.pa * g.disc / g.sub ELSE (g.sub - g.disc) / 3 END
        ELSE 0 END,
    CASE WHEN g.status IN ('expired', 'failed') THEN NULL ELSE g.created + 60 END,
    g.created, g.created + 60
FROM bench_gen g ORDER BY g.i;

-- Items: the discount shared as the store shares it; the store's own
-- refunds (one in 50) recorded on the first course.
CREATE TEMP TABLE bench_ids AS
SELECT o.id AS oid, CAST(substr(o.number, 6) AS INTEGER) AS i FROM orders o
WHERE o.number LIKE 'ORD-B%';
INSERT INTO order_items (order_id, course_id, title, unit_amount, quantity,
    discount_amount, refunded_amount)
SELECT x.oid, g.ca, g.ta, g.pa, 1, g.pa * g.disc / g.sub,
    CASE WHEN g.status = 'partially_refunded' AND g.i % 50 = 3 THEN g.pa - g.pa * g.disc / g.sub
         WHEN g.status = 'refunded' AND g.i % 50 = 2 THEN g.pa - g.pa * g.disc / g.sub
         ELSE 0 END
FROM bench_gen g JOIN bench_ids x ON x.i = g.i
UNION ALL
SELECT x.oid, g.cb, g.tb, g.pb, 1, g.disc - g.pa * g.disc / g.sub,
    CASE WHEN g.status = 'refunded' AND g.i % 50 = 2 THEN g.pb - (g.disc - g.pa * g.disc / g.sub)
         ELSE 0 END
FROM bench_gen g JOIN bench_ids x ON x.i = g.i WHERE g.cb IS NOT NULL;
COMMIT;
ANALYZE;
