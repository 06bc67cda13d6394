#!/bin/sh
# Type into the kernel's console and check it arrives: boots with
# ktest=console_input (a suite only run when named), waits for its prompt,
# writes one line into the machine's console input, and expects the case to
# read exactly that line back through /dev/console. On arch-um the console
# input is umka's stdin; on hardware it is the UART, through QEMU's stdio
# (UMKA_QEMU_STDIN=1) and the interrupt controller (PLIC on RISC-V, GIC on
# AArch64). Run in a build directory: it boots whichever of ./umka or
# umka-<cpu> images it finds there (the first found). A watchdog turns a hang
# into a failure.
srcdir=${srcdir:-.}
limit=${KTEST_TIMEOUT:-120}
line=umka-console-test

if [ -x ./umka ]; then
	set -- ./umka ktest=console_input
elif [ -f umka-riscv64.img ]; then
	set -- "$srcdir/sim/qemu-riscv64" umka-riscv64.img ktest=console_input
elif [ -f umka-aarch64.img ]; then
	set -- "$srcdir/sim/qemu-aarch64" umka-aarch64.img ktest=console_input
elif [ -f umka-x86_64.elf ]; then
	set -- "$srcdir/sim/qemu-x86_64" umka-x86_64.elf ktest=console_input
else
	echo "FAIL: no umka or umka-<cpu> image in $(pwd)"
	exit 1
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/console-input.XXXXXX") || exit 1
pid=
# shellcheck disable=SC2317 # called through the trap
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	exec 4>&-
	rm -rf "$dir"
}
trap cleanup EXIT
mkfifo "$dir/in" || exit 1
UMKA_QEMU_STDIN=1 timeout -k 5 "$limit" "$@" <"$dir/in" >"$dir/out" 2>&1 &
pid=$!
exec 4>"$dir/in"	# the writer end; opening it lets the machine start

i=0
until grep -q '^# console_input: type a line' "$dir/out"; do
	i=$((i + 1))
	if [ $i -gt $((limit * 10)) ] || ! kill -0 "$pid" 2>/dev/null; then
		echo "FAIL: no prompt from $*"
		tr -d '\r' <"$dir/out" | tail -n 20
		exit 1
	fi
	sleep 0.1
done
printf '%s\n' "$line" >&4
wait "$pid"
status=$?
pid=
tr -d '\r' <"$dir/out" | sed -n '/^TAP version/,$p'
if [ "$status" -ne 0 ] || ! grep -q '^ok 1 - console_input.console_reads_typed_line' "$dir/out"; then
	echo "FAIL: $* exited $status without reading the line back"
	tr -d '\r' <"$dir/out" | tail -n 20
	exit 1
fi
echo "PASS: typed '$line' came back through /dev/console ($*)"
