-- PostgreSQL form of sql/019_seat_holders.sql.  What differs: nothing.
--
-- 019: the live seats of a team's course in the order the seats page
-- lists them (by id, a page at a time) and counts them (issue 18): the
-- page of a team of thousands reads only the rows it shows.
-- PostgreSQL: the same partial index.
CREATE INDEX seat_assignments_course ON seat_assignments (team_id,
	course_id, id) WHERE status <> 'revoked';
