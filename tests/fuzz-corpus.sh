#!/bin/sh
# Replay every fuzz harness over its seed corpus (and past crashers kept
# there): a regression test for each parser of untrusted input.
srcdir=${srcdir:-.}
status=0
for h in cpio cmdline gunzip fdt path; do
	./tests/fuzz/fuzz_$h "$srcdir/tests/fuzz/corpus/$h" || status=1
done
exit $status
