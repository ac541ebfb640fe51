"""fs/binfmt_script.py - "#!" interpreter scripts.

"#!/bin/sh -e" in the first line means: run /bin/sh with the optional
argument "-e" (everything after the interpreter name, as one argument, as
Linux does), then the script's path, then the original arguments but the
first.  Nesting is limited (ELOOP), a missing interpreter is ENOENT.
"""

from kernel.errno import ELOOP, ENOEXEC, Errno
from fs.exec import BINPRM_BUF_SIZE, open_exec, prepare_binprm, search_binary_handler


def load_binary(t, bprm):
    buf = bprm.buf
    if not buf.startswith(b"#!"):
        return None
    if bprm.depth >= 4:
        raise Errno(ELOOP)
    line = buf[2:].split(b"\n", 1)[0]
    if b"\n" not in buf[2:] and len(buf) >= BINPRM_BUF_SIZE:
        line = line                        # a long line: use what we have
    line = line.replace(b"\t", b" ").strip(b" ")
    if not line:
        raise Errno(ENOEXEC)
    parts = line.split(b" ", 1)
    interp = parts[0]
    arg = parts[1].strip(b" ") if len(parts) > 1 else b""
    new_argv = [interp] + ([arg] if arg else []) + [bprm.interp] + bprm.argv[1:]
    bprm.argv = new_argv
    bprm.interp = interp
    bprm.depth += 1
    old = bprm.file
    bprm.file = open_exec(t, interp)
    old.put()
    prepare_binprm(bprm)
    return search_binary_handler(t, bprm)
