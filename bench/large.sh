#!/bin/sh
# bench/large.sh: simulate-train on large sparse networks (figures printed,
# nothing asserted).
#
#  1. TrainSpikingNet's CPU configurations (Arthur, Kim et al., Front.
#     Neuroinform. 2023): the same N, in-degree, plastic inputs, steps per
#     loop (20,000), step (0.1 ms: --dt 0.01 in forcenet's units of 10 ms,
#     so a loop is 2 s of network time in both) and RLS updates per loop
#     (100: --learn-every 200), with forcenet's LIF network (pqif 0): the
#     time of one training loop beside TrainSpikingNet's published time, and
#     the firing rate (it sets the spike traffic; TrainSpikingNet's networks
#     fire at about 5 Hz).  The neuron models differ: this compares
#     configurations, not identical dynamics.  Each configuration runs
#     twice: with forcenet's noise (sigma 1, the study's) and without it
#     (--sigma 0, as TrainSpikingNet's default parameters: sig = 0).
#  2. N = 10^5 and 10^6, in-degree K = 1000, 64 plastic inputs, loops of 1000
#     steps, RLS at every step after the kick: time per training step and
#     per free step, peak memory, disk per loop.  The goals: N = 10^5 at
#     25 ms or less per training step; N = 10^6 (10^9 synapses, 6.4 10^7
#     plastic) in 20 GB or less, a loop of 1000 steps in 5 minutes or less.
#     Each at two steps: the study's (1 ms, --dt 0.1) and TrainSpikingNet's
#     (0.1 ms, --dt 0.01).  A step's RLS work grows with the spikes that a
#     neuron's plastic inputs carry in it: at 1 ms some two of the 64 spike
#     at every step, at 0.1 ms a quarter.
#
# BENCH_SCALE: 0 skips everything here, 1 stops at N = 10^5 (and the
# TrainSpikingNet configurations up to 20,000 neurons), 2 (the default)
# runs all, including N = 10^6 (about 25 GB of disk for a while, and 20-40
# minutes).  BENCH_THREADS (default 2) threads for every run.
set -u
ROOT=${FORCENET_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
SCALE=${BENCH_SCALE:-2}
TH=${BENCH_THREADS:-2}
[ "$SCALE" != 0 ] || exit 0
W=$(mktemp -d "${BENCH_TMP:-/tmp}/large.XXXXXX") || exit 1
trap 'rm -rf "$W"' EXIT
cd "$W" || exit 1
# the tools copied: a build in the checkout meanwhile would replace them
# under the runs (the bench takes half an hour)
mkdir bin && cp "$ROOT/build/bin/init-weights" "$ROOT/build/bin/gen-target" \
	"$ROOT/build/bin/simulate-train" bin/ || exit 1
export PATH="$W/bin:$PATH"

now() { date +%s.%N; }
elapsed() { echo "$1 $(now)" | awk '{ printf "%.1f", $2 - $1 }'; }

# run NAME ARGS...: simulate-train into NAME with /usr/bin/time; leaves
# NAME.err (its progress lines and the peak memory)
run() {
	name=$1
	shift
	rm -rf "$name"
	/usr/bin/time -f "peak %M" simulate-train -o "$name" --threads "$TH" "$@" \
		2>"$name.err" || { cat "$name.err" >&2; return 1; }
}

# loop_s NAME LOOP: seconds of a loop, from its progress line
loop_s() { sed -n "s/^simulate-train: loop $2\/[0-9]* [a-z]*: .*, \([0-9.]*\) s$/\1/p" "$1.err"; }
# loop_rate NAME LOOP: its firing rate
loop_rate() { sed -n "s/^simulate-train: loop $2\/[0-9]* [a-z]*: rate \([0-9.e+]*\) Hz.*/\1/p" "$1.err"; }
# GB and MB are 10^9 and 10^6 bytes (as simulate-train's memory budget and
# the goals); GNU time gives KiB
peak_gb() { sed -n 's/^peak \([0-9]*\)/\1/p' "$1.err" | awk '{ printf "%.2f", $1 * 1024 / 1e9 }'; }
steps_us() {  # "train_us free_us rls_us"
	sed -n 's/.*s; \([0-9.]*\) us per training step (RLS update \([0-9.]*\), [a-z]* kernel[^)]*), \([0-9.]*\) us per free step.*/\1 \3 \2/p' "$1.err"
}

# ref_step: a yardstick of the machine's speed at the moment (a shared VM's
# can swing by half within minutes): the training step of the study's
# N = 200 network, one thread, best of three
init-weights -N 200 -p 0.3 --seed 1 -o ref-w.npy
gen-target -N 200 --steps 1000 --seed 1 -o ref-t.npy
ref_step() {
	for k in 1 2 3; do
		simulate-train -w ref-w.npy -t ref-t.npy --seed 1 --pqif 0.5 --loops 4 --train-loops 2 \
			--record none -o ref --force 2>ref.err
		set -- $(steps_us ref)
		echo "$1"
	done | sort -n | head -1
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.1f GB", $2 * 1024 / 1e9 }' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg); $TH threads"
echo "yardstick at the start: N = 200 training step $(ref_step) us (one thread, best of 3)"

# 1. TrainSpikingNet's configurations: N K L published-seconds
echo "TrainSpikingNet's CPU configurations: one training loop of 20,000 steps of 0.1 ms, 100 RLS updates"
printf '  %-7s %6s %4s %10s %7s %12s %9s %9s %8s\n' N K L "TSN s/loop" sigma "forcenet s" ratio "rate Hz" "peak GB"
for cfg in "4096 410 58 7.1" "10000 1024 90 3.91" "20000 1024 90 8.20" "50000 1024 90 22.0"; do
	set -- $cfg
	n=$1 k=$2 l=$3 tsn=$4
	if [ "$n" -gt 20000 ] && [ "$SCALE" -lt 2 ]; then continue; fi
	init-weights -N "$n" -K "$k" --seed 1 --threads "$TH" -o w.npz
	gen-target -N "$n" --steps 20000 --seed 1 --float32 -o t.npy
	for sig in 1 0; do
		if run tsn -w w.npz -t t.npy --loops 2 --train-loops 1 --stim-steps 0 --learn-every 200 \
			--plastic "$l" --p-float32 --static-float32 --record none --pqif 0 --dt 0.01 \
			--sigma "$sig"; then
			s=$(loop_s tsn 1)
			printf '  %-7s %6s %4s %10s %7s %12s %9s %9s %8s\n' "$n" "$k" "$l" "$tsn" "$sig" "$s" \
				"$(echo "$tsn $s" | awk '{ printf "%.1fx", $1 / $2 }')" "$(loop_rate tsn 1)" \
				"$(peak_gb tsn)"
		fi
	done
	rm -rf tsn w.npz t.npy
done

# 2. N = 10^5 and 10^6
echo "large networks: K = 1000 inputs, 64 plastic, loops of 1000 steps (kick 200), RLS every step"
printf '  %-8s %6s %8s %9s %9s %10s %9s %8s %8s %8s\n' N step "rate Hz" "loop0 s" "loop1 s" "us/train" \
	"us/free" "peak GB" "MB/loop" "setup s"
for n in 100000 1000000; do
	if [ "$n" -gt 100000 ] && [ "$SCALE" -lt 2 ]; then continue; fi
	t0=$(now)
	init-weights -N "$n" -K 1000 --seed 1 --threads "$TH" -o w.npz
	tw=$(elapsed "$t0")
	gen-target -N "$n" --seed 1 --float32 -o t.npy
	extra=""
	[ "$n" -gt 100000 ] && extra="--static-float32"
	for dt in 0.1 0.01; do
		t0=$(now)
		if run big -w w.npz -t t.npy --loops 2 --train-loops 1 --plastic 64 --p-float32 $extra \
			--dt "$dt" --observe 1000 --record weights,outputs,spikes; then
			total=$(elapsed "$t0")
			set -- $(steps_us big)
			l0=$(loop_s big 0)
			l1=$(loop_s big 1)
			# a loop's share of the record: its weights, outputs and
			# spikes (weights.npz is the input, linked)
			per=$(stat -c %s big/weights-values.npy big/outputs.npy big/spikes.csv |
				awk '{ s += $1 } END { printf "%.0f", s / 2 / 1e6 }')
			printf '  %-8s %6s %8s %9s %9s %10s %9s %8s %8s %8s\n' "$n" \
				"$(echo "$dt" | awk '{ printf "%g ms", 10 * $1 }')" "$(loop_rate big 1)" \
				"$l0" "$l1" "$1" "$2" "$(peak_gb big)" "$per" \
				"$(echo "$total $l0 $l1" | awk '{ printf "%.0f", $1 - $2 - $3 }')"
			echo "    (RLS update ${3} us per training step, $(sed -n 's/.*us per training step (RLS update [0-9.]*, \([^)]*\)).*/\1/p' big.err); $(sed -n 's/.*memory: \(.*\) of .*/\1 budgeted/p' big.err))"
		fi
		rm -rf big
	done
	echo "    (init-weights: ${tw} s)"
	rm -f w.npz t.npy
done
echo "yardstick at the end: N = 200 training step $(ref_step) us (one thread, best of 3)"
