-- PostgreSQL form of sql/004_course_stats.sql.  What differs: BIGINT
-- columns; SQLite's three triggers are three triggers here too (same
-- names, same events: AFTER INSERT, AFTER DELETE, AFTER UPDATE OF
-- course_id, duration_minutes), each calling one plpgsql function that
-- does what the SQLite trigger's body does.
--
-- 004: lesson count and total minutes kept on the course row by triggers,
-- so listing a page of courses reads one row per course instead of
-- summing its lessons every time.
ALTER TABLE courses ADD COLUMN lesson_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE courses ADD COLUMN total_minutes BIGINT NOT NULL DEFAULT 0;

UPDATE courses SET
	lesson_count = (SELECT count(*) FROM lessons l WHERE l.course_id = courses.id),
	total_minutes = (SELECT coalesce(sum(l.duration_minutes), 0) FROM lessons l
	    WHERE l.course_id = courses.id);

-- The old row leaves its course, the new one joins its own (an insert has
-- no old row, a delete no new one).
CREATE FUNCTION lessons_stats() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP IN ('DELETE', 'UPDATE') THEN
		UPDATE courses SET lesson_count = lesson_count - 1,
		    total_minutes = total_minutes - OLD.duration_minutes
		    WHERE id = OLD.course_id;
	END IF;
	IF TG_OP IN ('INSERT', 'UPDATE') THEN
		UPDATE courses SET lesson_count = lesson_count + 1,
		    total_minutes = total_minutes + NEW.duration_minutes
		    WHERE id = NEW.course_id;
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER lessons_stats_insert AFTER INSERT ON lessons
	FOR EACH ROW EXECUTE FUNCTION lessons_stats();
CREATE TRIGGER lessons_stats_delete AFTER DELETE ON lessons
	FOR EACH ROW EXECUTE FUNCTION lessons_stats();
CREATE TRIGGER lessons_stats_update AFTER UPDATE OF course_id, duration_minutes
	ON lessons FOR EACH ROW EXECUTE FUNCTION lessons_stats();
