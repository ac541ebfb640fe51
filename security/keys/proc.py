"""security/keys/proc.py - /proc/keys (the keys the reader may view) and
/proc/key-users (each uid's key count and quota), in Linux's format."""

import time

from kernel.errno import Errno
from security.keys import key as _key
from security.keys.key import KEY_NEED_VIEW, key_task_permission
from security.keys.process_keys import is_key_possessed


def _expiry(k, now):
    if k.expiry is None:
        return "perm"
    left = k.expiry - now
    if left <= 0:
        return "expd"
    left = int(left)
    for limit, div, unit in ((60, 1, "s"), (3600, 60, "m"), (86400, 3600, "h"),
                             (7 * 86400, 86400, "d")):
        if left < limit:
            return "%d%s" % (left // div, unit)
    return "%dw" % (left // (7 * 86400))


def show_keys(t):
    now = time.monotonic()
    lines = []
    for k in sorted(_key.key_serial_tree.values(), key=lambda k: k.serial):
        if k.dead:
            continue
        try:
            key_task_permission(k, is_key_possessed(t, k), t.cred, KEY_NEED_VIEW)
        except Errno:
            continue
        flags = "".join((
            "I" if k.state != _key.KEY_IS_UNINSTANTIATED else "-",
            "R" if k.revoked else "-",
            "D" if k.dead else "-",
            "Q" if k.in_quota else "-",
            "U" if k.user_construct else "-",
            "N" if k.state < 0 else "-",
            "i" if k.invalidated else "-"))
        lines.append("%08x %s %5d %4s %08x %5d %5d %-9.9s %s\n" % (
            k.serial, flags, k.usage, _expiry(k, now), k.perm, _munged(k.uid),
            _munged(k.gid), k.type.name, k.type.describe(k)))
    return "".join(lines).encode()


def _munged(id_):
    return 65534 if id_ == _key.INVALID_GID else id_


def show_key_users(t):
    lines = []
    for uid in sorted(_key.key_user_tree):
        u = _key.key_user_tree[uid]
        if not u.nkeys:
            continue
        mk, mb = u.limits()
        lines.append("%5u: %5d %d/%d %d/%d %d/%d\n" % (
            uid, u.nkeys + 1, u.nkeys, u.nikeys, u.qnkeys, mk, u.qnbytes, mb))
    return "".join(lines).encode()
