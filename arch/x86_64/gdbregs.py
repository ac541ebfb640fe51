"""arch/x86_64/gdbregs.py - a thread's registers in the GDB remote protocol.

The GDB stub (kernel/gdbstub.py) describes the registers with a target
description (TARGET_XML: gdb's own feature names, org.gnu.gdb.i386.core,
.sse, .linux, .segments) and sends them in that order, each little-endian,
in the 'g' packet.  The values come from the task's user registers
(t.regs) and its xsave image (skas/fpu.py), whose first 512 bytes are the
fxsave layout gdb knows: x87 control words, st0-7, xmm0-15, mxcsr.

arch/x86/gdbregs.py is the same for i386 processes.
"""

import struct
from arch.x86.fpu import twd_fxsr_to_i387, twd_i387_to_fxsr
from skas.fpu import get_xstate, set_xstate

# (name, bits, where): where is ("gpr", field) | ("seg", field) | ("eflags",)
# | ("st", i) | ("fpu", control word) | ("xmm", i) | ("mxcsr",)
_GPRS = ("rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp",
         "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15")
FPU_CONTROL = ("fctrl", "fstat", "ftag", "fiseg", "fioff", "foseg", "fooff", "fop")


def core_regs(gprs, ip, bits):
    regs = [(n, bits, ("gpr", n)) for n in gprs]
    regs.append((ip[0], bits, ("gpr", ip[1])))
    regs.append(("eflags", 32, ("eflags",)))
    regs += [(s, 32, ("seg", s)) for s in ("cs", "ss", "ds", "es", "fs", "gs")]
    regs += [("st%d" % i, 80, ("st", i)) for i in range(8)]
    regs += [(n, 32, ("fpu", n)) for n in FPU_CONTROL]
    return regs


REGS = core_regs(_GPRS, ("rip", "rip"), 64)
REGS += [("xmm%d" % i, 128, ("xmm", i)) for i in range(16)]
REGS += [("mxcsr", 32, ("mxcsr",)), ("orig_rax", 64, ("gpr", "orig_rax")),
         ("fs_base", 64, ("gpr", "fs_base")), ("gs_base", 64, ("gpr", "gs_base"))]

_VEC128 = """    <vector id="v4f" type="ieee_single" count="4"/>
    <vector id="v2d" type="ieee_double" count="2"/>
    <vector id="v16i8" type="int8" count="16"/>
    <vector id="v8i16" type="int16" count="8"/>
    <vector id="v4i32" type="int32" count="4"/>
    <vector id="v2i64" type="int64" count="2"/>
    <union id="vec128">
      <field name="v4_float" type="v4f"/>
      <field name="v2_double" type="v2d"/>
      <field name="v16_int8" type="v16i8"/>
      <field name="v8_int16" type="v8i16"/>
      <field name="v4_int32" type="v4i32"/>
      <field name="v2_int64" type="v2i64"/>
      <field name="uint128" type="uint128"/>
    </union>
"""


def _type(name, bits):
    if name in ("rip", "eip"):
        return "code_ptr"
    if name in ("rsp", "rbp", "esp", "ebp"):
        return "data_ptr"
    if name.startswith("st"):
        return "i387_ext"
    if name.startswith("xmm"):
        return "vec128"
    return "int%d" % bits if bits in (32, 64) else "int"


def target_xml(arch, regs, features):
    """A target description: features is [(feature name, register names)]."""
    by_name = {r[0]: r for r in regs}
    out = ['<?xml version="1.0"?>', '<!DOCTYPE target SYSTEM "gdb-target.dtd">',
           '<target version="1.0">', "  <architecture>%s</architecture>" % arch,
           "  <osabi>GNU/Linux</osabi>"]
    num = 0
    for feature, names in features:
        out.append('  <feature name="%s">' % feature)
        if feature.endswith(".sse"):
            out.append(_VEC128.rstrip("\n"))
        for n in names:
            _, bits, where = by_name[n]
            group = ' group="float"' if where[0] == "fpu" else \
                ' group="vector"' if where[0] == "mxcsr" else ""
            out.append('    <reg name="%s" bitsize="%d" type="%s" regnum="%d"%s/>'
                       % (n, bits, _type(n, bits), num, group))
            num += 1
        out.append("  </feature>")
    out.append("</target>")
    return "\n".join(out) + "\n"


_names = [r[0] for r in REGS]
TARGET_XML = target_xml("i386:x86-64", REGS, [
    ("org.gnu.gdb.i386.core", _names[:40]),
    ("org.gnu.gdb.i386.sse", _names[40:57]),
    ("org.gnu.gdb.i386.linux", ["orig_rax"]),
    ("org.gnu.gdb.i386.segments", ["fs_base", "gs_base"]),
])


# -- values ------------------------------------------------------------------------

def _full_tag(fx):
    return twd_fxsr_to_i387(fx) & 0xFFFF


def read_reg(t, reg, fx):
    """The bytes of one register (fx: the thread's fxsave image)."""
    name, bits, where = reg
    kind = where[0]
    nbytes = bits // 8
    if kind == "gpr":
        v = getattr(t.regs, where[1])
    elif kind == "seg":
        v = getattr(t.regs, where[1]) & 0xFFFF
    elif kind == "eflags":
        v = t.regs.eflags
    elif kind == "st":
        return fx[32 + 16 * where[1]:42 + 16 * where[1]]
    elif kind == "xmm":
        return fx[160 + 16 * where[1]:176 + 16 * where[1]]
    elif kind == "mxcsr":
        v = struct.unpack_from("<I", fx, 24)[0]
    else:
        n = where[1]
        if n == "fctrl":
            v = struct.unpack_from("<H", fx, 0)[0]
        elif n == "fstat":
            v = struct.unpack_from("<H", fx, 2)[0]
        elif n == "ftag":
            v = _full_tag(fx)
        elif n == "fiseg":
            v = struct.unpack_from("<H", fx, 12)[0]
        elif n == "fioff":
            v = struct.unpack_from("<I", fx, 8)[0]
        elif n == "foseg":
            v = struct.unpack_from("<H", fx, 20)[0]
        elif n == "fooff":
            v = struct.unpack_from("<I", fx, 16)[0]
        else:
            v = struct.unpack_from("<H", fx, 6)[0] & 0x7FF
    return (v & ((1 << bits) - 1)).to_bytes(nbytes, "little")


def write_reg(t, reg, data, view):
    """Write one register from its bytes; view is the ptrace view whose
    putreg checks what a debugger may write."""
    name, bits, where = reg
    kind = where[0]
    v = int.from_bytes(data[:bits // 8], "little")
    if kind in ("gpr", "seg", "eflags"):
        field = where[1] if kind != "eflags" else "eflags"
        if view.__name__.endswith("x86.ptrace"):
            view.putreg32(t, _to32(field), v)
        else:
            view.putreg(t, field, v)
        return
    img = bytearray(get_xstate(t))
    if kind == "st":
        img[32 + 16 * where[1]:42 + 16 * where[1]] = data[:10]
    elif kind == "xmm":
        img[160 + 16 * where[1]:176 + 16 * where[1]] = data[:16]
    elif kind == "mxcsr":
        img[24:28] = struct.pack("<I", v)
    else:
        n = where[1]
        if n == "fctrl":
            img[0:2] = struct.pack("<H", v & 0xFFFF)
        elif n == "fstat":
            img[2:4] = struct.pack("<H", v & 0xFFFF)
        elif n == "ftag":
            img[4] = twd_i387_to_fxsr(v)
        elif n == "fop":
            img[6:8] = struct.pack("<H", v & 0x7FF)
        elif n == "fioff":
            img[8:12] = struct.pack("<I", v & 0xFFFFFFFF)
        elif n == "fooff":
            img[16:20] = struct.pack("<I", v & 0xFFFFFFFF)
    if len(img) > 520:
        img[512:520] = struct.pack("<Q", struct.unpack_from("<Q", img, 512)[0] | 3)
    set_xstate(t, bytes(img))


def _to32(field):
    return {"rax": "eax", "rbx": "ebx", "rcx": "ecx", "rdx": "edx", "rsi": "esi",
            "rdi": "edi", "rbp": "ebp", "rsp": "esp", "rip": "eip",
            "orig_rax": "orig_eax"}.get(field, field)
