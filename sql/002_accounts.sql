-- 002: accounts.  Users with a role, their login sessions (only a hash of
-- the cookie token is stored), failed login attempts for throttling, and
-- the carts a guest fills before logging in (merged into the user's cart
-- at login).  Times are unix seconds (UTC).

CREATE TABLE users (
	id INTEGER PRIMARY KEY,
	-- Stored lower-case; NOCASE makes the uniqueness hold even for a
	-- row written by hand in another case.
	email TEXT NOT NULL UNIQUE COLLATE NOCASE
		CHECK (email <> '' AND email = lower(email)),
	name TEXT NOT NULL CHECK (name <> ''),
	-- libsodium's crypto_pwhash_str output: "$argon2id$v=19$m=...".
	password_hash TEXT NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
	role TEXT NOT NULL DEFAULT 'student' CHECK (role IN ('student', 'admin')),
	created_at INTEGER NOT NULL DEFAULT (unixepoch()),
	updated_at INTEGER NOT NULL DEFAULT (unixepoch())
);

CREATE TABLE sessions (
	id INTEGER PRIMARY KEY,
	-- Hex SHA-256 of the cookie's random token: a copy of the database
	-- does not let anyone log in.
	token_hash TEXT NOT NULL UNIQUE CHECK (length(token_hash) = 64),
	user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_at INTEGER NOT NULL,
	last_seen INTEGER NOT NULL,	-- touched at most once a minute
	expires_at INTEGER NOT NULL	-- absolute end, whatever the activity
);
-- Ending every other session of a user (password change), and purging.
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- Failed logins only; a success clears the email's rows.
CREATE TABLE login_attempts (
	id INTEGER PRIMARY KEY,
	email TEXT NOT NULL,		-- as typed, normalised; may be unknown
	addr TEXT NOT NULL,		-- client address as nginx saw it
	at INTEGER NOT NULL
);
-- The throttle counts recent rows per email and per address.
CREATE INDEX login_attempts_email_at ON login_attempts (email, at);
CREATE INDEX login_attempts_addr_at ON login_attempts (addr, at);
CREATE INDEX login_attempts_at ON login_attempts (at);

-- A cart belongs to a user or, before login, to a guest cookie.
CREATE TABLE carts (
	id INTEGER PRIMARY KEY,
	user_id INTEGER UNIQUE REFERENCES users (id) ON DELETE CASCADE,
	guest_id TEXT UNIQUE,
	coupon_code TEXT,
	created_at INTEGER NOT NULL DEFAULT (unixepoch()),
	updated_at INTEGER NOT NULL DEFAULT (unixepoch()),
	CHECK (user_id IS NOT NULL OR guest_id IS NOT NULL)
);

CREATE TABLE cart_items (
	id INTEGER PRIMARY KEY,
	cart_id INTEGER NOT NULL REFERENCES carts (id) ON DELETE CASCADE,
	course_id INTEGER NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
	added_at INTEGER NOT NULL DEFAULT (unixepoch()),
	UNIQUE (cart_id, course_id)
);
CREATE INDEX cart_items_course ON cart_items (course_id);
