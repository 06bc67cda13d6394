#!/bin/sh
# A file system conformance script for host tools, run by fuse-window.sh
# once in a host tmp directory and once in umka's FUSE window; every line it
# prints must come out the same in both runs.
#   fuse-conformance.sh DIR SCRATCH DATA
# DIR: the file system under test (the script works in DIR/work); SCRATCH:
# a host directory of this run's own (tar archives, rsync copies); DATA: the
# shared inputs (DATA/random, 1 MiB; DATA/src, a tree for rsync).
# Each step prints "NAME: ok", "NAME: failed: MESSAGE" (the tool's last
# error line, which carries the errno's text) or "NAME: VALUE".
# As root, a block of steps runs as uid/gid 65534 (setpriv).
dir=$1
scratch=$2
data=$3
[ -d "$dir" ] && [ -d "$scratch" ] && [ -f "$data/random" ] ||
	{ echo "usage: fuse-conformance.sh DIR SCRATCH DATA" >&2; exit 2; }
cd "$dir" || exit 1

# Paths in messages differ between the runs; the tail does not.
norm() { sed -e "s|$dir|DIR|g" -e "s|$scratch|SCRATCH|g" -e "s|$data|DATA|g"; }

step() {	# step NAME CMD...: the command's success, or its last error line
	name=$1
	shift
	if "$@" > /dev/null 2> "$scratch/err"; then
		echo "$name: ok"
	else
		echo "$name: failed: $(tail -n 1 "$scratch/err" | norm)"
	fi
}

show() {	# show NAME CMD...: what the command prints, on one line
	name=$1
	shift
	echo "$name: $("$@" 2>&1 | norm | tr '\n' ' ')"
}

# Direct system calls with errno text, without the tools' own pre-checks
# (mv, for one, refuses a directory over a file before asking the kernel).
sys() {	# sys rename|link|symlink|unlink|rmdir|mkdir ARGS...
	perl -e '
		my ($op, @a) = @ARGV;
		my $r = $op eq "rename" ? rename($a[0], $a[1]) :
			$op eq "link" ? link($a[0], $a[1]) :
			$op eq "symlink" ? symlink($a[0], $a[1]) :
			$op eq "unlink" ? unlink($a[0]) :
			$op eq "rmdir" ? rmdir($a[0]) :
			$op eq "mkdir" ? mkdir($a[0]) : die "bad op\n";
		$r or die "$!\n";' "$@"
}

md5() { md5sum | cut -d' ' -f1; }
range_md5() {	# range_md5 FILE SKIP_MIB COUNT_MIB: checksum of a slice
	dd if="$1" bs=1M skip="$2" count="$3" status=none | md5
}

# ---- Basic operations and the common tools ------------------------------------------------------
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
step dd dd if="$data/random" of=big bs=64k count=16 status=none
step dd-notrunc dd if=/dev/zero of=big bs=1k count=3 seek=5 conv=notrunc status=none
step truncate truncate -s 700000 big
step sparse truncate -s 5M sparse
step tar-c tar cf "$scratch/a.tar" a a2
step tar-x sh -c "mkdir x && tar xf '$scratch/a.tar' -C x"
step many sh -c 'mkdir many && for i in $(seq 1 200); do : > many/f$i; done'
step rm-r rm -r a2
step rm-many rm -r many
step find sh -c 'find . -name "*.txt" -o -type l | sort'
step ls-lR ls -lR .
step cat-dir cat a
step mkfifo mkfifo fifo
show find-list sh -c 'find . | sort | md5sum'
show ls-lR-names sh -c 'ls -R . | md5sum'

# ---- Truncate up and down -------------------------------------------------------------------------
step trunc-src cp "$data/random" t
step trunc-down truncate -s 300001 t
show trunc-down-data sh -c 'stat -c %s t; md5sum < t'
step trunc-up truncate -s 600000 t
show trunc-up-data sh -c 'stat -c %s t; md5sum < t; tail -c 299999 t | tr -d "\0" | wc -c'
step trunc-zero truncate -s 0 t
step trunc-regrow truncate -s 4097 t
show trunc-regrow-data sh -c 'stat -c %s t; md5sum < t'
step ftruncate dd if=/dev/null of=t bs=1 seek=12345 status=none	# ftruncate on an open fd
show ftruncate-size stat -c %s t
step trunc-rm rm t

# ---- Large sparse files (sizes and holes, never st_blocks across file systems) -----------------
step sparse-4g truncate -s 4G huge
step sparse-write-1g dd if="$data/random" of=huge bs=1M seek=1024 count=1 conv=notrunc status=none
step sparse-write-3g dd if="$data/random" of=huge bs=4096 seek=786433 count=3 conv=notrunc \
	status=none
step sparse-extend dd if="$data/random" of=huge bs=1M seek=5120 count=1 conv=notrunc status=none
show sparse-size stat -c %s huge
show sparse-hole-data-hole range_md5 huge 1023 3
show sparse-3g range_md5 huge 3072 1
show sparse-tail sh -c 'tail -c 3000000 huge | md5sum'
show sparse-head range_md5 huge 0 2
show sparse-unallocated sh -c '[ $(($(stat -c %b huge) * 512)) -lt $(stat -c %s huge) ] && echo yes'
step sparse-cut truncate -s 1073872896 huge	# 1 GiB + 128 KiB: inside the data
show sparse-cut-data sh -c 'stat -c %s huge; tail -c 1048576 huge | md5sum'
step sparse-rm rm huge

# ---- Renames, with the kernel's own errno ----------------------------------------------------------
mkdir -p r/d1/in r/d2 r/d3/in r/e && : > r/file && : > r/d3/in/x && : > r/file2
step rename-dir-over-empty-dir sys rename r/d1 r/d2
step rename-dir-over-full-dir sys rename r/d2 r/d3
step rename-dir-over-file sys rename r/d2 r/file
step rename-file-over-dir sys rename r/file r/e
step rename-dir-into-itself sys rename r/d2 r/d2/in/sub
step rename-to-self sys rename r/file r/file
step rename-missing sys rename r/nothing r/file
step rename-file-over-file sys rename r/file2 r/file
step rename-over-hardlink sh -c 'ln r/file r/file.h && perl -e "rename(q(r/file), q(r/file.h)) or die"'
show rename-over-hardlink-names sh -c 'ls r | tr "\n" " "; stat -c %h r/file'
step rename-dir-across sys rename r/d2 r/d3/in/moved
step rename-notdir-path sys rename r/file/x r/y
step rmdir-file sys rmdir r/file
step rmdir-full sys rmdir r/d3
step unlink-dir sys unlink r/e
step mkdir-exists sys mkdir r/e
step mv-dir-over-dir-T mv -T r/e r/d3
show rename-tree sh -c 'find r | sort | tr "\n" " "'
show rename-links sh -c 'find r -type d -printf "%n %P\n" | sort | tr "\n" " "'
step rename-rm rm -r r

# ---- Hard links and symbolic link chains -------------------------------------------------------------
echo data > h1
step link-2 ln h1 h2
step link-3 sys link h1 h3
step link-dir sys link a h4
step link-over sys link h1 h2
show link-counts stat -c %h h1 h2 h3
show link-same-inode sh -c '[ $(stat -c %i h1) = $(stat -c %i h3) ] && echo same'
step link-unlink rm h2
show link-counts-after stat -c %h h1 h3
step link-write-through sh -c 'echo more >> h3'
show link-data cat h1
step link-rm rm h1 h3
show dir-links sh -c 'mkdir -p dl/s1 dl/s2 dl/s3; stat -c %h dl; rmdir dl/s2; stat -c %h dl'
step dir-links-rm rm -r dl

echo target > s0
for i in 1 2 3 4 5 6 7 8 9 10; do ln -s s$((i - 1)) s$i; done
show symlink-chain cat s10
show symlink-chain-readlink sh -c 'readlink s10; readlink -f s10 | sed "s|.*/||"'
step symlink-loop-make sh -c 'ln -s loop2 loop1 && ln -s loop1 loop2'
step symlink-loop cat loop1
step symlink-dangling-read cat a/dangling
step symlink-dir sh -c 'ln -s a/b sdir && ls sdir/c && cd sdir/c && ls'
step symlink-noderef sh -c 'rm sdir && [ -d a/b ]'
show symlink-lstat sh -c 'stat -c "%F %s" s1 s10'
step symlink-rm sh -c 'rm s0 s1 s2 s3 s4 s5 s6 s7 s8 s9 s10 loop1 loop2'

# ---- A directory of 10,000 entries -----------------------------------------------------------------
step dir10k-create sh -c 'mkdir d10k && i=0; while [ $i -lt 10000 ]; do
	: > d10k/f$i || exit 1; i=$((i + 1)); done'
show dir10k-count sh -c 'ls d10k | wc -l; ls -f d10k | wc -l'
show dir10k-listing sh -c 'ls d10k | md5sum; find d10k -type f | sort | md5sum'
step dir10k-rename perl -e 'for (my $i = 0; $i < 10000; $i += 7) {
	rename("d10k/f$i", "d10k/g$i") or die "$i: $!\n" }'
step dir10k-move sh -c 'mkdir d10k/sub && mv d10k/f*3 d10k/sub/'
show dir10k-after sh -c 'ls d10k | wc -l; ls d10k/sub | wc -l; ls -R d10k | md5sum'
step dir10k-stat-all sh -c 'ls -l d10k > /dev/null'
step dir10k-rm rm -r d10k
show dir10k-gone sh -c '[ ! -e d10k ] && echo gone'

# ---- Concurrent writers ---------------------------------------------------------------------------------
# Four processes write disjoint 256 KiB regions of one file (no truncation).
: > shared
for w in 0 1 2 3; do
	dd if="$data/random" of=shared bs=16k skip=$((w * 16)) seek=$((w * 16)) count=16 \
		conv=notrunc status=none &
done
wait
show concurrent-regions sh -c "stat -c %s shared; md5sum < shared; md5sum < '$data/random'"
# Four appenders, each to its own file, and four sharing one O_APPEND file
# through one long-lived descriptor each: no line lost, none torn.
for w in 0 1 2 3; do
	(
		exec 3>> applog
		i=0
		while [ $i -lt 300 ]; do
			echo "writer $w line $i $(printf %40d $i)" >&3
			echo "line $i" >> own$w
			i=$((i + 1))
		done
	) &
done
wait
show concurrent-append-own sh -c 'cat own0 own1 own2 own3 | md5sum; wc -l < own3'
show concurrent-append-shared sh -c 'wc -l < applog; stat -c %s applog; sort applog | md5sum'
show concurrent-append-per-writer sh -c 'for w in 0 1 2 3; do grep -c "^writer $w " applog; done'
step concurrent-rm rm shared applog own0 own1 own2 own3

# ---- rsync in and back out ------------------------------------------------------------------------------
step rsync-in rsync -aH "$data/src/" rs/
step rsync-out rsync -aH rs/ "$scratch/rs-out/"
show rsync-roundtrip sh -c "cd '$data/src' && find . -printf '%y %m %n %s %T@ %l %P\n' | sort |
	md5sum; cd '$scratch/rs-out' && find . -printf '%y %m %n %s %T@ %l %P\n' | sort | md5sum;
	diff -r '$data/src' . && echo same"
show rsync-again-transfers sh -c "rsync -aHi '$data/src/' rs/ | wc -l"
step rsync-delete sh -c "rm rs/f1 && rsync -aH --delete rs/ '$scratch/rs-out/' && [ ! -e '$scratch/rs-out/f1' ]"
step rsync-rm rm -r rs

# ---- Permissions for a non-root uid ---------------------------------------------------------------------
if [ "$(id -u)" = 0 ]; then
	mkdir pub && chmod 1777 pub && chown 0:0 pub
	echo secret > pub/rootfile && chmod 600 pub/rootfile
	mkdir priv && chmod 700 priv && : > priv/inside
	as() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
	step user-create as sh -c 'echo mine > pub/userfile'
	step user-read-private as cat pub/rootfile
	step user-write-private as sh -c 'echo x >> pub/rootfile'
	step user-unlink-sticky as rm -f pub/rootfile
	step user-rename-sticky as perl -e 'rename("pub/rootfile", "pub/mine") or die "$!\n"'
	step user-unlink-own as sh -c 'echo tmp > pub/tmp && rm pub/tmp'
	step user-chmod-own as chmod 604 pub/userfile
	step user-chmod-other as chmod 666 pub/rootfile
	step user-chown as chown 0 pub/userfile
	step user-mkdir-in-root-dir as mkdir a/nope
	step user-search-private as stat priv/inside
	step user-list-private as ls priv
	step user-utime-other as touch pub/rootfile
	step user-truncate-other as truncate -s 0 pub/rootfile
	step root-reads-anyway cat pub/rootfile
	show user-owner stat -c '%u %g %a' pub/userfile
	rm -r priv
fi
