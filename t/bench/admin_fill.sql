-- make bench (t/bench/admin.sh): fills a store's database to 10,000
-- courses and 100,000 users, for the admin lists' search.  Names are
-- drawn from 20 first names and 25 last names, so a first name begins
-- 5,000 names and a last name 4,000; every address is first.lastN@... and
-- unique.  Run with sqlite3 on the store's file; idempotent in size (it
-- only adds what is missing).
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000)
INSERT INTO courses (slug, title, summary, course_type, price_amount)
SELECT 'admin-bench-' || i, 'Admin Bench Course ' || i || ' ' ||
    substr('alpha beta gamma delta epsilon zeta eta theta', 1 + (i % 40), 12),
    'A generated course for the admin benchmark.',
    CASE i % 3 WHEN 0 THEN 'self_paced' WHEN 1 THEN 'cohort' ELSE 'workshop' END,
    1000 + i
FROM n WHERE i <= 10000 - (SELECT count(*) FROM courses);

WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000),
first(k, name) AS (VALUES (0, 'Ada'), (1, 'Grace'), (2, 'Alan'), (3, 'Edsger'),
    (4, 'Barbara'), (5, 'Donald'), (6, 'Frances'), (7, 'John'), (8, 'Margaret'),
    (9, 'Ken'), (10, 'Radia'), (11, 'Dennis'), (12, 'Hedy'), (13, 'Linus'),
    (14, 'Katherine'), (15, 'Niklaus'), (16, 'Sophie'), (17, 'Tim'),
    (18, 'Karen'), (19, 'Brian')),
last(k, name) AS (VALUES (0, 'Lovelace'), (1, 'Hopper'), (2, 'Turing'),
    (3, 'Dijkstra'), (4, 'Liskov'), (5, 'Knuth'), (6, 'Allen'), (7, 'Backus'),
    (8, 'Hamilton'), (9, 'Thompson'), (10, 'Perlman'), (11, 'Ritchie'),
    (12, 'Lamarr'), (13, 'Torvalds'), (14, 'Johnson'), (15, 'Wirth'),
    (16, 'Wilson'), (17, 'Berners'), (18, 'Jones'), (19, 'Kernighan'),
    (20, 'Goldberg'), (21, 'Shaw'), (22, 'Estrin'), (23, 'Sammet'),
    (24, 'Clarke'))
INSERT INTO users (email, name, password_hash, created_at, updated_at)
SELECT lower(first.name) || '.' || lower(last.name) || n.i || '@example.org',
    first.name || ' ' || last.name, '$argon2id$v=19$bench',
    1700000000 + n.i * 60, 1700000000 + n.i * 60
FROM n JOIN first ON first.k = n.i % 20 JOIN last ON last.k = (n.i / 20) % 25
WHERE n.i <= 100000 - (SELECT count(*) FROM users)
-- In the order people sign up: names mixed, as in a real store.
ORDER BY n.i;
ANALYZE;
