# Helpers of the suites that run the sweep pipeline (load sweep-helpers).

# sweep ARGS...: the top-level make, free of any make that runs the tests.
sweep() {
	env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -C "$ROOT" --no-print-directory "$@"
}

# ref_sweep ARGS...: the suite's reference, `make ARGS... R=$REF` into
# $BATS_FILE_TMPDIR/ref (REF exported), for setup_file; its log is shown if
# it fails.
ref_sweep() {
	REF=$BATS_FILE_TMPDIR/ref
	export REF
	sweep "$@" R="$REF" > "$BATS_FILE_TMPDIR/ref.log" 2>&1 || {
		cat "$BATS_FILE_TMPDIR/ref.log" >&2
		return 1
	}
}

# blocks(path), for pyrun "$BLOCKS"'...': the gnuplot data blocks of a file
# (title row, then rows of numbers, closed by two blank lines) as a Python
# dict title -> 2-D array.
BLOCKS='
def blocks(path):
    out = {}
    for b in open(path).read().split("\n\n\n"):
        lines = b.strip().split("\n")
        if lines == [""]:
            continue
        assert lines[0] not in out, lines[0]
        out[lines[0]] = np.array([[float(v) for v in l.split()] for l in lines[1:]])
    return out
'
