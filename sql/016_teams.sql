-- 016: teams (issue 18, first part).  Any user can create a team and is
-- its owner; owners and managers invite people by mail.  A team always
-- has exactly one owner (lib/team.c keeps it so: ownership moves in one
-- transaction).  Times are unix seconds (UTC), set by the code.

CREATE TABLE teams (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
	created_at INTEGER NOT NULL
);

-- One row per person and team.
CREATE TABLE team_members (
	team_id INTEGER NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
	user_id INTEGER NOT NULL REFERENCES users (id),
	role TEXT NOT NULL CHECK (role IN ('owner', 'manager', 'member')),
	joined_at INTEGER NOT NULL,
	PRIMARY KEY (team_id, user_id)
);
-- A user's teams.
CREATE INDEX team_members_user ON team_members (user_id, team_id);
-- At most one owner per team (at least one: lib/team.c).
-- PostgreSQL: the same partial unique index.
CREATE UNIQUE INDEX team_members_owner ON team_members (team_id)
	WHERE role = 'owner';

-- An invitation mailed to an address: bound to the team, not to the
-- address (whoever follows the link, logged in, joins), used once.  The
-- token lives only in the mail: its hex SHA-256 is kept here, as
-- mail_links keeps its own (mail_links needs an account; the invited
-- person may have none yet).
CREATE TABLE team_invitations (
	id INTEGER PRIMARY KEY,
	team_id INTEGER NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
	email TEXT NOT NULL,
	role TEXT NOT NULL CHECK (role IN ('manager', 'member')),
	token_hash TEXT NOT NULL UNIQUE CHECK (length(token_hash) = 64),
	invited_by INTEGER REFERENCES users (id),
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	accepted_at INTEGER,
	accepted_by INTEGER REFERENCES users (id)
);
-- A team's pending invitations.
CREATE INDEX team_invitations_team ON team_invitations (team_id, id);
