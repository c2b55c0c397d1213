#!/usr/bin/env bats
# init-weights on bad input: one line "init-weights: ...", status 1 (2 for
# usage), and the folder as it was (assert_bad).

load helpers
load bad-inputs

@test "init-weights: bad options: N = 0, density, outputs" {
	assert_bad 2 "init-weights: -N: 0 is out of range [1, " init-weights -N 0 -o w.npy
	assert_bad 2 "init-weights: -p: 0 is out of range (0, 1]" init-weights -p 0 -o w.npy
	assert_bad 2 "init-weights: -p: 1.5 is out of range [0, 1]" init-weights -p 1.5 -o w.npy
	assert_bad 2 "init-weights: --gsyn: 'g' is not a number" init-weights --gsyn g -o w.npy
	assert_bad 2 "init-weights: unexpected argument 'x'" init-weights -o w.npy x
	mkdir adir
	assert_bad 1 "init-weights: adir: is a directory" init-weights -N 4 -o adir
	assert_bad 1 "init-weights: nodir/w.npy: cannot create: No such file or directory" \
		init-weights -N 4 -o nodir/w.npy
}

@test "init-weights: -o through a FIFO, a device, a link; closed descriptors; long names" {
	init-weights -N 5 -o want.npy
	mkfifo fifo
	timeout 20 cat fifo > got.npy &
	init-weights -N 5 -o fifo
	wait
	cmp want.npy got.npy
	still_a fifo p
	if mknod null c 1 3 2>/dev/null; then
		init-weights -N 5 -o null
		still_a null c
	fi
	ln -s w.npy link.npy
	init-weights -N 5 -o link.npy
	still_a link.npy l
	cmp want.npy w.npy
	sh -c 'exec init-weights -N 5 -o e.npy 2>&-'
	cmp want.npy e.npy
	assert_bad 1 "init-weights: stdout: write error: Bad file descriptor" \
		sh -c 'exec init-weights -N 5 >&-'
	long=$(printf 'w%.0s' $(seq 1 251)).npy
	init-weights -N 5 -o "$long"
	cmp want.npy "$long"
	[ -z "$(ls -A | grep tmp || true)" ]
}
