#!/usr/bin/env bats
# gen-target on bad input: one line "gen-target: ...", status 1 (2 for
# usage), and the folder as it was (assert_bad): neither the array nor
# the parameters table.

load helpers
load bad-inputs

@test "gen-target: bad options: N = 0, no steps, ranges" {
	assert_bad 2 "gen-target: -N: 0 is out of range [1, " gen-target -N 0 -o t.npy
	assert_bad 2 "gen-target: --steps: 0 is out of range [1, 10000000]" gen-target --steps 0 -o t.npy
	assert_bad 2 "gen-target: --amp0: 'x1' is not a number" gen-target --amp0 x1 -o t.npy
	assert_bad 2 "gen-target: --romega1: 'nan' is not a finite number" gen-target --romega1 nan -o t.npy
	assert_bad 2 "gen-target: -N 100000 x --steps 100000 is too large" \
		gen-target -N 100000 --steps 100000 -o t.npy
	assert_bad 2 "gen-target: unexpected argument 'extra'" gen-target -o t.npy extra
	assert_bad 1 "gen-target: nodir/t.npy: cannot create: No such file or directory" \
		gen-target -o nodir/t.npy --params p.csv
}

@test "gen-target: the array and the table are committed together: a failure of one leaves neither" {
	mkdir adir
	assert_bad 1 "gen-target: adir: is a directory" gen-target -N 4 --steps 5 -o x.npy --params adir
	assert_bad 1 "gen-target: adir: is a directory" gen-target -N 4 --steps 5 -o adir --params p.csv
	assert_bad 1 "gen-target: nodir/p.csv: cannot create" gen-target -o x.npy --params nodir/p.csv
	assert_bad 1 "gen-target: stdout: write error" sh -c 'exec gen-target -N 4 --params p.csv > /dev/full'
	gen-target -N 4 --steps 5 -o x.npy --params p.csv
	[ -s x.npy ] && [ -s p.csv ]
}

@test "gen-target: -o and --params naming one file are refused, however spelled" {
	mkdir sub
	assert_bad 2 "gen-target: --params: 'X' is also the array's output (-o)" \
		gen-target -N 4 --steps 5 -o X --params X
	assert_bad 2 "gen-target: --params: './X' is also the array's output (-o)" \
		gen-target -N 4 --steps 5 -o X --params ./X
	assert_bad 2 "gen-target: --params: 'sub/../X' is also the array's output (-o)" \
		gen-target -N 4 --steps 5 -o X --params sub/../X
	assert_bad 2 "gen-target: --params: '-' is also the array's output (-o)" \
		gen-target -N 4 --steps 5 -o - --params -
	ln -s X L
	assert_bad 2 "gen-target: --params: 'L' is also the array's output (-o)" \
		gen-target -N 4 --steps 5 -o X --params L
}

@test "gen-target: -o through a FIFO, a device, a link; closed descriptors" {
	gen-target -N 4 --steps 5 -o want.npy
	mkfifo fifo
	timeout 20 cat fifo > got.npy &
	gen-target -N 4 --steps 5 -o fifo
	wait
	cmp want.npy got.npy
	still_a fifo p
	if mknod null c 1 3 2>/dev/null; then
		gen-target -N 4 --steps 5 -o null --params p.csv
		still_a null c
	fi
	ln -s t.npy link.npy
	gen-target -N 4 --steps 5 -o link.npy
	still_a link.npy l
	cmp want.npy t.npy
	sh -c 'exec gen-target -N 4 --steps 5 -o e.npy --params e.csv 2>&-'
	cmp want.npy e.npy
	assert_bad 1 "gen-target: stdout: write error: Bad file descriptor" \
		sh -c 'exec gen-target -N 4 --steps 5 >&-'
}
