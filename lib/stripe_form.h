/* Form encoding of Stripe's nested request parameters, byte for byte as the
 * official stripe-node library (23.x) sends them: "key=value" pairs joined
 * by '&', nested keys written with brackets (line_items[0][quantity],
 * metadata[order_id], expand[]), and every byte of keys and values except
 * A-Z a-z 0-9 - _ . ~ [ ] percent-encoded as %XX (upper-case hex; a space
 * is %20, never '+').  Brackets stay literal, as stripe-node and curl -d
 * send them (stripe-node encodes with encodeURIComponent and then turns
 * %5B/%5D back into [ ]); Stripe decodes %5B and [ ] alike. */
#ifndef ENROLL_STRIPE_FORM_H
#define ENROLL_STRIPE_FORM_H

#include <stdint.h>

#include "buf.h"

/* Appends "key=value" to b, preceded by '&' unless b is empty.  A NULL
 * value appends nothing (optional parameters); an empty value is sent as
 * "key=" (Stripe reads that as "unset").  Returns 0, or -1 when memory ran
 * out (b->oom is then set and later appends are no-ops). */
int sform_add(struct buf *b, const char *key, const char *value);

/* As sform_add with the value formatted by printf rules. */
int sform_addf(struct buf *b, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* As sform_add with the value written in decimal. */
int sform_add_int64(struct buf *b, const char *key, int64_t v);

/* As sform_add with the key formatted by printf rules, for indexed keys:
 * sform_addk(b, "4900", "line_items[%zu][price_data][unit_amount]", i). */
int sform_addk(struct buf *b, const char *value, const char *keyfmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Appends the n bytes at s encoded as described at the top of this file,
 * with no separator.  Returns 0 or -1 (out of memory). */
int sform_escape(struct buf *b, const char *s, size_t n);

#endif
