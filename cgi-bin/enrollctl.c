/* enrollctl: the operator's command line.  Each command is one function
 * over the same database the programs use; errors print a plain message
 * and exit non-zero. */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "db.h"
#include "seed.h"

struct command {
	const char *name;	/* first argument */
	const char *usage;	/* arguments after the name */
	const char *help;	/* one line */
	int (*run)(struct db *db, int argc, char **argv);
};

static int
cmd_migrate(struct db *db, int argc, char **argv)
{
	if (db_migrate(db) != ERR_OK) {
		fprintf(stderr, "enrollctl: migration failed; the database "
		    "is left at version %d\n", db_schema_version(db));
		return 1;
	}
	printf("schema at version %d\n", db_schema_version(db));
	return 0;
}

static int
cmd_seed_demo(struct db *db, int argc, char **argv)
{
	int seeded;

	if (db_schema_version(db) <= 0) {
		fprintf(stderr, "enrollctl: run 'enrollctl migrate' first\n");
		return 1;
	}
	if (seed_demo(db, &seeded) != ERR_OK) {
		fprintf(stderr, "enrollctl: loading the demo data failed\n");
		return 1;
	}
	printf(seeded ? "demo courses loaded\n" :
	    "the catalog already has courses; nothing loaded\n");
	return 0;
}

static const struct command commands[] = {
	{ "migrate", "", "create or upgrade the schema", cmd_migrate },
	{ "seed-demo", "", "load demo courses into an empty catalog",
	    cmd_seed_demo },
};

static int
usage(void)
{
	fprintf(stderr, "usage: enrollctl COMMAND [ARGS]   (database: "
	    "$ENROLL_DB, default var/enroll.db)\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(stderr, "  %-14s %-12s %s\n", commands[i].name,
		    commands[i].usage, commands[i].help);
	return 2;
}

int
main(int argc, char **argv)
{
	struct config cfg;
	struct db *db;
	int rc;

	if (argc < 2)
		return usage();
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name) != 0)
			continue;
		config_load(&cfg);
		if ((db = db_open(cfg.db_path)) == NULL) {
			fprintf(stderr, "enrollctl: cannot open %s\n",
			    cfg.db_path);
			return 1;
		}
		rc = commands[i].run(db, argc - 2, argv + 2);
		db_close(db);
		return rc;
	}
	fprintf(stderr, "enrollctl: unknown command '%s'\n", argv[1]);
	return usage();
}
