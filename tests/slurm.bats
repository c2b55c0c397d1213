#!/usr/bin/env bats
# The sweep on a real single-node Slurm cluster on localhost
# (scripts/slurm-local): the quick grid through srun gives the same bytes as
# the local run.  Needs root: it installs Debian's slurm-wlm and munge when
# missing (scripts/deps slurm) and starts munged, slurmctld and slurmd on
# this machine for the length of the suite, and says so first; skipped
# otherwise, with the reason.

load helpers

sweep() {
	env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -C "$ROOT" --no-print-directory "$@"
}

# bats 1.8 cannot skip from setup_file: the reason is kept for setup().
setup_file() {
	SLURM_SKIP=""
	if [ "$(id -u)" != 0 ]; then
		SLURM_SKIP="needs root to start munged, slurmctld and slurmd"
	else
		echo "# slurm.bats: installs slurm-wlm and munge if missing, and starts a single-node Slurm cluster on localhost (munged, slurmctld, slurmd) until the suite ends" >&3
		if ! "$ROOT/scripts/deps" slurm > "$BATS_FILE_TMPDIR/deps.log" 2>&1; then
			SLURM_SKIP="slurm-wlm and munge cannot be installed: $(tail -1 "$BATS_FILE_TMPDIR/deps.log")"
		elif [ -e /etc/slurm/slurm.conf ] && ! grep -q 'forcenet scripts/slurm-local' /etc/slurm/slurm.conf; then
			SLURM_SKIP="/etc/slurm/slurm.conf belongs to another cluster"
		fi
	fi
	# a slurm.conf that the suite writes is removed at the end
	SLURM_CONF_OURS=0
	[ -e /etc/slurm/slurm.conf ] || SLURM_CONF_OURS=1
	export SLURM_SKIP SLURM_CONF_OURS
	[ -n "$SLURM_SKIP" ] || "$ROOT/scripts/slurm-local" start
}

setup() {
	[ -z "$SLURM_SKIP" ] || skip "$SLURM_SKIP"
	cd "$BATS_TEST_TMPDIR" || return 1
}

teardown_file() {
	# Always, even after a failure; harmless when nothing runs.
	if [ -z "$SLURM_SKIP" ]; then
		"$ROOT/scripts/slurm-local" stop || true
		if [ "$SLURM_CONF_OURS" = 1 ] &&
		   grep -q 'forcenet scripts/slurm-local' /etc/slurm/slurm.conf 2>/dev/null; then
			rm -f /etc/slurm/slurm.conf
		fi
	fi
}

@test "slurm-local status shows the idle node" {
	run "$ROOT/scripts/slurm-local" status
	[ "$status" -eq 0 ]
	[[ $output == *debug* ]]
	[[ $output == *idle* ]]
}

@test "the quick sweep through srun gives the same results as the local sweep" {
	# Every simulation goes through srun: the wrapper records its job step.
	cat > step <<-EOF
	#!/bin/sh
	echo "\$SLURM_JOB_ID.\$SLURM_STEP_ID \$*" >> "$PWD/steps"
	exec "\$@"
	EOF
	chmod +x step
	env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS salloc -n2 \
		make -C "$ROOT" --no-print-directory -j4 demo R="$PWD/s" \
		LAUNCH="srun -N1 -n1 --exclusive $PWD/step" > log 2>&1 || { cat log; return 1; }
	[ "$(grep -c '/simulate-train ' steps)" -eq 10 ]
	! grep -v '^[0-9][0-9]*\.[0-9][0-9]* ' steps
	sweep demo R="$PWD/l" > log2 2>&1
	for f in motifs.csv dpr.csv summary.csv; do cmp s/$f l/$f; done
	diff -r s/runs l/runs
	diff -r s/figures l/figures
}

@test "a failing job step stops the sweep with the tool's message" {
	assert_fails 2 "simulate-train: --alpha" env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS \
		salloc -n1 make -C "$ROOT" --no-print-directory demo R="$PWD/f" ALPHA=-1 \
		LAUNCH='srun -N1 -n1 --exclusive'
	[ -z "$(ls f/runs)" ]
}

@test "simulate-train-mpi through srun --mpi=pmix: simulate-train's bytes; a failing process ends the job step with one message" {
	init-weights -N 61 -p 0.3 --seed 4 -o w.npy
	gen-target -N 61 --steps 300 --seed 4 -o t.npy
	set -- -w w.npy -t t.npy --loops 3 --train-loops 1 --stim-steps 100 --pqif 0.5 --seed 5 \
		--record all --trace 3,60
	simulate-train -q -o one "$@"
	salloc -n2 srun --mpi=pmix -n2 simulate-train-mpi -q -o two "$@" > log 2>&1 < /dev/null ||
		{ cat log; return 1; }
	[ "$(ls one)" = "$(ls two)" ]
	for f in one/*; do cmp "$f" "two/${f##*/}"; done
	# a value that only the second process reads (its rows; no dw.csv)
	pyrun '
w = np.load("w.npy")
w[59, np.nonzero(w[59])[0][1]] = np.nan
np.save("bad.npy", w)'
	run salloc -n2 srun --mpi=pmix -n2 simulate-train-mpi -w bad.npy -t t.npy -o bad \
		--train-loops 0 --loops 1 < /dev/null
	[ "$status" -eq 1 ]
	[ "$(grep -c '^simulate-train-mpi:' <<< "$output")" -eq 1 ]
	grep -q '^simulate-train-mpi: bad.npy: value at \[[0-9]*, [0-9]*\] is not finite (nan)$' <<< "$output"
	[ ! -e bad ]
	[ -z "$(ls -A | grep -v -x -e w.npy -e t.npy -e bad.npy -e one -e two -e log)" ]
}

@test "the quick sweep with SIM_TOOL=simulate-train-mpi and LAUNCH='srun --mpi=pmix -n2' gives the local results" {
	# every run is a job step of 2 MPI processes: the wrapper records them
	cat > step <<-EOF
	#!/bin/sh
	echo "\$SLURM_JOB_ID.\$SLURM_STEP_ID \$SLURM_PROCID/\$SLURM_NTASKS \$*" >> "$PWD/steps"
	exec "\$@"
	EOF
	chmod +x step
	env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS salloc -n2 \
		make -C "$ROOT" --no-print-directory -j1 demo R="$PWD/s" SIM_TOOL=simulate-train-mpi \
		LAUNCH="srun --mpi=pmix -n2 $PWD/step" > log 2>&1 < /dev/null || { cat log; return 1; }
	[ "$(grep -c ' 0/2 .*/simulate-train-mpi ' steps)" -eq 10 ]
	[ "$(grep -c ' 1/2 .*/simulate-train-mpi ' steps)" -eq 10 ]
	sweep demo R="$PWD/l" > log2 2>&1
	for f in motifs.csv dpr.csv summary.csv; do cmp s/$f l/$f; done
	diff -r s/runs l/runs
}

@test "slurm-local refuses a user other than root and bad arguments" {
	assert_fails 2 "usage: slurm-local start|stop|status" "$ROOT/scripts/slurm-local" bogus
	# a copy that nobody can read: the checkout may be under /root (mode 700)
	local d
	d=$(mktemp -d /tmp/slurm-local.XXXXXX)
	install -m 0755 "$ROOT/scripts/slurm-local" "$d/slurm-local"
	chmod 0755 "$d"
	assert_fails 1 "slurm-local: must run as root" runuser -u nobody -- "$d/slurm-local" status
	rm -rf "$d"
}

# A daemon that does not start is said, with its log, and the exit is 1
# (it was silent: set -e ended the script at the failed command).  The
# cluster is stopped for this and started again.
@test "slurm-local start says which daemon did not start" {
	mkdir shim
	printf '#!/bin/sh\necho "slurmctld: fatal: shim" >&2\nexit 1\n' > shim/slurmctld
	printf '#!/bin/sh\n[ "${1-}" = -C ] && exec %s "$@"\nexit 1\n' "$(command -v slurmd)" > shim/slurmd
	chmod +x shim/slurmctld shim/slurmd
	"$ROOT/scripts/slurm-local" stop 2>/dev/null
	local got=0
	PATH="$PWD/shim:$PATH" assert_fails 1 \
		"slurm-local: slurmctld did not start: see /var/log/slurm/slurmctld.log" \
		"$ROOT/scripts/slurm-local" start || got=1
	rm shim/slurmctld
	PATH="$PWD/shim:$PATH" assert_fails 1 \
		"slurm-local: slurmd did not start: see /var/log/slurm/slurmd.log" \
		"$ROOT/scripts/slurm-local" start || got=1
	"$ROOT/scripts/slurm-local" start 2>/dev/null
	[ "$got" = 0 ]
}
