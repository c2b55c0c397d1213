#!/bin/sh
# sweep-progress.sh: the sweep's overall progress line, on a terminal only.
#
#   sweep-progress.sh todo RD BIN RUN...
#       print how many of the runs RUN (folders RD/runs/RUN) make will
#       simulate: those whose summary.csv, or the initial weights or target
#       of their seed, is missing or older than what it is made from (the
#       tools in BIN, RD/sim-options.txt), as make judges it; the target of
#       run [KV_]pqifP_..._seedS is inputs/target_[KV_]seedS.npy, KV the
#       value of the target dimension if the grid has one, made from
#       TARGET_SRC (default BIN/gen-target); the network of run
#       neuronsN_pqifP_..._seedS (a grid of sizes) is
#       inputs/weights_neuronsN_seedS.npz, else inputs/weights_seedS.npy
#   sweep-progress.sh done COUNTER TOTAL T0
#       a run is complete: when standard output is a terminal, count it in
#       the file COUNTER (one line a run, removed after the last) and print
#       "  progress        K/TOTAL runs, E elapsed, about L left", the time
#       left from the mean time per run so far since T0 (seconds since the
#       epoch); nothing otherwise
set -u

# stale TARGET PREREQ...: TARGET is missing, or a PREREQ is missing or newer.
# (Its variables are its own: sh has no local ones, and the caller's w and t
# must survive the call.)
stale() {
	stale_t=$1
	shift
	[ -e "$stale_t" ] || return 0
	for stale_p; do
		if [ ! -e "$stale_p" ] || [ "$stale_p" -nt "$stale_t" ]; then return 0; fi
	done
	return 1
}

# clock SECONDS: "42 s" or "3:05".
clock() {
	if [ "$1" -lt 60 ]; then echo "$1 s"; else printf '%d:%02d\n' $(($1 / 60)) $(($1 % 60)); fi
}

case ${1-} in
todo)
	rd=$2 bin=$3
	shift 3
	opts=$rd/sim-options.txt n=0
	for r; do
		s=seed${r##*seed}
		case $r in
		pqif*) t=target_$s w=weights_$s.npy ;;
		neurons*) t=target_${r%%_pqif*}_$s w=weights_${r%%_pqif*}_$s.npz ;;
		*) t=target_${r%%_pqif*}_$s w=weights_$s.npy ;;
		esac
		w=$rd/inputs/$w t=$rd/inputs/$t.npy
		if stale "$w" "$opts" "$bin/init-weights" || stale "$t" "$opts" "${TARGET_SRC:-$bin/gen-target}" ||
		   stale "$rd/runs/$r/summary.csv" "$w" "$t" "$opts" "$bin/simulate-train"; then
			n=$((n + 1))
		fi
	done
	echo $n
	;;
done)
	[ -t 1 ] || exit 0
	counter=$2 total=$3 t0=$4
	# one at a time: runs that end together count one each
	exec 9>> "$counter"
	flock 9
	echo >&9
	k=$(wc -l < "$counter")
	[ "$total" -ge "$k" ] || total=$k
	[ "$k" -lt "$total" ] || rm -f "$counter"
	e=$(($(date +%s) - t0))
	if [ "$k" -ge "$total" ]; then
		printf '  %-15s %d/%d runs, %s\n' progress "$k" "$total" "$(clock $e)"
	else
		printf '  %-15s %d/%d runs, %s elapsed, about %s left\n' progress "$k" "$total" \
		  "$(clock $e)" "$(clock $(((e * (total - k) + k - 1) / k)))"
	fi
	;;
*)
	echo "usage: sweep-progress.sh todo RD BIN RUN... | done COUNTER TOTAL T0" >&2
	exit 2
	;;
esac
