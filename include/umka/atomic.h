/* Atomics with the memory order spelled out at every use. Thin wrappers on
 * the compiler's __atomic builtins, which lower to the right instructions on
 * every target; the names say which ordering a reader should expect. */
#ifndef UMKA_ATOMIC_H
#define UMKA_ATOMIC_H

#include <umka/types.h>

struct atomic { int v; };
struct atomic64 { s64 v; };

#define ATOMIC_INIT(x) { (x) }

static inline int atomic_read(const struct atomic *a) { return __atomic_load_n(&a->v, __ATOMIC_RELAXED); }
static inline int atomic_read_acquire(const struct atomic *a) { return __atomic_load_n(&a->v, __ATOMIC_ACQUIRE); }
static inline void atomic_set(struct atomic *a, int x) { __atomic_store_n(&a->v, x, __ATOMIC_RELAXED); }
static inline void atomic_set_release(struct atomic *a, int x) { __atomic_store_n(&a->v, x, __ATOMIC_RELEASE); }
/* Read-modify-write operations returning a value are fully ordered. */
static inline int atomic_add_return(struct atomic *a, int x) { return __atomic_add_fetch(&a->v, x, __ATOMIC_SEQ_CST); }
static inline int atomic_fetch_add(struct atomic *a, int x) { return __atomic_fetch_add(&a->v, x, __ATOMIC_SEQ_CST); }
static inline int atomic_inc_return(struct atomic *a) { return atomic_add_return(a, 1); }
static inline int atomic_dec_return(struct atomic *a) { return atomic_add_return(a, -1); }
/* Statistics counters that order nothing. */
static inline void atomic_inc_relaxed(struct atomic *a) { __atomic_add_fetch(&a->v, 1, __ATOMIC_RELAXED); }
static inline int atomic_xchg(struct atomic *a, int x) { return __atomic_exchange_n(&a->v, x, __ATOMIC_SEQ_CST); }
/* On failure *old is updated with the current value. */
static inline bool atomic_cmpxchg(struct atomic *a, int *old, int x)
{
	return __atomic_compare_exchange_n(&a->v, old, x, false, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED);
}

static inline s64 atomic64_read(const struct atomic64 *a) { return __atomic_load_n(&a->v, __ATOMIC_RELAXED); }
static inline s64 atomic64_read_acquire(const struct atomic64 *a) { return __atomic_load_n(&a->v, __ATOMIC_ACQUIRE); }
static inline void atomic64_set(struct atomic64 *a, s64 x) { __atomic_store_n(&a->v, x, __ATOMIC_RELAXED); }
static inline void atomic64_set_release(struct atomic64 *a, s64 x) { __atomic_store_n(&a->v, x, __ATOMIC_RELEASE); }
static inline s64 atomic64_add_return(struct atomic64 *a, s64 x) { return __atomic_add_fetch(&a->v, x, __ATOMIC_SEQ_CST); }

/* Full barrier; acquire/release fences for hand-rolled protocols. */
static inline void smp_mb(void) { __atomic_thread_fence(__ATOMIC_SEQ_CST); }
static inline void smp_rmb(void) { __atomic_thread_fence(__ATOMIC_ACQUIRE); }
static inline void smp_wmb(void) { __atomic_thread_fence(__ATOMIC_RELEASE); }

static inline void cpu_relax(void)
{
#if defined(__x86_64__)
	__asm__ __volatile__("pause" ::: "memory");
#elif defined(__aarch64__)
	__asm__ __volatile__("yield" ::: "memory");
#else
	barrier();
#endif
}

#endif
