"""security/keys/keyctl.py - add_key(2), request_key(2) and keyctl(2)
(Linux's security/keys/keyctl.c): copying the arguments in, finding the
keys with the permission each operation needs, and the errnos Linux
gives.  The keys themselves are key.py, keyring.py and process_keys.py.

Refused as a kernel built without them refuses: persistent keyrings
(KEYCTL_GET_PERSISTENT), Diffie-Hellman and public-key operations, key
watches (EOPNOTSUPP); instantiating a key needs the authority a
request-key upcall would have, and there is no upcall (EPERM).
"""


from kernel.abi import s32
from kernel.errno import (EACCES, EDQUOT, EFAULT, EINVAL, ENODEV, ENOKEY, ENOTDIR,
                          EOPNOTSUPP, EPERM, EEXIST, ENOENT, Errno)
from kernel.capability import CAP_SYS_ADMIN, capable
from mm.uaccess import copy_from_user, copy_to_user, strncpy_from_user
from security.keys import keyring as _kr
from security.keys import process_keys as pk
from security.keys import request_key as rk
from security.keys import user_defined  # noqa: F401  (registers "user", "logon")
from security.keys.key import (INVALID_GID, KEY_GRP_ALL, KEY_IS_UNINSTANTIATED, KEY_NEED_LINK,
                               KEY_NEED_READ, KEY_NEED_SEARCH, KEY_NEED_SETATTR, KEY_NEED_VIEW,
                               KEY_NEED_WRITE, KEY_OTH_ALL, KEY_POS_ALL, KEY_POS_LINK,
                               KEY_POS_READ, KEY_POS_SEARCH, KEY_POS_SETATTR, KEY_POS_VIEW,
                               KEY_POS_WRITE, KEY_USR_ALL, KEY_USR_LINK, KEY_USR_READ,
                               KEY_USR_VIEW, key_alloc, key_instantiate, key_invalidate,
                               key_payload_reserve, key_revoke, key_serial_tree, key_set_timeout,
                               key_task_permission, key_types, key_user_lookup, key_validate)
from security.keys.process_keys import (KEY_DEFER_PERM_CHECK, KEY_LOOKUP_CREATE,
                                        KEY_LOOKUP_PARTIAL, lookup_user_key)

KEYCTL_GET_KEYRING_ID, KEYCTL_JOIN_SESSION_KEYRING, KEYCTL_UPDATE = 0, 1, 2
KEYCTL_REVOKE, KEYCTL_CHOWN, KEYCTL_SETPERM, KEYCTL_DESCRIBE = 3, 4, 5, 6
KEYCTL_CLEAR, KEYCTL_LINK, KEYCTL_UNLINK, KEYCTL_SEARCH, KEYCTL_READ = 7, 8, 9, 10, 11
KEYCTL_INSTANTIATE, KEYCTL_NEGATE, KEYCTL_SET_REQKEY_KEYRING = 12, 13, 14
KEYCTL_SET_TIMEOUT, KEYCTL_ASSUME_AUTHORITY, KEYCTL_GET_SECURITY = 15, 16, 17
KEYCTL_SESSION_TO_PARENT, KEYCTL_REJECT, KEYCTL_INSTANTIATE_IOV = 18, 19, 20
KEYCTL_INVALIDATE, KEYCTL_GET_PERSISTENT, KEYCTL_DH_COMPUTE = 21, 22, 23
KEYCTL_PKEY_QUERY, KEYCTL_PKEY_VERIFY = 24, 28
KEYCTL_RESTRICT_KEYRING, KEYCTL_MOVE, KEYCTL_CAPABILITIES, KEYCTL_WATCH_KEY = 29, 30, 31, 32
KEYCTL_MOVE_EXCL = 1

# KEYCTL_CAPABILITIES: what this kernel's key service has
KEYCTL_CAPS0_CAPABILITIES, KEYCTL_CAPS0_INVALIDATE = 0x01, 0x20
KEYCTL_CAPS0_RESTRICT_KEYRING, KEYCTL_CAPS0_MOVE = 0x40, 0x80
KEYCTL_CAPS1_NS_KEYRING_NAME, KEYCTL_CAPS1_NS_KEY_TAG = 0x01, 0x02

KEY_TYPE_NAME_MAX = 32
OVERFLOWID = 65534


def key_get_type_from_user(t, addr):
    try:
        name = strncpy_from_user(t.mm, addr, KEY_TYPE_NAME_MAX)
    except Errno as e:
        if e.errno == 36:
            raise Errno(EINVAL)
        raise
    if not name:
        raise Errno(EINVAL)
    if name[:1] == b".":
        raise Errno(EPERM)
    return name.decode(errors="replace")


def _strndup_user(t, addr, n):
    try:
        return strncpy_from_user(t.mm, addr, n)
    except Errno as e:
        if e.errno == 36:
            raise Errno(EINVAL)
        raise


def _type(name, err=ENOKEY):
    """key_type_lookup(): ENOKEY for a type the kernel lacks (add_key
    says ENODEV)."""
    kt = key_types.get(name)
    if kt is None:
        raise Errno(err)
    return kt


def default_perm(kt):
    perm = KEY_POS_VIEW | KEY_POS_SEARCH | KEY_POS_LINK | KEY_POS_SETATTR | KEY_USR_VIEW
    if kt.has_read:
        perm |= KEY_POS_READ
    if kt.name == "keyring" or kt.has_update:
        perm |= KEY_POS_WRITE
    return perm


def _munged(id_):
    return OVERFLOWID if id_ == INVALID_GID else id_


# -- add_key --------------------------------------------------------------------------

def key_create_or_update(t, keyring, possessed, kt, description, payload):
    if not keyring.is_keyring:
        raise Errno(ENOTDIR)
    kt.vet_description(description)
    data, datalen = kt.preparse(description, payload)
    if kt.has_update:
        old = (keyring.payload or {}).get((kt.name, description))
        # find_key_to_update: a revoked or invalidated key is replaced
        if old is not None and not (old.dead or old.revoked or old.invalidated):
            key_task_permission(old, possessed, t.cred, KEY_NEED_WRITE)
            _update(old, data, datalen)
            return old
    cred = t.cred
    key = key_alloc(kt, description, cred.fsuid, cred.fsgid, default_perm(kt))
    key.get()
    try:
        key_instantiate(key, data, datalen)
        _kr.key_link(keyring, key)
    finally:
        key.put()
    return key


def _update(key, data, datalen):
    key_payload_reserve(key, datalen)
    if key.state == KEY_IS_UNINSTANTIATED:
        key.user.nikeys += 1
    key.payload = data
    key.state = 1
    key.reject_error = 0
    key.user_construct = False
    key.expiry = None                   # user_update: an update clears the timeout


def sys_add_key(t, _type_addr, _desc, _payload, plen, ringid):
    if plen > 1024 * 1024 - 1:
        return -EINVAL
    tname = key_get_type_from_user(t, _type_addr)
    desc = b""
    if _desc:
        desc = _strndup_user(t, _desc, pk_KEY_MAX_DESC_SIZE)
    payload = b""
    if plen:
        if not _payload:
            return -EFAULT
        payload = copy_from_user(t.mm, _payload, plen)
    keyring, possessed = lookup_user_key(t, s32(ringid), KEY_LOOKUP_CREATE, KEY_NEED_WRITE)
    kt = _type(tname, ENODEV)
    if not desc:
        return -EINVAL
    return key_create_or_update(t, keyring, possessed, kt, desc, payload).serial


pk_KEY_MAX_DESC_SIZE = 4096


# -- request_key ----------------------------------------------------------------------

def sys_request_key(t, _type_addr, _desc, _callout, destringid):
    tname = key_get_type_from_user(t, _type_addr)
    desc = _strndup_user(t, _desc, pk_KEY_MAX_DESC_SIZE)
    callout = None
    if _callout:
        callout = _strndup_user(t, _callout, 4096)
    dest = None
    destringid = s32(destringid)
    if destringid:
        dest, _ = lookup_user_key(t, destringid, KEY_LOOKUP_CREATE, KEY_NEED_WRITE)
    kt = _type(tname)
    if not desc:
        return -EINVAL
    return rk.request_key_and_link(t, kt, desc, callout, dest).serial


# -- keyctl ---------------------------------------------------------------------------

def keyctl_join_session_keyring(t, _name):
    if not _name:
        return pk.install_session_keyring(t).serial
    name = _strndup_user(t, _name, pk_KEY_MAX_DESC_SIZE)
    if name[:1] == b".":
        return -EPERM
    for k in list(pk_serials()):
        if k.is_keyring and k.description == name and not k.dead and not k.revoked \
                and k.user.uid == t.cred.uid:
            try:
                key_task_permission(k, False, t.cred, KEY_NEED_SEARCH)
            except Errno:
                continue
            if k is not t.session_keyring:
                pk.install_session_keyring(t, k)
            return k.serial
    k = pk.keyring_alloc(name, t.cred.uid, t.cred.gid,
                         KEY_POS_ALL | KEY_USR_VIEW | KEY_USR_READ | KEY_USR_LINK)
    pk.install_session_keyring(t, k)
    return k.serial


def pk_serials():
    return sorted(key_serial_tree.values(), key=lambda k: k.serial)


def keyctl_update_key(t, ident, _payload, plen):
    if plen > 4096:
        return -EINVAL
    payload = copy_from_user(t.mm, _payload, plen) if plen else b""
    key, possessed = lookup_user_key(t, ident, 0, KEY_NEED_WRITE)
    if not key.type.has_update:
        return -EOPNOTSUPP
    data, datalen = key.type.preparse(key.description, payload)
    _update(key, data, datalen)
    return 0


def keyctl_revoke_key(t, ident):
    try:
        key, _ = lookup_user_key(t, ident, 0, KEY_NEED_WRITE)
    except Errno as e:
        if e.errno != EACCES:
            raise
        key, _ = lookup_user_key(t, ident, 0, KEY_NEED_SETATTR)
    if key.keep:
        return -EPERM
    key_revoke(key)
    return 0


def keyctl_invalidate_key(t, ident):
    key, _ = lookup_user_key(t, ident, 0, KEY_NEED_SEARCH)
    if key.keep:
        return -EPERM
    key_invalidate(key)
    return 0


def keyctl_chown_key(t, ident, uid, gid):
    uid, gid = uid & 0xFFFFFFFF, gid & 0xFFFFFFFF
    if uid == 0xFFFFFFFF and gid == 0xFFFFFFFF:
        return 0
    key, _ = lookup_user_key(t, ident, KEY_LOOKUP_CREATE | KEY_LOOKUP_PARTIAL, KEY_NEED_SETATTR)
    if not capable(t, CAP_SYS_ADMIN):
        if uid != 0xFFFFFFFF and key.uid != uid:
            return -EACCES
        if gid != 0xFFFFFFFF and gid != key.gid and gid != t.cred.fsgid \
                and gid not in t.cred.groups:
            return -EACCES
    if uid != 0xFFFFFFFF and uid != key.uid:
        newu = key_user_lookup(uid)
        if key.in_quota:
            mk, mb = newu.limits()
            cost = key.quotalen + key.datalen
            if newu.qnkeys + 1 > mk or newu.qnbytes + cost > mb:
                return -EDQUOT
            key.user.qnkeys -= 1
            key.user.qnbytes -= cost
            newu.qnkeys += 1
            newu.qnbytes += cost
        key.user.nkeys -= 1
        newu.nkeys += 1
        if key.state != KEY_IS_UNINSTANTIATED:
            key.user.nikeys -= 1
            newu.nikeys += 1
        key.user = newu
        key.uid = uid
    if gid != 0xFFFFFFFF:
        key.gid = gid
    return 0


def keyctl_setperm_key(t, ident, perm):
    perm &= 0xFFFFFFFF
    if perm & ~(KEY_POS_ALL | KEY_USR_ALL | KEY_GRP_ALL | KEY_OTH_ALL):
        return -EINVAL
    key, _ = lookup_user_key(t, ident, KEY_LOOKUP_CREATE | KEY_LOOKUP_PARTIAL, KEY_NEED_SETATTR)
    if not capable(t, CAP_SYS_ADMIN) and key.uid != t.cred.fsuid:
        return -EACCES
    key.perm = perm
    return 0


def _copy_out(t, buf, buflen, data):
    """Linux copies a result only when it fits; the length is the answer."""
    if buf and buflen >= len(data):
        copy_to_user(t.mm, buf, data)
    return len(data)


def keyctl_describe_key(t, ident, buf, buflen):
    key, _ = lookup_user_key(t, ident, KEY_LOOKUP_PARTIAL, KEY_NEED_VIEW)
    text = b"%s;%d;%d;%08x;%s\0" % (key.type.name.encode(), _munged(key.uid),
                                     _munged(key.gid), key.perm, key.description)
    return _copy_out(t, buf, buflen, text)


def keyctl_keyring_clear(t, ringid):
    keyring, _ = lookup_user_key(t, ringid, KEY_LOOKUP_CREATE, KEY_NEED_WRITE)
    _kr.keyring_clear(keyring)
    return 0


def keyctl_keyring_link(t, ident, ringid):
    keyring, _ = lookup_user_key(t, ringid, KEY_LOOKUP_CREATE, KEY_NEED_WRITE)
    key, _ = lookup_user_key(t, ident, KEY_LOOKUP_CREATE | KEY_LOOKUP_PARTIAL, KEY_NEED_LINK)
    _kr.key_link(keyring, key)
    return 0


def keyctl_keyring_unlink(t, ident, ringid):
    keyring, _ = lookup_user_key(t, ringid, 0, KEY_NEED_WRITE)
    key, _ = lookup_user_key(t, ident, KEY_LOOKUP_PARTIAL, KEY_DEFER_PERM_CHECK)
    if keyring.keep and key.keep:
        return -EPERM
    _kr.key_unlink(keyring, key)
    return 0


def keyctl_keyring_move(t, ident, from_id, to_id, flags):
    if flags & ~KEYCTL_MOVE_EXCL:
        return -EINVAL
    key, _ = lookup_user_key(t, ident, KEY_LOOKUP_PARTIAL, KEY_NEED_LINK)
    src, _ = lookup_user_key(t, from_id, 0, KEY_NEED_WRITE)
    dst, _ = lookup_user_key(t, to_id, KEY_LOOKUP_CREATE, KEY_NEED_WRITE)
    if not src.is_keyring or not dst.is_keyring:
        return -ENOTDIR
    if (src.payload or {}).get((key.type.name, key.description)) is not key:
        return -ENOENT
    if src is dst:
        return 0
    if flags & KEYCTL_MOVE_EXCL and (key.type.name, key.description) in dst.payload:
        return -EEXIST
    key.get()
    try:
        _kr.key_link(dst, key)
        _kr.key_unlink(src, key)
    finally:
        key.put()
    return 0


def keyctl_keyring_search(t, ringid, _type_addr, _desc, destringid):
    tname = key_get_type_from_user(t, _type_addr)
    desc = _strndup_user(t, _desc, pk_KEY_MAX_DESC_SIZE)
    keyring, possessed = lookup_user_key(t, ringid, 0, KEY_NEED_SEARCH)
    dest = None
    if destringid:
        dest, _ = lookup_user_key(t, destringid, KEY_LOOKUP_CREATE, KEY_NEED_WRITE)
    kt = _type(tname)
    if not keyring.is_keyring:
        return -ENOTDIR
    ctx = _kr.SearchContext(t.cred, kt.name, desc)
    key = _kr.keyring_search(keyring, possessed, ctx)
    if key is None:
        return -(ctx.error or ENOKEY)
    if dest is not None:
        key_task_permission(key, possessed, t.cred, KEY_NEED_LINK)
        _kr.key_link(dest, key)
    return key.serial


def keyctl_read_key(t, ident, buf, buflen):
    key, possessed = lookup_user_key(t, ident, KEY_LOOKUP_PARTIAL, KEY_DEFER_PERM_CHECK)
    if key.state < 0:
        return -key.reject_error
    if key.state == KEY_IS_UNINSTANTIATED:
        return -ENOKEY
    try:
        key_task_permission(key, possessed, t.cred, KEY_NEED_READ)
    except Errno:
        if not possessed:
            raise
    if not key.type.has_read:
        return -EOPNOTSUPP
    err = key_validate(key)
    if err:
        return -err
    return _copy_out(t, buf, buflen, key.type.read(key))


def keyctl_set_reqkey_keyring(t, defl):
    old = t.jit_keyring
    if defl == rk.KEY_REQKEY_DEFL_NO_CHANGE:
        return old
    if defl == rk.KEY_REQKEY_DEFL_THREAD_KEYRING:
        pk.install_thread_keyring(t)
    elif defl == rk.KEY_REQKEY_DEFL_PROCESS_KEYRING:
        pk.install_process_keyring(t)
    elif defl not in (rk.KEY_REQKEY_DEFL_DEFAULT, rk.KEY_REQKEY_DEFL_SESSION_KEYRING,
                      rk.KEY_REQKEY_DEFL_USER_KEYRING, rk.KEY_REQKEY_DEFL_USER_SESSION_KEYRING,
                      rk.KEY_REQKEY_DEFL_REQUESTOR_KEYRING):
        return -EINVAL
    t.jit_keyring = defl
    return old


def keyctl_set_timeout(t, ident, timeout):
    key, _ = lookup_user_key(t, ident, KEY_LOOKUP_CREATE | KEY_LOOKUP_PARTIAL, KEY_NEED_SETATTR)
    key_set_timeout(key, timeout & 0xFFFFFFFF)
    return 0


def keyctl_get_security(t, ident, buf, buflen):
    lookup_user_key(t, ident, KEY_LOOKUP_PARTIAL, KEY_NEED_VIEW)
    # no LSM: the empty string
    if buf and buflen > 0:
        copy_to_user(t.mm, buf, b"\0")
    return 1


def keyctl_session_to_parent(t):
    parent = t.real_parent
    if parent is None or parent.tgid <= 1 or parent.mm is None:
        return -EPERM
    if len(parent.thread_group()) > 1:
        return -EPERM
    mine, theirs = t.cred, parent.cred
    if (theirs.uid, theirs.euid, theirs.suid) != (mine.euid,) * 3 or \
            (theirs.gid, theirs.egid, theirs.sgid) != (mine.egid,) * 3:
        return -EPERM
    ses = pk.session_keyring(t)
    if ses.uid != mine.euid:           # a uid check, no capability overrides it
        return -EPERM
    if parent.session_keyring is not ses:
        pk.install_session_keyring(parent, ses)
    return 0


def keyctl_restrict_keyring(t, ident, _type_addr, _restriction):
    keyring, _ = lookup_user_key(t, ident, 0, KEY_NEED_SETATTR)
    if not keyring.is_keyring:
        return -ENOTDIR
    if _type_addr:
        key_get_type_from_user(t, _type_addr)
        return -ENOENT             # no restriction schemes without asymmetric keys
    if keyring.restrict_link:
        return -EEXIST
    keyring.restrict_link = True
    return 0


def keyctl_capabilities(t, buf, buflen):
    caps = bytes([KEYCTL_CAPS0_CAPABILITIES | KEYCTL_CAPS0_INVALIDATE
                  | KEYCTL_CAPS0_RESTRICT_KEYRING | KEYCTL_CAPS0_MOVE,
                  KEYCTL_CAPS1_NS_KEYRING_NAME | KEYCTL_CAPS1_NS_KEY_TAG])
    if buf and buflen:
        copy_to_user(t.mm, buf, caps[:buflen])
    return len(caps)


def sys_keyctl(t, option, a2, a3, a4, a5):
    option = s32(option)
    if option == KEYCTL_GET_KEYRING_ID:
        key, _ = lookup_user_key(t, s32(a2), KEY_LOOKUP_CREATE if a3 else 0,
                                 KEY_DEFER_PERM_CHECK)
        return key.serial
    if option == KEYCTL_JOIN_SESSION_KEYRING:
        return keyctl_join_session_keyring(t, a2)
    if option == KEYCTL_UPDATE:
        return keyctl_update_key(t, s32(a2), a3, a4)
    if option == KEYCTL_REVOKE:
        return keyctl_revoke_key(t, s32(a2))
    if option == KEYCTL_CHOWN:
        return keyctl_chown_key(t, s32(a2), a3, a4)
    if option == KEYCTL_SETPERM:
        return keyctl_setperm_key(t, s32(a2), a3)
    if option == KEYCTL_DESCRIBE:
        return keyctl_describe_key(t, s32(a2), a3, a4)
    if option == KEYCTL_CLEAR:
        return keyctl_keyring_clear(t, s32(a2))
    if option == KEYCTL_LINK:
        return keyctl_keyring_link(t, s32(a2), s32(a3))
    if option == KEYCTL_UNLINK:
        return keyctl_keyring_unlink(t, s32(a2), s32(a3))
    if option == KEYCTL_SEARCH:
        return keyctl_keyring_search(t, s32(a2), a3, a4, s32(a5))
    if option == KEYCTL_READ:
        return keyctl_read_key(t, s32(a2), a3, a4)
    if option in (KEYCTL_INSTANTIATE, KEYCTL_NEGATE, KEYCTL_REJECT, KEYCTL_INSTANTIATE_IOV):
        return -EPERM                   # only a request-key upcall may
    if option == KEYCTL_SET_REQKEY_KEYRING:
        return keyctl_set_reqkey_keyring(t, s32(a2))
    if option == KEYCTL_SET_TIMEOUT:
        return keyctl_set_timeout(t, s32(a2), a3)
    if option == KEYCTL_ASSUME_AUTHORITY:
        ident = s32(a2)
        if ident < 0:
            return -EINVAL
        return 0 if ident == 0 else -ENOKEY
    if option == KEYCTL_GET_SECURITY:
        return keyctl_get_security(t, s32(a2), a3, a4)
    if option == KEYCTL_SESSION_TO_PARENT:
        return keyctl_session_to_parent(t)
    if option == KEYCTL_INVALIDATE:
        return keyctl_invalidate_key(t, s32(a2))
    if option == KEYCTL_RESTRICT_KEYRING:
        return keyctl_restrict_keyring(t, s32(a2), a3, a4)
    if option == KEYCTL_MOVE:
        return keyctl_keyring_move(t, s32(a2), s32(a3), s32(a4), a5 & 0xFFFFFFFF)
    if option == KEYCTL_CAPABILITIES:
        return keyctl_capabilities(t, a2, a3)
    # KEYCTL_GET_PERSISTENT (no CONFIG_PERSISTENT_KEYRINGS), DH_COMPUTE,
    # PKEY_*, WATCH_KEY and anything unknown
    return -EOPNOTSUPP
