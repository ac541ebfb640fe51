"""fs/filesystems.py - sysfs(2): the obsolete question "which filesystem
types does this kernel know?".

Option 1 turns a type's name into its index, option 2 an index into the
name, option 3 counts them.  The list is fs/namespace.py's FILESYSTEMS in
registration order, the same one /proc/filesystems shows.
"""

from kernel.errno import EINVAL, ENOENT, Errno
from mm.uaccess import copy_to_user, strncpy_from_user
from fs.namespace import FILESYSTEMS


def _names():
    return [name.encode() for name in FILESYSTEMS]


def sys_sysfs(t, option, arg1, arg2):
    option &= 0xFFFFFFFF
    if option == 1:                             # fs_index
        name = strncpy_from_user(t.mm, arg1, 4096)
        if not name:
            raise Errno(ENOENT)                 # getname() of ""
        names = _names()
        return names.index(name) if name in names else -EINVAL
    if option == 2:                             # fs_name
        index = arg1 & 0xFFFFFFFF
        names = _names()
        if index >= len(names):
            return -EINVAL
        copy_to_user(t.mm, arg2, names[index] + b"\0")
        return 0
    if option == 3:                             # fs_maxindex
        return len(_names())
    return -EINVAL
