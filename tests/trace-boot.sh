#!/bin/sh
# Tracepoints switched on from the command line: boot `umka trace=... ktest=`
# and let the kernel check through its own reader (/sys/umka/trace/log)
# that the records are there (ktest suite trace_boot); unknown names are a
# warning, not fatal; trace_buf= sizes the rings the trace suite then wraps;
# a panic prints the newest records. Nothing here depends on timing.
UMKA=${UMKA:-./umka}
fail=0
pass=0

run() {	# run NAME STATUS PATTERN... -- ARGS...: exit STATUS, output has every PATTERN
	name=$1 want=$2
	shift 2
	pats=
	while [ "$1" != "--" ]; do
		pats="$pats
$1"
		shift
	done
	shift
	out=$("$UMKA" "$@" 2>&1)
	got=$?
	bad=
	[ "$got" -eq "$want" ] || bad="exit $got, want $want"
	printf '%s\n' "$pats" | while IFS= read -r p; do
		[ -z "$p" ] || printf '%s' "$out" | grep -q -F -- "$p" || echo "missing: $p"
	done > "$tmp/missing"
	[ -s "$tmp/missing" ] && bad="$bad $(cat "$tmp/missing")"
	if [ -z "$bad" ]; then
		echo "ok - $name"
		pass=$((pass + 1))
	else
		echo "not ok - $name: $bad"
		printf '%s\n' "$out" | tail -n 30 | sed 's/^/#   /'
		fail=$((fail + 1))
	fi
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

run "trace=sched_switch: the switches are in the kernel's trace" 0 \
	"ok 1 - trace_boot.trace_boot_sched_switch" \
	'trace=: cannot enable "no_such_point" (no such tracepoint)' \
	-- trace=sched_switch,no_such_point loglevel=6 ktest=trace_boot
run "trace=all trace_buf=128: the trace suite on small rings" 0 \
	" tracepoints, 128 records per CPU on " " passed, 0 failed in " \
	-- trace=all trace_buf=128 ktest=trace
run "a panic prints the newest trace records" 3 \
	"Kernel panic: kernel stack overflow" " trace records (of " "sched_switch: prev=" \
	-- trace=sched_switch loglevel=4 ktest=fault_stack_smash
run "trace_buf=100 is refused" 2 "trace_buf=100: expected a power of two from 64 to 65536" \
	-- trace_buf=100
run "trace=Sched is refused" 2 "trace=Sched: expected all or tracepoint names" -- trace=Sched
run "--help lists trace= and trace_buf=" 0 "enable tracepoints at boot" "trace records per CPU ring" -- --help

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
