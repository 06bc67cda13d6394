#!/bin/sh
# The FUSE window: boot `umka fuse=DIR`, run host tools over the mount
# (mkdir -p, echo, cat, cp -a, mv, ln, ln -s, chmod, dd, tar, find, ls -lR,
# rm -r, and a non-root user meeting the kernel's permission checks), run the
# same script in a host tmp directory, and compare the two trees and the
# outcomes. Then unmount from the host and check umka powers off with 0.
# Exit 77 (skip) when this host cannot mount FUSE file systems.
UMKA=${UMKA:-./umka}
fail=0
pass=0

skip() {
	echo "SKIP: $*"
	exit 77
}

[ -c /dev/fuse ] && [ -r /dev/fuse ] && [ -w /dev/fuse ] || skip "/dev/fuse is not usable"
command -v fusermount3 >/dev/null 2>&1 || skip "fusermount3 is not installed (apt-get install fuse3)"

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
	rm -rf "$tmp"
}
trap cleanup EXIT
mkdir -p "$mnt" "$host"
chmod 755 "$tmp"
head -c 1048576 /dev/urandom > "$tmp/random"

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

# The script, run in $1/work; prints one line per step with its outcome.
run_ops() {
	(
		set +e
		cd "$1" || exit 1
		step() {	# step NAME CMD...: the command's success or failure
			name=$1
			shift
			if "$@" > /dev/null 2>&1; then echo "$name: ok"; else echo "$name: failed"; fi
		}
		step mkdir-p mkdir -p work/a/b/c
		cd work || exit 1
		step echo sh -c 'echo hello > a/f'
		step cat sh -c 'cat a/f > a/f.copy'
		step printf sh -c 'seq 1 3000 > a/long'
		step append sh -c 'echo more >> a/long'
		step ln ln a/f a/hard
		step ln-s ln -s f a/sym
		step ln-s-dangling ln -s ../nowhere a/dangling
		step ln-exists ln a/f a/hard
		step chmod chmod 640 a/f
		step chmod-dir chmod 750 a/b
		step cp-a cp -a a a2
		step mv mv a2/b a2/b2
		step mv-file mv a/f.copy a/b/c/moved
		step mv-over sh -c 'echo new > a/new && mv a/new a/long2 && mv a/long2 a/hard2'
		step rmdir-notempty rmdir a
		step dd dd if="$tmp/random" of=big bs=64k count=16 status=none
		step dd-notrunc dd if=/dev/zero of=big bs=1k count=3 seek=5 conv=notrunc status=none
		step truncate truncate -s 700000 big
		step sparse truncate -s 5M sparse
		step tar-c tar cf "$1.tar" a a2
		step tar-x sh -c "mkdir x && tar xf '$1.tar' -C x"
		step many sh -c 'mkdir many && for i in $(seq 1 200); do : > many/f$i; done'
		step rm-r rm -r a2
		step rm-many rm -r many
		step find sh -c 'find . -name "*.txt" -o -type l | sort'
		step ls-lR ls -lR .
		step cat-dir cat a
		step mkfifo mkfifo fifo
		if [ "$(id -u)" = 0 ]; then
			mkdir pub && chmod 1777 pub && chown 0:0 pub
			echo secret > pub/rootfile && chmod 600 pub/rootfile
			as() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
			step user-create as sh -c 'echo mine > pub/userfile'
			step user-read-private as cat pub/rootfile
			step user-write-private as sh -c 'echo x >> pub/rootfile'
			step user-unlink-sticky as rm -f pub/rootfile
			step user-chmod-own as chmod 604 pub/userfile
			step user-chown as chown 0 pub/userfile
			step user-mkdir-in-root-dir as mkdir a/nope
		fi
	)
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

run_ops "$host" > "$tmp/host.ops"
run_ops "$mnt" > "$tmp/umka.ops"
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
