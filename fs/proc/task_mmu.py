"""fs/proc/task_mmu.py - /proc/PID/maps: a process's VMAs, one per line,
in Linux's format (start-end perms offset dev inode, then the name padded
to column 73: a file's path, [heap], [stack], or nothing)."""

from fs.inode import dev_major, dev_minor
from mm.vma import VM_EXEC, VM_MAYSHARE, VM_READ, VM_WRITE
from fs.mount import d_path


def is_special(v):
    """A kernel-made mapping such as [vdso]: shown by its name, without the
    file behind it (Linux's special mappings have none)."""
    return bool(v.name) and v.name.startswith("[")


def vma_name(mm, v):
    if is_special(v):
        return v.name
    if v.file is not None:
        return d_path(v.file.path).decode(errors="replace")
    if v.name:
        return v.name
    if mm.start_brk <= v.start < mm.brk or (v.start <= mm.start_brk < v.end and mm.brk > mm.start_brk):
        return "[heap]"
    return ""


def show_maps(mm):
    if mm is None:
        return ""
    out = []
    for v in mm.vmas:
        f = v.flags
        perms = ("r" if f & VM_READ else "-") + ("w" if f & VM_WRITE else "-") + \
            ("x" if f & VM_EXEC else "-") + ("s" if f & VM_MAYSHARE else "p")
        dev = ino = off = 0
        if v.file is not None and not is_special(v):
            inode = v.file.inode
            dev = inode.sb_dev or inode.sb.dev
            ino = inode.ino
            off = v.pgoff << 12
        line = "%08x-%08x %s %08x %02x:%02x %d " % (v.start, v.end, perms, off,
                                                    dev_major(dev), dev_minor(dev), ino)
        name = vma_name(mm, v)
        if name:
            line = line.ljust(73) + name
        out.append(line)
    return "\n".join(out) + ("\n" if out else "")
