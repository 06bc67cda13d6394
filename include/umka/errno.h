/* Kernel functions return 0 or a negative Linux errno. */
#ifndef UMKA_ERRNO_H
#define UMKA_ERRNO_H
#include <uapi/errno.h>
#include <umka/types.h>

/* Pointers that carry an errno: the top 4095 addresses are never valid. */
#define MAX_ERRNO 4095
static inline void *ERR_PTR(long err) { return (void *)err; }
static inline long PTR_ERR(const void *p) { return (long)p; }
static inline bool IS_ERR(const void *p) { return (uintptr_t)p >= (uintptr_t)-MAX_ERRNO; }
#endif
