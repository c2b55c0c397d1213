# forcenet: one non-recursive Makefile.
#
#   make            build the tools into build/bin (installs missing Debian packages)
#   make test       build and run the whole test-suite (BATS + C unit tests)
#   make bench      print performance figures (nothing is asserted);
#                   BENCH=simulate-train (or rls, sweep, ...) runs one of bench/*.sh
#   make sweep      the study's whole sweep: runs, tables and figures in results/
#   make install    tools and man pages under $(DESTDIR)$(PREFIX)
#
# Tools are tools/*.c, one executable each; the shared library is libcore/*.c;
# C unit tests are tests/unit/*.c; BATS suites are tests/*.bats.

VERSION   := 0.1.0
PREFIX    ?= /usr/local
bindir    ?= $(PREFIX)/bin
mandir    ?= $(PREFIX)/share/man
DESTDIR   ?=

CC        ?= cc
CFLAGS    ?= -O3 -march=x86-64-v3 -ffp-contract=off -g
WARN      := -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
# Recursive (=) on purpose: pkg-config is asked when a recipe runs, after
# the deps step may have installed it.
DEPCFLAGS  = $(shell pkg-config --cflags gsl openblas)
# GSL's own .pc adds its reference CBLAS (-lgslcblas): leave it out so that
# every cblas_* call of a tool that does linear algebra goes to OpenBLAS.
# Only those tools link OpenBLAS: its pthread build starts a thread that
# spins on sched_yield, and a simulation beside it would lose a core to it.
DEPLIBS    = $(filter-out -lgslcblas,$(shell pkg-config --libs gsl)) -lcsv -lm
BLASLIBS   = $(shell pkg-config --libs openblas)
BLAS_TOOLS = dpr
ALL_CFLAGS = $(WARN) -D_DEFAULT_SOURCE -DFORCENET_VERSION='"$(VERSION)"' \
             -fopenmp -Ilibcore $(DEPCFLAGS) $(CFLAGS)
LDLIBS     = -fopenmp $(DEPLIBS)

# One short line per step ("  cc  libcore/npy.c"); V=1 shows the commands
# instead.  short shortens the paths of those lines (sweep.mk's are relative
# to the results folder).
V         ?=
Q          = $(if $(V),,@)
short      = $(1)
say        = $(if $(V),,@printf '  %-15s %s\n' '$(1)' '$(call short,$(or $(2),$@))')
# The same at the head of a command line (the shell's own printf).
say_and    = $(if $(V),,printf '  %-15s %s\n' '$(1)' '$(call short,$(or $(2),$@))' &&)

# Debian's numpy is the tests' reference client (not a pyenv or venv one).
PYTHON    ?= /usr/bin/python3
BATS      ?= bats

B         := build
LIB_SRC   := $(wildcard libcore/*.c)
LIB_OBJ   := $(LIB_SRC:libcore/%.c=$(B)/obj/libcore/%.o)
TOOLS     := $(basename $(notdir $(wildcard tools/*.c)))
TOOL_BIN  := $(TOOLS:%=$(B)/bin/%)
UNIT_SRC  := $(wildcard tests/unit/*.c)
UNIT_BIN  := $(UNIT_SRC:tests/unit/%.c=$(B)/unit/%)
MAN1      := $(wildcard man/man1/*.1)
MAN5      := $(wildcard man/man5/*.5)

.PHONY: all deps deps-build deps-test test unit bench install uninstall clean lint-man
.DEFAULT_GOAL := all

all: $(TOOL_BIN)

# Installs what is missing (as root, from Debian's archive); a no-op otherwise.
deps:
	@scripts/deps build test sweep
deps-build:
	@scripts/deps build
deps-test:
	@scripts/deps test

$(B)/obj/%.o: %.c | deps-build
	@mkdir -p $(@D)
	$(call say,cc,$<)
	$(Q)$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(B)/libcore.a: $(LIB_OBJ)
	@rm -f $@
	$(call say,ar)
	$(Q)$(AR) rcs $@ $^

$(B)/bin/%: $(B)/obj/tools/%.o $(B)/libcore.a
	@mkdir -p $(@D)
	$(call say,ld)
	$(Q)$(CC) -o $@ $^ $(if $(filter $*,$(BLAS_TOOLS)),$(BLASLIBS)) $(LDLIBS)

$(B)/unit/%: $(B)/obj/tests/unit/%.o $(B)/libcore.a
	@mkdir -p $(@D)
	$(call say,ld)
	$(Q)$(CC) -o $@ $^ $(BLASLIBS) $(LDLIBS)

unit: $(UNIT_BIN)

# Keep the objects of tools and unit tests: they are not throw-away intermediates.
.SECONDARY: $(TOOLS:%=$(B)/obj/tools/%.o) $(UNIT_SRC:tests/unit/%.c=$(B)/obj/tests/unit/%.o)

# The whole suite: every BATS file in tests/ with the build first on PATH.
test: all unit | deps-test
	@PATH="$(CURDIR)/$(B)/bin:$$PATH" FORCENET_ROOT="$(CURDIR)" \
	  FORCENET_UNIT="$(CURDIR)/$(B)/unit" PYTHON="$(PYTHON)" \
	  scripts/run-tests $(TESTS)

bench: all unit | deps-test
	@PATH="$(CURDIR)/$(B)/bin:$$PATH" FORCENET_ROOT="$(CURDIR)" \
	  FORCENET_UNIT="$(CURDIR)/$(B)/unit" PYTHON="$(PYTHON)" \
	  scripts/run-bench $(BENCH)

install: all
	install -d $(DESTDIR)$(bindir) $(DESTDIR)$(mandir)/man1 $(DESTDIR)$(mandir)/man5
	install -m 0755 $(TOOL_BIN) $(DESTDIR)$(bindir)
	install -m 0644 $(MAN1) $(DESTDIR)$(mandir)/man1
	install -m 0644 $(MAN5) $(DESTDIR)$(mandir)/man5

uninstall:
	rm -f $(TOOLS:%=$(DESTDIR)$(bindir)/%) \
	  $(MAN1:man/man1/%=$(DESTDIR)$(mandir)/man1/%) \
	  $(MAN5:man/man5/%=$(DESTDIR)$(mandir)/man5/%)

clean:
	rm -rf $(B)

-include $(LIB_OBJ:.o=.d) $(TOOLS:%=$(B)/obj/tools/%.d) $(UNIT_SRC:tests/unit/%.c=$(B)/obj/tests/unit/%.d)
-include pipelines/sweep.mk
