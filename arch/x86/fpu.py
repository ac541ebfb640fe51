"""arch/x86/fpu.py - the i387 "fsave" header of a 32-bit signal frame.

A 32-bit signal frame keeps the FP state twice over, for old programs'
sake: first the 112-byte legacy struct _fpstate_32 (control, status and tag
words, the instruction and operand pointers, the eight 80-bit x87
registers), which sigcontext.fpstate points at, and right after it (64-byte
aligned) the modern fxsave/xsave image, the same one a 64-bit frame holds.

Linux writes the header from the fxsave image (convert_from_fxsr) and, on
sigreturn, folds the header back into the image (convert_to_fxsr), so a
handler that edits the legacy fields is obeyed.  These are the two
conversions; the xsave bytes are the host's (skas/fpu.py).
"""

import struct

FREGS_STATE_SIZE = 112          # struct _fpstate_32 up to and including "magic"
X86_FXSR_MAGIC = 0x0000         # "the fxsave image follows"

_HEAD = struct.Struct("<7I")    # cwd swd twd fip fcs foo fos


def _st(fx, i):
    return fx[32 + 16 * i:32 + 16 * i + 10]


def _tag_of(reg):
    """The full i387 tag of an 80-bit register: 0 valid, 1 zero, 2 special."""
    mant, exp = struct.unpack("<QH", reg)
    exp &= 0x7FFF
    if exp == 0x7FFF:
        return 2
    if exp == 0:
        return 1 if mant == 0 else 2
    return 0 if mant >> 63 else 2


def twd_fxsr_to_i387(fx):
    """The full tag word from fxsave's abridged one and the registers."""
    ftw = fx[4]
    top = (struct.unpack_from("<H", fx, 2)[0] >> 11) & 7
    twd = 0
    for phys in range(8):
        if ftw & (1 << phys):
            tag = _tag_of(_st(fx, (phys - top) & 7))
        else:
            tag = 3                                 # empty
        twd |= tag << (2 * phys)
    return twd | 0xFFFF0000


def twd_i387_to_fxsr(twd):
    return sum(1 << i for i in range(8) if (twd >> (2 * i)) & 3 != 3)


def fsave_header(fx, cs, ds):
    """struct _fpstate_32's legacy part from an fxsave image (512+ bytes).
    cs and ds stand in for the selectors a 64-bit fxsave does not keep."""
    cwd, swd = struct.unpack_from("<HH", fx, 0)
    fop = struct.unpack_from("<H", fx, 6)[0]
    fip, fdp = struct.unpack_from("<QQ", fx, 8)
    head = _HEAD.pack(cwd | 0xFFFF0000, swd | 0xFFFF0000, twd_fxsr_to_i387(fx),
                      fip & 0xFFFFFFFF, (cs & 0xFFFF) | (fop << 16), fdp & 0xFFFFFFFF,
                      (ds & 0xFFFF) | 0xFFFF0000)
    regs = b"".join(_st(fx, i) for i in range(8))
    return head + regs + struct.pack("<HH", swd, X86_FXSR_MAGIC)


def fold_fsave_header(fx, header):
    """The fxsave image with the legacy header's contents folded in."""
    cwd, swd, twd, fip, fcs, foo, _fos = _HEAD.unpack_from(header, 0)
    fx = bytearray(fx)
    struct.pack_into("<HHB", fx, 0, cwd & 0xFFFF, swd & 0xFFFF, twd_i387_to_fxsr(twd))
    struct.pack_into("<H", fx, 6, (fcs >> 16) & 0xFFFF)
    struct.pack_into("<QQ", fx, 8, fip, foo)
    for i in range(8):
        fx[32 + 16 * i:32 + 16 * i + 10] = header[28 + 10 * i:38 + 10 * i]
    return bytes(fx)
