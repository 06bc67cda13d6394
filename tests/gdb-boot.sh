#!/bin/sh
# The hosted kernel runs under gdb as a developer would run it: with
# sim/umka-gdb.py loaded, a breakpoint in a kernel thread stops with a
# backtrace to the thread's start; umka-tasks, umka-bt and umka-dmesg read
# the kernel's threads and log; `continue` boots through the ktests to a
# normal exit.
UMKA=${UMKA:-./umka}
srcdir=${srcdir:-.}
command -v gdb >/dev/null || { echo "1..0 # SKIP gdb not installed"; exit 0; }
# LeakSanitizer cannot run under ptrace; the ASan build's leak check is
# make check's other boots.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
export ASAN_OPTIONS
out=$(gdb -nx -batch -x "$srcdir/sim/umka-gdb.py" \
	-ex 'break ktest_run' -ex run -ex bt \
	-ex umka-tasks -ex 'umka-bt rcu_gp' -ex 'umka-bt init' -ex 'umka-bt nosuch' \
	-ex umka-dmesg -ex 'delete' -ex continue \
	--args "$UMKA" ktest=all 2>&1)
fail=0
n=0
check() {	# check DESCRIPTION PATTERN
	n=$((n + 1))
	if printf '%s\n' "$out" | grep -q -- "$2"; then
		echo "ok $n - $1"
	else
		echo "not ok $n - $1"
		fail=1
	fi
}
echo "1..9"
check "breakpoint in ktest_run is hit" "Breakpoint 1, ktest_run"
check "bt reaches the start of the kernel thread" "in um_thread_start () at .*switch.S"
check "umka-tasks: init is on CPU 0" "^ *[0-9]* R *0 *[0-9]*  init  *on CPU 0$"
check "umka-tasks: rcu_gp sleeps in rcu_gp_thread" "^ *[0-9]* [SD] .*  rcu_gp  *rcu_gp_thread$"
check "umka-bt rcu_gp: frames down to um_thread_start" "in um_thread_start at .*switch.S"
check "umka-bt refuses the running task" "init is running on a CPU now: use bt"
check "umka-bt refuses an unknown task" "no task nosuch (see umka-tasks)"
check "umka-dmesg prints the log ring" "^\[ *0\.[0-9]*\] Boot took [0-9]* us"
check "the boot runs to a normal exit under gdb" "exited normally"
[ $fail -eq 0 ] || printf '%s\n' "$out" | tail -40 | sed 's/^/# /'
exit $fail
