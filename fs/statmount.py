"""fs/statmount.py - statmount(2) and listmount(2) (Linux 6.8): what
/proc/self/mountinfo says, asked for one mount at a time by its unique id.

Every mount has, beside the small id mountinfo shows (Mount.id, reused by
nobody here either), a 64-bit *unique* id: MNT_UNIQUE_ID_OFFSET + Mount.id,
so that the two can never be taken for each other (statx gives it for
STATX_MNT_ID_UNIQUE).  Both calls take a struct mnt_id_req (size, the
namespace fields, the mount's unique id, a parameter).

statmount fills a struct statmount with the parts the mask asks for
(superblock basics, mount basics, the mount's root within its filesystem,
its mount point, the filesystem type, options, source); strings go after
the struct, NUL-terminated, found by their offsets; if they do not fit the
buffer the call is EOVERFLOW.  listmount lists the unique ids of the mounts
below a mount (for LSMT_ROOT: the caller's root mount and all below it),
in id order, from after the last id the caller already has.

A mount the caller cannot reach from its root (after chroot) needs
CAP_SYS_ADMIN: EPERM otherwise.  Propagation types and peer groups are
fs/pnode.py's.
"""

import struct

from kernel.errno import E2BIG, EFAULT, EINVAL, ENOENT, EOVERFLOW, EPERM, Errno
from kernel.capability import CAP_SYS_ADMIN, capable
from fs.inode import dev_major, dev_minor
from fs.mount import Path, all_mounts, d_path
from fs.namespace import MS_RDONLY, _reachable
from fs.pnode import propagation_flags
from fs.fsmount import MOUNT_ATTR_NOATIME, MOUNT_ATTR_RELATIME, _ATTR_TO_MS
from fs.namespace import MS_NOATIME
from mm.uaccess import access_ok, copy_from_user, copy_to_user

MNT_UNIQUE_ID_OFFSET = 1 << 31
LSMT_ROOT = 0xFFFFFFFFFFFFFFFF
LISTMOUNT_REVERSE = 1
MNT_ID_REQ_SIZE_VER0, MNT_ID_REQ_SIZE_VER1 = 24, 32
MNT_NS_ID = 1                   # the one mount namespace's id (NS_GET_MNTNS_ID)

STATMOUNT_SB_BASIC, STATMOUNT_MNT_BASIC, STATMOUNT_PROPAGATE_FROM = 1, 2, 4
STATMOUNT_MNT_ROOT, STATMOUNT_MNT_POINT, STATMOUNT_FS_TYPE = 8, 0x10, 0x20
STATMOUNT_MNT_NS_ID, STATMOUNT_MNT_OPTS, STATMOUNT_SB_SOURCE = 0x40, 0x80, 0x200

# struct statmount: size, mnt_opts (once __spare1), mask, ... mnt_gidmap;
# then __spare2[44]: 512 bytes in all
_HEAD = struct.Struct("<IIQIIQIIQQIIQQQQQIIQIIIIIIIIII")
STATMOUNT_SIZE = 512


def unique_id(mnt):
    return MNT_UNIQUE_ID_OFFSET + mnt.id


def _copy_mnt_id_req(t, req):
    """(mnt_id, param) from a struct mnt_id_req."""
    if not access_ok(t.mm, req, 4):
        raise Errno(EFAULT)
    (usize,) = struct.unpack("<I", copy_from_user(t.mm, req, 4))
    if usize > 4096:
        raise Errno(E2BIG)
    if usize < MNT_ID_REQ_SIZE_VER0:
        raise Errno(EINVAL)
    raw = copy_from_user(t.mm, req, usize)
    if any(raw[MNT_ID_REQ_SIZE_VER1:]):
        raise Errno(E2BIG)
    raw = raw.ljust(MNT_ID_REQ_SIZE_VER1, b"\0")
    _, spare, mnt_id, param, ns_id = struct.unpack("<IIQQQ", raw[:MNT_ID_REQ_SIZE_VER1])
    if spare:
        raise Errno(EINVAL)
    if mnt_id <= MNT_UNIQUE_ID_OFFSET:
        raise Errno(EINVAL)             # the first unique id is OFFSET + 1
    if ns_id and ns_id != MNT_NS_ID:
        raise Errno(ENOENT)
    return mnt_id, param


def _lookup(mnt_id):
    for m in all_mounts:
        if unique_id(m) == mnt_id:
            return m
    raise Errno(ENOENT)


def _may_see(t, path):
    if not _reachable(path, t.fs.root) and not capable(t, CAP_SYS_ADMIN):
        raise Errno(EPERM)              # not below our root


def mount_attr(m):
    """The MOUNT_ATTR_ bits of a mount's flags."""
    flags = m.flags
    attr = 0
    for a, ms in _ATTR_TO_MS:
        if flags & ms:
            attr |= a
    if m.read_only:
        attr |= 1
    # relatime is the default, as mount(2) on Linux makes it
    return attr | (MOUNT_ATTR_NOATIME if flags & MS_NOATIME else MOUNT_ATTR_RELATIME)


def _root_in_fs(m):
    names, d = [], m.root
    while d.parent is not d:
        names.append(d.name)
        d = d.parent
    return b"/" + b"/".join(reversed(names))


def sys_statmount(t, req, buf, bufsize, flags):
    if flags & 0xFFFFFFFF:
        return -EINVAL
    mnt_id, mask = _copy_mnt_id_req(t, req)
    bufsize &= 0xFFFFFFFFFFFFFFFF
    if not access_ok(t.mm, buf, bufsize):
        return -EFAULT
    m = _lookup(mnt_id)
    _may_see(t, Path(m, m.root))
    sb = m.sb
    f = dict.fromkeys(("sb_dev_major", "sb_dev_minor", "sb_magic", "sb_flags", "mnt_id",
                       "mnt_parent_id", "mnt_id_old", "mnt_parent_id_old", "mnt_attr",
                       "mnt_propagation", "mnt_peer_group", "mnt_master", "propagate_from",
                       "mnt_ns_id"), 0)
    strings = bytearray()
    offsets = {}
    done = 0

    def string(name, value):
        offsets[name] = len(strings)
        strings.extend(value + b"\0")
        if STATMOUNT_SIZE + len(strings) > bufsize:
            raise Errno(EOVERFLOW)

    if mask & STATMOUNT_SB_BASIC:
        f.update(sb_dev_major=dev_major(sb.dev), sb_dev_minor=dev_minor(sb.dev),
                 sb_magic=sb.magic,
                 sb_flags=(MS_RDONLY if sb.read_only else 0)
                 | sb.s_flags)
        done |= STATMOUNT_SB_BASIC
    if mask & STATMOUNT_MNT_BASIC:
        parent = m.parent
        f.update(mnt_id=unique_id(m), mnt_parent_id=unique_id(parent), mnt_id_old=m.id,
                 mnt_parent_id_old=parent.id, mnt_attr=mount_attr(m),
                 mnt_propagation=propagation_flags(m), mnt_peer_group=m.group,
                 mnt_master=m.master)
        done |= STATMOUNT_MNT_BASIC
    if mask & STATMOUNT_PROPAGATE_FROM:
        f["propagate_from"] = m.master
        done |= STATMOUNT_PROPAGATE_FROM
    if mask & STATMOUNT_FS_TYPE:
        string("fs_type", sb.fstype.encode())
        done |= STATMOUNT_FS_TYPE
    if mask & STATMOUNT_MNT_ROOT:
        string("mnt_root", _root_in_fs(m))
        done |= STATMOUNT_MNT_ROOT
    if mask & STATMOUNT_MNT_POINT:
        string("mnt_point", d_path(Path(m, m.root), t.fs.root))
        done |= STATMOUNT_MNT_POINT
    if mask & STATMOUNT_MNT_NS_ID:
        f["mnt_ns_id"] = MNT_NS_ID
        done |= STATMOUNT_MNT_NS_ID
    if mask & STATMOUNT_MNT_OPTS:
        opts = m.options if sb.fstype != "hostfs" else b""
        string("mnt_opts", opts if isinstance(opts, bytes) else opts.encode())
        done |= STATMOUNT_MNT_OPTS
    if mask & STATMOUNT_SB_SOURCE:
        string("sb_source", m.source)
        done |= STATMOUNT_SB_SOURCE
    copysize = min(bufsize, STATMOUNT_SIZE)
    head = _HEAD.pack(
        copysize + len(strings), offsets.get("mnt_opts", 0), done,
        f["sb_dev_major"], f["sb_dev_minor"], f["sb_magic"], f["sb_flags"],
        offsets.get("fs_type", 0), f["mnt_id"], f["mnt_parent_id"], f["mnt_id_old"],
        f["mnt_parent_id_old"], f["mnt_attr"], f["mnt_propagation"], f["mnt_peer_group"],
        f["mnt_master"], f["propagate_from"],
        offsets.get("mnt_root", 0), offsets.get("mnt_point", 0), f["mnt_ns_id"],
        0, offsets.get("sb_source", 0), 0, 0, 0, 0, 0, 0, 0, 0)
    head = head.ljust(STATMOUNT_SIZE, b"\0")
    if strings:
        copy_to_user(t.mm, buf + STATMOUNT_SIZE, bytes(strings))
    copy_to_user(t.mm, buf, head[:copysize])
    return 0


def sys_listmount(t, req, mnt_ids, nr_mnt_ids, flags):
    flags &= 0xFFFFFFFF
    if flags & ~LISTMOUNT_REVERSE:
        return -EINVAL
    nr_mnt_ids &= 0xFFFFFFFFFFFFFFFF
    if nr_mnt_ids > 0x7FFFF000 // 8:
        return -EOVERFLOW
    mnt_id, last = _copy_mnt_id_req(t, req)
    if last and last <= MNT_UNIQUE_ID_OFFSET:
        return -EINVAL
    root = t.fs.root
    if mnt_id == LSMT_ROOT:
        orig = root
    else:
        m = _lookup(mnt_id)
        orig = Path(m, m.root)
    _may_see(t, orig)
    reverse = bool(flags & LISTMOUNT_REVERSE)
    ids = sorted((unique_id(m) for m in all_mounts
                  if unique_id(m) != mnt_id and _reachable(Path(m, m.root), orig)),
                 reverse=reverse)
    if last:
        ids = [i for i in ids if (i < last if reverse else i > last)]
    ids = ids[:nr_mnt_ids]
    if ids:
        copy_to_user(t.mm, mnt_ids, struct.pack("<%dQ" % len(ids), *ids))
    return len(ids)
