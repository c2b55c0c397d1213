# tag-runs.awk (after run-name.awk): concatenate the CSV tables of run
# folders (runs/NAME/FILE), prefixing every row with the run's keys taken
# from NAME (keys, default pqif,vrest,seed; nan where a key does not apply,
# as vrest at pqif = 1).  One header row.
FNR == 1 {
	np = split(FILENAME, part, "/")
	n = run_keys(part[np - 1], v)
	tags = ""
	for (i = 1; i <= n; i++) tags = tags v[i] ","
	if (NR == 1) print run_key_names() "," $0
	next
}
{ print tags $0 }
