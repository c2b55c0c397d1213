#!/usr/bin/env bats
# The everyday interface around the tools: make's own output and help, the
# scripts' --help, the tools and man pages from the source tree
# (build/env.sh) and installed (man -k, bash completion, pkg-config and
# libforcenet for tools of one's own), and a quiet test suite.

load helpers

# mk ARGS...: make in the source tree, free of any make that runs the tests.
mk() {
	env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -C "$ROOT" --no-print-directory "$@"
}

# stage: make install into ./stage, PREFIX=/opt/fn
stage() {
	mk -s install DESTDIR="$PWD/stage" PREFIX=/opt/fn > /dev/null
}

# The user's own build: what a test rebuilds gets its times back, so that
# a make sweep after make test still has nothing to do.
teardown() {
	local f
	for f in build/bin/npy-cat build/obj/tools/npy-cat.o; do
		[ ! -e "kept/$f" ] || cp -p "kept/$f" "$ROOT/$f"
	done
}

@test "make: one short line per compile and link step; V=1 prints the commands" {
	mkdir -p kept/build/bin kept/build/obj/tools
	cp -p "$ROOT/build/bin/npy-cat" kept/build/bin/
	cp -p "$ROOT/build/obj/tools/npy-cat.o" kept/build/obj/tools/
	# -W: as if tools/npy-cat.c had changed (the same object again)
	mk -W tools/npy-cat.c build/bin/npy-cat > log 2>&1
	cat log
	[ "$(cat log)" = "$(printf '  %-15s %s\n' cc tools/npy-cat.c ld build/bin/npy-cat)" ]
	mk V=1 -W tools/npy-cat.c build/bin/npy-cat > log 2>&1
	grep -q -- ' -c -o build/obj/tools/npy-cat.o tools/npy-cat.c$' log
	grep -q -- '-o build/bin/npy-cat build/obj/tools/npy-cat.o build/libcore.a' log
}

@test "make help: the targets and variables the README names" {
	run mk help
	[ "$status" -eq 0 ]
	echo "$output"
	# the README's make commands: in backquotes, and at the start of a code block's line
	targets=$({ grep -o '`make [a-z][a-z-]*' "$ROOT/README.md" | cut -c2-
		awk '/^```/ { c = !c; next } c && /^make [a-z]/ { print $1, $2 }' "$ROOT/README.md"; } |
		cut -d' ' -f2 | sort -u)
	[ "$(echo $targets | wc -w)" -ge 6 ]
	for t in $targets; do
		[[ "$output" == *"make $t "* ]] || { echo "make help does not name make $t" >&2; return 1; }
	done
	for v in PARAMS R RESULTS V LAUNCH SWEEP_JOBS PREFIX DESTDIR TESTS BENCH DPR_SKIP; do
		[[ "$output" == *" $v="* ]] || { echo "make help does not name $v" >&2; return 1; }
	done
}

@test "scripts: every script answers --help on stdout, exit 0, and refuses an unknown option with exit 2" {
	for s in "$ROOT"/scripts/*; do
		run "$s" --help
		[ "$status" -eq 0 ] || { echo "$s --help: exit $status: $output" >&2; return 1; }
		[[ "${lines[0]}" == "Usage: $(basename "$s")"* ]] || { echo "$s --help: ${lines[0]}" >&2; return 1; }
		[ -z "$("$s" --help 2>&1 >/dev/null)" ]
		run "$s" --no-such-option
		[ "$status" -eq 2 ] || { echo "$s --no-such-option: exit $status" >&2; return 1; }
	done
}

@test "build/env.sh: after make, the README's one-run pipeline works as written, man finds the pages, bash completes the options" {
	[ -f "$ROOT/build/env.sh" ]
	# the README's block, as written
	sed -n '/One run by hand, as a shell/,/^```$/p' "$ROOT/README.md" | sed '1,/^```sh$/d; /^```$/d' > pipeline.sh
	[ "$(wc -l < pipeline.sh)" -ge 4 ]
	cat pipeline.sh
	env -i HOME="$HOME" PATH=/usr/bin:/bin sh -c ". '$ROOT/build/env.sh' && set -e && . ./pipeline.sh" > out 2> err ||
		{ cat err; return 1; }
	[ -s run/weights.npy ] && [ -s run/outputs.npy ]
	grep -q '^path,loop,N,samples,M,PR,PR_bc' out
	[ "$(env -i PATH=/usr/bin:/bin sh -c ". '$ROOT/build/env.sh' && command -v motifs")" = "$ROOT/build/bin/motifs" ]
	[ "$(env -i PATH=/usr/bin:/bin sh -c ". '$ROOT/build/env.sh' && man -w motifs")" = "$ROOT/man/man1/motifs.1" ]
	[ "$(env -i PATH=/usr/bin:/bin sh -c ". '$ROOT/build/env.sh' && man -w 7 forcenet")" = "$ROOT/man/man7/forcenet.7" ]
	# in bash, the completion of the tools' options too (without the
	# bash-completion package)
	env -i PATH=/usr/bin:/bin bash -c ". '$ROOT/build/env.sh' && complete -p simulate-train dpr" | grep -c -- '-F _forcenet' | grep -qx 2
}

@test "install: forcenet(7), and man -k forcenet finds every tool and file format" {
	stage
	local man=stage/opt/fn/share/man
	[ -f $man/man7/forcenet.7 ]
	command -v mandb > /dev/null || skip "man-db is not installed"
	mandb -q "$PWD/$man" 2> /dev/null || true
	run env MANPATH="$PWD/$man" man -k forcenet
	echo "$output"
	for src in "$ROOT"/tools/*.c; do
		t=$(basename "$src" .c)
		[[ "$output" == *"$t (1)"* ]] || { echo "man -k forcenet does not find $t" >&2; return 1; }
	done
	for p in forcenet-csv forcenet-npy forcenet-run; do [[ "$output" == *"$p (5)"* ]]; done
	[[ "$output" == *"forcenet (7)"* ]]
}

@test "install: bash completion of every tool's options (installed under the tool's name)" {
	stage
	local dir=stage/opt/fn/share/bash-completion/completions
	for src in "$ROOT"/tools/*.c; do
		[ -f "$dir/$(basename "$src" .c)" ]
	done
	# complete_words FILE WORDS...: what the completion offers for the last word
	cat > complete.sh <<-'EOF'
	file=$1; shift
	. "$file"
	COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
	fn=$(complete -p "$1" | sed -n 's/.* -F \([^ ]*\) .*/\1/p')
	"$fn" "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
	printf '%s\n' "${COMPREPLY[@]}"
	EOF
	[ "$(bash complete.sh "$dir/simulate-train" simulate-train --reco | sort | tr '\n' ' ')" = "--record --record-loops " ]
	[ "$(bash complete.sh "$dir/simulate-train" simulate-train --pq)" = "--pqif" ]
	[ "$(bash complete.sh "$dir/dpr" dpr --co | sort | tr '\n' ' ')" = "--corr-steps --covariance " ]
	bash complete.sh "$dir/motifs" motifs - | grep -qx -- '--tag'
	# a file name after an option that takes one
	touch w.npy
	[ "$(bash complete.sh "$dir/simulate-train" simulate-train -w w.)" = "w.npy" ]
}

@test "install: libforcenet, its headers and pkg-config metadata build a tool of one's own" {
	stage
	local pre=$PWD/stage/opt/fn
	[ -f "$pre/lib/libforcenet.a" ] && [ -f "$pre/include/forcenet/npy.h" ] && [ -f "$pre/include/forcenet/motifs.h" ]
	cat > mytool.c <<-'EOF'
	/* the motifs of a .npy matrix, with libforcenet */
	#include <stdio.h>
	#include <stdlib.h>
	#include "motifs.h"
	#include "npy.h"
	int main(int argc, char **argv)
	{
		int ndim;
		size_t shape[NPY_MAXDIM];
		char err[256];
		double *w = npy_load(argv[1], &ndim, shape, err, sizeof err), *work;
		struct motifs m;
		if (!w) { fprintf(stderr, "mytool: %s\n", err); return 1; }
		work = malloc(2 * shape[0] * sizeof *work);
		motifs_compute(w, shape[0], work, &m);
		printf("%.17g %.17g\n", m.sigma2, m.tau_rec);
		return 0;
	}
	EOF
	flags=$(PKG_CONFIG_PATH="$pre/lib/pkgconfig" pkg-config --define-variable=prefix="$pre" --cflags --libs forcenet)
	echo "$flags"
	cc -std=c11 -o mytool mytool.c $flags
	pyrun 'np.save("w.npy", np.random.default_rng(3).standard_normal((30, 30)))'
	./mytool w.npy > got
	motifs w.npy | tail -1 | cut -d, -f4,5 | tr , ' ' > want
	# the same computation: the same doubles
	pyrun 'assert (np.loadtxt("got") == np.loadtxt("want")).all(), (open("got").read(), open("want").read())'
	[ "$(PKG_CONFIG_PATH="$pre/lib/pkgconfig" pkg-config --modversion forcenet)" = "$(motifs --version | awk '{ print $3 }')" ]
}

@test "the suites write nothing on bats' terminal (fd 3) but slurm.bats' notice that it starts a cluster" {
	cd "$ROOT/tests"
	# (this file names the redirection, but does not make it)
	[ -z "$(grep -n '>&3' $(ls *.bats | grep -vx -e build.bats -e slurm.bats))" ]
	[ "$(grep -c '>&3' slurm.bats)" -eq 1 ]
	grep '>&3' slurm.bats | grep -q 'starts a single-node Slurm cluster on localhost'
}
