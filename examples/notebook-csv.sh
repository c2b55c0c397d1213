#!/bin/sh
# Motifs and dimensionality of the original notebook's CSV files, with the
# same tools and the same table layout as the sweep.
#
#   examples/notebook-csv.sh NOTEBOOK_DIR [OUTDIR]   (default OUTDIR: .)
#
# NOTEBOOK_DIR holds the notebook's simulation_K folders (one per vrest):
#   simulation_K/simulation_K_parametros.csv              (its vrest column)
#   simulation_K/simulation_K_connectivity_matrix/
#       simulation_K_pesos_pqif_P_matriz_iloop_L_semilla_S   (headerless N x N)
#   simulation_K/simulation_K_outputs/
#       simulation_K_outputs_pqif_P_iloop_L_seed_S.csv       (steps x N)
# Writes OUTDIR/notebook-motifs.csv and OUTDIR/notebook-dpr.csv with key
# columns pqif,vrest,seed,loop.  Needs motifs and dpr on PATH.
set -eu
[ $# -ge 1 ] || { echo "usage: notebook-csv.sh NOTEBOOK_DIR [OUTDIR]" >&2; exit 2; }
nb=$1 out=${2:-.}
skip=${SKIP:-200}
mkdir -p "$out"
m=$out/notebook-motifs.csv d=$out/notebook-dpr.csv
echo "pqif,vrest,seed,loop,file,index,N,sigma2,tau_rec,tau_div,tau_con,tau_chn,R" > "$m.tmp"
echo "pqif,vrest,seed,loop,file,loop_in_file,N,samples,M,PR,PR_bc" > "$d.tmp"

# field NAME KEY: the value after _KEY_ in a notebook file name.
field() { printf '%s\n' "$1" | sed -n "s/.*_$2_\([^_]*\).*/\1/p" | sed 's/\.csv$//'; }

for sim in "$nb"/simulation_*; do
	[ -d "$sim" ] || continue
	k=$(basename "$sim")
	# vrest from the parameter file (empty at pqif = 1 in the notebook).
	vrest=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "vrest") c = i; next }
	                 NR == 2 { print (c && $c != "" ? $c : "nan") }' "$sim/${k}_parametros.csv")
	for f in "$sim/${k}_connectivity_matrix/${k}_pesos_pqif_"*; do
		[ -e "$f" ] || continue
		p=$(field "$f" pqif) l=$(field "$f" iloop) s=$(field "$f" semilla)
		motifs --no-header --tag pqif="$p" --tag vrest="$vrest" --tag seed="$s" \
		  --tag loop="$l" "$f" >> "$m.tmp"
	done
	for f in "$sim/${k}_outputs/${k}_outputs_pqif_"*.csv; do
		[ -e "$f" ] || continue
		p=$(field "$f" pqif) l=$(field "$f" iloop) s=$(field "$f" seed)
		dpr --no-header --skip "$skip" --tag pqif="$p" --tag vrest="$vrest" --tag seed="$s" \
		  --tag loop="$l" "$f" >> "$d.tmp"
	done
done
mv "$m.tmp" "$m"
mv "$d.tmp" "$d"
echo "notebook-csv: $(($(wc -l < "$m") - 1)) matrices in $m, $(($(wc -l < "$d") - 1)) activity files in $d" >&2
