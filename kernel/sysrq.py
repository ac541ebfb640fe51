"""kernel/sysrq.py - the magic SysRq key: the kernel does it at once.

    echo t > /proc/sysrq-trigger        from a guest (root), always allowed
    Ctrl-] t                            on the console, if kernel.sysrq allows

Linux's drivers/tty/sysrq.c in miniature.  Each key is an operation; the
console key checks /proc/sys/kernel/sysrq (0 off, 1 all, else a mask of
the groups below), the trigger file does not, as on Linux.  The header
line of an operation ("sysrq: Show State") always reaches the console;
what the operation prints goes through printk at its own level (see it
with dmesg when `quiet`).

    key  group  what
    0-9  2      console log level
    b    128    reboot (the machine stops: "reboot: Restarting system")
    o    128    power off
    e    64     SIGTERM to every process but init
    i    64     SIGKILL to every process but init
    s    16     sync
    t    8      every task: state, and for a sleeping one its kernel
                "stack" - the generator frames its system call waits in
    w    8      the tasks in uninterruptible sleep (D)
    m    8      memory
    h    -      help (any unknown key too)

On the console, the key that starts a SysRq is Ctrl-] (0x1d: a terminal
sends it, programs rarely want it); Ctrl-] Ctrl-] sends one Ctrl-] on.
UML asks for it through mconsole; this kernel reads its host terminal.
"""

import os

from kernel import printk, task as ktask
from kernel.printk import pr_info
from fs.sync import sys_sync
from kernel.signal import SigInfo, send_signal
from kernel.syscall import PowerOff
from mm import physmem

sysrq_enabled = 1                   # /proc/sys/kernel/sysrq (Linux's default)
SYSRQ_CONSOLE_KEY = 0x1D            # Ctrl-]


class Op:
    __slots__ = ("handler", "help", "action_msg", "mask")

    def __init__(self, handler, help, action_msg, mask):
        self.handler = handler
        self.help = help
        self.action_msg = action_msg
        self.mask = mask


def sysrq_on_mask(mask):
    return sysrq_enabled == 1 or bool(sysrq_enabled & mask)


def handle_sysrq(key, check_mask=False):
    """Carry out the operation of key (a one-character str)."""
    orig = printk.console_loglevel
    printk.console_loglevel = printk.CONSOLE_LOGLEVEL_DEFAULT   # the header shows
    op = OPS["0"] if "0" <= key <= "9" else OPS.get(key)
    if op is not None:
        if check_mask and not sysrq_on_mask(op.mask):
            pr_info("sysrq: This sysrq operation is disabled.")
            printk.console_loglevel = orig
            return
        pr_info("sysrq: " + op.action_msg)
        printk.console_loglevel = orig
        op.handler(key)
        return
    pr_info("sysrq: HELP : " + " ".join(OPS[k].help for k in sorted(OPS) if OPS[k].help))
    printk.console_loglevel = orig


# -- the operations -------------------------------------------------------------------------

def sysrq_loglevel(key):
    printk.console_loglevel = printk.CONSOLE_LOGLEVEL_DEFAULT
    pr_info("sysrq: Loglevel set to %s" % key)
    printk.console_loglevel = int(key)


def sysrq_reboot(key):
    raise PowerOff("restart")


def sysrq_poweroff(key):
    raise PowerOff("power_off")


def send_sig_all(sig):
    """sig to every process but init (Linux leaves kernel threads alone
    too; there are none here)."""
    for t in list(ktask.tasks.values()):
        if t.is_init or t.exit_state or t.tgid != t.pid:
            continue
        send_signal(t, SigInfo(sig, 0x80), group=True, force=True)   # SI_KERNEL


def sysrq_term(key):
    send_sig_all(15)


def sysrq_kill(key):
    send_sig_all(9)


def sysrq_sync(key):
    sys_sync(None)
    pr_info("sysrq: Emergency Sync complete")


STATE_CHARS = {0: "R", 1: "S", 2: "D", 4: "T", 8: "t", 16: "Z", 32: "X"}


def task_state(t):
    if t.exit_state:
        return STATE_CHARS.get(t.exit_state, "?")
    return STATE_CHARS.get(t.state, "?")


def kernel_stack(t):
    """The frames a sleeping task's system call is suspended in, outermost
    first: the generator chain of t.kstack (gi_yieldfrom)."""
    frames = []
    gen = t.kstack
    while gen is not None:
        frame = getattr(gen, "gi_frame", None)
        if frame is not None:
            code = frame.f_code
            frames.append("%s (%s:%d)" % (code.co_name, _short(code.co_filename), frame.f_lineno))
        gen = getattr(gen, "gi_yieldfrom", None)
    return frames


def _short(path):
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    return os.path.relpath(path, root) if path.startswith(root) else os.path.basename(path)


def show_task(t):
    ppid = t.real_parent.tgid if t.real_parent is not None else 0
    pr_info("task:%-15.15s state:%s pid:%-5d tgid:%-5d ppid:%-6d flags:0x%08x" % (
        t.comm.decode(errors="replace"), task_state(t), t.pid, t.tgid, ppid, t.flags))
    stack = kernel_stack(t)
    if stack:
        pr_info("Call Trace:")
        for line in stack:
            pr_info(" " + line)
    elif t.state == 0 and not t.exit_state:
        pr_info(" (running in user space)")


def sysrq_show_state(key):
    for pid in sorted(ktask.tasks):
        show_task(ktask.tasks[pid])


def sysrq_show_blocked(key):
    for pid in sorted(ktask.tasks):
        t = ktask.tasks[pid]
        if t.state == 2 and not t.exit_state:
            show_task(t)


def sysrq_show_mem(key):
    pm = physmem.physmem
    kb = 4
    pr_info("Mem-Info:")
    total = pm.nr_frames
    free = pm.nr_free
    cache = sum(1 for f in pm.flags if f & 1) if hasattr(pm, "flags") else 0
    pr_info("active_anon_and_file:%d free:%d pagecache:%d" % (total - free - cache, free, cache))
    pr_info("Node 0 Normal free:%dkB present:%dkB" % (free * kb, total * kb))
    pr_info("%d pages RAM" % total)


OPS = {
    "0": Op(sysrq_loglevel, "loglevel(0-9)", "Changing Loglevel", 2),
    "b": Op(sysrq_reboot, "reboot(b)", "Resetting", 128),
    "e": Op(sysrq_term, "terminate-all-tasks(e)", "Terminate All Tasks", 64),
    "i": Op(sysrq_kill, "kill-all-tasks(i)", "Kill All Tasks", 64),
    "m": Op(sysrq_show_mem, "show-memory-usage(m)", "Show Memory", 8),
    "o": Op(sysrq_poweroff, "poweroff(o)", "Power Off", 128),
    "s": Op(sysrq_sync, "sync(s)", "Emergency Sync", 16),
    "t": Op(sysrq_show_state, "show-task-states(t)", "Show State", 8),
    "w": Op(sysrq_show_blocked, "show-blocked-tasks(w)", "Show Blocked State", 8),
}
# h, as any key not here, prints the help


# -- /proc/sysrq-trigger and the console ----------------------------------------------------

def write_sysrq_trigger(t, data):
    """Only the first character counts, unless the data starts with '_':
    then every one that follows does (Linux's bulk mode)."""
    data = bytes(data)
    if not data:
        return 0
    keys = data[1:] if data[:1] == b"_" else data[:1]
    for b in keys:
        if b in b"\n":
            continue
        handle_sysrq(chr(b))
    return len(data)


class ConsoleSysrq:
    """The console's Ctrl-] prefix: filters host input."""

    def __init__(self):
        self.armed = False

    def filter(self, data):
        if not self.armed and SYSRQ_CONSOLE_KEY not in data:
            return data
        out = bytearray()
        for b in data:
            if self.armed:
                self.armed = False
                if b == SYSRQ_CONSOLE_KEY:
                    out.append(b)
                else:
                    handle_sysrq(chr(b), check_mask=True)
            elif b == SYSRQ_CONSOLE_KEY:
                self.armed = True
            else:
                out.append(b)
        return bytes(out)


console_sysrq = ConsoleSysrq()
