-- 004: lesson count and total minutes kept on the course row by triggers,
-- so listing a page of courses reads one row per course instead of
-- summing its lessons every time.
ALTER TABLE courses ADD COLUMN lesson_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE courses ADD COLUMN total_minutes INTEGER NOT NULL DEFAULT 0;

UPDATE courses SET
	lesson_count = (SELECT count(*) FROM lessons l WHERE l.course_id = courses.id),
	total_minutes = (SELECT coalesce(sum(l.duration_minutes), 0) FROM lessons l
	    WHERE l.course_id = courses.id);

CREATE TRIGGER lessons_stats_insert AFTER INSERT ON lessons BEGIN
	UPDATE courses SET lesson_count = lesson_count + 1,
	    total_minutes = total_minutes + new.duration_minutes
	    WHERE id = new.course_id;
END;
CREATE TRIGGER lessons_stats_delete AFTER DELETE ON lessons BEGIN
	UPDATE courses SET lesson_count = lesson_count - 1,
	    total_minutes = total_minutes - old.duration_minutes
	    WHERE id = old.course_id;
END;
CREATE TRIGGER lessons_stats_update AFTER UPDATE OF course_id, duration_minutes ON lessons BEGIN
	UPDATE courses SET lesson_count = lesson_count - 1,
	    total_minutes = total_minutes - old.duration_minutes
	    WHERE id = old.course_id;
	UPDATE courses SET lesson_count = lesson_count + 1,
	    total_minutes = total_minutes + new.duration_minutes
	    WHERE id = new.course_id;
END;
