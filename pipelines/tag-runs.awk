# tag-runs.awk: concatenate the CSV tables of run folders (runs/NAME/FILE),
# prefixing every row with the run's keys pqif,vrest,seed taken from NAME
# (vrest is nan where it does not apply).  One header row.
FNR == 1 {
	np = split(FILENAME, part, "/")
	pqif = "nan"; vrest = "nan"; seed = "nan"
	n = split(part[np - 1], kv, "_")
	for (i = 1; i <= n; i++) {
		if (kv[i] ~ /^pqif/) pqif = substr(kv[i], 5)
		else if (kv[i] ~ /^vrest/) vrest = substr(kv[i], 6)
		else if (kv[i] ~ /^seed/) seed = substr(kv[i], 5)
	}
	if (NR == 1) print "pqif,vrest,seed," $0
	next
}
{ print pqif "," vrest "," seed "," $0 }
