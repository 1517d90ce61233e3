/* noop-fcgi: the floor under every dynamic page.  A FastCGI responder that
 * does no work: N preforked processes answer every request with the same
 * bytes (a file given on the command line, e.g. a saved catalog page), so
 * `make bench` can compare the store against the cost of FastCGI itself.
 * Usage: noop-fcgi --socket PATH --workers N --body FILE */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "buf.h"

static int
serve(int sock, const struct buf *page)
{
	FCGX_Request r;

	if (FCGX_InitRequest(&r, sock, 0) != 0)
		return 1;
	while (FCGX_Accept_r(&r) >= 0) {
		FCGX_PutStr(page->data, (int)page->len, r.out);
		FCGX_Finish_r(&r);
	}
	return 0;
}

static int
load(const char *path, struct buf *page)
{
	char chunk[8192], hdr[128];
	struct buf body = { 0 };
	size_t n;
	FILE *f = fopen(path, "rb");

	if (f == NULL)
		return -1;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(&body, chunk, n);
	fclose(f);
	snprintf(hdr, sizeof(hdr), "Status: 200 OK\r\nContent-Type: text/html; "
	    "charset=utf-8\r\nContent-Length: %zu\r\n\r\n", body.len);
	buf_puts(page, hdr);
	buf_append(page, body.data, body.len);
	buf_free(&body);
	return page->oom ? -1 : 0;
}

int
main(int argc, char **argv)
{
	const char *sockpath = NULL, *file = NULL;
	struct buf page = { 0 };
	int workers = 2, sock, i;

	for (i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--socket") == 0)
			sockpath = argv[i + 1];
		else if (strcmp(argv[i], "--workers") == 0)
			workers = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--body") == 0)
			file = argv[i + 1];
	}
	if (sockpath == NULL || file == NULL || workers < 1 ||
	    load(file, &page) == -1) {
		fprintf(stderr, "usage: noop-fcgi --socket PATH --workers N "
		    "--body FILE\n");
		return 2;
	}
	if (FCGX_Init() != 0 || (sock = FCGX_OpenSocket(sockpath, 1024)) < 0)
		return 1;
	for (i = 0; i < workers; i++)
		if (fork() == 0)
			return serve(sock, &page);
	while (wait(NULL) > 0)
		;
	buf_free(&page);
	return 0;
}
