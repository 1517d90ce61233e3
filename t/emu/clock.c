/* Time and ids.  The emulated clock is the wall clock plus an offset that
 * the control API can advance, so tests reach expires_at without waiting;
 * ids are Stripe's prefixes with random alphanumerics from libsodium. */
#include <time.h>

#include <sodium.h>

#include "emu.h"

int64_t
emu_now(struct emu *e)
{
	return (int64_t)time(NULL) + e->clock_offset;
}

int64_t
emu_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Sleeps ms milliseconds in short steps, returning early at shutdown. */
void
emu_sleep_ms(struct emu *e, long ms)
{
	struct timespec ts;
	long step;

	while (ms > 0 && !e->stopping) {
		step = ms > 50 ? 50 : ms;
		ts.tv_sec = 0;
		ts.tv_nsec = step * 1000000L;
		nanosleep(&ts, NULL);
		ms -= step;
	}
}

void
emu_new_id(char *out, size_t cap, const char *prefix, size_t n)
{
	static const char alnum[] =
	    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	size_t i = 0;

	if (cap == 0)
		return;
	for (; *prefix != '\0' && i + 1 < cap; prefix++)
		out[i++] = *prefix;
	for (; n > 0 && i + 1 < cap; n--)
		out[i++] = alnum[randombytes_uniform(sizeof(alnum) - 1)];
	out[i] = '\0';
}
