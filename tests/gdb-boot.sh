#!/bin/sh
# The hosted kernel runs under gdb as a developer would run it: with
# sim/umka.gdb loaded, a breakpoint in the core stops with a backtrace back
# to main(), and `continue` boots through the ktests to a normal exit.
UMKA=${UMKA:-./umka}
srcdir=${srcdir:-.}
command -v gdb >/dev/null || { echo "1..0 # SKIP gdb not installed"; exit 0; }
# LeakSanitizer cannot run under ptrace; the ASan build's leak check is
# make check's other boots.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
export ASAN_OPTIONS
out=$(gdb -nx -batch -x "$srcdir/sim/umka.gdb" \
	-ex 'break kernel_main' -ex run -ex bt -ex continue \
	--args "$UMKA" ktest=all 2>&1)
echo "1..3"
check() {	# check N DESCRIPTION PATTERN
	if printf '%s\n' "$out" | grep -q -- "$3"; then
		echo "ok $1 - $2"
	else
		echo "not ok $1 - $2"
		fail=1
	fi
}
fail=0
check 1 "breakpoint in kernel_main is hit" "Breakpoint 1, kernel_main"
check 2 "backtrace reaches main()" "in main (argc="
check 3 "the boot runs to a normal exit under gdb" "exited normally"
[ $fail -eq 0 ] || printf '%s\n' "$out" | tail -30 | sed 's/^/# /'
exit $fail
