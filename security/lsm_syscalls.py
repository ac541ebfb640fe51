"""security/lsm_syscalls.py - the LSM system calls (Linux 6.8):
lsm_list_modules names the security modules this kernel runs, in the
order they were set up; lsm_get_self_attr and lsm_set_self_attr read and
write a task's LSM attributes (LSM_ATTR_CURRENT, EXEC ...).

The modules here are the capability checks (kernel/capability.py),
Landlock (security/landlock/) and Yama (security/yama.py).  None of them
keeps a per-task attribute (those are SELinux's, Smack's and AppArmor's),
so lsm_get_self_attr finds no entry and lsm_set_self_attr has no module
to take one, as on a Linux built with only these three.
"""

import struct

from kernel.errno import E2BIG, EINVAL, EOPNOTSUPP
from mm.uaccess import copy_from_user, copy_to_user, get_user_u32, put_user_u32

LSM_ID_UNDEF, LSM_ID_CAPABILITY, LSM_ID_YAMA, LSM_ID_LANDLOCK = 0, 100, 105, 110
LSM_IDS = (LSM_ID_CAPABILITY, LSM_ID_LANDLOCK, LSM_ID_YAMA)      # capability first, then lsm=
LSM_ATTR_UNDEF = 0
LSM_FLAG_SINGLE = 1
LSM_CTX = struct.Struct("<QQQQ")        # struct lsm_ctx: id, flags, len, ctx_len (then ctx[])
PAGE_SIZE = 4096


def sys_lsm_list_modules(t, ids, size, flags):
    if flags & 0xFFFFFFFF:
        return -EINVAL
    total = 8 * len(LSM_IDS)
    usize = get_user_u32(t.mm, size)
    put_user_u32(t.mm, size, total)
    if usize < total:
        return -E2BIG
    copy_to_user(t.mm, ids, struct.pack("<%dQ" % len(LSM_IDS), *LSM_IDS))
    return len(LSM_IDS)


def sys_lsm_get_self_attr(t, attr, ctx, size, flags):
    attr &= 0xFFFFFFFF
    flags &= 0xFFFFFFFF
    if attr == LSM_ATTR_UNDEF or not size:
        return -EINVAL
    get_user_u32(t.mm, size)                # EFAULT before anything is written
    if flags:
        if flags != LSM_FLAG_SINGLE or not ctx:
            return -EINVAL
        lsm_id = LSM_CTX.unpack(copy_from_user(t.mm, ctx, LSM_CTX.size))[0]
        if lsm_id == LSM_ID_UNDEF:
            return -EINVAL
    put_user_u32(t.mm, size, 0)             # the entries' total size: none
    return -EOPNOTSUPP                      # no module gave an entry


def sys_lsm_set_self_attr(t, attr, ctx, size, flags):
    size &= 0xFFFFFFFF
    if flags & 0xFFFFFFFF:
        return -EINVAL
    if size < LSM_CTX.size:
        return -EINVAL
    if size > PAGE_SIZE:
        return -E2BIG
    lsm_id, _, length, ctx_len = LSM_CTX.unpack(copy_from_user(t.mm, ctx, size)[:LSM_CTX.size])
    if size < length or size < ctx_len + LSM_CTX.size or length < ctx_len + LSM_CTX.size:
        return -EINVAL
    return -EOPNOTSUPP                      # no module here keeps task attributes
