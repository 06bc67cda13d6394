#!/bin/sh
# hostfs= at boot: prepare a host directory, boot `umka hostfs=DIR
# ktest=hostfs` (at /host, then at a guest path of our choosing) and check on
# the host what the kernel created, renamed and deleted (the ktest case
# hostfs.boot_mount does the kernel side). Through the FUSE window, host
# tools see /host show the host's files. Bad hostfs= values stop the kernel
# with exit status 2 and a message, never a crash.
UMKA=${UMKA:-./umka}
fail=0
pass=0

ok() {
	echo "ok - $1"
	pass=$((pass + 1))
}

notok() {
	echo "not ok - $1"
	[ -n "$2" ] && printf '%s\n' "$2" | sed 's/^/#   /'
	fail=$((fail + 1))
}

tmp=$(mktemp -d)
pid=
cleanup() {
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		fusermount3 -u -z "$tmp/mnt" 2>/dev/null
		sleep 1
		kill "$pid" 2>/dev/null
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

prepare() {	# prepare DIR: what boot_mount expects to find
	mkdir -p "$1"
	printf 'hello from the host' > "$1/boot-input"
	echo rename > "$1/boot-rename-me"
	echo delete > "$1/boot-delete-me"
}

# check_host NAME DIR: what boot_mount did, seen from the host
check_host() {
	name=$1 d=$2
	[ "$(cat "$d/boot-output" 2>&1)" = "hello from the host (seen by umka)" ] &&
		ok "$name: boot-output written" || notok "$name: boot-output written" \
			"$(ls -la "$d" 2>&1; cat "$d/boot-output" 2>&1)"
	[ "$(stat -c %a "$d/boot-output" 2>&1)" = 640 ] && ok "$name: mode 640 kept" ||
		notok "$name: mode 640 kept" "$(stat -c %a "$d/boot-output" 2>&1)"
	[ -d "$d/boot-made/sub" ] && [ "$(stat -c %a "$d/boot-made/sub")" = 750 ] &&
		ok "$name: mkdir -p" || notok "$name: mkdir -p"
	[ "$(readlink "$d/boot-link")" = boot-input ] && ok "$name: symlink" ||
		notok "$name: symlink"
	[ ! -e "$d/boot-delete-me" ] && ok "$name: unlink" || notok "$name: unlink"
	[ ! -e "$d/boot-rename-me" ] && [ "$(cat "$d/boot-made/renamed" 2>&1)" = rename ] &&
		ok "$name: rename" || notok "$name: rename"
}

boot() {	# boot NAME ARGS...: exit 0 and the ktest passed
	name=$1
	shift
	out=$("$UMKA" "$@" 2>&1)
	st=$?
	if [ "$st" -eq 0 ] && printf '%s' "$out" | grep -q "^ok .* - hostfs.boot_mount"; then
		ok "$name: boots, ktest hostfs passes"
	else
		notok "$name: boots, ktest hostfs passes (exit $st)" "$out"
	fi
}

prepare "$tmp/a"
boot "hostfs=DIR" hostfs="$tmp/a" ktest=hostfs
check_host "hostfs=DIR" "$tmp/a"

prepare "$tmp/b"
boot "hostfs=DIR:/guest" hostfs="$tmp/b:/mnt/data/b" ktest=hostfs
check_host "hostfs=DIR:/guest" "$tmp/b"

# Bad values: exit 2, a message naming the problem.
expect() {	# expect NAME PATTERN ARGS...
	name=$1 pattern=$2
	shift 2
	out=$("$UMKA" "$@" 2>&1)
	st=$?
	if [ "$st" -eq 2 ] && printf '%s' "$out" | grep -q -- "$pattern"; then
		ok "$name"
	else
		notok "$name (exit $st)" "$out"
	fi
}
touch "$tmp/plain"
expect "relative host dir" "hostfs=rel/dir: expected an absolute host directory" \
	hostfs=rel/dir
expect "missing host dir" "No such file or directory" hostfs="$tmp/nope"
expect "host path not a directory" "not a directory" hostfs="$tmp/plain"
expect "guest path under a file" "cannot make /dev/null/x" hostfs="$tmp/a:/dev/null/x"
expect "empty value" "hostfs=: needs a value" hostfs=

# Through the FUSE window, host tools see /host (when this host can mount FUSE).
if [ -c /dev/fuse ] && [ -r /dev/fuse ] && [ -w /dev/fuse ] &&
	command -v fusermount3 >/dev/null 2>&1; then
	mkdir -p "$tmp/mnt" "$tmp/c"
	echo "from the host" > "$tmp/c/shown"
	"$UMKA" hostfs="$tmp/c" fuse="$tmp/mnt" > "$tmp/log" 2>&1 &
	pid=$!
	tries=0
	while ! mountpoint -q "$tmp/mnt" && kill -0 "$pid" 2>/dev/null && [ "$tries" -lt 100 ]; do
		tries=$((tries + 1))
		sleep 0.1
	done
	if mountpoint -q "$tmp/mnt"; then
		[ "$(cat "$tmp/mnt/host/shown" 2>&1)" = "from the host" ] &&
			ok "fuse window shows /host" ||
			notok "fuse window shows /host" "$(ls -la "$tmp/mnt/host" 2>&1)"
		echo "through two windows" > "$tmp/mnt/host/written" &&
			[ "$(cat "$tmp/c/written" 2>&1)" = "through two windows" ] &&
			ok "write through the window lands in the host dir" ||
			notok "write through the window lands in the host dir"
		fusermount3 -u "$tmp/mnt"
		wait "$pid"
		st=$?
		pid=
		[ "$st" -eq 0 ] && ok "powers off after unmount" ||
			notok "powers off after unmount (exit $st)" "$(cat "$tmp/log")"
	elif ! kill -0 "$pid" 2>/dev/null; then
		# umka ended before mounting: a crash of hostfs= with fuse=, not
		# a host without FUSE (that is the branch below).
		wait "$pid"
		notok "umka hostfs= fuse= stays up until unmounted (exit $?)" "$(cat "$tmp/log")"
		pid=
	else
		echo "# SKIP fuse window: no FUSE mount on this host within 10 s"
		sed 's/^/#   /' "$tmp/log"
		kill "$pid" 2>/dev/null
		pid=
	fi
else
	echo "# SKIP fuse window: /dev/fuse or fusermount3 unavailable"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
