# group-stats.awk -v keys=BLOCK,X -v cols=C1,C2... [-v prepost=T]
#     [-v where=COND,...] FILE.csv
#
# Mean and sample standard deviation of the columns C1, C2... of a CSV table
# (with a header) for each pair of values of the key columns BLOCK and X.
# Output for gnuplot: one data block per value of BLOCK (in order of first
# appearance), each opened by a title row "BLOCK=value" and closed by two
# blank lines; rows "X n mean1 sd1 mean2 sd2 ...".
# With prepost=T, a key column named loop becomes a phase: loop 0 -> 0
# (before training), loop > T -> 1 (after training); other loops are left
# out.  With where, only the rows that meet every condition COND are used:
# COL=V (the column's value equals V, as numbers) or COL>V (is above V).
# Rows whose values are nan are left out of that column's statistics.
# The variance takes two passes over the values kept (the sum of squares of
# deviations from the mean, corrected by the rounding of that mean), so
# that a small spread beside a large mean keeps its digits.
BEGIN {
	nk = split(keys, kname, ","); nc = split(cols, cname, ",")
	nb = 0
	nw = where == "" ? 0 : split(where, wcond, ",")
	for (i = 1; i <= nw; i++) {
		if (!match(wcond[i], /[=>]/)) { print "group-stats: where: no = or > in " wcond[i] > "/dev/stderr"; exit 1 }
		wname[i] = substr(wcond[i], 1, RSTART - 1); wop[i] = substr(wcond[i], RSTART, 1)
		wval[i] = substr(wcond[i], RSTART + 1) + 0
	}
}
NR == 1 {
	for (i = 1; i <= NF; i++) col[$i] = i
	for (i = 1; i <= nk; i++) if (!(kname[i] in col)) { print "group-stats: no column " kname[i] > "/dev/stderr"; exit 1 }
	for (i = 1; i <= nc; i++) if (!(cname[i] in col)) { print "group-stats: no column " cname[i] > "/dev/stderr"; exit 1 }
	for (i = 1; i <= nw; i++) if (!(wname[i] in col)) { print "group-stats: no column " wname[i] > "/dev/stderr"; exit 1 }
	next
}
{
	for (i = 1; i <= nw; i++) {
		v = $(col[wname[i]]) + 0
		if (wop[i] == "=" ? v != wval[i] : !(v > wval[i])) next
	}
	b = $(col[kname[1]]); x = $(col[kname[2]])
	if (prepost != "") {
		if (kname[1] == "loop") { if (b == 0) b = 0; else if (b + 0 > prepost + 0) b = 1; else next }
		if (kname[2] == "loop") { if (x == 0) x = 0; else if (x + 0 > prepost + 0) x = 1; else next }
	}
	if (!(b in bseen)) { bseen[b] = 1; border[++nb] = b; nx[b] = 0 }
	if (!((b, x) in xseen)) { xseen[b, x] = 1; xorder[b, ++nx[b]] = x }
	for (i = 1; i <= nc; i++) {
		v = $(col[cname[i]])
		if (v ~ /^[-+]?(nan|NaN|inf|Inf)/ || v == "") continue
		val[b, x, i, ++cnt[b, x, i]] = v; sum[b, x, i] += v
	}
	rows[b, x]++
}
END {
	for (k = 1; k <= nb; k++) {
		b = border[k]
		printf "%s=%s\n", kname[1], b
		for (j = 1; j <= nx[b]; j++) {
			x = xorder[b, j]
			printf "%s %d", x, rows[b, x]
			for (i = 1; i <= nc; i++) {
				n = cnt[b, x, i]
				if (n == 0) { printf " nan nan"; continue }
				m = sum[b, x, i] / n
				ss = 0; dev = 0
				for (t = 1; t <= n; t++) { d = val[b, x, i, t] - m; ss += d * d; dev += d }
				var = n > 1 ? (ss - dev * dev / n) / (n - 1) : 0
				if (var < 0) var = 0
				printf " %.9g %.9g", m, sqrt(var)
			}
			printf "\n"
		}
		printf "\n\n"
	}
}
