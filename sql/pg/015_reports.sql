-- PostgreSQL form of sql/015_reports.sql.  What differs: BIGINT columns; no WITHOUT ROWID (the primary keys stay);
-- report_checkout_days.day and report_state.id are plain keys.
--
-- 015: reports.  A daily summary of the money, so that /admin/reports
-- reads a few hundred rows however many orders the store holds.  Each row
-- is one local day of the school's time zone (day is YYYYMMDD there) and
-- one currency, counting orders by the day they were paid, net of every
-- refund since.  lib/report.c recomputes the whole day of an order, from
-- the orders, in the same transaction as any change to that order's money
-- (lib/fulfil.c calls it, and lib/order.c when an order is made), so the
-- summary equals a recomputation; the
-- table is filled by 'enrollctl migrate' (report_rebuild), which also
-- rebuilds it when ENROLL_TIMEZONE changes (report_state.zone).
-- The tables are clustered by day (WITHOUT ROWID: a period is one range
-- read of the rows themselves; PostgreSQL's DDL drops the clause).
CREATE TABLE report_days (
	day BIGINT NOT NULL,		-- YYYYMMDD, local
	currency TEXT NOT NULL CHECK (length(currency) = 3),
	orders BIGINT NOT NULL,	-- paid that day
	refunded_orders BIGINT NOT NULL,	-- of them, with any refund
	gross BIGINT NOT NULL,		-- total_amount, minor units
	refunded BIGINT NOT NULL,	-- refunded_amount so far
	discount BIGINT NOT NULL,	-- discount_amount
	PRIMARY KEY (day, currency)
);

-- The same by month (YYYYMM), summed from report_days whenever one of
-- its days is recomputed, for the chart of the last twelve months.
CREATE TABLE report_months (
	month BIGINT NOT NULL,		-- YYYYMM, local
	currency TEXT NOT NULL CHECK (length(currency) = 3),
	orders BIGINT NOT NULL,
	refunded_orders BIGINT NOT NULL,
	gross BIGINT NOT NULL,
	refunded BIGINT NOT NULL,
	discount BIGINT NOT NULL,
	PRIMARY KEY (month, currency)
);

-- By course: items sold on the day, net of refunds (a refund with no
-- per-item record, made in Stripe's dashboard, is shared out over the
-- order's items in proportion to their amounts).
CREATE TABLE report_course_days (
	day BIGINT NOT NULL,
	currency TEXT NOT NULL CHECK (length(currency) = 3),
	course_id BIGINT NOT NULL,
	enrollments BIGINT NOT NULL,	-- items not refunded in full
	gross BIGINT NOT NULL,		-- item amounts after discount
	refunded BIGINT NOT NULL,	-- their share of the refunds
	PRIMARY KEY (day, currency, course_id)
);

-- The same by month, summed from report_course_days whenever one of its
-- days is recomputed: a period reads its whole months here and only the
-- days of the months it starts and ends in.
CREATE TABLE report_course_months (
	month BIGINT NOT NULL,		-- YYYYMM, local
	currency TEXT NOT NULL CHECK (length(currency) = 3),
	course_id BIGINT NOT NULL,
	enrollments BIGINT NOT NULL,
	gross BIGINT NOT NULL,
	refunded BIGINT NOT NULL,
	PRIMARY KEY (month, currency, course_id)
);

-- Coupons used by the orders paid that day (orders refunded in full do
-- not count), and the discount they gave.
CREATE TABLE report_coupon_days (
	day BIGINT NOT NULL,
	currency TEXT NOT NULL CHECK (length(currency) = 3),
	code TEXT NOT NULL,
	uses BIGINT NOT NULL,
	discount BIGINT NOT NULL,
	PRIMARY KEY (day, currency, code)
);

-- Conversion: the checkouts started (orders made) on the day, and how
-- many of them were paid since; recomputed when an order is made or paid.
CREATE TABLE report_checkout_days (
	day BIGINT PRIMARY KEY,	-- YYYYMMDD, local, of created_at
	started BIGINT NOT NULL,
	paid BIGINT NOT NULL
);

-- The time zone the summary's days were counted in (one row, once built).
CREATE TABLE report_state (
	id BIGINT PRIMARY KEY CHECK (id = 1),
	zone TEXT NOT NULL
);

-- A day is recomputed from the orders paid, or made, in it.
-- orders_paid_at (orders by the time they were paid) is made by 014.
CREATE INDEX orders_created_paid ON orders (created_at, paid_at);
