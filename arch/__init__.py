"""arch - the subarchitectures, chosen per process by the ELF class.

The kernel never imports a subarch by name: an ELF file's class and machine
pick one here, and the task carries it (task.arch) from then on.
"""

import importlib

_SUBARCHES = {(64, 62): "arch.x86_64", (32, 3): "arch.x86"}


def for_elf(elfclass, machine):
    name = _SUBARCHES.get((elfclass, machine))
    if name is None:
        return None
    try:
        mod = importlib.import_module(name)
    except ImportError:
        return None
    return mod
