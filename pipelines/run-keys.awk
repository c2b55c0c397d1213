# run-keys.awk: for each run name (pqifP_vrestV_seedS, or pqifP_seedS where
# vrest does not apply) print "P V S NAME", V being nan when absent, so
# that sort(1) can order runs by their keys.  Repeated names are dropped.
seen[$0]++ { next }
{
	pqif = "nan"; vrest = "nan"; seed = "nan"
	n = split($0, kv, "_")
	for (i = 1; i <= n; i++) {
		if (kv[i] ~ /^pqif/) pqif = substr(kv[i], 5)
		else if (kv[i] ~ /^vrest/) vrest = substr(kv[i], 6)
		else if (kv[i] ~ /^seed/) seed = substr(kv[i], 5)
	}
	print pqif, vrest, seed, $0
}
