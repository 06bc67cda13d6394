#!/bin/sh
# The FUSE window: boot `umka fuse=DIR`, run host tools over the mount
# (mkdir -p, echo, cat, cp -a, mv, ln, ln -s, chmod, dd, tar, find, ls -lR,
# rm -r, and a non-root user meeting the kernel's permission checks), run the
# same script in a host tmp directory, and compare the two trees and the
# outcomes. Then unmount from the host and check umka powers off with 0.
# The script is tests/fuse-conformance.sh; the reference run is on a host
# tmpfs. Clients killed mid-request must leave the kernel serving.
# Exit 77 (skip) when this host cannot mount FUSE file systems, when not
# root, or when a tool the script needs is missing.
UMKA=${UMKA:-./umka}
fail=0
pass=0

skip() {
	echo "SKIP: $*"
	exit 77
}

[ -c /dev/fuse ] && [ -r /dev/fuse ] && [ -w /dev/fuse ] || skip "/dev/fuse is not usable"
command -v fusermount3 >/dev/null 2>&1 || skip "fusermount3 is not installed (apt-get install fuse3)"
# Missing tools would fail alike on both sides and pass unseen.
for t in rsync perl md5sum truncate; do
	command -v $t >/dev/null 2>&1 || skip "$t is not installed (sim/deps)"
done
# The window's / belongs to the kernel's root: only host root may write there.
[ "$(id -u)" = 0 ] || skip "needs root (the kernel's / is root's, mode 755)"
command -v setpriv >/dev/null 2>&1 || skip "setpriv is not installed"

tmp=$(mktemp -d)
mnt=$tmp/mnt
host=$tmp/host
pid=
cleanup() {
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		fusermount3 -u -z "$mnt" 2>/dev/null
		sleep 1
		kill "$pid" 2>/dev/null
	fi
	[ -z "$host_tmpfs" ] || umount "$host" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
host_tmpfs=
mkdir -p "$mnt" "$host"
chmod 755 "$tmp"
# The reference run goes to a host tmpfs (the window's root is the kernel's
# tmpfs); without root to mount one, to the host's tmp directory.
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=256m,mode=755 umka-ref "$host" 2>/dev/null; then
	host_tmpfs=1
fi
head -c 1048576 /dev/urandom > "$tmp/random"
# The tree rsync copies in and out: sizes, modes, times, symlinks, hard links.
mkdir -p "$tmp/src/d1/d2/d3" "$tmp/src/empty" "$tmp/src/x"
: > "$tmp/src/f0"
echo 1 > "$tmp/src/f1"
head -c 4096 "$tmp/random" > "$tmp/src/d1/page"
head -c 100000 "$tmp/random" > "$tmp/src/d1/d2/d3/odd"
tail -c 300000 "$tmp/random" > "$tmp/src/x/big"
ln "$tmp/src/x/big" "$tmp/src/x/big.link"
ln -s ../f1 "$tmp/src/d1/up"
ln -s nowhere "$tmp/src/x/dangling"
chmod 600 "$tmp/src/f1"
chmod 751 "$tmp/src/d1"
chmod 4755 "$tmp/src/d1/page"
touch -h -d '2001-02-03 04:05:06.123456789' "$tmp/src/d1/up" "$tmp/src/f0" "$tmp/src/x/big"
touch -d '1999-12-31 23:59:59' "$tmp/src/empty" "$tmp/src/d1/d2"

"$UMKA" fuse="$mnt" > "$tmp/log" 2>&1 &
pid=$!
tries=0
until mountpoint -q "$mnt"; do
	if ! kill -0 "$pid" 2>/dev/null; then
		if grep -q "cannot mount the FUSE window" "$tmp/log"; then
			sed 's/^/#   /' "$tmp/log"
			pid=
			skip "this host refuses the FUSE mount"
		fi
		echo "not ok - umka exited before mounting:"
		sed 's/^/#   /' "$tmp/log"
		exit 1
	fi
	tries=$((tries + 1))
	[ "$tries" -lt 100 ] || { echo "not ok - no mount after 10 s"; exit 1; }
	sleep 0.1
done

ok() {
	echo "ok - $1"
	pass=$((pass + 1))
}

notok() {
	echo "not ok - $1"
	fail=$((fail + 1))
}

# What the tree looks like: type, mode, links, owner, size (not for
# directories: file systems size them differently), link target, name; and
# every regular file's contents.
tree_of() {
	(
		cd "$1/work" || exit 1
		find . -mindepth 1 ! -type d -printf '%y %m %n %u %g %s %l %P\n' | sort
		find . -mindepth 1 -type d -printf '%y %m %n %u %g %P\n' | sort
		find . -type f | sort | xargs md5sum
		ls -R
	)
}

here=$(cd "$(dirname "$0")" && pwd)
mkdir "$tmp/host-scratch" "$tmp/umka-scratch"
sh "$here/fuse-conformance.sh" "$host" "$tmp/host-scratch" "$tmp" > "$tmp/host.ops"
sh "$here/fuse-conformance.sh" "$mnt" "$tmp/umka-scratch" "$tmp" > "$tmp/umka.ops"
if cmp -s "$tmp/host.ops" "$tmp/umka.ops"; then
	ok "every step has the host's outcome ($(wc -l < "$tmp/host.ops") steps)"
else
	notok "steps differ from the host's (- host, + umka):"
	diff -u "$tmp/host.ops" "$tmp/umka.ops" | sed 's/^/#   /'
fi
tree_of "$host" > "$tmp/host.tree"
tree_of "$mnt" > "$tmp/umka.tree"
if cmp -s "$tmp/host.tree" "$tmp/umka.tree"; then
	ok "the resulting tree matches the host's ($(wc -l < "$tmp/host.tree") lines)"
else
	notok "the trees differ (- host, + umka):"
	diff -u "$tmp/host.tree" "$tmp/umka.tree" | sed 's/^/#   /'
fi
if [ "$(du -k "$mnt/work/sparse" | cut -f1)" -lt 1024 ]; then
	ok "a 5 MiB sparse file takes no space"
else
	notok "sparse file: $(du -k "$mnt/work/sparse")"
fi
if ls "$mnt/proc" "$mnt/dev" > /dev/null && [ -s "$mnt/proc/uptime" ] ||
	[ -n "$(cat "$mnt/proc/uptime")" ]; then
	ok "the whole VFS is exported (/dev, /proc)"
else
	notok "/proc or /dev missing from the export"
fi
# Tracing from the host: the runtime switch is a umkafs file (root only),
# and the merged trace is a file too (docs/tracing.md).
tp="$mnt/sys/umka/tracepoints/sched_switch"
if echo 1 > "$tp/enabled" && [ "$(cat "$tp/enabled")" = 1 ] &&
	sleep 0.2 && grep -q "sched_switch: prev=" "$mnt/sys/umka/trace/log" &&
	echo 0 > "$tp/enabled" && [ "$(cat "$tp/enabled")" = 0 ] &&
	! (echo 2 > "$tp/enabled") 2>/dev/null && ! (echo 1 > "$tp/hits") 2>/dev/null; then
	ok "tracepoints switched and read from the host (echo 1 > .../enabled, trace/log)"
else
	notok "tracing from the host: enabled=$(cat "$tp/enabled" 2>&1)"
fi

# Clients that vanish mid-request: writers, readers and a create loop killed
# at whatever point of their request streams 0.2 s finds them (SIGKILL, and
# SIGTERM: for a request umka has already read, the host then sends
# FUSE_INTERRUPT). The kernel must keep serving. (The
# window's tmpfs holds half of mem=128M: 32 MiB of files stay well inside.)
head -c 4194304 /dev/urandom > "$tmp/vanish.src"
cp "$tmp/vanish.src" "$mnt/vanish.src"
for sig in KILL TERM KILL TERM KILL; do
	dd if=/dev/zero of="$mnt/vanish.w1" bs=1M count=16 status=none 2>/dev/null &
	w1=$!
	dd if=/dev/zero of="$mnt/vanish.w2" bs=256k count=48 oflag=sync status=none 2>/dev/null &
	w2=$!
	# single processes, so that the signal hits the one making requests
	perl -e 'while (1) { open(F, "<", $ARGV[0]) or exit 1; 1 while read(F, $b, 65536);
		close F }' "$mnt/vanish.src" &
	r1=$!
	perl -e 'for ($i = 0; ; $i++) { open(F, ">", "$ARGV[0]$i") or exit 1; close F;
		unlink "$ARGV[0]$i" }' "$mnt/vanish.c" &
	c1=$!
	sleep 0.2
	kill -$sig $w1 $w2 $r1 $c1 2>/dev/null	# the writers may be done
	wait $w1 $w2 $r1 $c1 2>/dev/null
done
# Deterministically, clients killed while their requests wait in the host's
# queue: with umka stopped (SIGSTOP) nothing is read, so an open, a create,
# a direct write and a read are all queued when SIGKILL comes; then umka
# goes on (SIGCONT) to whatever the host still sends it.
kill -STOP "$pid"
cat "$mnt/vanish.src" > /dev/null 2>&1 &
q1=$!
dd if=/dev/zero of="$mnt/vanish.q" bs=1M count=4 oflag=direct status=none 2>/dev/null &
q2=$!
: > "$mnt/vanish.q2" 2>/dev/null &
q3=$!
sleep 0.3
kill -KILL $q1 $q2 $q3 2>/dev/null
wait $q1 $q2 $q3 2>/dev/null
kill -CONT "$pid"
if ! kill -0 "$pid" 2>/dev/null; then
	notok "umka died when its clients were killed mid-request:"
	sed 's/^/#   /' "$tmp/log"
	pid=
	echo "# $pass passed, $fail failed"
	exit 1
fi
survive=$(
	echo after > "$mnt/vanish.after" && cat "$mnt/vanish.after" &&
	cmp "$tmp/vanish.src" "$mnt/vanish.src" &&
	rm -f "$mnt"/vanish.* && ls "$mnt" | grep -c '^vanish'
)
if [ "$survive" = "after
0" ]; then
	ok "killed clients (SIGKILL, SIGTERM) mid-request leave the kernel serving"
else
	notok "after killing clients mid-request: '$survive'"
fi

fusermount3 -u "$mnt"
tries=0
while kill -0 "$pid" 2>/dev/null; do
	tries=$((tries + 1))
	if [ "$tries" -ge 100 ]; then
		notok "umka still running 10 s after the host unmounted"
		break
	fi
	sleep 0.1
done
if [ "$tries" -lt 100 ]; then
	wait "$pid"
	status=$?
	pid=
	if [ "$status" -eq 0 ] && grep -q "unmounted by the host" "$tmp/log"; then
		ok "a host unmount powers umka off with status 0"
	else
		notok "after the host unmount: exit $status"
		sed 's/^/#   /' "$tmp/log"
	fi
fi
echo "# $pass passed, $fail failed"
[ "$fail" -eq 0 ]
