-- PostgreSQL form of sql/018_seat_refunds.sql.  What differs: BIGINT columns.
--
-- 018: refunds of a team order's seats (issue 18).  A refund of seats
-- removes them from the team when it is recorded (pending), so nobody
-- assigns them while Stripe is asked; the refund item keeps how many, so
-- that a refund Stripe refuses gives exactly those seats back.
ALTER TABLE refund_items ADD COLUMN seats BIGINT NOT NULL DEFAULT 0
	CHECK (seats >= 0);
