-- make bench (t/bench/seats.sh): a team of 5,000 members and its owner,
-- 5,000 seats of C Programming Fundamentals all held by the members
-- (active, each with its enrollment of source 'seat'), and 1,000,000
-- seats of SQL for Analysts none of which is given yet (the lists the
-- bench confirms take from them).  Times are a fixed second.
BEGIN;
INSERT INTO users (email, name, password_hash, role, created_at, updated_at)
VALUES ('bench-owner@example.org', 'Bench Owner', '$argon2id$v=19$bench',
    'student', 1796000000, 1796000000);
INSERT INTO teams (name, created_at) VALUES ('Bench Team', 1796000000);
INSERT INTO team_members (team_id, user_id, role, joined_at)
SELECT t.id, u.id, 'owner', 1796000000 FROM teams t, users u
WHERE t.name = 'Bench Team' AND u.email = 'bench-owner@example.org';
WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)
INSERT INTO users (email, name, password_hash, role, created_at, updated_at)
SELECT printf('seat-member-%04d@example.org', i),
    printf('Member %04d', (i * 7919) % 5000), '$argon2id$v=19$bench',
    'student', 1796000000, 1796000000 FROM n;
INSERT INTO team_members (team_id, user_id, role, joined_at)
SELECT t.id, u.id, 'member', 1796000000 FROM teams t, users u
WHERE t.name = 'Bench Team' AND u.email LIKE 'seat-member-%';
INSERT INTO team_seats (team_id, course_id, seats, held, updated_at)
SELECT t.id, c.id, 5000, 5000, 1796000000 FROM teams t, courses c
WHERE t.name = 'Bench Team' AND c.slug = 'c-programming-fundamentals';
INSERT INTO team_seats (team_id, course_id, seats, held, updated_at)
SELECT t.id, c.id, 1000000, 0, 1796000000 FROM teams t, courses c
WHERE t.name = 'Bench Team' AND c.slug = 'sql-for-analysts';
INSERT INTO seat_assignments (team_id, course_id, user_id, email, status,
    assigned_by, created_at, accepted_at)
SELECT t.id, c.id, u.id, u.email, 'active', o.id, 1796000000, 1796000000
FROM teams t, courses c, users u, users o
WHERE t.name = 'Bench Team' AND c.slug = 'c-programming-fundamentals'
  AND u.email LIKE 'seat-member-%' AND o.email = 'bench-owner@example.org';
INSERT INTO enrollments (user_id, course_id, source, seat_id, granted_at)
SELECT user_id, course_id, 'seat', id, 1796000000 FROM seat_assignments;
COMMIT;
ANALYZE;
