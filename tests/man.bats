#!/usr/bin/env bats
# Man pages lint clean; every tool has one and answers --help; install works.

load helpers

@test "man: every page lints clean with mandoc and groff" {
	cd "$ROOT"
	for page in man/man1/*.1 man/man5/*.5 man/man7/*.7; do
		out=$(mandoc -Tlint -W warning "$page" 2>&1) || true
		if [ -n "$out" ]; then echo "$out"; return 1; fi
		out=$(groff -ww -z -t -man "$page" 2>&1)
		if [ -n "$out" ]; then echo "$page: $out"; return 1; fi
	done
}

@test "man: every tool has a page, a --help on stdout (exit 0) and a --version" {
	cd "$ROOT"
	for src in tools/*.c; do
		t=$(basename "$src" .c)
		[ -f "man/man1/$t.1" ] || { echo "no man page for $t"; return 1; }
		run "$t" --help
		[ "$status" -eq 0 ] || { echo "$t --help: $status"; return 1; }
		[[ "${lines[0]}" == "Usage: $t"* ]] || { echo "$t --help: ${lines[0]}"; return 1; }
		help_err=$("$t" --help 2>&1 >/dev/null)
		[ -z "$help_err" ] || { echo "$t --help wrote to stderr"; return 1; }
		run "$t" --version
		[ "$status" -eq 0 ] && [[ "$output" == "$t (forcenet) "* ]]
	done
}

@test "man: every long option in a tool's --help is documented in its page" {
	cd "$ROOT"
	for src in tools/*.c; do
		t=$(basename "$src" .c)
		# the roff source, with its escaped hyphens made plain
		page=$(sed 's/\\-/-/g; s/\\f[BIRP]//g' "man/man1/$t.1")
		for opt in $("$t" --help | grep -o -- '--[a-z][a-z0-9-]*' | sort -u); do
			case $page in
			*"$opt"*) ;;
			*) echo "$t: $opt is in --help but not in $t(1)"; return 1 ;;
			esac
		done
	done
}

@test "install: make install honours DESTDIR and PREFIX" {
	make -s -C "$ROOT" install DESTDIR="$BATS_TEST_TMPDIR/stage" PREFIX=/opt/fn >/dev/null
	for src in "$ROOT"/tools/*.c; do
		t=$(basename "$src" .c)
		[ -x "stage/opt/fn/bin/$t" ]
		[ -f "stage/opt/fn/share/man/man1/$t.1" ]
	done
	[ -f stage/opt/fn/share/man/man5/forcenet-npy.5 ]
	stage/opt/fn/bin/gen-target --version
}
