"""init/switches.py - boot options that choose between a fast path and the
plain one.

pyuml keeps a few speed-ups beside the Linux-shaped code they shortcut.
Each has one switch, on by default; turned off, the kernel takes the plain
path, which is the one to read first (and the one the labs build on):

  fork_hot_pages=0       fork write-protects every private page, the pages
                         both processes are about to write included, and
                         lets copy-on-write copy them (kernel/fork.py
                         _copy_hot_pages otherwise copies them at fork)
  fork_mprotect_ranges=0 fork marks the parent's write-protected ptes stale
                         and a TLB flush turns them into host mprotects
                         (mm/memory.py copy_page_range otherwise hands back
                         the ranges it protected, as one mprotect each)
  anon_fault_around=0    an anonymous fault maps the one page that faulted
                         (mm/memory.py do_anonymous_page otherwise maps up to
                         sixteen around it, marked _PAGE_AROUND)
  exec_prefault=0        a program's first page faults happen as faults
                         (fs/exec_prefault.py otherwise replays them at exec)
  elf_cache=0            execve parses the ELF headers every time
                         (fs/binfmt_elf.py otherwise keeps them on the page cache)
  fastpaths=0            all five at once

and one that changes what the scheduler counts as time:

  sched_clock=tick       a task is charged 10 ms per preemption tick it takes,
                         not the host time it ran (kernel/sched.py), so that
                         CPU shares depend on counts, not on the host's speed

Each switch is a module attribute named here; the code reads it where the
paths part.
"""

import importlib

from kernel import sched

# boot option -> (module, attribute): True is the fast path
FASTPATHS = {
    "fork_hot_pages": ("kernel.fork", "fork_hot_pages"),
    "fork_mprotect_ranges": ("mm.memory", "fork_mprotect_ranges"),
    "anon_fault_around": ("mm.memory", "anon_fault_around"),
    "exec_prefault": ("fs.exec_prefault", "exec_prefault_enabled"),
    "elf_cache": ("fs.binfmt_elf", "elf_cache"),
}

_ON = ("1", "on", "y", "yes")
_OFF = ("0", "off", "n", "no")


class SwitchError(ValueError):
    pass


def _flag(name, value):
    v = value.lower()
    if v in _ON:
        return True
    if v in _OFF:
        return False
    raise SwitchError("%s=%s: say 1 or 0" % (name, value))


def set_fastpath(name, on):
    mod, attr = FASTPATHS[name]
    setattr(importlib.import_module(mod), attr, on)


def is_switch(name):
    return name in FASTPATHS or name in ("fastpaths", "sched_clock")


def apply(name, value):
    """Set boot option name=value; raises SwitchError for a bad value."""
    if name == "sched_clock":
        if value not in ("tick", "host"):
            raise SwitchError("sched_clock=%s: say tick or host" % value)
        sched.tick_clock = value == "tick"
        return
    on = _flag(name, value)
    for n in (FASTPATHS if name == "fastpaths" else (name,)):
        set_fastpath(n, on)
