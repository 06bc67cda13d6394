#!/bin/sh
# Every machine runs under gdb as a developer would run it, with
# sim/umka-gdb.py loaded: the hosted kernel as gdb's own process, a
# hardware image in QEMU through its gdb stub. A breakpoint in a kernel
# thread stops with a backtrace to the thread's start; umka-tasks, umka-bt
# and umka-dmesg read the kernel's threads and log; after that the machine
# boots through the ktests to a normal end. Run in a build directory
# (tests/machine.sh says which machine).
srcdir=${srcdir:-.}
limit=${KTEST_TIMEOUT:-120}
. "$srcdir/tests/machine.sh"

gdb=gdb
[ "$machine" = um ] || [ "$machine" = x86_64 ] || gdb=gdb-multiarch
command -v $gdb >/dev/null || { echo "1..0 # SKIP $gdb not installed"; exit 0; }
# LeakSanitizer cannot run under ptrace; the ASan build's leak check is
# make check's other boots.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
export ASAN_OPTIONS

# the commands once the machine has stopped in ktest_run
set -- -ex bt -ex umka-tasks -ex "umka-bt rcu_gp" -ex "umka-bt init" -ex "umka-bt nosuch" \
	-ex umka-dmesg -ex delete
if [ "$machine" = um ]; then
	out=$(timeout -k 5 "$limit" $gdb -nx -batch -x "$srcdir/sim/umka-gdb.py" \
		-ex "break ktest_run" -ex run "$@" -ex continue --args "$image" ktest=all 2>&1)
	ended="exited normally"
else
	# QEMU waits (-S) for gdb on a port of its own; gdb detaches at the
	# end and the machine boots on to power off.
	port=$((20000 + $$ % 10000))
	qlog=$(mktemp "${TMPDIR:-/tmp}/gdb-boot.XXXXXX") || exit 1
	trap 'rm -f "$qlog"' EXIT
	UMKA_QEMU_ARGS="-gdb tcp:127.0.0.1:$port -S" timeout -k 5 "$limit" \
		"$srcdir/sim/$sim" "$image" ktest=all >"$qlog" 2>&1 &
	qemu=$!
	hexport=$(printf '%04X' $port)
	tries=0
	until grep -q ":$hexport 00000000:0000 0A" /proc/net/tcp; do
		tries=$((tries + 1))
		[ $tries -lt 200 ] || break
		sleep 0.1
	done
	out=$(timeout -k 5 "$limit" $gdb -nx -batch -x "$srcdir/sim/umka-gdb.py" "$elf" \
		-ex "target remote 127.0.0.1:$port" -ex "hbreak ktest_run" -ex continue "$@" \
		-ex detach 2>&1)
	wait $qemu
	status=$?
	out="$out
$(tr -d '\r' <"$qlog")
machine status $status"
	ended="machine status 0"
fi

fail=0
n=0
check() {	# check DESCRIPTION PATTERN
	n=$((n + 1))
	if printf '%s\n' "$out" | grep -q -- "$2"; then
		echo "ok $n - $machine: $1"
	else
		echo "not ok $n - $machine: $1"
		fail=1
	fi
}
echo "1..9"
check "breakpoint in ktest_run is hit" "Breakpoint 1, ktest_run"
check "bt reaches the start of the kernel thread" "in [a-z0-9]*_thread_start () at "
check "umka-tasks: init is on CPU 0" "^ *[0-9]* R *0 *[0-9]*  init  *on CPU 0$"
check "umka-tasks: rcu_gp sleeps in rcu_gp_thread" "^ *[0-9]* [SD] .*  rcu_gp  *rcu_gp_thread$"
check "umka-bt rcu_gp: frames down to the thread's start" \
	"^#[0-9] .* in [a-z0-9]*_thread_start at .*entry.S\|^#[0-9] .* in um_thread_start at"
check "umka-bt refuses the running task" "init is running on a CPU now: use bt"
check "umka-bt refuses an unknown task" "no task nosuch (see umka-tasks)"
check "umka-dmesg prints the log ring" "^\[ *0\.[0-9]*\] Boot took [0-9]* us"
check "the machine runs to a normal end after gdb" "$ended"
[ $fail -eq 0 ] || printf '%s\n' "$out" | tail -40 | sed 's/^/# /'
exit $fail
