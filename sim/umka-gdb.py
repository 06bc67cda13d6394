# gdb support for UmkaOS, the hosted kernel and the hardware images alike:
#   gdb -x sim/umka-gdb.py --args build/umka ktest=all
#   gdb-multiarch -x sim/umka-gdb.py umka-aarch64.elf -ex 'target remote :1234'
# (UMKA_GDB=1 sim/um-boot loads it; sim/qemu-* with UMKA_GDB=1 wait for
# gdb). On arch-um it lets the interrupt signals pass (SIGALRM is a vCPU's
# timer, SIGUSR1 the host I/O thread's kick to vCPU 0, SIGUSR2 an IPI
# between vCPUs; gdb would stop on each). It adds:
#   umka-tasks        every kernel thread: tid, state, CPU, switches, name,
#                     and where a sleeping one sleeps
#   umka-bt TID|NAME  the call chain of a thread that is switched out
#   umka-dmesg        the kernel log ring, oldest record first
# gdb's own `bt` covers the threads running on a CPU; a switched-out
# thread's registers are only on its stack, where the context switch
# pushed them.
import gdb

STATE_LETTER = {0: "R", 1: "S", 2: "D", 4: "X"}
# Frames inside the scheduler say nothing about why a thread sleeps.
SCHED_FUNCS = ("um_switch", "x86_switch", "a64_switch", "rv_switch", "arch_context_switch",
               "context_switch", "schedule", "__schedule", "schedule_timeout",
               "preempt_schedule")


class FrameLayout:
    """Where a machine's context switch leaves the frame pointer and the
    return address, in words from the saved stack pointer, and how a frame
    record links to its caller's: (fp offset of the saved fp, of the return
    address), in bytes."""

    def __init__(self, fp_slot, pc_slot, link):
        self.fp_slot, self.pc_slot, self.link = fp_slot, pc_slot, link


# x86-64 (um_switch, x86_switch): pushes rbp rbx r12..r15, so from the saved
# sp r15 r14 r13 r12 rbx rbp, then the return address; [rbp] is the
# caller's rbp, [rbp+8] the return address.
# AArch64 (a64_switch): x19..x28, then x29 (fp) and x30 (lr); a frame
# record is {fp, lr} at fp.
# RISC-V (rv_switch): ra, then s0 (fp) ...; s0 points above its frame,
# which holds ra at s0-8 and the caller's s0 at s0-16.
LAYOUTS = {
    "i386:x86-64": FrameLayout(5, 6, (0, 8)),
    "aarch64": FrameLayout(10, 11, (0, 8)),
    "riscv:rv64": FrameLayout(1, 0, (-16, -8)),
}


def _layout():
    name = gdb.selected_inferior().architecture().name()
    if name not in LAYOUTS:
        raise gdb.GdbError("umka: no frame layout for %s" % name)
    return LAYOUTS[name]


def _ulong():
    return gdb.lookup_type("unsigned long")


def _read_word(addr):
    return int(gdb.Value(addr).cast(_ulong().pointer()).dereference())


def _tasks():
    """Every struct task on the core's all_tasks list."""
    task_ptr = gdb.lookup_type("struct task").pointer()
    off = int(gdb.parse_and_eval("(unsigned long)&((struct task *)0)->all_node"))
    head = gdb.parse_and_eval("&all_tasks")
    node = head["next"]
    seen = 0
    while int(node) != int(head):
        yield gdb.Value(int(node) - off).cast(task_ptr)
        node = node["next"]
        seen += 1
        if seen > 100000:
            raise gdb.GdbError("umka: all_tasks looks corrupt (no end)")


def _running():
    """Addresses of the tasks running on a CPU now, CPU by address."""
    running = {}
    cpus = gdb.parse_and_eval("cpu_states")
    for cpu in range(cpus.type.range()[1] + 1):
        t = cpus[cpu]["running"]
        if int(t):
            running[int(t)] = cpu
    return running


def _function_at(pc):
    """The function (from the symbol table: never an inlined callee) whose
    code holds pc."""
    out = gdb.execute("info symbol 0x%x" % pc, to_string=True)
    return out.split(" ")[0] if " in section " in out else "??"


def _frames(task):
    """(pc, function name) of a switched-out task, innermost first, by
    frame pointer from the registers its context switch saved. The pcs
    are return addresses: pc - 1 is inside the call, which matters after a
    call to a function that does not return."""
    lay = _layout()
    sp = int(task["ctx"]["sp"])
    if not sp:
        return
    fp = _read_word(sp + 8 * lay.fp_slot)
    pc = _read_word(sp + 8 * lay.pc_slot)
    for _ in range(64):
        if not pc:
            return
        yield pc, _function_at(pc - 1)
        if not fp or fp & 7:
            return
        try:
            pc = _read_word(fp + lay.link[1])
            fp = _read_word(fp + lay.link[0])
        except gdb.MemoryError:
            return


def _find_task(arg):
    """The task a tid or a unique name names."""
    arg = arg.strip()
    if not arg:
        raise gdb.GdbError("usage: umka-bt TID|NAME (see umka-tasks)")
    if arg.isdigit():
        found = [t for t in _tasks() if int(t["tid"]) == int(arg)]
    else:
        found = [t for t in _tasks() if t["name"].string() == arg]
    if not found:
        raise gdb.GdbError("umka: no task %s (see umka-tasks)" % arg)
    if len(found) > 1:
        raise gdb.GdbError("umka: %d tasks are named %s: give a tid (%s)" % (
            len(found), arg, " ".join(str(int(t["tid"])) for t in found)))
    return found[0]


class UmkaTasks(gdb.Command):
    """List the kernel's threads: tid, state (R S D X), CPU, times switched
    in, name, and the first function outside the scheduler a switched-out
    thread sleeps in (or 'on CPU n' for the ones running now)."""

    def __init__(self):
        super().__init__("umka-tasks", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        running = _running()
        gdb.write("%5s %-2s %3s %10s  %-16s %s\n" % ("TID", "ST", "CPU", "SWITCHES", "NAME",
                                                   "WHERE"))
        for t in _tasks():
            addr = int(t)
            if addr in running:
                where = "on CPU %d" % running[addr]
            else:
                where = next((name for _, name in _frames(t) if name not in SCHED_FUNCS), "?")
            gdb.write("%5d %-2s %3d %10d  %-16s %s\n" % (
                int(t["tid"]), STATE_LETTER.get(int(t["state"]), "?"), int(t["cpu"]),
                int(t["nr_switches"]), t["name"].string(), where))


class UmkaBt(gdb.Command):
    """umka-bt TID|NAME: the call chain of a switched-out kernel thread, by
    frame pointer from the registers its context switch saved on its stack.
    For a thread running on a CPU use gdb's own bt."""

    def __init__(self):
        super().__init__("umka-bt", gdb.COMMAND_STACK)

    def invoke(self, arg, from_tty):
        t = _find_task(arg)
        if int(t) in _running():
            raise gdb.GdbError("umka: %s is running on a CPU now: use bt" % arg.strip())
        for i, (pc, name) in enumerate(_frames(t)):
            sal = gdb.find_pc_line(pc - 1)
            where = ""
            if sal.symtab is not None:
                where = " at %s:%d" % (sal.symtab.filename, sal.line)
            gdb.write("#%-2d 0x%016x in %s%s\n" % (i, pc, name, where))


class UmkaDmesg(gdb.Command):
    """Print the kernel log ring (printk's records), oldest first, as
    [seconds.micros] text."""

    def __init__(self):
        super().__init__("umka-dmesg", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        buf = int(gdb.parse_and_eval("(unsigned long)log_buf"))
        size = int(gdb.parse_and_eval("sizeof(log_buf)"))
        off = int(gdb.parse_and_eval("log_tail"))
        seq = int(gdb.parse_and_eval("log_first_seq"))
        end = int(gdb.parse_and_eval("log_next_seq"))
        rec_type = gdb.lookup_type("struct log_record")
        hdr = rec_type.sizeof		# a record's size counts the padded header
        text_off = int(gdb.parse_and_eval("(unsigned long)&((struct log_record *)0)->text"))
        inferior = gdb.selected_inferior()
        while seq < end:
            if off + hdr > size:
                off = 0
            rec = gdb.Value(buf + off).cast(rec_type.pointer()).dereference()
            if int(rec["seq"]) == 0xFFFFFFFFFFFFFFFF:	# wrap marker
                off = 0
                continue
            n = int(rec["len"])
            text = bytes(inferior.read_memory(buf + off + text_off, n)).decode("utf-8", "replace")
            ts = int(rec["ts_ns"])	# from the first printk
            gdb.write("[%5d.%06d] %s\n" % (ts // 1000000000, ts % 1000000000 // 1000,
                                           text.replace("\0", "")))
            off += (hdr + n + 7) & ~7
            seq += 1


# arch-um's interrupts (harmless for a remote target, which has none).
gdb.execute("handle SIGALRM SIGUSR1 SIGUSR2 nostop noprint pass", to_string=True)
UmkaTasks()
UmkaBt()
UmkaDmesg()
