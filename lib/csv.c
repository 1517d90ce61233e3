/* CSV fields and records, and the download headers. */
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "csv.h"
#include "http.h"

int
csv_field(struct buf *b, const char *s, int first)
{
	int formula, quoted, rc = 0;

	if (!first && buf_putc(b, ',') != 0)
		return -1;
	if (s == NULL)
		return 0;
	formula = s[0] != '\0' && strchr("=+-@\t\r", s[0]) != NULL;
	quoted = s[strcspn(s, ",\"\r\n")] != '\0';
	if (quoted)
		rc = buf_putc(b, '"');
	if (rc == 0 && formula)
		rc = buf_putc(b, '\'');
	/* Inside quotes a quote is doubled. */
	for (; rc == 0 && *s != '\0'; s++)
		rc = *s == '"' ? buf_puts(b, "\"\"") : buf_putc(b, *s);
	if (rc == 0 && quoted)
		rc = buf_putc(b, '"');
	return rc;
}

int
csv_int(struct buf *b, int64_t v, int first)
{
	return buf_printf(b, "%s%lld", first ? "" : ",", (long long)v);
}

int
csv_money(struct buf *b, int64_t minor, int first)
{
	uint64_t m = minor < 0 ? (uint64_t)0 - (uint64_t)minor :
	    (uint64_t)minor;

	return buf_printf(b, "%s%s%llu.%02llu", first ? "" : ",",
	    minor < 0 ? "-" : "", (unsigned long long)(m / 100),
	    (unsigned long long)(m % 100));
}

int
csv_end(struct buf *b)
{
	return buf_puts(b, "\r\n");
}

enum err
csv_respond(struct req *rq, struct resp *rs, const char *filename)
{
	char *disposition;

	if (rs->body.oom)
		return ERR_INTERNAL;
	if (filename[strspn(filename, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKL"
	    "MNOPQRSTUVWXYZ0123456789-_.")] != '\0' || strlen(filename) > 100)
		return ERR_INTERNAL;
	if ((disposition = arena_printf(rq->arena,
	    "attachment; filename=\"%s\"", filename)) == NULL)
		return ERR_INTERNAL;
	rs->content_type = "text/csv; charset=utf-8";
	return resp_header(rs, "Content-Disposition", disposition);
}
