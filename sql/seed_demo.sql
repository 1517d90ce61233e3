-- Demo catalog for `make run` and the tests: a dozen courses of every type,
-- free and paid, each with its lesson outline.  Applied by
-- `enrollctl seed-demo` to a database that has no courses yet.

INSERT INTO courses (slug, title, summary, description, course_type, level, instructor, price_amount, currency, capacity, starts_at, enroll_deadline, access_days) VALUES
('c-programming-fundamentals', 'C Programming Fundamentals', 'Pointers, memory and the standard library, from the ground up.', 'A practical first course in C: types, pointers, arrays, structs, the heap and the standard library. Every lesson ends with an exercise you compile and run.', 'self_paced', 'beginner', 'Ada Byron', 4900, 'usd', NULL, NULL, NULL, NULL),
('sql-for-analysts', 'SQL for Analysts', 'Ask questions of your data with SELECT, JOIN and window functions.', 'From the first SELECT to window functions, with real data sets and a query every lesson.', 'self_paced', 'beginner', 'Edgar Codd', 3900, 'usd', NULL, NULL, NULL, NULL),
('intro-to-git', 'Introduction to Git', 'Commits, branches and merges without fear. Free.', 'A free short course on version control with Git: commits, branches, merges, remotes and undoing mistakes.', 'self_paced', 'beginner', 'Linus Patch', 0, 'usd', NULL, NULL, NULL, NULL),
('web-security-essentials', 'Web Security Essentials', 'XSS, CSRF, injection and sessions: attacks and defences.', 'Learn how real web applications are attacked and how to defend them: escaping, CSRF tokens, prepared statements, session handling and security headers.', 'self_paced', 'intermediate', 'Grace Hopper', 7900, 'usd', NULL, NULL, NULL, 365),
('systems-design-cohort', 'Systems Design Cohort', 'Eight weeks of live design reviews in a small group.', 'A live cohort course: weekly design sessions, peer reviews and a capstone design presented to the group. Places are limited.', 'cohort', 'advanced', 'Barbara Liskov', 49900, 'usd', 20, unixepoch() + 21 * 86400, unixepoch() + 14 * 86400, NULL),
('data-science-bootcamp', 'Data Science Bootcamp', 'Twelve weeks from statistics to models, live with mentors.', 'An intensive live cohort with weekly projects, mentor office hours and a final project reviewed by the instructors.', 'cohort', 'intermediate', 'Florence Nightingale', 89900, 'usd', 30, unixepoch() + 35 * 86400, unixepoch() + 28 * 86400, NULL),
('writing-technical-docs', 'Writing Technical Documentation', 'A one-day workshop on docs people actually read.', 'A hands-on workshop: structure, tutorials versus reference, examples and review. Bring a document of your own.', 'workshop', 'beginner', 'Donald Knuth', 14900, 'usd', 25, unixepoch() + 10 * 86400, unixepoch() + 9 * 86400, NULL),
('testing-in-practice', 'Testing in Practice', 'Unit, integration and end-to-end tests that catch real bugs.', 'What to test, at which level, and how to keep a test suite fast and honest.', 'self_paced', 'intermediate', 'Kent Beck', 5900, 'usd', NULL, NULL, NULL, NULL),
('linux-command-line', 'The Linux Command Line', 'Shells, pipes and the tools you will use every day. Free.', 'A free course on working in the shell: files, pipes, processes, permissions and scripting basics.', 'self_paced', 'beginner', 'Ken Thompson', 0, 'usd', NULL, NULL, NULL, NULL),
('payments-engineering', 'Payments Engineering', 'Idempotency, webhooks and reconciliation for people who move money.', 'How card payments work and how to build on them safely: idempotency keys, webhooks, retries, refunds, disputes and reconciliation.', 'self_paced', 'advanced', 'Ada Lovelace', 12900, 'usd', NULL, NULL, NULL, NULL),
('ux-research-workshop', 'UX Research Workshop', 'Interviews and usability tests in one afternoon.', 'A practical workshop on planning interviews, running usability tests and turning notes into decisions.', 'workshop', 'beginner', 'Don Norman', 9900, 'usd', 15, unixepoch() + 12 * 86400, unixepoch() + 11 * 86400, NULL),
('algorithms-live', 'Algorithms Live', 'Six weeks of live problem solving with a cohort.', 'Weekly live sessions on classic algorithms with graded problem sets and peer discussion.', 'cohort', 'intermediate', 'Edsger Dijkstra', 29900, 'usd', 40, unixepoch() + 30 * 86400, unixepoch() + 25 * 86400, NULL);

-- Lessons: (course slug, position, title, minutes, preview, body); bodies
-- are CommonMark, rendered to HTML by seed_demo() (lib/content.c).
WITH outline (slug, position, title, minutes, preview, body) AS (VALUES
('c-programming-fundamentals', 1, 'Your first C program', 12, 1,
'Every C program starts in `main`. Type this into a file called `hello.c`:

```c
#include <stdio.h>

int main(void)
{
	printf("Hello, world\n");
	return 0;
}
```

Compile and run it:

```sh
cc -Wall -o hello hello.c
./hello
```

## What just happened

- `#include <stdio.h>` brings in the declaration of `printf`.
- `main` returns an `int`: 0 tells the shell the program succeeded.
- `-Wall` asks the compiler for warnings. Always read them.

**Exercise:** change the message, then make `main` return 1 and check `echo $?` in your shell.'),
('c-programming-fundamentals', 2, 'Types and variables', 18, 0,
'C has a small set of built-in types, and their sizes depend on the machine.

- `char`: one byte, a character or a small number
- `int`: at least 16 bits, usually 32
- `long long`: at least 64 bits
- `double`: a floating-point number

When the size matters, use `<stdint.h>`: `int32_t`, `uint8_t`, `int64_t`.

```c
#include <stdint.h>
#include <stdio.h>

int main(void)
{
	int64_t cents = 4900;	/* money is never a double */
	printf("%lld\n", (long long)cents);
	return 0;
}
```

**Exercise:** print `sizeof(int)`, `sizeof(long)` and `sizeof(void *)` on your machine.'),
('c-programming-fundamentals', 3, 'Pointers without tears', 25, 0,
'A pointer holds the address of something else. `&x` is the address of `x`; `*p` is what `p` points at.

```c
int x = 42;
int *p = &x;
*p = 7;		/* x is now 7 */
```

## Three rules that prevent most bugs

1. Initialise every pointer, to a real address or to `NULL`.
2. Never use a pointer after the thing it points at is gone.
3. Know who owns the memory behind a pointer, and write it down in a comment.

Passing a pointer lets a function change its caller''s variable:

```c
static void
reset(int *counter)
{
	*counter = 0;
}
```

**Exercise:** write `swap(int *a, int *b)` and call it from `main`.'),
('c-programming-fundamentals', 4, 'Arrays and strings', 22, 0,
'An array is a row of values of one type; a string is an array of `char` ending in `''\0''`.

```c
char name[16] = "Ada";
size_t n = strlen(name);	/* 3: the terminator is not counted */
```

An array''s name turns into a pointer to its first element when you pass it to a function, so the function cannot know its size. Pass the size too:

```c
static int
sum(const int *v, size_t n)
{
	int total = 0;

	for (size_t i = 0; i < n; i++)
		total += v[i];
	return total;
}
```

Prefer `snprintf` to `strcpy` and `strcat`: it never writes past the end of the buffer.

**Exercise:** write a function that counts the vowels in a string.'),
('c-programming-fundamentals', 5, 'Memory on the heap', 24, 0,
'`malloc` gives you memory that lives until you `free` it.

```c
int *v = malloc(n * sizeof(*v));
if (v == NULL)
	return -1;	/* out of memory: say so, do not crash */
/* ... use v ... */
free(v);
```

## Common mistakes

- forgetting to `free` (a leak),
- freeing twice,
- using memory after freeing it.

Build your tests with `-fsanitize=address` and the compiler finds all three for you.

An *arena* allocates many small pieces and frees them all at once; web servers use one per request.

**Exercise:** read lines from standard input into a growing array with `realloc`, then print them in reverse.'),
('sql-for-analysts', 1, 'SELECT and WHERE', 15, 1,
'A query names the columns it wants, the table they come from, and which rows to keep.

```sql
SELECT title, price_amount
FROM courses
WHERE price_amount > 0
ORDER BY title;
```

- `SELECT` picks columns (or expressions such as `price_amount / 100.0`).
- `WHERE` keeps the rows for which the condition is true.
- `ORDER BY` sorts; without it the order is not guaranteed.

`NULL` means "unknown": `x = NULL` is never true. Write `x IS NULL`.

**Exercise:** list the free courses, newest first.'),
('sql-for-analysts', 2, 'Joining tables', 20, 0,
'A join pairs the rows of two tables that belong together.

```sql
SELECT u.email, c.title
FROM enrollments e
JOIN users u ON u.id = e.user_id
JOIN courses c ON c.id = e.course_id;
```

An inner `JOIN` keeps only rows that match on both sides. A `LEFT JOIN` keeps every row of the left table and fills the right side with `NULL` when nothing matches: use it to find courses *without* students.

```sql
SELECT c.title
FROM courses c
LEFT JOIN enrollments e ON e.course_id = c.id
WHERE e.id IS NULL;
```

**Exercise:** list each student with the number of courses they are enrolled in, including students with none.'),
('sql-for-analysts', 3, 'GROUP BY and aggregates', 18, 0,
'`GROUP BY` turns many rows into one per group, and aggregates summarise each group.

```sql
SELECT course_type, count(*) AS courses, avg(price_amount) AS average
FROM courses
GROUP BY course_type;
```

- `count(*)` counts rows; `count(x)` counts rows where `x` is not `NULL`.
- `WHERE` filters rows *before* grouping; `HAVING` filters groups *after*.

```sql
SELECT course_type, count(*)
FROM courses
GROUP BY course_type
HAVING count(*) >= 3;
```

**Exercise:** find the month with the most orders.'),
('sql-for-analysts', 4, 'Window functions', 26, 0,
'A window function computes over related rows *without* collapsing them.

```sql
SELECT number, created_at, total_amount,
       sum(total_amount) OVER (ORDER BY created_at) AS running_total
FROM orders;
```

`PARTITION BY` restarts the window for each group:

```sql
SELECT user_id, number,
       row_number() OVER (PARTITION BY user_id ORDER BY created_at) AS nth
FROM orders;
```

Useful ones: `row_number`, `rank`, `lag`, `lead`, and any aggregate with `OVER`.

**Exercise:** for every order, show how many days passed since the same customer''s previous order.'),
('intro-to-git', 1, 'Why version control', 8, 1,
'Version control keeps every saved state of your project, so you can see what changed, when and why, and go back.

## Why bother

- **Undo with confidence:** any committed state can be restored.
- **Work in parallel:** branches let you try an idea without breaking the main line.
- **Explain your changes:** each commit carries a message for your future self.

Git keeps the whole history on your own machine: it works offline and is fast.

```sh
git init my-project
cd my-project
git status
```

**Exercise:** install Git and run `git --version`.'),
('intro-to-git', 2, 'Commits and history', 14, 0,
'A commit is a snapshot of the files you *staged*.

```sh
git add notes.md
git commit -m "Notes on chapter one"
git log --oneline
```

Write messages that say *why*, in the imperative: "Fix the total when a coupon is removed", not "changes".

- `git diff` shows what changed and is not staged yet.
- `git diff --staged` shows what the next commit will contain.
- `git show HEAD` shows the last commit.

**Exercise:** make three commits, then find the second one''s changes with `git show`.'),
('intro-to-git', 3, 'Branches and merges', 16, 0,
'A branch is a movable name for a line of commits.

```sh
git switch -c try-idea
# edit, commit ...
git switch main
git merge try-idea
```

When both branches changed the same lines, Git stops and marks the *conflict* in the file. Edit the file to keep what you want, then `git add` it and `git commit`.

> A merge conflict is not an error: it is Git asking you a question.

**Exercise:** create a conflict on purpose in a test repository and resolve it.'),
('web-security-essentials', 1, 'The threat model of a web app', 14, 1,
'Before defending an application, list what an attacker wants and how they can reach it.

## Ask four questions

1. What are we building?
2. What can go wrong?
3. What are we going to do about it?
4. Did we do a good job?

For a course store, the assets are **accounts**, **payments** and **paid content**. The entry points are every form, every URL and every webhook.

Assume every input is hostile: a course title, a lesson body, a cookie, a header.

**Exercise:** draw the data flow of a checkout and mark where untrusted data enters.'),
('web-security-essentials', 2, 'Cross-site scripting and escaping', 22, 0,
'Cross-site scripting happens when a page includes text from a user as if it were HTML.

A title such as `<script>steal()</script>` must reach the browser as text. The defence is to **escape on output**, in the right context:

- in HTML text: `&lt;script&gt;`
- in an attribute: also quote the value and escape `"`
- in a URL: percent-encode, and refuse `javascript:` links

Templates that escape by default make the safe path the easy one. Allow raw HTML only from a source you trust, such as a Markdown renderer that drops raw HTML.

A `Content-Security-Policy` header is a second line of defence.

**Exercise:** find every place in a page where user text is written, and name its context.'),
('web-security-essentials', 3, 'CSRF and same-site cookies', 18, 0,
'Cross-site request forgery makes a logged-in user''s browser send a request they did not intend, from another site.

## Defences

- Change state only with `POST` (never `GET`).
- Put a secret, per-session **CSRF token** in every form and check it on the server.
- Set cookies with `SameSite=Lax` so most cross-site requests arrive without them.

```html
<input type="hidden" name="csrf_token" value="...">
```

**Exercise:** explain why a `GET /account/delete` link is dangerous even with `SameSite=Lax`.'),
('web-security-essentials', 4, 'SQL injection and prepared statements', 20, 0,
'SQL injection happens when input becomes part of the SQL text.

Never build queries like this:

```c
snprintf(sql, sizeof(sql), "SELECT * FROM users WHERE email = ''%s''", email);
```

Use a prepared statement and bind the value:

```c
st = db_prep(db, "SELECT id FROM users WHERE email = ?");
db_bind_text(st, 1, email);
```

The database receives the value separately from the code, so no input can change the query''s meaning.

**Exercise:** search a code base for SQL built with `printf`-style formatting.'),
('web-security-essentials', 5, 'Sessions and passwords', 21, 0,
'A session cookie is as good as a password while it lives.

- Make tokens random (at least 128 bits) and store only their **hash**.
- Mark cookies `HttpOnly`, `Secure` and `SameSite=Lax`.
- Start a **new** session at login, so a token planted before login is worthless.
- End sessions after a while, and on a password change.

Store passwords with a slow, salted hash such as Argon2id, and throttle failed logins per account and per address.

**Exercise:** list what your application does when a user changes their password.'),
('systems-design-cohort', 1, 'Week 1: requirements and estimates', 90, 0,
'In the first week we turn a vague product idea into numbers.

## Before the session

- Pick a system you use daily.
- Write down who uses it, how often, and what "fast enough" means to them.

## In the session

We estimate requests per second, data size per year and peak-to-average ratio, then check each number against a known reference.

**Deliverable:** a one-page requirements sheet with your estimates and the assumptions behind them.'),
('systems-design-cohort', 2, 'Week 2: storage and indexes', 90, 0,
'Storage decides most of a system''s cost and behaviour.

- Rows or documents? Transactions or eventual consistency?
- Which queries must be fast, and which index serves each one?
- What happens when the data no longer fits one machine?

We review each group''s schema and the indexes behind its three hottest queries.

**Deliverable:** your schema with one index per hot query, and the query plan that proves it is used.'),
('systems-design-cohort', 3, 'Week 3: queues and retries', 90, 0,
'Work that can wait goes into a queue; work that can fail is retried.

- Make every consumer **idempotent**: processing a message twice changes nothing.
- Retry with exponential backoff and a limit, then park the message for a person.
- Measure the queue''s age, not only its length.

**Deliverable:** a failure table for your design: each dependency, how it fails, and what your system does then.'),
('systems-design-cohort', 4, 'Capstone presentations', 120, 0,
'Each group presents its design in fifteen minutes, followed by ten minutes of questions.

## What we look for

1. Clear requirements and estimates.
2. A data model that serves the hot paths.
3. An honest list of failure modes and trade-offs.

Bring a single diagram. Slides are optional; a whiteboard is enough.'),
('data-science-bootcamp', 1, 'Statistics refresher', 60, 1,
'Models rest on a few statistical ideas; this lesson refreshes them.

- **Mean and median:** the median resists outliers.
- **Variance and standard deviation:** how spread out the values are.
- **Correlation:** how two variables move together, which is not causation.
- **Sampling:** a sample describes a population only if it was drawn fairly.

```python
import statistics
prices = [49, 39, 79, 129, 59]
print(statistics.mean(prices), statistics.median(prices))
```

**Exercise:** compute the mean and median order value of a week of orders. Which describes a "typical" order better?'),
('data-science-bootcamp', 2, 'Cleaning data', 60, 0,
'Most of a data scientist''s time goes into cleaning data.

## A checklist

- Are the types right (dates as dates, money as integers)?
- Which values are missing, and why?
- Are there duplicates?
- Do the units agree (cents versus dollars, UTC versus local time)?

Write each cleaning step as code, never by hand in a spreadsheet, so you can run it again on tomorrow''s data.

**Exercise:** clean the provided orders file and document every row you dropped.'),
('data-science-bootcamp', 3, 'Regression models', 75, 0,
'A linear regression fits a line that predicts one variable from others.

```python
from sklearn.linear_model import LinearRegression
model = LinearRegression().fit(X_train, y_train)
print(model.score(X_test, y_test))
```

- Always keep a **test set** the model never saw.
- Look at the residuals: a pattern in them means the model misses something.
- A high score on training data alone proves nothing.

**Exercise:** predict course completion from the number of lessons opened in the first week.'),
('data-science-bootcamp', 4, 'Final project kick-off', 45, 0,
'The final project runs for the last four weeks.

## Choose a question

Pick a question that a decision depends on, with data you can actually get.

## Milestones

1. A one-page proposal (week 9).
2. A cleaned data set and a baseline model (week 10).
3. Your final model and its limits (week 11).
4. A ten-minute presentation (week 12).'),
('writing-technical-docs', 1, 'Who reads documentation', 30, 1,
'Documentation has readers with different needs at different moments.

- A **newcomer** wants to get something working.
- A **practitioner** wants to solve a specific problem.
- An **expert** wants the exact facts.

Before writing, name your reader and the one thing they should be able to do afterwards.

**Exercise:** pick a page of documentation you wrote and say who it is for.'),
('writing-technical-docs', 2, 'Tutorials, guides and reference', 45, 0,
'Four kinds of documents answer four kinds of needs:

1. **Tutorials** teach by doing, one safe path from start to success.
2. **How-to guides** solve one problem for someone who knows the basics.
3. **Reference** states the facts, complete and consistent.
4. **Explanations** say why things are the way they are.

Mixing them is the most common cause of documents nobody can use.

**Exercise:** sort the sections of a README into these four kinds.'),
('writing-technical-docs', 3, 'Review clinic', 60, 0,
'Bring a document of your own. In pairs, you will review each other''s work against a short checklist:

- Does the first paragraph say who it is for and what it gives them?
- Does every example run as written?
- Is anything said twice, or not at all?

Then revise for twenty minutes and compare the versions.'),
('testing-in-practice', 1, 'What a good test asserts', 16, 1,
'A test is worth what its assertions check.

A weak test:

```perl
is($res->{status}, 200, ''the page answers'');
```

A useful test checks the outcome the user cares about:

```perl
like($res->{content}, qr/Total \$142\.40/, ''the discounted total is shown'');
is($s->sql_one(''SELECT status FROM orders WHERE id = ?1'', $id), ''paid'', ''the order is paid'');
```

## Assert outcomes

- what the page shows,
- what the database holds,
- what was *not* done (no second charge, no mail sent twice).

**Exercise:** find a test that only checks a status code and make it check what the user sees.'),
('testing-in-practice', 2, 'Unit tests that survive refactoring', 20, 0,
'Tests that break whenever the code is reorganised get deleted. Test behaviour, not structure.

- Call the public function, not its private helpers.
- Build inputs with small helpers so a new field changes one place.
- Name each test after the behaviour it checks: `coupon_rejects_use_beyond_max_uses`.

A test that needs many mocks is telling you the code has too many dependencies.

**Exercise:** rename three tests in your project after the behaviour they check.'),
('testing-in-practice', 3, 'End-to-end tests without flakiness', 24, 0,
'End-to-end tests exercise the real system: the web server, the programs, the database, even a browser.

## Keep them reliable

- Start a fresh stack per test file, on free ports.
- Wait for a condition, never for a fixed time.
- Submit forms as the page renders them, not with hand-written URLs.
- Keep screenshots of every step, so a failure explains itself.

A flaky test is a bug: in the test, or in the product.

**Exercise:** replace one `sleep` in your test suite by a wait for the condition it stands for.'),
('linux-command-line', 1, 'Files and directories', 10, 1,
'Everything on a Unix system lives in one tree that starts at `/`.

```sh
pwd		# where am I?
ls -l		# what is here?
cd /tmp		# go somewhere
mkdir notes	# make a directory
```

- `.` is the current directory and `..` its parent.
- `~` is your home directory.
- Names are case-sensitive: `Notes` and `notes` are different.

**Exercise:** create `~/practice/one/two` with a single command (look up `mkdir -p`).'),
('linux-command-line', 2, 'Pipes and filters', 14, 0,
'A pipe sends one program''s output into another''s input.

```sh
cat access.log | grep '' 500 '' | wc -l
```

Small tools combine into powerful ones:

- `sort | uniq -c | sort -rn` counts and ranks lines,
- `cut -d'' '' -f1` takes the first field,
- `head` and `tail` keep the start or the end.

Redirect output to a file with `>`, append with `>>`, and read input from a file with `<`.

**Exercise:** find the ten most frequent client addresses in a web server log.'),
('linux-command-line', 3, 'Processes and signals', 15, 0,
'Every running program is a process with a number, its PID.

```sh
ps aux | head
sleep 100 &
jobs
kill %1
```

`kill` sends a *signal*: `TERM` asks a process to stop cleanly, `KILL` stops it at once with no chance to clean up. Well-written servers finish the requests they are serving when they receive `TERM`.

**Exercise:** start a long `sleep`, find its PID with `pgrep`, and stop it with `kill`.'),
('linux-command-line', 4, 'Your first shell script', 18, 0,
'A shell script is a file of commands.

```sh
#!/bin/sh
set -eu
for f in *.log; do
	echo "$f: $(wc -l < "$f") lines"
done
```

- `set -e` stops at the first failing command; `set -u` at an unset variable.
- Quote variables: `"$f"`, so names with spaces work.
- Make it executable with `chmod +x script.sh`.

**Exercise:** write a script that backs up a directory into a dated `.tar.gz` file.'),
('payments-engineering', 1, 'How a card payment flows', 20, 1,
'A card payment passes through several parties before money moves.

1. The customer enters card details on the payment provider''s page.
2. The provider asks the card network and the issuing bank to **authorise** the amount.
3. The amount is **captured**, and later **settled** to the merchant''s account.

Your store never sees the card number: it creates a checkout session, sends the customer to it, and learns the outcome from the provider''s API and webhooks.

**Exercise:** draw the sequence of requests for one purchase, from "Check out" to the receipt.'),
('payments-engineering', 2, 'Idempotency keys', 18, 0,
'Networks fail, and clients retry. An **idempotency key** makes a retried request safe.

```
POST /v1/refunds
Idempotency-Key: shop-42-order-1001-refund-1
```

The provider stores the first response under the key and returns it again for a retry, so one refund is made, never two.

Derive keys from your own identifiers, not from random numbers made at retry time, or a retry gets a new key and a second refund.

**Exercise:** list every POST your store makes to its provider and the key each one uses.'),
('payments-engineering', 3, 'Webhooks that survive retries', 22, 0,
'Webhooks arrive late, twice, or out of order. Design for all three.

- **Verify the signature** before reading the body.
- **Record each event id** in the same transaction as its effects: a redelivery then changes nothing.
- **Read the current state** from the API instead of trusting the event''s snapshot.
- Answer `200` quickly; answer `5xx` only when a retry could help.

**Exercise:** deliver the same event twice to your webhook and show that nothing changes the second time.'),
('payments-engineering', 4, 'Refunds, disputes and reconciliation', 25, 0,
'Money can come back after a sale.

- A **refund** returns all or part of a payment at the merchant''s request.
- A **dispute** (chargeback) is started by the customer''s bank; the money is taken back until it is settled.

Access should follow the money: a refunded purchase no longer opens the course.

**Reconciliation** compares your records with the provider''s, every day, and flags every difference for a person.

**Exercise:** write the query that finds orders marked paid whose payment was refunded at the provider.'),
('ux-research-workshop', 1, 'Planning an interview', 40, 1,
'A good interview starts before the first question.

- Decide what you need to learn and what you will do with the answer.
- Recruit people who really have the problem.
- Write open questions: "Tell me about the last time you ..." rather than "Would you use ...?"

**Exercise:** write five open questions about how students choose an online course.'),
('ux-research-workshop', 2, 'Running a usability test', 50, 0,
'In a usability test, a person tries to complete a real task while thinking aloud.

1. Give a task, not instructions: "Buy the SQL course with the coupon you received."
2. Stay quiet and watch. Do not help.
3. Note where they hesitate, what they say, and what they expected.

Five participants find most of the serious problems.'),
('ux-research-workshop', 3, 'From notes to decisions', 40, 0,
'Notes become useful when they become decisions.

- Write each observation on its own card.
- Group the cards by theme, then name each group.
- For each theme, decide: fix now, test again, or accept.

Share the decisions, with one quote per theme so the user''s voice travels with them.'),
('algorithms-live', 1, 'Sorting and searching', 90, 0,
'We start with the two operations every program performs: ordering data and finding it.

- **Insertion sort** is simple and fast on small or nearly sorted inputs.
- **Merge sort** always takes `O(n log n)` time and is stable.
- **Binary search** finds a value in a sorted array in `O(log n)` steps.

```c
while (lo < hi) {
	size_t mid = lo + (hi - lo) / 2;
	if (v[mid] < key)
		lo = mid + 1;
	else
		hi = mid;
}
```

**Problem set 1** is due before next week''s session.'),
('algorithms-live', 2, 'Graphs and shortest paths', 90, 0,
'A graph is a set of nodes joined by edges: roads, links, dependencies.

- **Breadth-first search** finds shortest paths when every edge costs the same.
- **Dijkstra''s algorithm** finds shortest paths with non-negative weights, using a priority queue.
- **Topological sort** orders tasks so that each comes after what it depends on.

**Problem set 2:** route planning on a small city map.'),
('algorithms-live', 3, 'Dynamic programming', 90, 0,
'Dynamic programming solves a problem by solving its overlapping subproblems once and remembering the answers.

1. Define the subproblem precisely.
2. Write the recurrence that combines smaller answers.
3. Choose the order that computes each answer before it is needed.

Classic examples: edit distance, knapsack, longest common subsequence.

**Problem set 3:** the minimum number of coins that make an amount.')
)
INSERT INTO lessons (course_id, position, title, duration_minutes, is_preview, body)
SELECT c.id, o.position, o.title, o.minutes, o.preview, o.body
FROM outline o JOIN courses c ON c.slug = o.slug
-- (in order, so that both engines number the lessons alike)
ORDER BY c.id, o.position;
