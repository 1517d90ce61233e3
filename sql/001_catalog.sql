-- 001: the catalog.  Money is integer minor units with a currency code;
-- times are unix seconds (UTC).  Every table has an INTEGER PRIMARY KEY.

CREATE TABLE settings (
	key TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
-- The server secret keys CSRF tokens; made here so every worker shares it.
INSERT INTO settings (key, value) VALUES ('secret', lower(hex(randomblob(32))));

CREATE TABLE courses (
	id INTEGER PRIMARY KEY,
	slug TEXT NOT NULL UNIQUE CHECK (slug <> '' AND slug NOT GLOB '*[^a-z0-9-]*'),
	title TEXT NOT NULL CHECK (title <> ''),
	summary TEXT NOT NULL DEFAULT '',
	description TEXT NOT NULL DEFAULT '',
	course_type TEXT NOT NULL CHECK (course_type IN ('self_paced', 'cohort', 'workshop')),
	level TEXT NOT NULL DEFAULT 'beginner'
		CHECK (level IN ('beginner', 'intermediate', 'advanced')),
	instructor TEXT NOT NULL DEFAULT '',
	price_amount INTEGER NOT NULL CHECK (price_amount >= 0),
	currency TEXT NOT NULL DEFAULT 'usd' CHECK (length(currency) = 3),
	is_active INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
	capacity INTEGER CHECK (capacity IS NULL OR capacity > 0),
	starts_at INTEGER,
	enroll_deadline INTEGER,
	access_days INTEGER CHECK (access_days IS NULL OR access_days > 0),
	created_at INTEGER NOT NULL DEFAULT (unixepoch()),
	updated_at INTEGER NOT NULL DEFAULT (unixepoch())
);
-- The catalog lists active courses by title, optionally of one type.
CREATE INDEX courses_active_title ON courses (is_active, title, id);
CREATE INDEX courses_type_title ON courses (is_active, course_type, title, id);

-- Title search through FTS5 (an index, not LIKE '%x%' over every row).
CREATE VIRTUAL TABLE courses_fts USING fts5 (
	title, content='courses', content_rowid='id', tokenize='unicode61'
);
CREATE TRIGGER courses_fts_insert AFTER INSERT ON courses BEGIN
	INSERT INTO courses_fts (rowid, title) VALUES (new.id, new.title);
END;
CREATE TRIGGER courses_fts_delete AFTER DELETE ON courses BEGIN
	INSERT INTO courses_fts (courses_fts, rowid, title)
		VALUES ('delete', old.id, old.title);
END;
CREATE TRIGGER courses_fts_update AFTER UPDATE OF title ON courses BEGIN
	INSERT INTO courses_fts (courses_fts, rowid, title)
		VALUES ('delete', old.id, old.title);
	INSERT INTO courses_fts (rowid, title) VALUES (new.id, new.title);
END;

CREATE TABLE lessons (
	id INTEGER PRIMARY KEY,
	course_id INTEGER NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
	position INTEGER NOT NULL CHECK (position > 0),
	title TEXT NOT NULL CHECK (title <> ''),
	duration_minutes INTEGER NOT NULL DEFAULT 0 CHECK (duration_minutes >= 0),
	is_preview INTEGER NOT NULL DEFAULT 0 CHECK (is_preview IN (0, 1)),
	body TEXT NOT NULL DEFAULT '',
	UNIQUE (course_id, position)
);

-- Who changed what, for admins and for disputes.
CREATE TABLE audit_log (
	id INTEGER PRIMARY KEY,
	at INTEGER NOT NULL DEFAULT (unixepoch()),
	actor_user_id INTEGER,
	action TEXT NOT NULL,
	subject TEXT NOT NULL DEFAULT '',
	detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log (at);
