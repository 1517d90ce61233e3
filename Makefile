# enroll: course store and enrollment system.  See README.md.
#   make          build everything (optimised, into build/)
#   make run      install what is missing, build, migrate, seed, serve :8080
#   make test     install what is missing, build with sanitizers, run t/
#   make bench    measure the catalog page and the webhook with wrk
#   make install  PREFIX=/usr/local DESTDIR=
PREFIX  ?= /usr/local
DESTDIR ?=
BUILD   ?= build
PORT    ?= 8080
CC      ?= cc
CLANG   ?= clang
OPT     ?= -O2 -g
PKGS     = fcgi sqlite3 libpq libcurl libcjson libsodium libcmark
WARN     = -Wall -Wextra -Wformat=2 -Wshadow -Wpointer-arith \
	   -Wmissing-prototypes -Wstrict-prototypes -Wno-unused-parameter
SAN_FLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer \
	   -fno-sanitize-recover=undefined
ifeq ($(SANITIZE),1)
OPT     := -O1 -g $(SAN_FLAGS)
endif
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CPPFLAGS += -Ilib -Icgi-bin -I$(BUILD)/gen -D_GNU_SOURCE
CFLAGS   += -std=c11 $(OPT) $(WARN) $(PKG_CFLAGS)
LDLIBS   += $(PKG_LIBS) -lm

LIB_SRC  := $(wildcard lib/*.c)
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/embedded.o
LIB      := $(BUILD)/libenroll.a
PROGS    := cart checkout webhook account admin enrollctl
PROG_BIN := $(PROGS:%=$(BUILD)/bin/%)
EMU_SRC  := $(wildcard t/emu/*.c)
EMU_BIN  := $(if $(EMU_SRC),$(BUILD)/bin/stripe-emu)
UNIT_SRC := $(wildcard t/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:t/unit/%.c=$(BUILD)/t/%.t)
TOOL_SRC := $(wildcard t/tools/*.c)
TOOL_BIN := $(TOOL_SRC:t/tools/%.c=$(BUILD)/t/tools/%)
FUZZ_SRC := $(wildcard t/fuzz/fuzz_*.c)
FUZZ_BIN := $(FUZZ_SRC:t/fuzz/%.c=$(BUILD)/fuzz/%)
TEMPLATES := $(shell find templates -name '*.html' | sort)
MIGRATIONS := $(sort $(wildcard sql/*.sql)) $(sort $(wildcard sql/pg/*.sql))

.PHONY: all deps run test tests-bin bench install install-units clean fuzz
# Objects are kept, not deleted as intermediates, so a second make is quiet.
.SECONDARY:

all: $(LIB) $(PROG_BIN) $(EMU_BIN) $(BUILD)/bin/noop-fcgi $(BUILD)/bin/sqlite-tx-rate

# Installs what is missing (as root), or says how: t/deps.sh.
deps:
	@sh t/deps.sh

HEADERS := $(wildcard lib/*.h cgi-bin/*.h cgi-bin/*/*.h t/unit/*.h)
$(BUILD)/%.o: %.c $(HEADERS) | $(BUILD)/gen/embedded.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# SQL migrations and templates are compiled in, so a binary carries the
# schema and pages it was built with.
$(BUILD)/gen/embedded.c: $(TEMPLATES) $(MIGRATIONS) lib/embed.sh
	@mkdir -p $(BUILD)/gen
	sh lib/embed.sh $(BUILD)/gen/embedded $(MIGRATIONS) -- $(TEMPLATES)
# Written by the same command: one rule, so make -j runs it once.
$(BUILD)/gen/embedded.h: $(BUILD)/gen/embedded.c ;

$(BUILD)/gen/embedded.o: $(BUILD)/gen/embedded.c
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(LIB): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/bin/%: $(BUILD)/cgi-bin/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(LIB) $(LDFLAGS) $(LDLIBS)

# A program whose routes outgrew one file is a folder, one file per area
# (DESIGN.md, Shape): cgi-bin/NAME/*.c, with main() in main.c.
FOLDER_PROGS := $(patsubst cgi-bin/%/main.c,%,$(wildcard cgi-bin/*/main.c))
define folder_prog
$$(BUILD)/bin/$(1): $$(patsubst %.c,$$(BUILD)/%.o,$$(wildcard cgi-bin/$(1)/*.c)) $$(LIB)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(CFLAGS) -o $$@ $$(filter %.o,$$^) $$(LIB) $$(LDFLAGS) $$(LDLIBS)
endef
$(foreach p,$(FOLDER_PROGS),$(eval $(call folder_prog,$(p))))

$(EMU_SRC:%.c=$(BUILD)/%.o): $(wildcard t/emu/*.h)
$(BUILD)/bin/stripe-emu: $(EMU_SRC:%.c=$(BUILD)/%.o) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $(EMU_SRC:%.c=$(BUILD)/%.o) $(LIB) $(LDFLAGS) $(LDLIBS) $(shell pkg-config --libs libmicrohttpd 2>/dev/null)

$(BUILD)/bin/noop-fcgi: $(BUILD)/t/bench/noop.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(LIB) $(LDFLAGS) $(LDLIBS)

$(BUILD)/bin/sqlite-tx-rate: $(BUILD)/t/bench/sqlite_tx_rate.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(LIB) $(LDFLAGS) $(LDLIBS)

$(BUILD)/t/tools/%: $(BUILD)/t/tools/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(LIB) $(LDFLAGS) $(LDLIBS)

# In-process handler tests call the programs' route tables directly: each
# program is compiled once more without its main().
APP_PROGS := cart checkout webhook account admin
APP_TEST_OBJ := $(patsubst cgi-bin/%.c,$(BUILD)/t/apps/%.o,$(foreach p,$(APP_PROGS),$(or $(wildcard cgi-bin/$(p).c),$(wildcard cgi-bin/$(p)/*.c))))
$(BUILD)/t/apps/%.o: cgi-bin/%.c $(HEADERS) | $(BUILD)/gen/embedded.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Icgi-bin -DENROLL_TEST_APP $(CFLAGS) -c -o $@ $<

# Support code shared by the unit tests (t/unit/ files not named test_*).
UNIT_SUPPORT := $(patsubst %.c,$(BUILD)/%.o,$(filter-out t/unit/test_%.c,$(wildcard t/unit/*.c)))
$(BUILD)/t/%.t: $(BUILD)/t/unit/%.o $(UNIT_SUPPORT) $(APP_TEST_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(UNIT_SUPPORT) $(APP_TEST_OBJ) $(LIB) $(LDFLAGS) $(LDLIBS) $(shell pkg-config --libs cmocka 2>/dev/null)

# libFuzzer targets, one per parser of untrusted input (clang only).
FUZZ_FLAGS = -g -O1 -fsanitize=fuzzer,address,undefined -Ilib -I$(BUILD)/gen -D_GNU_SOURCE $(PKG_CFLAGS)
$(BUILD)/fuzz/%: t/fuzz/%.c $(LIB_SRC) $(BUILD)/gen/embedded.c
	@mkdir -p $(dir $@)
	$(CLANG) $(FUZZ_FLAGS) -o $@ $< $(LIB_SRC) $(BUILD)/gen/embedded.c $(PKG_LIBS) -lm

fuzz: $(FUZZ_BIN)

run: deps all
	@sh t/stack.sh run $(BUILD) $(PORT)

# Tests run against a sanitizer build in its own folder.
TBUILD = build/asan
test: deps
	@$(MAKE) --no-print-directory BUILD=$(TBUILD) SANITIZE=1 all tests-bin
	@$(MAKE) --no-print-directory BUILD=$(TBUILD) fuzz
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ENROLL_BUILD=$(TBUILD) prove --exec '' $(UNIT_BIN:$(BUILD)/%=$(TBUILD)/%) t/*.t
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  sh t/pg_suite.sh $(TBUILD)

tests-bin: $(UNIT_BIN) $(TOOL_BIN)

bench: deps all
	@sh t/bench/bench.sh $(BUILD)

# The five programs are not commands: they go to libexec; enrollctl to bin.
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/libexec/enroll \
	    $(DESTDIR)$(PREFIX)/share/enroll/static
	install -m 755 $(BUILD)/bin/enrollctl $(DESTDIR)$(PREFIX)/bin/
	install -m 755 $(filter-out %/enrollctl,$(PROG_BIN)) $(DESTDIR)$(PREFIX)/libexec/enroll/
	cp -R static/. $(DESTDIR)$(PREFIX)/share/enroll/static/
	install -m 644 nginx.conf.example $(DESTDIR)$(PREFIX)/share/enroll/
	@$(MAKE) --no-print-directory install-units

# systemd units from cgi-bin/systemd/*.in: a socket and a service per
# program, the migration, the mail worker and the timed jobs; and the
# environment file, never overwritten.
UNITDIR ?= $(PREFIX)/lib/systemd/system
UNIT_SED = sed -e '/@HARDENING@/{r cgi-bin/systemd/hardening.conf.in' -e 'd}' \
	-e 's|@LIBEXEC@|$(PREFIX)/libexec/enroll|g' -e 's|@BIN@|$(PREFIX)/bin|g'
install-units:
	install -d $(DESTDIR)$(UNITDIR) $(DESTDIR)/etc/enroll
	for p in $(filter-out enrollctl,$(PROGS)); do \
	  $(UNIT_SED) -e "s|@PROGRAM@|$$p|g" cgi-bin/systemd/enroll-program.service.in \
	    > $(DESTDIR)$(UNITDIR)/enroll-$$p.service && \
	  $(UNIT_SED) -e "s|@PROGRAM@|$$p|g" cgi-bin/systemd/enroll-program.socket.in \
	    > $(DESTDIR)$(UNITDIR)/enroll-$$p.socket || exit 1; \
	done
	for f in cgi-bin/systemd/enroll-[!p]*.in; do \
	  $(UNIT_SED) $$f > $(DESTDIR)$(UNITDIR)/$$(basename $$f .in) || exit 1; \
	done
	chmod 644 $(DESTDIR)$(UNITDIR)/enroll-*
	[ -e $(DESTDIR)/etc/enroll/enroll.env ] || \
	  install -m 640 cgi-bin/systemd/enroll.env $(DESTDIR)/etc/enroll/enroll.env

clean:
	rm -rf build

-include $(wildcard $(BUILD)/*.d)
