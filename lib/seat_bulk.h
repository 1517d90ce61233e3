/* Seats given to a list of addresses at once (issue 18): the list comes
 * typed (newline, comma or semicolon between addresses) or as a CSV file
 * (the column named "email", else the first; a header row is skipped).
 * A preview says per address what would come of it, changing nothing;
 * the confirmation checks everything again and gives the seats in one
 * transaction, never beyond the free seats, whatever another manager did
 * meanwhile (seat_take's conditional UPDATE decides each). */
#ifndef ENROLL_SEAT_BULK_H
#define ENROLL_SEAT_BULK_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "err.h"
#include "seat_assign.h"

#define SEAT_BULK_MAX 5000	/* addresses in one submission */

struct seat_bulk_row {
	const char *address;	/* normalised, or as sent when invalid */
	enum seat_outcome outcome;
};

struct seat_bulk {
	struct seat_bulk_row *v; /* in list order (arena) */
	size_t n;
	size_t count[SEAT_OUTCOME_MAX]; /* rows per outcome */
	int64_t free;		/* free seats when the list was read */
};

/* Reads the typed list text into *b (arena): each address normalised,
 * invalid ones and repeats marked.  ERR_TOOLARGE (b->n says how many)
 * beyond SEAT_BULK_MAX. */
enum err seat_bulk_text(struct arena *a, const char *text, struct seat_bulk *b);

/* The same for the n bytes of a CSV file at data. */
enum err seat_bulk_csv(struct arena *a, const char *data, size_t n,
    struct seat_bulk *b);

/* Classifies the rows of b not already refused: what giving each a seat
 * of course_id would come to, in list order, the free seats running out.
 * Reads only.  Errors as seat_assign's (a non-manager, no such seats). */
enum err seat_bulk_preview(struct db *db, int64_t actor, int64_t team_id,
    int64_t course_id, int64_t now, struct seat_bulk *b);

/* Gives the seats: checks every row again and gives each that gets one,
 * all in one transaction with one audit row; b's outcomes become what
 * was done. */
enum err seat_bulk_assign(struct db *db, int64_t actor, int64_t team_id,
    int64_t course_id, const char *base_url, int64_t now,
    struct seat_bulk *b);

/* The addresses of b that may get a seat (valid, first of their kind),
 * comma-separated, for the confirmation form (arena; NULL: no memory). */
char *seat_bulk_list(struct arena *a, const struct seat_bulk *b);

#endif
