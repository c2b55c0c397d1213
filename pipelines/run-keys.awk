# run-keys.awk (after run-name.awk): for each run name print its key values
# in the order of keys (nan where absent) and the name, "P V S NAME" by
# default, so that sort(1) can order runs by their keys.  Repeated names are
# dropped.
seen[$0]++ { next }
{
	n = run_keys($0, v)
	for (i = 1; i <= n; i++) printf "%s ", v[i]
	print $0
}
