#!/usr/bin/env bats
# npy-from-csv on bad input: one line "npy-from-csv: FILE: problem", status
# 1 (2 for usage), and the folder as it was (assert_bad).

load helpers
load bad-inputs

@test "npy-from-csv: bad files: shapes for --stack and --vector, CSV faults, arrays already, formats" {
	printf '0,1,2\n0,3,4\n1,5,6\n' > ragged.csv
	printf '0.5,1\n0.5,2\n' > frac.csv
	printf '1\n2\n' > one.csv
	printf '1,2\n3\n' > bad.csv
	printf '1,x\n3,4\n' > mixed.csv
	printf '1,2\n3,4\0junk\n' > nul.csv
	: > empty.csv
	printf '\n\n' > blank.csv
	pyrun 'np.save("a.npy", np.zeros((2, 2)))'
	init-weights -N 4 -o a.npz
	other_formats
	assert_bad 1 "npy-from-csv: ragged.csv: --stack: index 1 has 1 row, the first has 2" \
		npy-from-csv --stack -o out.npy ragged.csv
	assert_bad 1 "npy-from-csv: frac.csv: --stack: row 1: the index 0.5 is not a whole number >= 0" \
		npy-from-csv --stack -o out.npy frac.csv
	assert_bad 1 "npy-from-csv: one.csv: --stack: one column only" npy-from-csv --stack -o out.npy one.csv
	assert_bad 1 "npy-from-csv: frac.csv: --vector: 2 columns, not one" \
		npy-from-csv --vector -o out.npy frac.csv
	assert_bad 1 "npy-from-csv: bad.csv: ragged: row 2 has 1 fields, expected 2" \
		npy-from-csv -o out.npy bad.csv
	assert_bad 1 "npy-from-csv: mixed.csv: row 1, column 2: 'x' is not a number" \
		npy-from-csv -o out.npy mixed.csv
	assert_bad 1 "npy-from-csv: nul.csv: row 2, column 2: NUL byte in the field" \
		npy-from-csv -o out.npy nul.csv
	assert_bad 1 "npy-from-csv: empty.csv: empty file" npy-from-csv -o out.npy empty.csv
	assert_bad 1 "npy-from-csv: blank.csv: no data rows" npy-from-csv -o out.npy blank.csv
	assert_bad 1 "npy-from-csv: a.npy: already a .npy file" npy-from-csv -o out.npy a.npy
	assert_bad 1 "npy-from-csv: a.npz: already a .npz file" npy-from-csv -o out.npy a.npz
	assert_bad 1 "npy-from-csv: -: already a .npy file" npy-from-csv -o out.npy - < a.npy
	check_other_formats npy-from-csv npy-from-csv -o out.npy
	assert_bad 1 "npy-from-csv: missing.csv: cannot open: No such file or directory" \
		npy-from-csv -o out.npy missing.csv
	assert_bad 2 "npy-from-csv: --stack and --vector exclude each other" \
		npy-from-csv --stack --vector frac.csv
	assert_bad 2 "npy-from-csv: one FILE at most" npy-from-csv one.csv frac.csv
}

@test "npy-from-csv: pipes, closed descriptors, outputs that are links or directories" {
	printf '1,2\n3,5\n' > a.csv
	npy-from-csv -o want.npy a.csv
	npy-from-csv -o got.npy <(cat a.csv) < /dev/null
	cmp want.npy got.npy
	assert_bad 1 "npy-from-csv: -: read error: Bad file descriptor" sh -c 'exec npy-from-csv -o o.npy <&-'
	mkdir adir
	assert_bad 1 "npy-from-csv: adir: is a directory" npy-from-csv -o adir a.csv
	ln -s t.npy link.npy
	npy-from-csv -o link.npy a.csv
	still_a link.npy l
	cmp want.npy t.npy
}
