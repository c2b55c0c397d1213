# dw-blocks.awk (after run-name.awk): the dw.csv files of several run
# folders (runs/NAME/dw.csv) as gnuplot data blocks, each opened by the
# title row "pqif=P" and closed by two blank lines; rows "t log_dw_norm".
FNR == 1 {
	if (NR > 1) printf "\n\n"
	np = split(FILENAME, part, "/")
	keys = "pqif"
	run_keys(part[np - 1], v)
	printf "pqif=%s\n", v[1]
	for (i = 1; i <= NF; i++) col[$i] = i
	next
}
{ print $(col["t"]), $(col["log_dw_norm"]) }
END { printf "\n\n" }
