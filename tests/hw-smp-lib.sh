#!/bin/sh
# SMP bring-up of a hardware image from the outside (sourced by
# tests/hw-smp-<cpu>.tap with SIM and IMAGE set): every ktest suite on a
# single CPU; smp=2 on a 4-CPU machine starts exactly 2 (the banner says
# so and the smp suite passes on them); smp= above what the machine has
# stops boot with a clear message and the bad-command-line status.
UMKA_ACCEL=${UMKA_ACCEL:-tcg}
export UMKA_ACCEL
T=${KTEST_TIMEOUT:-300}
n=0
fail=0

check() {	# check DESCRIPTION STATUS-WANTED PATTERN CPUS ARGS...
	desc=$1 want=$2 pattern=$3 cpus=$4
	shift 4
	n=$((n + 1))
	out=$(UMKA_QEMU_SMP=$cpus timeout -k 5 "$T" "$SIM" "$IMAGE" "$@" 2>&1)
	got=$?
	if [ "$got" -eq "$want" ] && printf '%s\n' "$out" | grep -q -- "$pattern"; then
		echo "ok $n - $desc"
	else
		echo "not ok $n - $desc: exit $got (want $want)"
		# The failed cases with their diagnostics, then how the run ended.
		printf '%s\n' "$out" | grep -B8 '^not ok' | grep -v '^ok' | sed 's/^/# /'
		printf '%s\n' "$out" | tail -20 | sed 's/^/# /'
		fail=$((fail + 1))
	fi
}

echo "1..3"
check "1 CPU: every ktest suite passes" 0 "^# ktest: [0-9]* passed, 0 failed" 1 \
	loglevel=5 ktest=all
check "4 CPUs, smp=2: two online, smp suite passes" 0 "SMP: 2 of 4 CPU(s) online" 4 \
	smp=2 ktest=smp
check "2 CPUs, smp=3: refused before boot" 2 "smp=3: this machine has 2 CPU(s)" 2 smp=3
[ "$fail" -eq 0 ]
