# forcenet: one non-recursive Makefile (make help prints this and the
# sweep's own targets, from pipelines/sweep.mk).
#
#   make              build the tools into build/bin (installs missing Debian
#                     packages); then `. build/env.sh` puts them and their
#                     man pages on PATH and MANPATH, without installing
#   make mpi          build/bin/simulate-train-mpi: simulate-train on the
#                     processes of an MPI job (Open MPI; installs it when
#                     missing), one network across machines
#   make test         build and run the whole test-suite (BATS + C unit
#                     tests); TESTS="tests/a.bats tests/b.bats" runs those
#   make check-sanitize  the suite (but the Slurm, MPI and build ones) with the
#                     tools and unit tests built with AddressSanitizer and
#                     UndefinedBehaviorSanitizer, in build/san (also
#                     make test SANITIZE=1 [TESTS=...])
#   make fuzz         libFuzzer harnesses of the readers (tests/fuzz/*.c,
#                     clang), FUZZ_TIME seconds each (default 60)
#   make bench        print performance figures (nothing is asserted);
#                     BENCH=simulate-train (or rls, sweep, ...) runs one of
#                     bench/*.sh
#   make install      under $(DESTDIR)$(PREFIX): the tools, their man pages,
#                     bash completion, and libforcenet (static library,
#                     headers, pkg-config file forcenet.pc) for tools of
#                     one's own
#   make uninstall    remove what make install put there
#   make deps         install the Debian packages of the build, the tests
#                     and the sweep (as root; make does it when needed)
#   make clean        remove build/
#   make help         this text
#
# Variables: PREFIX=/usr/local, DESTDIR= (a staging root), V=1 (print the
# commands instead of one line per step), CC=, CFLAGS=, MPICC=, TESTS=, BENCH=,
# SANITIZE=, FUZZ_TIME=.
#
# Tools are tools/*.c, one executable each; the shared library is libcore/*.c;
# C unit tests are tests/unit/*.c; BATS suites are tests/*.bats.

VERSION   := 0.1.0
PREFIX    ?= /usr/local
bindir    ?= $(PREFIX)/bin
mandir    ?= $(PREFIX)/share/man
libdir    ?= $(PREFIX)/lib
includedir ?= $(PREFIX)/include
pkgconfigdir ?= $(libdir)/pkgconfig
completionsdir ?= $(PREFIX)/share/bash-completion/completions
DESTDIR   ?=

CC        ?= cc
MPICC     ?= mpicc
CFLAGS    ?= -O3 -march=x86-64-v3 -ffp-contract=off -g
WARN      := -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
# Recursive (=) on purpose: pkg-config is asked when a recipe runs, after
# the deps step may have installed it.
DEPCFLAGS  = $(shell pkg-config --cflags gsl openblas libzip libcrypto)
# GSL's own .pc adds its reference CBLAS (-lgslcblas): leave it out so that
# every cblas_* call of a tool that does linear algebra goes to OpenBLAS.
# Only those tools link OpenBLAS: its pthread build starts a thread that
# spins on sched_yield, and a simulation beside it would lose a core to it.
DEPLIBS    = $(filter-out -lgslcblas,$(shell pkg-config --libs gsl)) \
             $(shell pkg-config --libs libzip libcrypto) -lcsv -lm
BLASLIBS   = $(shell pkg-config --libs openblas)
BLAS_TOOLS = dpr
ALL_CFLAGS = $(WARN) -D_DEFAULT_SOURCE -DFORCENET_VERSION='"$(VERSION)"' \
             -fopenmp -Ilibcore $(DEPCFLAGS) $(CFLAGS)
LDLIBS     = -fopenmp $(DEPLIBS)

# One short line per step ("  cc  libcore/npy.c"); V=1 shows the commands
# instead.  short shortens the paths of those lines (sweep.mk's are relative
# to the results folder).
# make -s prints neither.
V         ?=
Q          = $(if $(V),,@)
short      = $(1)
quiet      = $(or $(V),$(findstring s,$(firstword -$(MAKEFLAGS))))
say        = $(if $(quiet),,@printf '  %-15s %s\n' '$(1)' '$(call short,$(or $(2),$@))')
# The same at the head of a command line (the shell's own printf).
say_and    = $(if $(quiet),,printf '  %-15s %s\n' '$(1)' '$(call short,$(or $(2),$@))' &&)

# Debian's numpy is the tests' reference client (not a pyenv or venv one).
PYTHON    ?= /usr/bin/python3
BATS      ?= bats

B         := build
# SANITIZE=1: ASan + UBSan, compile and link, in a build of its own.  Any
# report ends the tool with status 99 (never a status a test expects);
# an allocation too large for ASan returns NULL as malloc would.
SANITIZE  ?=
ifneq ($(SANITIZE),)
B         := build/san
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
ALL_CFLAGS += $(SAN_FLAGS)
LDLIBS    += $(SAN_FLAGS)
SAN_ENV   := SANITIZE=$(SANITIZE) \
  ASAN_OPTIONS=detect_leaks=1:exitcode=99:allocator_may_return_null=1:detect_stack_use_after_return=1:verify_asan_link_order=0 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=99
endif
LIB_SRC   := $(wildcard libcore/*.c)
LIB_OBJ   := $(LIB_SRC:libcore/%.c=$(B)/obj/libcore/%.o)
TOOLS     := $(basename $(notdir $(wildcard tools/*.c)))
TOOL_BIN  := $(TOOLS:%=$(B)/bin/%)
UNIT_SRC  := $(wildcard tests/unit/*.c)
UNIT_BIN  := $(UNIT_SRC:tests/unit/%.c=$(B)/unit/%)
MAN1      := $(wildcard man/man1/*.1)
MAN5      := $(wildcard man/man5/*.5)
MAN7      := $(wildcard man/man7/*.7)
LIB_HDR   := $(wildcard libcore/*.h)

.PHONY: all deps deps-build deps-test deps-fuzz deps-mpi mpi test unit bench install uninstall \
  clean lint-man help check-sanitize fuzz
# Written afresh for every install: it holds PREFIX.
.PHONY: $(B)/forcenet.pc
.DEFAULT_GOAL := all

all: $(TOOL_BIN) $(B)/env.sh

# The header comments of this file and of the sweep's.
help:
	@sed -s -n '1,/^$$/s/^# \{0,1\}//p' Makefile pipelines/sweep.mk

# Sourced (. build/env.sh), it puts the tools and man pages of this tree
# first on PATH and MANPATH, and in bash the completion of their options.
$(B)/env.sh: Makefile | $(B)/completion
	@mkdir -p $(@D)
	$(call say,gen)
	$(Q)printf '%s\n' \
	  '# . build/env.sh: the forcenet tools and man pages of $(CURDIR), without installing' \
	  'PATH="$(CURDIR)/$(B)/bin:$$PATH"; export PATH' \
	  'MANPATH="$(CURDIR)/man:$${MANPATH-}"; export MANPATH' \
	  '[ -z "$${BASH_VERSION-}" ] || . "$(CURDIR)/$(B)/completion"' > $@.tmp && mv $@.tmp $@

# Bash completion of every tool's options (completion/forcenet.bash.in,
# installed under each tool's name, as bash-completion looks them up).
$(B)/completion: completion/forcenet.bash.in Makefile
	@mkdir -p $(@D)
	$(call say,gen)
	$(Q)sed 's/@TOOLS@/$(TOOLS) simulate-train-mpi/' $< > $@.tmp && mv $@.tmp $@

# pkg-config metadata of libforcenet (libcore installed): it links statically,
# so Libs names every library behind it.
$(B)/forcenet.pc: | deps-build
	@mkdir -p $(@D)
	$(call say,gen)
	$(Q)printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$(patsubst $(PREFIX)/%,$${prefix}/%,$(libdir))' \
	  'includedir=$(patsubst $(PREFIX)/%,$${prefix}/%,$(includedir))' '' \
	  'Name: forcenet' \
	  'Description: the library of the forcenet tools (.npy and CSV input and output, RNG streams, the QIF/LIF model, RLS, motifs, participation ratio)' \
	  'Version: $(VERSION)' \
	  'Cflags: -I$${includedir}/forcenet' \
	  'Libs: -L$${libdir} -lforcenet $(strip $(BLASLIBS) $(LDLIBS))' > $@.tmp && mv $@.tmp $@

# Installs what is missing (as root, from Debian's archive); a no-op otherwise.
deps:
	@scripts/deps build test sweep mpi
deps-build:
	@scripts/deps build
deps-test:
	@scripts/deps test
deps-fuzz:
	@scripts/deps fuzz
deps-mpi:
	@scripts/deps mpi

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

# simulate-train-mpi: the tool's own object, with libcore's dist module
# built for MPI (dist.h) in place of its one-process build; nothing else of
# the plain build uses MPI.
mpi: $(B)/bin/simulate-train-mpi

$(B)/obj-mpi/dist.o: libcore/dist.c | deps-build deps-mpi
	@mkdir -p $(@D)
	$(call say,mpicc,$<)
	$(Q)$(MPICC) $(ALL_CFLAGS) -DFORCENET_MPI -MMD -MP -c -o $@ $<

$(B)/bin/simulate-train-mpi: $(B)/obj/tools/simulate-train.o $(B)/obj-mpi/dist.o $(B)/libcore.a
	@mkdir -p $(@D)
	$(call say,ld)
	$(Q)$(MPICC) -o $@ $^ $(LDLIBS)

# Keep the objects of tools and unit tests: they are not throw-away intermediates.
.SECONDARY: $(TOOLS:%=$(B)/obj/tools/%.o) $(UNIT_SRC:tests/unit/%.c=$(B)/obj/tests/unit/%.o)

# The whole suite: every BATS file in tests/ with the build first on PATH.
test: all unit $(if $(SANITIZE),,mpi) | deps-test
	@PATH="$(CURDIR)/$(B)/bin:$$PATH" FORCENET_ROOT="$(CURDIR)" \
	  FORCENET_UNIT="$(CURDIR)/$(B)/unit" PYTHON="$(PYTHON)" $(SAN_ENV) \
	  scripts/run-tests $(TESTS)

# The same suite under the sanitizers (a make of its own: B differs), but
# for three suites that test plumbing, not the tools: Slurm's, MPI's (Open
# MPI's own allocations are not ours to check; simulate-train-mpi runs the
# same code as simulate-train) and the build's (make's own output, the
# installation, a program of its own).
check-sanitize:
	@$(MAKE) --no-print-directory SANITIZE=1 test \
	  TESTS="$(or $(TESTS),$(filter-out tests/slurm.bats tests/build.bats tests/mpi.bats,$(wildcard tests/*.bats)))"

# ---------------------------------------------------------------- fuzzing
# One libFuzzer harness per reader; seeds written by the tools
# (tests/fuzz/seeds.sh), corpora kept in build/fuzz/corpus/ between runs.
FUZZ_CC   ?= clang
FUZZ_TIME ?= 60
FUZZ_SRC  := $(wildcard tests/fuzz/*.c)
FUZZERS   := $(FUZZ_SRC:tests/fuzz/%.c=build/fuzz/%)
# The readers and what they use: no BLAS, GSL or OpenMP.  (The .npz reader
# comes with the sniffing; libzip's own code is not instrumented.)
FUZZ_LIB  := $(addprefix libcore/,arrayin.c atomic.c csvio.c err.c npy.c npz.c sha256.c)
FUZZ_FLAGS = -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
  $(filter-out -Wstrict-prototypes,$(WARN)) -D_DEFAULT_SOURCE -DFORCENET_VERSION='"$(VERSION)"' -Ilibcore

build/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz.h $(FUZZ_LIB) $(wildcard libcore/*.h) | deps-fuzz
	@mkdir -p $(@D)
	$(call say,fuzzer)
	$(Q)$(FUZZ_CC) $(FUZZ_FLAGS) $(shell pkg-config --cflags libzip libcrypto) -o $@ $< $(FUZZ_LIB) \
	  $(shell pkg-config --libs libzip libcrypto) -lcsv -lm

fuzz: $(FUZZERS) all
	@tests/fuzz/seeds.sh $(B)/bin build/fuzz/seeds
	@for f in $(FUZZERS); do \
	  h=$$(basename $$f); mkdir -p build/fuzz/corpus/$$h; \
	  echo "fuzz: $$h for $(FUZZ_TIME) s"; \
	  ASAN_OPTIONS=allocator_may_return_null=1 $$f -max_total_time=$(FUZZ_TIME) \
	    -print_final_stats=1 -max_len=65536 -timeout=10 \
	    -artifact_prefix=build/fuzz/$$h- build/fuzz/corpus/$$h build/fuzz/seeds \
	    > build/fuzz/$$h.log 2>&1 || { tail -n 40 build/fuzz/$$h.log; exit 1; }; \
	  grep -E '^#[0-9]+ *DONE|stat::number_of_executed_units|cov:' build/fuzz/$$h.log | tail -n 2; \
	done

bench: all unit mpi | deps-test
	@PATH="$(CURDIR)/$(B)/bin:$$PATH" FORCENET_ROOT="$(CURDIR)" \
	  FORCENET_UNIT="$(CURDIR)/$(B)/unit" PYTHON="$(PYTHON)" \
	  scripts/run-bench $(BENCH)

# Without DESTDIR, man-db's indexes are updated (when man-db is there), so
# that man -k forcenet finds the pages at once: every manpath's, since man
# may reach $(mandir) by another name (Debian's /usr/local/man).
install: all $(B)/completion $(B)/forcenet.pc
	$(call say,install,$(DESTDIR)$(PREFIX))
	$(Q)install -d $(DESTDIR)$(bindir) $(DESTDIR)$(mandir)/man1 $(DESTDIR)$(mandir)/man5 \
	  $(DESTDIR)$(mandir)/man7 $(DESTDIR)$(completionsdir) $(DESTDIR)$(libdir) \
	  $(DESTDIR)$(includedir)/forcenet $(DESTDIR)$(pkgconfigdir)
	$(Q)install -m 0755 $(TOOL_BIN) $(DESTDIR)$(bindir)
	$(Q)if [ -f $(B)/bin/simulate-train-mpi ]; then \
	  install -m 0755 $(B)/bin/simulate-train-mpi $(DESTDIR)$(bindir) && \
	  install -m 0644 $(B)/completion $(DESTDIR)$(completionsdir)/simulate-train-mpi; fi
	$(Q)install -m 0644 $(MAN1) $(DESTDIR)$(mandir)/man1
	$(Q)install -m 0644 $(MAN5) $(DESTDIR)$(mandir)/man5
	$(Q)install -m 0644 $(MAN7) $(DESTDIR)$(mandir)/man7
	$(Q)for t in $(TOOLS); do install -m 0644 $(B)/completion $(DESTDIR)$(completionsdir)/$$t || exit 1; done
	$(Q)install -m 0644 $(B)/libcore.a $(DESTDIR)$(libdir)/libforcenet.a
	$(Q)install -m 0644 $(LIB_HDR) $(DESTDIR)$(includedir)/forcenet
	$(Q)install -m 0644 $(B)/forcenet.pc $(DESTDIR)$(pkgconfigdir)
	$(Q)if [ -z "$(DESTDIR)" ] && command -v mandb > /dev/null; then mandb -q || true; fi

uninstall:
	rm -f $(TOOLS:%=$(DESTDIR)$(bindir)/%) $(DESTDIR)$(bindir)/simulate-train-mpi \
	  $(MAN1:man/man1/%=$(DESTDIR)$(mandir)/man1/%) \
	  $(MAN5:man/man5/%=$(DESTDIR)$(mandir)/man5/%) \
	  $(MAN7:man/man7/%=$(DESTDIR)$(mandir)/man7/%) \
	  $(TOOLS:%=$(DESTDIR)$(completionsdir)/%) $(DESTDIR)$(completionsdir)/simulate-train-mpi \
	  $(DESTDIR)$(libdir)/libforcenet.a $(DESTDIR)$(pkgconfigdir)/forcenet.pc
	rm -rf $(DESTDIR)$(includedir)/forcenet

clean:
	rm -rf $(B)

-include $(LIB_OBJ:.o=.d) $(TOOLS:%=$(B)/obj/tools/%.d) $(UNIT_SRC:tests/unit/%.c=$(B)/obj/tests/unit/%.d) \
	$(B)/obj-mpi/dist.d
-include pipelines/sweep.mk
