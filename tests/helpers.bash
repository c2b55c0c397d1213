# Shared by every BATS suite: `load helpers` at the top of a .bats file.
#
# Each test runs in its own empty temporary folder with the build first on
# PATH (the Makefile's test target sets PATH, FORCENET_ROOT, FORCENET_UNIT
# and PYTHON).  PY is Debian's python3 with numpy, the tests' reference
# client.

ROOT=${FORCENET_ROOT:-$(cd "$BATS_TEST_DIRNAME/.." && pwd)}
PY=${PYTHON:-/usr/bin/python3}
UNIT=${FORCENET_UNIT:-$ROOT/build/unit}
export PATH="$ROOT/build/bin:$PATH"

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
}

# pyrun 'python code' ARGS...: run python with numpy imported as np and the
# arguments in sys.argv[1:]; fails the test when the code raises.
pyrun() {
	local code=$1
	shift
	"$PY" -c "import sys, numpy as np
$code" "$@"
}

# assert_fails STATUS 'message part' CMD...: CMD exits with STATUS and its
# stderr (one line) contains the message part.
assert_fails() {
	local want=$1 msg=$2
	shift 2
	local err got
	# (bats runs with errexit: keep the failing status out of its way)
	err=$("$@" 2>&1 >/dev/null) && got=0 || got=$?
	if [ "$got" -ne "$want" ]; then
		echo "expected exit $want, got $got: $*" >&2
		echo "stderr: $err" >&2
		return 1
	fi
	case $err in
	*"$msg"*) ;;
	*) echo "expected stderr to contain: $msg" >&2
	   echo "got: $err" >&2
	   return 1 ;;
	esac
}

# assert_no_files: the current folder holds nothing visible or hidden
# except what is named.
assert_only() {
	local left
	left=$(ls -A | grep -vxF -e "${1:-/}" -e "${2:-/}" -e "${3:-/}" -e "${4:-/}" || true)
	if [ -n "$left" ]; then
		echo "files left behind: $left" >&2
		return 1
	fi
}

# assert_bad STATUS 'TOOL: message' CMD...: the check of a bad input.  CMD
# exits with STATUS and writes on stderr one line that starts with the
# message (a usage error adds the line "Try 'TOOL --help' ..."), and the
# current folder holds afterwards just what it held before: no output, no
# hidden temporary, nothing replaced (names, types and inodes compared).
assert_bad() {
	local want=$1 msg=$2
	shift 2
	local before after err got first rest
	before=$(find . -printf '%p %y %i\n' | sort)
	err=$("$@" 2>&1 >/dev/null) && got=0 || got=$?
	after=$(find . -printf '%p %y %i\n' | sort)
	first=${err%%$'\n'*}
	rest=${err#"$first"}
	rest=${rest#$'\n'}
	if [ "$got" -ne "$want" ]; then
		echo "expected exit $want, got $got: $*" >&2
		echo "stderr: $err" >&2
		return 1
	fi
	case $first in
	"$msg"*) ;;
	*) echo "expected stderr to start with: $msg" >&2
	   echo "got: $err" >&2
	   return 1 ;;
	esac
	if [ -n "$rest" ] && ! { [ "$want" -eq 2 ] && [[ $rest == "Try '"*" --help' for more information." ]]; }; then
		echo "expected one line on stderr, got: $err" >&2
		return 1
	fi
	if [ "$before" != "$after" ]; then
		echo "the folder changed: $*" >&2
		diff <(echo "$before") <(echo "$after") >&2
		return 1
	fi
}
