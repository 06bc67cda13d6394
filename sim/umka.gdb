# gdb settings for the hosted kernel: gdb -x sim/umka.gdb --args build/umka ...
# (sim/um-boot with UMKA_GDB=1 loads it). arch-um's interrupts are host
# signals: SIGALRM is the vCPU's timer, SIGUSR1 the host I/O thread's kick.
# gdb stops on each by default; let them pass quietly.
handle SIGALRM SIGUSR1 nostop noprint pass
