#!/usr/bin/env bats
# simulate-train's long runs: --checkpoint, --resume after SIGKILL in the
# middle of a loop, --keep-checkpoint and --continue.  The reference is the
# same run made in one go: every file must have the same bytes.
# FORCENET_KILL_AT=LOOP:STEP makes simulate-train kill itself (SIGKILL)
# after that step, so that the kill points are exact.

load helpers

setup_file() {
	cd "$BATS_FILE_TMPDIR" || return 1
	init-weights -N 60 -p 0.3 --seed 2 -o w.npy
	gen-target -N 60 --steps 300 --seed 2 -o t.npy
}

# sim DIR [options]: the test's run (mixed, noisy, every record, a trace)
sim() {
	local dir=$1
	shift
	simulate-train -q -w "$BATS_FILE_TMPDIR/w.npy" -t "$BATS_FILE_TMPDIR/t.npy" -o "$dir" \
		--pqif 0.5 --seed 4 --loops 6 --train-loops 3 --stim-steps 50 --record all \
		--trace 1,40 "$@"
}

same_run() {
	local a=$1 b=$2 f
	[ "$(ls -A "$a")" = "$(ls -A "$b")" ] || { ls -A "$a" "$b" >&2; return 1; }
	for f in "$a"/*; do cmp "$f" "$b/${f##*/}"; done
}

@test "--checkpoint: the same bytes as a run without it, nothing left but the run" {
	sim ref
	sim ck --checkpoint
	same_run ref ck
	assert_only ref ck
}

@test "SIGKILL in the middle of a loop, then --resume: every file as an uninterrupted run (two kill points)" {
	sim ref
	for at in 1:120 4:7; do
		rm -rf run
		run env FORCENET_KILL_AT=$at simulate-train -q -w "$BATS_FILE_TMPDIR/w.npy" \
			-t "$BATS_FILE_TMPDIR/t.npy" -o run --pqif 0.5 --seed 4 --loops 6 \
			--train-loops 3 --stim-steps 50 --record all --trace 1,40 --checkpoint
		[ "$status" -eq 137 ]
		[ ! -e run ] && [ -f .run.partial/checkpoint.bin ] && [ -f .run.partial/outputs.npy ]
		sim run --resume
		same_run ref run
		[ ! -e .run.partial ]
	done
	# killed before the first checkpoint: --resume starts again
	run env FORCENET_KILL_AT=0:3 simulate-train -q -w "$BATS_FILE_TMPDIR/w.npy" \
		-t "$BATS_FILE_TMPDIR/t.npy" -o run0 --pqif 0.5 --seed 4 --loops 6 --train-loops 3 \
		--stim-steps 50 --record all --trace 1,40 --checkpoint
	[ ! -f .run0.partial/checkpoint.bin ]
	sim run0 --resume
	same_run ref run0
}

# The coefficient form of the RLS step keeps a weight change pending between
# its passes and its own state per neuron: a checkpoint must carry both.
@test "--rls coefficient (P in float32, steps of 0.1 ms): SIGKILL then --resume gives every file of an uninterrupted run" {
	local o="--p-float32 --dt 0.01 --rls coefficient"
	sim refc $o
	rm -rf run
	run env FORCENET_KILL_AT=4:120 simulate-train -q -w "$BATS_FILE_TMPDIR/w.npy" \
		-t "$BATS_FILE_TMPDIR/t.npy" -o run --pqif 0.5 --seed 4 --loops 6 \
		--train-loops 3 --stim-steps 50 --record all --trace 1,40 --checkpoint $o
	[ "$status" -eq 137 ]
	sim run --resume $o
	same_run refc run
}

# The noise of a network of more than 16384 neurons comes from a stream per
# block of 16384 (sim.h): a checkpoint carries every block's.
@test "several noise blocks (17000 neurons): SIGKILL then --resume gives every file of an uninterrupted run" {
	init-weights -N 17000 -K 10 --seed 2 -o w5.npz
	gen-target -N 17000 --steps 200 --seed 2 --float32 -o t5.npy
	set -- -w w5.npz -t t5.npy --loops 4 --train-loops 2 --stim-steps 50 --plastic 3 \
		--record spikes,outputs,currents --observe 10 --trace 3,16500
	simulate-train -q -o ref5 "$@"
	run env FORCENET_KILL_AT=2:120 simulate-train -q -o run5 --checkpoint "$@"
	[ "$status" -eq 137 ]
	simulate-train -q -o run5 --checkpoint --resume "$@"
	same_run ref5 run5
}

@test "--resume refuses what it cannot finish: no interrupted run, other parameters, a fresh run over a partial one" {
	assert_fails 1 "run: no interrupted run to resume (.run.partial)" sim run --resume
	run env FORCENET_KILL_AT=2:10 simulate-train -q -w "$BATS_FILE_TMPDIR/w.npy" \
		-t "$BATS_FILE_TMPDIR/t.npy" -o run --pqif 0.5 --seed 4 --loops 6 --train-loops 3 \
		--stim-steps 50 --record all --trace 1,40 --checkpoint
	assert_fails 2 "--resume: .run.partial was run with seed = 4, not 5" sim run --resume --seed 5
	assert_fails 2 "--resume: .run.partial was run with alpha = 0.25, not 0.5" sim run --resume --alpha 0.5
	assert_fails 1 "run: an interrupted run is in .run.partial (--resume finishes it; or remove it)" \
		sim run --checkpoint
	# the refusals left the interrupted run as it was: it still finishes
	sim run --resume
	sim ref
	same_run ref run
}

@test "--continue: a finished run extended by more loops equals a run that asked for them from the start" {
	sim c --loops 4 --train-loops 3 --keep-checkpoint
	[ -f c/checkpoint.bin ]
	sim long --loops 7 --train-loops 5 --keep-checkpoint
	sim c --loops 7 --train-loops 5 --continue c
	same_run long c
	# and once more, with test loops only
	sim longer --loops 9 --train-loops 5 --keep-checkpoint
	sim c --loops 9 --train-loops 5 --continue c
	same_run longer c
	assert_fails 2 "--continue: c has 9 loops already: --loops must be more" \
		sim c --loops 9 --train-loops 5 --continue c
	assert_fails 2 "--continue: c trained loops 1-5 of its 9: --train-loops 6 would have trained them otherwise" \
		sim c --loops 12 --train-loops 6 --continue c
	assert_fails 2 "--continue: c was run with pqif = 0.5, not 1" \
		sim c --loops 12 --train-loops 5 --continue c --pqif 1
	sim nock --loops 4
	assert_fails 1 "nock: no checkpoint to continue from (make the run with --keep-checkpoint)" \
		sim nock --loops 7 --continue nock
	same_run longer c
}
