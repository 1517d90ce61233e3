-- PostgreSQL form of sql/012_people.sql.  What differs: BIGINT columns; COLLATE NOCASE names the collation nocase made
-- by 001, so the indexes are the same as SQLite's and serve the same
-- range and row-value comparisons of lib/people.c.
--
-- 012: the admin's people pages.  An account an admin disabled (its
-- sessions end, it cannot log in), an enrollment's own end when an admin
-- extended it and the note an admin grant carries, and the indexes behind
-- the people search, the audit log's dates and the admin home.  Times are
-- unix seconds (UTC), set by the code.

-- NULL: the account may log in.
ALTER TABLE users ADD COLUMN disabled_at BIGINT;
-- Set by an admin's extension: access lasts until the later of this and
-- granted_at + the course's access_days (a new purchase never shortens it).
ALTER TABLE enrollments ADD COLUMN expires_at BIGINT;
-- Why an admin granted or changed the enrollment, in their words.
ALTER TABLE enrollments ADD COLUMN note TEXT NOT NULL DEFAULT '';

-- People search: an address or a name by its beginning, whatever the case
-- (the email column is NOCASE already, with its UNIQUE index).
CREATE INDEX users_name_search ON users (name COLLATE NOCASE, id);
-- By name, the addresses that begin with the term are sorted by their
-- names, read from here without touching the table.
CREATE INDEX users_email_name ON users (email, name COLLATE NOCASE);
-- Today's sales and the orders waiting for an admin, on the admin home.
CREATE INDEX orders_paid_at_home ON orders (paid_at);
CREATE INDEX orders_review_home ON orders (needs_review, id);
