#!/usr/bin/env bats
# simulate-train-mpi: one network across the processes of an MPI job, by
# blocks of neurons (dist.h), started here by Open MPI's mpirun (as root,
# more processes than cores).  The reference is simulate-train itself: 1, 2
# and 3 processes must give its run directory to the byte (61 neurons: no
# count divides them).  Failures end every process with one message and
# leave no run directory.

load helpers

# mpi NP ARGS...: simulate-train-mpi on NP processes (mpirun -q: no notes of
# its own; stdin closed, mpirun would hand it to process 0; a time limit, so
# that a process left waiting fails the test instead of hanging it)
mpi() {
	local np=$1
	shift
	timeout 120 mpirun -q --allow-run-as-root --oversubscribe -n "$np" \
		simulate-train-mpi "$@" < /dev/null
}

# same A B: the run directories hold the same files, byte for byte
same() {
	[ "$(cd "$1" && ls -A)" = "$(cd "$2" && ls -A)" ] || {
		echo "files differ: $1: $(ls -A "$1"); $2: $(ls -A "$2")" >&2
		return 1
	}
	for f in "$1"/*; do cmp "$f" "$2/${f##*/}"; done
}

# a mixed network (pqif 0.5, noise), dense and as a SciPy CSR .npz
mixed() {
	init-weights -N 61 -p 0.3 --seed 4 -o w.npy
	gen-target -N 61 --steps 300 --seed 4 -o t.npy
	pyrun '
import scipy.sparse as sp
sp.save_npz("w.npz", sp.csr_matrix(np.load("w.npy")))'
}

# both NAME ARGS...: simulate-train into NAME.1, simulate-train-mpi on 1, 2
# and 3 processes into NAME.p1 .. NAME.p3, all the same bytes
both() {
	local name=$1 np
	shift
	set -- -t t.npy --loops 3 --train-loops 1 --stim-steps 100 --pqif 0.5 --seed 5 "$@"
	simulate-train -q -o "$name.1" "$@"
	for np in 1 2 3; do
		mpi "$np" -q -o "$name.p$np" "$@"
		same "$name.1" "$name.p$np"
	done
}

@test "1, 2 and 3 processes give simulate-train's bytes: dense weights, every record" {
	mixed
	both d -w w.npy --record all --trace 60,3,30,3 --float64
	[ -f d.1/inputs.npy ] && [ -f d.1/currents.csv ] && [ -f d.1/dw.csv ]
	both o -w w.npy --observe 7 --plastic 5 --record +inputs --rls direct --threads 2
	[ -f o.1/plastic.npy ]
}

@test "1, 2 and 3 processes give simulate-train's bytes: sparse weights, plastic and trained subsets" {
	mixed
	both s -w w.npz --plastic 4 --observe 5,20,40,60 --record +inputs --record-loops 0,last
	[ -f s.1/weights-values.npy ] && [ -f s.1/plastic.npy ] && cmp w.npz s.p3/weights.npz
	# a float32 target (each process converts its neurons' columns)
	gen-target -N 61 --steps 300 --seed 4 --float32 -o t4.npy
	both f -w w.npz -t t4.npy --train-fraction 0.4 --p-float32 --static-float32 --noise em
	[ -f f.1/trained.npy ]
	both g -w w.npy --train-neurons 0,30,31,60 --learn-every 3 --forget 0.99
}

# The spike kernel folds its pending updates every 4 steps, or every 8 when
# the matrices pass 64 MiB in all; at N = 8000 with 64 inputs in float32
# they take 70 MB, a block of half of them 35 MB: each block must fold as
# the whole network does.
@test "2 processes give simulate-train's bytes where the whole network's RLS matrices pass 64 MiB and a block's do not" {
	init-weights -N 8000 -K 64 --seed 1 -o w.npz
	gen-target -N 8000 --steps 150 --seed 1 -o t.npy
	set -- -w w.npz -t t.npy --loops 2 --train-loops 1 --stim-steps 50 --p-float32 \
		--record weights,spikes
	simulate-train -q -o a "$@"
	mpi 2 -q -o b "$@"
	same a b
}

# The noise comes in blocks of 16384 neurons, a stream each (sim.h), and a
# process draws only the blocks of its neurons: at N = 40000 the processes'
# blocks of neurons (20000 each with 2, 13333 or 13334 with 3) and the
# noise's (16384) do not line up.  Process 0 records the traced neurons'
# noise of the others.
@test "2 and 3 processes give simulate-train's bytes with several noise blocks, the traced noise of every block included" {
	init-weights -N 40000 -K 12 --seed 3 -o w.npz
	gen-target -N 40000 --steps 150 --seed 3 --float32 -o t.npy
	set -- -w w.npz -t t.npy --loops 2 --train-loops 1 --stim-steps 50 --plastic 4 \
		--record spikes,outputs,currents --observe 20 --trace 1,16400,20000,39999
	simulate-train -q -o a "$@"
	for np in 2 3; do
		mpi "$np" -q -o b$np "$@"
		same a b$np
	done
	[ "$(grep -c '' a/currents.csv)" -eq 1201 ]
}

@test "a network of one neuron per process; more processes than neurons is refused" {
	init-weights -N 3 -p 0.5 --seed 1 -o w.npy
	gen-target -N 3 --steps 50 --seed 1 -o t.npy
	simulate-train -q -w w.npy -t t.npy -o one --loops 2 --train-loops 1 --stim-steps 10
	mpi 3 -q -w w.npy -t t.npy -o three --loops 2 --train-loops 1 --stim-steps 10
	same one three
	run mpi 4 -q -w w.npy -t t.npy -o four --loops 2 --train-loops 1 --stim-steps 10
	[ "$status" -eq 2 ]
	[ "$output" = "simulate-train-mpi: N = 3 neurons cannot be split over 4 processes (one neuron per process at least)" ]
	[ ! -e four ]
	assert_only w.npy t.npy one three
}

@test "a process that fails reading its block ends every process: one message, no run directory" {
	mixed
	# a value of the last rows, which only the last process reads (nothing
	# records dw, so process 0 does not read the whole matrix)
	pyrun '
import scipy.sparse as sp
w = np.load("w.npy")
w[59, np.nonzero(w[59])[0][1]] = np.nan
np.save("bad.npy", w)
sp.save_npz("bad.npz", sp.csr_matrix(w))'
	# simulate-train's message, from simulate-train-mpi
	fails_alike() {
		local np=$1 want
		shift
		run simulate-train -q -o run "$@"
		[ "$status" -eq 1 ]
		want="simulate-train-mpi${output#simulate-train}"
		[[ $output == "simulate-train: "*" is not finite (nan)" ||
		   $output == "simulate-train: "*": every weight is zero"* ]]
		run mpi "$np" -o run "$@"
		[ "$status" -eq 1 ]
		[ "$output" = "$want" ]
	}
	fails_alike 3 -w bad.npy -t t.npy --train-loops 0 --loops 1
	fails_alike 2 -w bad.npz -t t.npy --train-loops 0 --loops 1
	# training: process 0 reads all of W for dw.csv, and sees it too
	fails_alike 3 -w bad.npz -t t.npy --record all --stim-steps 100
	# weights all zero: the blocks' synapses are added up before it is said
	pyrun 'np.save("zero.npy", np.zeros((61, 61)))'
	fails_alike 3 -q -w zero.npy -t t.npy
	rm bad.npy bad.npz zero.npy
	assert_only w.npy w.npz t.npy
}

@test "a failure that every process sees ends them all with one message; usage errors come once" {
	mixed
	# with dt = 100 the LIF update multiplies x by 1 - dt + dt^2/2 per step
	# (--float64: the float32 outputs would overflow first, an error of its own)
	run mpi 3 -q -w w.npy -t t.npy -o run --pqif 0.5 --dt 100 --sigma 0 --float64
	[ "$status" -eq 1 ]
	[[ "$output" =~ ^simulate-train-mpi:\ loop\ 0,\ step\ [0-9]+:\ numerical\ blow-up\ \(the\ state\ is\ not\ finite\)$ ]]
	run mpi 3 -w w.npy -t t.npy -o run --alpha x
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 2 ]
	[ "${lines[0]}" = "simulate-train-mpi: --alpha: 'x' is not a number" ]
	run mpi 2 -w w.npy -t t.npy -o run --bogus
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 2 ]
	[ "$(mpi 3 --help | grep -c '^Usage: simulate-train')" -eq 1 ]
	run mpi 2 -q -w w.npy -t t.npy -o run --checkpoint
	[ "$status" -eq 2 ]
	[ "$output" = "simulate-train-mpi: --checkpoint: a run on 2 processes cannot be checkpointed (one process only)" ]
	run mpi 2 -w - -t t.npy -o run
	[ "$status" -eq 2 ]
	[ "$output" = "simulate-train-mpi: -: standard input cannot be read by 2 processes (give a file)" ]
	mkdir run
	run mpi 2 -q -w w.npy -t t.npy -o run
	[ "$status" -eq 1 ]
	[ "$output" = "simulate-train-mpi: run: exists (use --force to replace it)" ]
	rmdir run
	assert_only w.npy w.npz t.npy
}

@test "process 0 alone reports progress; the others' time in communication is told" {
	mixed
	run mpi 3 -w w.npy -t t.npy -o run --loops 2 --train-loops 1 --stim-steps 100
	[ "$status" -eq 0 ]
	[ "$(grep -c 'loop 0/1 pre' <<< "$output")" -eq 1 ]
	grep -q '^simulate-train-mpi: run: N = 61 over 3 processes (20 neurons, [0-9]* synapses in process 0); memory: ' <<< "$output"
	grep -q 'us per free step; 3 processes, [0-9.]* us per step in communication ([0-9]* bytes received), [0-9.]* waiting for the others$' <<< "$output"
}

@test "the quick sweep through LAUNCH with simulate-train-mpi gives the local sweep's results" {
	sweep() {
		env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -C "$ROOT" --no-print-directory "$@"
	}
	sweep demo R="$PWD/l" > log 2>&1 || { cat log; return 1; }
	sweep demo R="$PWD/m" SIM_TOOL=simulate-train-mpi \
		LAUNCH="mpirun -q --allow-run-as-root --oversubscribe -n 2" > log 2>&1 < /dev/null ||
		{ cat log; return 1; }
	for f in motifs.csv dpr.csv summary.csv; do cmp l/$f m/$f; done
	diff -r l/runs m/runs
}
