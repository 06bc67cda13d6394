#!/bin/sh
# Boot the hosted kernel with an initramfs (initrd=) and check the boot log:
# a good gzipped image is unpacked whole; garbage and a missing file are
# refused with a message, never a crash.
UMKA=${UMKA:-./umka}
srcdir=${srcdir:-.}
fail=0
pass=0

check() {	# check NAME STATUS PATTERN -- ARGS...
	name=$1 want=$2 pattern=$3
	shift 4
	out=$("$UMKA" loglevel=6 "$@" 2>&1)
	got=$?
	if [ "$got" -eq "$want" ] && printf '%s' "$out" | grep -q -- "$pattern"; then
		echo "ok - $name"
		pass=$((pass + 1))
	else
		echo "not ok - $name: exit $got (want $want), output:"
		printf '%s\n' "$out" | sed 's/^/#   /'
		fail=$((fail + 1))
	fi
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
head -c 3000 /dev/urandom > "$tmp/garbage"
gzip -c "$tmp/garbage" > "$tmp/garbage.gz"

check "gzipped initramfs unpacks" 0 "initramfs: 7 entries, 0 KiB of files unpacked, 0 refused$" \
	-- initrd="$srcdir/tests/data/initrd.cpio.gz"
check "garbage is refused" 0 "bad magic" -- initrd="$tmp/garbage"
check "gzipped garbage is refused" 0 "bad magic" -- initrd="$tmp/garbage.gz"
check "missing file is a command-line error" 2 "No such file" -- initrd="$tmp/nope"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
