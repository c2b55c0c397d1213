#!/bin/sh
# bench/mpi.sh: strong scaling of simulate-train-mpi on this machine (figures
# printed, nothing asserted).  One network of N = 10^5 neurons, K = 1000
# inputs each (init-weights -K, a .npz of 1.2 GB), 64 of them plastic (P and
# the static weights in float), loops of 300 steps (a kick of 100, then RLS
# at every step in the training loop), on 1 and 2 processes (mpirun), and
# simulate-train beside them: time per training step and per free step,
# and of that, per step, the time in the exchanges (communication proper,
# with the bytes process 0 received) and the time waiting at a step's first
# exchange for the other process to finish its share (load imbalance, and
# on a machine shared with other work, its scheduling); the peak memory of
# the largest process; whether the run directories have the same bytes.
#
# BENCH_SCALE: 0 skips it.  BENCH_MPI_N (default 100000) changes N.
# BENCH_THREADS (default 1) threads per process.
set -u
ROOT=${FORCENET_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
SCALE=${BENCH_SCALE:-1}
N=${BENCH_MPI_N:-100000}
TH=${BENCH_THREADS:-1}
[ "$SCALE" != 0 ] || exit 0
if ! command -v mpirun > /dev/null || [ ! -x "$ROOT/build/bin/simulate-train-mpi" ]; then
	echo "no mpirun or build/bin/simulate-train-mpi (make mpi): skipped"
	exit 0
fi
W=$(mktemp -d "${BENCH_TMP:-/tmp}/mpi.XXXXXX") || exit 1
trap 'rm -rf "$W"' EXIT
cd "$W" || exit 1
export PATH="$ROOT/build/bin:$PATH"

echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.1f GB", $2 * 1024 / 1e9 }' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg); $TH thread(s) per process"
init-weights -N "$N" -K 1000 --seed 1 --threads 2 -o w.npz || exit 1
gen-target -N "$N" --steps 300 --seed 1 --float32 -o t.npy || exit 1
A="-w w.npz -t t.npy --loops 2 --train-loops 1 --stim-steps 100 --plastic 64 \
--p-float32 --static-float32 --observe 1000 --record outputs,spikes --threads $TH"

# run NAME CMD...: CMD with /usr/bin/time into NAME.err
run() {
	name=$1
	shift
	rm -rf "$name"
	/usr/bin/time -f "peak %M" "$@" -o "$name" 2>"$name.err" < /dev/null ||
		{ cat "$name.err" >&2; return 1; }
}

# field NAME SED-PATTERN: the figure the pattern's \1 picks from NAME's last
# line ("-" if none)
field() {
	v=$(tail -2 "$1.err" | sed -n "s/$2/\\1/p")
	echo "${v:--}"
}

# figures NAME: "train_us free_us comm_us bytes wait_us peak_gb"
figures() {
	echo "$(field "$1" '.* \([0-9.]*\) us per training step.*')" \
	     "$(field "$1" '.* \([0-9.]*\) us per free step.*')" \
	     "$(field "$1" '.* \([0-9.]*\) us per step in communication.*')" \
	     "$(field "$1" '.*communication (\([0-9]*\) bytes received.*')" \
	     "$(field "$1" '.* \([0-9.]*\) waiting for the others.*')" \
	     "$(sed -n 's/^peak \([0-9]*\)/\1/p' "$1.err" | awk '{ printf "%.2f", $1 * 1024 / 1e9 }')"
}

echo "N = $N, K = 1000, 64 plastic inputs: loops of 300 steps, one free (pre) and one training"
printf '  %-26s %10s %10s %9s %9s %9s %8s %6s\n' run "us/train" "us/free" "comm us" bytes "wait us" "peak GB" same
MPIRUN="mpirun -q --allow-run-as-root --oversubscribe"
# shellcheck disable=SC2086
run plain simulate-train $A || exit 1
for np in 1 2; do
	label="simulate-train-mpi -n $np"
	# shellcheck disable=SC2086
	if run "p$np" $MPIRUN -n "$np" simulate-train-mpi $A; then
		same=yes
		for f in plain/*; do cmp -s "$f" "p$np/${f##*/}" || same=NO; done
	else
		same=failed
	fi
	eval "fig$np=\"\$(figures p$np)\""
	eval "set -- \$fig$np"
	printf '  %-26s %10s %10s %9s %9s %9s %8s %6s\n' "$label" "$1" "$2" "$3" "$4" "$5" "$6" "$same"
done
set -- $(figures plain)
printf '  %-26s %10s %10s %9s %9s %9s %8s %6s\n' simulate-train "$1" "$2" - - - "$6" -
# shellcheck disable=SC2154
echo "$fig1 $fig2" | awk '{ printf "  speed-up, 2 processes against 1: training steps %.2fx, free steps %.2fx; communication %.1f%% of a free step\n", $1 / $7, $2 / $8, 100 * $9 / $8 }'
