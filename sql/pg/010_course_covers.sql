-- PostgreSQL form of sql/010_course_covers.sql.  What differs: BIGINT columns.
--
-- 010: course covers.  An admin uploads an image (PNG, JPEG or WebP,
-- recognised by its bytes); it is stored once under the hex SHA-256 of
-- its bytes in ENROLL_MEDIA_DIR/covers/, which nginx serves as /media/.
-- cover is that path below the media folder ('covers/<hex>.png'), NULL
-- for none; cover_alt describes the picture for those who cannot see it.
ALTER TABLE courses ADD COLUMN cover TEXT;
ALTER TABLE courses ADD COLUMN cover_alt TEXT NOT NULL DEFAULT '';
-- The admin's list sorts by title or price (or newest: the rowid), with
-- the id breaking ties, a page at a time along these indexes.
CREATE INDEX courses_title ON courses (title, id);
CREATE INDEX courses_price ON courses (price_amount, id);
-- Whether a course was ever ordered (it may then never be deleted).
CREATE INDEX order_items_course ON order_items (course_id);
CREATE INDEX enrollments_course ON enrollments (course_id);
-- The price a course had when it went into a cart (NULL: added before
-- this column), so the cart can say when an admin changed it since.  The
-- cart always charges today's price; an order freezes it at checkout.
ALTER TABLE cart_items ADD COLUMN added_amount BIGINT;
