/* Pipes and FIFOs: the kernel side of pipe2(), mkfifo() + open(), and
 * FIONREAD. A pipe is a bounded byte buffer with a read end and a write
 * end; anonymous pipes live on an internal filesystem (pipefs), FIFOs are
 * S_IFIFO inodes of any filesystem whose opens meet at one pipe.
 * docs/vfs.md ("Pipes and FIFOs") gives the semantics and locking. */
#ifndef UMKA_PIPE_H
#define UMKA_PIPE_H

#include <umka/types.h>

struct cred;
struct fd_table;
struct file;

/* Writes of at most PIPE_BUF bytes are atomic: never split, never
 * interleaved with other writers' data (POSIX; Linux's value). */
#define PIPE_BUF 4096
/* Default capacity in pages: 64 KiB with 4 KiB pages, as Linux. */
#define PIPE_DEF_PAGES 16

/* A new pipe: *rd is its read end (O_RDONLY), *wr its write end
 * (O_WRONLY), each holding one reference. flags: O_NONBLOCK goes to both
 * ends; O_CLOEXEC is accepted and left to the descriptor layer (see
 * pipe_fds). Anything else (O_DIRECT packet mode included) is -EINVAL;
 * -ENOMEM leaves nothing behind. The ends' inode is S_IFIFO 0600 owned by
 * c's fsuid/fsgid. */
int pipe_create(const struct cred *c, u32 flags, struct file **rd, struct file **wr);

/* pipe2(): pipe_create, then install both ends in t (O_CLOEXEC honoured),
 * fds[0] the read end. -EMFILE leaves t as it was. */
int pipe_fds(struct fd_table *t, const struct cred *c, u32 flags, int fds[2]);

/* FIONREAD: bytes buffered in the pipe behind f, or -EINVAL if f is not a
 * pipe or FIFO end. */
long pipe_nr_buffered(struct file *f);

/* Whether f is an open pipe or FIFO. */
bool file_is_pipe(const struct file *f);

#endif
