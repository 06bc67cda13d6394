#!/bin/sh
# Bad command lines must stop the hosted kernel with a clear message on
# stderr and exit status 2 -- never a crash, never a boot.
UMKA=${UMKA:-./umka}
fail=0
pass=0

expect() {	# expect STATUS PATTERN ARGS...
	want=$1 pattern=$2
	shift 2
	out=$("$UMKA" "$@" 2>&1)
	got=$?
	if [ "$got" -ne "$want" ] || ! printf '%s' "$out" | grep -q -- "$pattern"; then
		echo "not ok - umka $*: exit $got (want $want), output: $out"
		fail=$((fail + 1))
	else
		echo "ok - umka $*"
		pass=$((pass + 1))
	fi
}

expect 2 "mem=12x: bad size" mem=12x
expect 2 "mem=1k: too small" mem=1k
expect 2 "mem=: needs a value" mem=
expect 2 "smp=0: expected a CPU count" smp=0
expect 2 "smp=9: arch-um runs at most 8 virtual CPUs" smp=9
expect 2 "smp=1000: arch-um runs at most 8 virtual CPUs" smp=1000
expect 2 "smp=x: expected a CPU count" smp=x
expect 2 "smp=: " smp=
expect 2 "loglevel=9: expected 0..7" loglevel=9
expect 2 "init=sh: expected an absolute path" init=sh
expect 2 "unknown option" --frobnicate
expect 2 "no suite named 'nosuchsuite'" ktest=nosuchsuite
expect 2 "no benchmark named 'nope'" bench=nope
expect 0 "Usage: umka" --help
expect 0 "ktest=" --help
expect 0 "smp .*default: 1" --help
# Unknown keys are warned about, not fatal.
expect 0 'Unknown kernel command line parameter "frob=1"' frob=1 loglevel=7

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
