"""arch/x86/gdbregs.py - an i386 thread's registers in the GDB remote protocol.

gdb's i386 register order (eax ecx edx ebx esp ebp esi edi eip eflags, the
segment selectors, the x87 state, xmm0-7, mxcsr, orig_eax); the values are
the low halves of the task's registers.  The encoding helpers are shared
with arch/x86_64/gdbregs.py.
"""

from arch.x86_64.gdbregs import core_regs, read_reg, target_xml, write_reg  # noqa: F401

_GPRS32 = (("eax", "rax"), ("ecx", "rcx"), ("edx", "rdx"), ("ebx", "rbx"),
           ("esp", "rsp"), ("ebp", "rbp"), ("esi", "rsi"), ("edi", "rdi"))

REGS = [(n, 32, ("gpr", f)) for n, f in _GPRS32] + core_regs((), ("eip", "rip"), 32)
REGS += [("xmm%d" % i, 128, ("xmm", i)) for i in range(8)]
REGS += [("mxcsr", 32, ("mxcsr",)), ("orig_eax", 32, ("gpr", "orig_rax"))]

_names = [r[0] for r in REGS]
TARGET_XML = target_xml("i386", REGS, [
    ("org.gnu.gdb.i386.core", _names[:32]),
    ("org.gnu.gdb.i386.sse", _names[32:41]),
    ("org.gnu.gdb.i386.linux", ["orig_eax"]),
])
