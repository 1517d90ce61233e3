/* POST /v1/coupons and GET /v1/coupons/{coupon}.  The store makes one
 * coupon of exactly its computed discount per checkout, so amount_off with
 * a currency and percent_off are what matter; Stripe's cross-parameter
 * rules that the schema cannot say are checked here. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu.h"

static void
invalid(struct emu_call *c, const char *code, const char *param,
    const char *msg)
{
	emu_reply_error(c->rp, 400, "invalid_request_error", code, param, "%s",
	    msg);
}

/* Checks the rules between parameters; returns 0 or -1 after replying. */
static int
check(struct emu_call *c, int64_t *amount_off, double *percent_off)
{
	const cJSON *p = c->params;
	const char *pct = emu_param_str(p, "percent_off");
	const char *dur = emu_param_str(p, "duration");
	int has_amount = emu_param_int(p, "amount_off", amount_off);
	int64_t v;

	if (has_amount && pct != NULL)
		return invalid(c, NULL, "percent_off", "You may only specify one "
		    "of these parameters: amount_off, percent_off."), -1;
	if (!has_amount && pct == NULL)
		return invalid(c, "parameter_missing", "amount_off", "You must "
		    "pass either amount_off or percent_off."), -1;
	if (has_amount && *amount_off <= 0)
		return invalid(c, NULL, "amount_off", "Invalid positive "
		    "integer"), -1;
	if (has_amount && emu_param_str(p, "currency") == NULL)
		return invalid(c, "parameter_missing", "currency", "You must "
		    "pass currency when passing amount_off."), -1;
	*percent_off = pct != NULL ? strtod(pct, NULL) : 0;
	if (pct != NULL && (*percent_off <= 0 || *percent_off > 100))
		return invalid(c, NULL, "percent_off", "Invalid percent_off: "
		    "must be greater than 0 and at most 100."), -1;
	if (dur != NULL && strcmp(dur, "repeating") == 0 &&
	    !emu_param_int(p, "duration_in_months", &v))
		return invalid(c, "parameter_missing", "duration_in_months",
		    "You must pass duration_in_months when duration is "
		    "repeating."), -1;
	if (emu_param_int(p, "redeem_by", &v) && v <= emu_now(c->emu))
		return invalid(c, NULL, "redeem_by", "Invalid redeem_by: must "
		    "be in the future."), -1;
	if (emu_param_int(p, "max_redemptions", &v) && v <= 0)
		return invalid(c, NULL, "max_redemptions", "Invalid positive "
		    "integer"), -1;
	return 0;
}

static void
fill(cJSON *co, const cJSON *p, int64_t amount_off, double percent_off)
{
	const char *s;
	char cur[8];
	int64_t v;
	size_t i;

	if (amount_off > 0) {
		emu_jset_int(co, "amount_off", amount_off);
		s = emu_param_str(p, "currency");
		for (i = 0; s[i] != '\0' && i + 1 < sizeof(cur); i++)
			cur[i] = (char)tolower((unsigned char)s[i]);
		cur[i] = '\0';
		emu_jset_str(co, "currency", cur);
	} else
		emu_jset(co, "percent_off", cJSON_CreateNumber(percent_off));
	if ((s = emu_param_str(p, "duration")) != NULL)
		emu_jset_str(co, "duration", s);
	if (emu_param_int(p, "duration_in_months", &v))
		emu_jset_int(co, "duration_in_months", v);
	if (emu_param_int(p, "max_redemptions", &v))
		emu_jset_int(co, "max_redemptions", v);
	if (emu_param_int(p, "redeem_by", &v))
		emu_jset_int(co, "redeem_by", v);
	if ((s = emu_param_str(p, "name")) != NULL && *s != '\0')
		emu_jset_str(co, "name", s);
	emu_metadata_merge(JGET(co, "metadata"), JGET(p, "metadata"));
}

void
emu_coupon_create(struct emu_call *c)
{
	const char *given = emu_param_str(c->params, "id");
	double percent_off = 0;
	int64_t amount_off = 0;
	char id[64];
	cJSON *co, *old;

	if (check(c, &amount_off, &percent_off) != 0)
		return;
	if (given != NULL && *given != '\0') {
		if ((old = emu_store_get(c->emu, KIND_COUPON, given)) != NULL) {
			cJSON_Delete(old);
			invalid(c, "resource_already_exists", "id",
			    "Coupon already exists.");
			return;
		}
		snprintf(id, sizeof(id), "%s", given);
	} else
		emu_new_id(id, sizeof(id), "", 8);
	if ((co = emu_shape_new(SHAPE_COUPON)) == NULL) {
		emu_api_fail(c);
		return;
	}
	emu_jset_str(co, "id", id);
	emu_jset_int(co, "created", emu_now(c->emu));
	fill(co, c->params, amount_off, percent_off);
	if (emu_store_insert(c->emu, KIND_COUPON, co, NULL) != ERR_OK ||
	    emu_event_emit(c->emu, "coupon.created", co, NULL, &c->cause) !=
	    ERR_OK) {
		cJSON_Delete(co);
		emu_api_fail(c);
		return;
	}
	emu_api_reply(c, co);
}

void
emu_coupon_get(struct emu_call *c)
{
	emu_api_get(c, KIND_COUPON, "coupon");
}
