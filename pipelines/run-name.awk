# run-name.awk: run_keys(NAME, VAL), shared by the scripts that read run
# names (awk -f run-name.awk -f SCRIPT).  A run name is its keys joined by
# "_", each a key name followed by its value: pqifP_vrestV_seedS, pqifP_seedS
# where vrest does not apply (pqif = 1), and omegagaussW_pqifP_... when the
# grid has a target dimension.  The variable keys (default "pqif,vrest,seed")
# names the keys in their order; run_keys sets VAL[1..n] to their values in
# NAME (nan when absent) and returns n.
function run_keys(name, val,    nk, kname, n, tok, i, j) {
	nk = split(keys == "" ? "pqif,vrest,seed" : keys, kname, ",")
	for (j = 1; j <= nk; j++) val[j] = "nan"
	n = split(name, tok, "_")
	for (i = 1; i <= n; i++)
		for (j = 1; j <= nk; j++)
			if (index(tok[i], kname[j]) == 1 && substr(tok[i], length(kname[j]) + 1) ~ /^[-+0-9.]/)
				val[j] = substr(tok[i], length(kname[j]) + 1)
	return nk
}
# The header of those keys, "pqif,vrest,seed" by default.
function run_key_names() {
	return keys == "" ? "pqif,vrest,seed" : keys
}
