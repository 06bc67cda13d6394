/* arch-um internals: the hosted machine's pieces share these. This is the
 * only place (with the rest of src/arch-um/) that includes host headers. */
#ifndef UM_H
#define UM_H

#include <stdint.h>
#include <stddef.h>

struct boot_info;

/* cpu.c: interrupts, timer, idle */
void um_cpu_init(void);
void um_cpu_shutdown(void);

/* context.c: the boot (main) thread's stack, for sanitizers/unwinding */
void um_context_init_boot(void);

/* switch.S */
void um_switch(uintptr_t *save_sp, uintptr_t new_sp);
void um_thread_start(void);

/* console.c */
void um_console_init(void);

#endif
