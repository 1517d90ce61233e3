-- 007: accounts a school can trust.  Single-use links sent by mail
-- (password resets, email confirmations: only a hash of each token is
-- kept), the requests that send them (throttled per typed address and per
-- client address), whether and when a user's address was confirmed,
-- deleted accounts kept as a numbered shell for the books, and where each
-- login session comes from.  Times are unix seconds (UTC), set by the code.

CREATE TABLE mail_links (
	id INTEGER PRIMARY KEY,
	user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	purpose TEXT NOT NULL CHECK (purpose IN ('reset', 'verify')),
	-- Hex SHA-256 of the link's 32 random bytes: a copy of the database
	-- (a backup) opens no account.
	token_hash TEXT NOT NULL UNIQUE CHECK (length(token_hash) = 64),
	-- Where the link was sent: for 'verify', the address it confirms.
	email TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL
);
-- Voiding a user's older links of a purpose; purging expired ones.
CREATE INDEX mail_links_user ON mail_links (user_id, purpose);
CREATE INDEX mail_links_expires ON mail_links (expires_at);

-- Each request that would send such a link, whether or not an account
-- uses the address (so the throttle says nothing about who is a customer).
CREATE TABLE mail_requests (
	id INTEGER PRIMARY KEY,
	kind TEXT NOT NULL,		-- 'reset', 'verify'
	email TEXT NOT NULL,		-- as typed, normalised
	addr TEXT NOT NULL,		-- client address as nginx saw it
	at INTEGER NOT NULL
);
CREATE INDEX mail_requests_email_at ON mail_requests (kind, email, at);
CREATE INDEX mail_requests_addr_at ON mail_requests (kind, addr, at);
CREATE INDEX mail_requests_at ON mail_requests (at);

-- NULL until the user follows a confirmation link sent to the address.
ALTER TABLE users ADD COLUMN email_verified_at INTEGER;
-- Set when the person deleted their account: the row stays, emptied of
-- them, so orders and audit entries still name "deleted user #id".
ALTER TABLE users ADD COLUMN deleted_at INTEGER;

-- Where a session was started, for the settings page's list.
ALTER TABLE sessions ADD COLUMN user_agent TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN addr TEXT NOT NULL DEFAULT '';
