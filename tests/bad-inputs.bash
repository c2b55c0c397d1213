# Fixtures of the bad-input suites (tests/bad-*.bats): `load bad-inputs`
# after `load helpers`.

# npy_claim FILE SHAPE VALUES: a '<f8' .npy whose header claims the shape
# (a Python tuple, e.g. "(1073741824, 1073741824)") followed by VALUES
# doubles of data.
npy_claim() {
	pyrun '
d = "{\x27descr\x27: \x27<f8\x27, \x27fortran_order\x27: False, \x27shape\x27: %s, }" % sys.argv[2]
d = d + " " * (118 - len(d) - 1) + "\n"
open(sys.argv[1], "wb").write(b"\x93NUMPY\x01\x00" + len(d).to_bytes(2, "little") + d.encode()
                              + np.arange(float(sys.argv[3])).tobytes())' "$@"
}

# other_formats: files that are not arrays, named by what they are.
other_formats() {
	printf '\x89HDF\r\n\x1a\n\0\0\0\0' > h5.npy
	printf '1,2\n3,4\n' | gzip > gz.csv
	printf 'PK\x03\x04\x14\0\0\0' > zip.npz
	printf '\x80\x04\x95\x10\0\0' > pickle.npy
	printf 'BZh91AY&SY' > bz.csv
}

# check_other_formats TOOL CMD...: CMD FILE refuses each of them by name,
# in a message of TOOL.
check_other_formats() {
	local tool=$1
	shift
	assert_bad 1 "$tool: h5.npy: not a .npy/.npz/CSV file (HDF5)" "$@" h5.npy
	assert_bad 1 "$tool: gz.csv: not a .npy/.npz/CSV file (gzip)" "$@" gz.csv
	# a zip is taken for a sparse .npz (forcenet-npz(5)), whose reader says why not
	assert_bad 1 "$tool: zip.npz: not a .npz (zip) file, or truncated" "$@" zip.npz
	assert_bad 1 "$tool: pickle.npy: not a .npy/.npz/CSV file (binary data)" "$@" pickle.npy
	assert_bad 1 "$tool: bz.csv: not a .npy/.npz/CSV file (bzip2)" "$@" bz.csv
}

# still_a PATH TYPE: PATH is still of that type (find -printf %y).
still_a() {
	[ "$(find "$1" -maxdepth 0 -printf %y)" = "$2" ] || {
		echo "$1 is no longer of type $2: $(ls -la "$1")" >&2
		return 1
	}
}
