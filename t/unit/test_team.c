/* Teams (lib/team.c): the creator owns the team; a non-member gets
 * ERR_NOTFOUND from every function naming the team and a plain member
 * ERR_FORBIDDEN from the managers' ones, changing nothing; an invitation's
 * mail carries a token kept only as its hash, works once and not after
 * it expires; a team always has exactly one owner (the owner neither
 * leaves nor is removed, and handing over swaps the roles in one go);
 * each change writes one audit row; deleting an account that owns a team
 * with others is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "db.h"
#include "erasure.h"
#include "fixtures.h"
#include "link.h"
#include "team.h"

#define NOW 1800000000
#define BASE "https://school.example"

struct fx {
	struct fixture f;
	int64_t owner, member, outsider;
	int64_t team;
};

static int
setup(void **state)
{
	struct fx *x = fixture_new(sizeof(*x), "team");

	x->owner = fixture_user(x->f.db, "owner@example.org", "Olga",
	    ROLE_STUDENT);
	x->member = fixture_user(x->f.db, "member@example.org", "Max",
	    ROLE_STUDENT);
	x->outsider = fixture_user(x->f.db, "out@example.org", "Otto",
	    ROLE_STUDENT);
	assert_int_equal(team_create(x->f.db, x->owner, "Acme", NOW,
	    &x->team), ERR_OK);
	*state = x;
	return 0;
}

static int64_t
audits(struct fx *x)
{
	return fixture_int(x->f.db, "SELECT count(*) FROM audit_log WHERE "
	    "subject = 'team:' || ?", x->team, 0);
}

static int64_t
rows(struct fx *x)
{
	return fixture_int(x->f.db, "SELECT (SELECT count(*) FROM "
	    "team_members) * 1000 + (SELECT count(*) FROM team_invitations) "
	    "* 10 + (SELECT count(*) FROM outbox WHERE to_addr LIKE 'new%')",
	    0, 0);
}

/* Invites email as actor and copies the token of the mail sent to it. */
static enum err
invite(struct fx *x, int64_t actor, const char *email, enum team_role role,
    int64_t now, char token[LINK_TOKEN_HEX + 1])
{
	struct db_stmt *st;
	const char *body, *p;
	enum err e;

	if ((e = team_invite(x->f.db, actor, x->team, email, role, BASE,
	    now)) != ERR_OK)
		return e;
	st = db_prep(x->f.db, "SELECT body FROM outbox WHERE to_addr = ? "
	    "ORDER BY id DESC LIMIT 1");
	db_bind_text(st, 1, email);
	assert_int_equal(db_next(st), ERR_OK);
	body = db_col_text(st, 0);
	p = strstr(body, BASE "/account/teams/accept?token=");
	assert_non_null(p);
	p = strchr(p, '=') + 1;
	snprintf(token, LINK_TOKEN_HEX + 1, "%.*s", LINK_TOKEN_HEX, p);
	db_done(st);
	return ERR_OK;
}

/* How many invitations keep text as their token_hash. */
static int64_t
with_hash(struct fx *x, const char *text)
{
	struct db_stmt *st = db_prep(x->f.db, "SELECT count(*) FROM "
	    "team_invitations WHERE token_hash = ?");
	int64_t n;

	db_bind_text(st, 1, text);
	assert_int_equal(db_next(st), ERR_OK);
	n = db_col_int64(st, 0);
	db_done(st);
	return n;
}

/* Adds the member fixture to the team through an invitation. */
static void
join_member(struct fx *x)
{
	char token[LINK_TOKEN_HEX + 1];
	int64_t t;

	assert_int_equal(invite(x, x->owner, "member@example.org",
	    TEAM_MEMBER, NOW, token), ERR_OK);
	assert_int_equal(team_invite_accept(x->f.db, token, x->member, NOW,
	    &t), ERR_OK);
	assert_int_equal(t, x->team);
}

static void
creator_owns_and_outsiders_see_nothing(void **state)
{
	struct fx *x = *state;
	struct team t, *ts;
	struct team_member *ms;
	size_t n;
	int64_t before;
	char token[LINK_TOKEN_HEX + 1];

	assert_int_equal(team_load(x->f.db, x->f.a, x->team, x->owner, &t),
	    ERR_OK);
	assert_string_equal(t.name, "Acme");
	assert_int_equal(t.role, TEAM_OWNER);
	assert_int_equal(t.members, 1);
	assert_int_equal(team_list_mine(x->f.db, x->f.a, x->owner, &ts, &n),
	    ERR_OK);
	assert_int_equal(n, 1);
	assert_int_equal(team_list_mine(x->f.db, x->f.a, x->outsider, &ts,
	    &n), ERR_OK);
	assert_int_equal(n, 0);
	assert_int_equal(team_create(x->f.db, x->owner, "", NOW, &t.id),
	    ERR_INVALID);
	join_member(x);
	assert_int_equal(team_members(x->f.db, x->f.a, x->team, &ms, &n),
	    ERR_OK);
	assert_int_equal(n, 2);
	assert_int_equal(ms[0].user_id, x->owner);	/* owner first */

	before = rows(x);
	assert_int_equal(team_load(x->f.db, x->f.a, x->team, x->outsider,
	    &t), ERR_NOTFOUND);
	assert_int_equal(team_invite(x->f.db, x->outsider, x->team,
	    "new@example.org", TEAM_MEMBER, BASE, NOW), ERR_NOTFOUND);
	assert_int_equal(team_set_role(x->f.db, x->outsider, x->team,
	    x->member, TEAM_MANAGER, NOW), ERR_NOTFOUND);
	assert_int_equal(team_remove(x->f.db, x->outsider, x->team,
	    x->member, NOW), ERR_NOTFOUND);
	assert_int_equal(team_transfer(x->f.db, x->outsider, x->team,
	    x->member, NOW), ERR_NOTFOUND);
	assert_int_equal(team_leave(x->f.db, x->outsider, x->team, NOW),
	    ERR_NOTFOUND);
	/* A plain member may not manage. */
	assert_int_equal(team_invite(x->f.db, x->member, x->team,
	    "new@example.org", TEAM_MEMBER, BASE, NOW), ERR_FORBIDDEN);
	assert_int_equal(team_remove(x->f.db, x->member, x->team, x->owner,
	    NOW), ERR_FORBIDDEN);
	assert_int_equal(team_transfer(x->f.db, x->member, x->team,
	    x->member, NOW), ERR_FORBIDDEN);
	assert_int_equal(rows(x), before);
	/* An address already in the team is not invited again. */
	assert_int_equal(invite(x, x->owner, "member@example.org",
	    TEAM_MEMBER, NOW, token), ERR_CONFLICT);
	assert_int_equal(rows(x), before);
}

static void
invitation_works_once_and_expires(void **state)
{
	struct fx *x = *state;
	struct team_invite v;
	char token[LINK_TOKEN_HEX + 1], old[LINK_TOKEN_HEX + 1],
	    hash[LINK_HASH_HEX + 1];
	int64_t t;

	assert_int_equal(invite(x, x->owner, "new@example.org", TEAM_MANAGER,
	    NOW, token), ERR_OK);
	/* Only the hash is kept. */
	assert_true(link_token_hash(token, hash));
	assert_int_equal(with_hash(x, hash), 1);
	assert_int_equal(with_hash(x, token), 0);
	assert_int_equal(team_invite_check(x->f.db, x->f.a, token, NOW + 1,
	    &v), ERR_OK);
	assert_string_equal(v.email, "new@example.org");
	assert_string_equal(v.team_name, "Acme");
	assert_string_equal(v.invited_by, "Olga");
	assert_int_equal(v.role, TEAM_MANAGER);
	/* Anyone logged in may accept: the outsider does, once. */
	assert_int_equal(team_invite_accept(x->f.db, token, x->outsider,
	    NOW + 2, &t), ERR_OK);
	assert_int_equal(fixture_int(x->f.db, "SELECT role = 'manager' FROM "
	    "team_members WHERE team_id = ? AND user_id = ?", x->team,
	    x->outsider), 1);
	assert_int_equal(team_invite_accept(x->f.db, token, x->member,
	    NOW + 3, &t), ERR_NOTFOUND);
	assert_int_equal(team_invite_check(x->f.db, x->f.a, token, NOW + 3,
	    &v), ERR_NOTFOUND);
	/* Expired: refused. */
	assert_int_equal(invite(x, x->owner, "member@example.org",
	    TEAM_MEMBER, NOW, token), ERR_OK);
	assert_int_equal(team_invite_accept(x->f.db, token, x->member,
	    NOW + TEAM_INVITE_TTL, &t), ERR_NOTFOUND);
	/* A newer invitation of the address replaces the older link. */
	snprintf(old, sizeof(old), "%s", token);
	assert_int_equal(invite(x, x->owner, "member@example.org",
	    TEAM_MEMBER, NOW + 5, token), ERR_OK);
	assert_int_equal(team_invite_accept(x->f.db, old, x->member, NOW + 6,
	    &t), ERR_NOTFOUND);
	assert_int_equal(team_invite_accept(x->f.db, "not-a-token",
	    x->member, NOW + 6, &t), ERR_NOTFOUND);
	assert_int_equal(team_invite_accept(x->f.db, token, x->member,
	    NOW + 6, &t), ERR_OK);
}

static void
always_one_owner(void **state)
{
	struct fx *x = *state;
	int64_t a0;

	join_member(x);
	a0 = audits(x);
	assert_int_equal(team_leave(x->f.db, x->owner, x->team, NOW),
	    ERR_CONFLICT);
	assert_int_equal(team_set_role(x->f.db, x->owner, x->team, x->owner,
	    TEAM_MEMBER, NOW), ERR_INVALID);
	assert_int_equal(team_transfer(x->f.db, x->owner, x->team, x->outsider,
	    NOW), ERR_NOTFOUND);
	assert_int_equal(audits(x), a0);
	/* Manager, then owner; the former owner becomes a manager. */
	assert_int_equal(team_set_role(x->f.db, x->owner, x->team, x->member,
	    TEAM_MANAGER, NOW), ERR_OK);
	assert_int_equal(team_transfer(x->f.db, x->owner, x->team, x->member,
	    NOW), ERR_OK);
	assert_int_equal(audits(x), a0 + 2);
	assert_int_equal(fixture_int(x->f.db, "SELECT count(*) FROM "
	    "team_members WHERE team_id = ? AND role = 'owner' AND "
	    "user_id = ?", x->team, x->member), 1);
	assert_int_equal(fixture_int(x->f.db, "SELECT count(*) FROM "
	    "team_members WHERE team_id = ? AND role = 'owner'", x->team, 0),
	    1);
	/* The new owner cannot be demoted or removed by the old one. */
	assert_int_equal(team_set_role(x->f.db, x->owner, x->team, x->member,
	    TEAM_MEMBER, NOW), ERR_CONFLICT);
	assert_int_equal(team_remove(x->f.db, x->owner, x->team, x->member,
	    NOW), ERR_CONFLICT);
	/* The new owner removes the old; the owner's account cannot go. */
	assert_int_equal(team_remove(x->f.db, x->member, x->team, x->owner,
	    NOW), ERR_OK);
	assert_int_equal(audits(x), a0 + 3);
}

static void
owner_with_members_cannot_delete_account(void **state)
{
	struct fx *x = *state;
	enum erasure_block why;
	int64_t order, lone;

	join_member(x);
	assert_int_equal(erasure_check(x->f.db, x->owner, &why, &order),
	    ERR_OK);
	assert_int_equal(why, ERASURE_TEAM_OWNER);
	assert_int_equal(erasure_run(x->f.db, x->owner, NULL, NOW, &why),
	    ERR_CONFLICT);
	/* The member may go: the membership goes with them. */
	assert_int_equal(erasure_run(x->f.db, x->member, NULL, NOW, &why),
	    ERR_OK);
	assert_int_equal(fixture_int(x->f.db, "SELECT count(*) FROM "
	    "team_members WHERE user_id = ?", x->member, 0), 0);
	/* Alone again, the owner may go, and the team with them. */
	assert_int_equal(erasure_run(x->f.db, x->owner, NULL, NOW, &why),
	    ERR_OK);
	assert_int_equal(fixture_int(x->f.db, "SELECT count(*) FROM teams "
	    "WHERE id = ?", x->team, 0), 0);
	assert_int_equal(team_create(x->f.db, x->outsider, "Solo", NOW,
	    &lone), ERR_OK);
	assert_int_equal(erasure_check(x->f.db, x->outsider, &why, &order),
	    ERR_OK);
	assert_int_equal(why, ERASURE_OK);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    creator_owns_and_outsiders_see_nothing, setup,
		    fixture_teardown),
		cmocka_unit_test_setup_teardown(
		    invitation_works_once_and_expires, setup,
		    fixture_teardown),
		cmocka_unit_test_setup_teardown(always_one_owner, setup,
		    fixture_teardown),
		cmocka_unit_test_setup_teardown(
		    owner_with_members_cannot_delete_account, setup,
		    fixture_teardown),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
