/* stripe-sig-check: runs stripe_sig_verify on a header and a body file, for
 * t/stripe_sig.t, which signs with Stripe's own npm package.
 *   stripe-sig-check [-n NOW] [-t TOLERANCE] SECRETS HEADER BODY_FILE
 * SECRETS is the comma-separated list of whsec_ secrets; BODY_FILE "-"
 * reads stdin.  Prints "accept" or "refuse: <reason>" and exits 0 for
 * accept, 1 for refuse, 2 for a usage or I/O error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "stripe_sig.h"

static int
read_all(const char *path, struct buf *b)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	char chunk[4096];
	size_t n;
	int rc = 0;

	if (f == NULL)
		return -1;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (buf_append(b, chunk, n) == -1)
			rc = -1;
	if (ferror(f))
		rc = -1;
	if (f != stdin)
		fclose(f);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct buf body = { 0 };
	enum stripe_sig_reason why;
	time_t now = time(NULL);
	int tolerance = STRIPE_SIG_TOLERANCE, c;
	enum err rc;

	while ((c = getopt(argc, argv, "n:t:")) != -1) {
		switch (c) {
		case 'n':
			now = (time_t)strtoll(optarg, NULL, 10);
			break;
		case 't':
			tolerance = atoi(optarg);
			break;
		default:
			goto usage;
		}
	}
	if (argc - optind != 3 || tolerance <= 0)
		goto usage;
	if (read_all(argv[optind + 2], &body) == -1) {
		fprintf(stderr, "stripe-sig-check: cannot read %s\n",
		    argv[optind + 2]);
		buf_free(&body);
		return 2;
	}
	rc = stripe_sig_verify(argv[optind + 1], body.data != NULL ?
	    body.data : "", body.len, argv[optind], now, tolerance, &why);
	buf_free(&body);
	if (rc == ERR_OK) {
		puts("accept");
		return 0;
	}
	printf("refuse: %s\n", stripe_sig_reason_str(why));
	return 1;
usage:
	fprintf(stderr, "usage: stripe-sig-check [-n now] [-t tolerance] "
	    "secrets header body-file\n");
	return 2;
}
