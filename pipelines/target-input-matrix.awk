# target-input-matrix.awk -F, -v stim=S TARGET KICK INPUTS
#
# The data of target-vs-input-image.gp, in one pass and without holding it:
# TARGET the target as npy-cat prints it (one row per step, a column per
# neuron), KICK the kick amplitudes (one per line), INPUTS rows
# "loop,v0,...,vN-1" of a run's inputs Iext + W r (npy-cat --slices of the
# loops named, in increasing order).  Prints four gnuplot matrices (steps
# rows by neurons columns, comma-separated), each opened by the comment row
# "# target" or "# loop=L" and closed by two blank lines: the target, then
# the recurrent input (W r)_i of each loop named (the input minus the kick
# for the steps before S).  gnuplot reads them as
#     plot data index K matrix using 2:1:3 with image
# (x the step, y the neuron).
BEGIN { OFS = ","; nk = 0; last = "" }
# (every block but the last is closed by the next one's two blank lines)
FNR == 1 {
	file++
	if (file == 1)
		print "# target"
}
file == 1 { print; next }
file == 2 { kick[++nk] = $1; next }
file == 3 {
	if ($1 != last) {
		printf "\n\n"
		last = $1; step = 0
		printf "# loop=%s\n", $1
	}
	if (step < stim) {
		for (k = 2; k <= NF; k++) $k = sprintf("%.9g", $k - kick[k - 1])
	}
	$1 = ""
	print substr($0, 2)
	step++
}
END { printf "\n\n" }
