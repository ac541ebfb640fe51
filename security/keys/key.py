"""security/keys/key.py - struct key: allocation, serial numbers, quotas,
permissions, instantiation, revocation, expiry and garbage collection.

A Key has a type (KeyType: "keyring", "user", "logon"), a description,
an owner (uid, gid), a 32-bit permission mask of four bytes - possessor,
user, group, other - each of VIEW READ WRITE SEARCH LINK SETATTR, a
state (uninstantiated, positive, or negative with the error a lookup
gets), flags (revoked, invalidated, dead), an expiry and a payload.

Serial numbers are random positive 31-bit numbers, as on Linux (never
below 3).  Each uid has a KeyUser that counts its keys and bytes against
/proc/sys/kernel/keys/{max,root_max}{keys,bytes} (EDQUOT); a key costs
strlen(description) + 1 + its payload, and a keyring 4 bytes more for each
key it links (KEYQUOTA_LINK_BYTES), as Linux counts in /proc/key-users.

Keys are counted (usage): each keyring link and each task that has it as
its thread, process or session keyring holds one.  When the last goes
the key is destroyed at once (Linux's key_gc does it a little later):
it leaves the serial table and its owner's quota, and a keyring drops
its own links.

Permission (key_task_permission): the user byte if the key's uid is the
caller's fsuid, else the group byte if its gid is the caller's, else
other; a possessed key - one reachable from the caller's own keyrings
(process_keys.py) - adds the possessor byte.  Root gets nothing extra.
"""

import random
import time

from kernel.errno import (EACCES, EDQUOT, EINVAL, EKEYEXPIRED, EKEYREVOKED,
                          ENOKEY, Errno)

KEY_POS_VIEW, KEY_POS_READ, KEY_POS_WRITE = 0x01000000, 0x02000000, 0x04000000
KEY_POS_SEARCH, KEY_POS_LINK, KEY_POS_SETATTR = 0x08000000, 0x10000000, 0x20000000
KEY_POS_ALL = 0x3f000000
KEY_USR_VIEW, KEY_USR_READ, KEY_USR_WRITE = 0x00010000, 0x00020000, 0x00040000
KEY_USR_SEARCH, KEY_USR_LINK, KEY_USR_SETATTR = 0x00080000, 0x00100000, 0x00200000
KEY_USR_ALL = 0x003f0000
KEY_GRP_ALL = 0x00003f00
KEY_OTH_ALL = 0x0000003f

# the operations a caller needs (one byte's bits)
KEY_NEED_VIEW, KEY_NEED_READ, KEY_NEED_WRITE = 0x01, 0x02, 0x04
KEY_NEED_SEARCH, KEY_NEED_LINK, KEY_NEED_SETATTR = 0x08, 0x10, 0x20

# states
KEY_IS_UNINSTANTIATED, KEY_IS_POSITIVE, KEY_IS_NEGATIVE = 0, 1, -1

INVALID_GID = 0xFFFFFFFF
KEYQUOTA_LINK_BYTES = 4                 # a keyring's owner pays this per link
KEY_MAX_DESC_SIZE = 4096

# /proc/sys/kernel/keys/
maxkeys = 200
maxbytes = 20000
root_maxkeys = 1000000
root_maxbytes = 25000000
gc_delay = 300
persistent_keyring_expiry = 3 * 24 * 3600

key_serial_tree = {}                    # serial -> Key
key_user_tree = {}                      # uid -> KeyUser
key_types = {}                          # name -> KeyType


class KeyType:
    """A kind of key: how its payload is checked, kept, read and shown."""
    name = None
    has_update = False
    has_read = False

    def preparse(self, description, payload):
        """Check a new payload: the (payload to keep, its quota length)."""
        raise Errno(EINVAL)

    def vet_description(self, description):
        pass

    def read(self, key):
        raise NotImplementedError

    def describe(self, key):
        """The end of key's /proc/keys line."""
        text = key.description.decode(errors="replace")
        if key.state == KEY_IS_POSITIVE:
            text += ": %d" % key.datalen
        return text

    def revoke(self, key):
        pass

    def destroy(self, key):
        pass


def register_key_type(kt):
    key_types[kt.name] = kt


class KeyUser:
    """struct key_user: one uid's keys and their quota."""

    def __init__(self, uid):
        self.uid = uid
        self.nkeys = 0                  # keys owned
        self.nikeys = 0                 # instantiated ones
        self.qnkeys = 0                 # counted in the quota
        self.qnbytes = 0
        self.uid_keyring = None         # process_keys.py: _uid.N, _uid_ses.N
        self.session_keyring = None

    def limits(self):
        if self.uid == 0:
            return root_maxkeys, root_maxbytes
        return maxkeys, maxbytes


def key_user_lookup(uid):
    u = key_user_tree.get(uid)
    if u is None:
        u = key_user_tree[uid] = KeyUser(uid)
    return u


class Key:
    def __init__(self, ktype, description, uid, gid, perm):
        self.type = ktype
        self.description = description
        self.uid = uid
        self.gid = gid
        self.perm = perm
        self.state = KEY_IS_UNINSTANTIATED
        self.reject_error = 0
        self.revoked = False
        self.invalidated = False
        self.dead = False
        self.in_quota = False
        self.user_construct = False     # under construction by request_key
        self.keep = False               # KEY_FLAG_KEEP: cannot be unlinked/cleared
        self.expiry = None              # time.monotonic() deadline
        self.payload = None
        self.datalen = 0
        self.usage = 0
        self.user = key_user_lookup(uid)
        self.quotalen = 0
        self.serial = _alloc_serial()
        self.restrict_link = False      # KEYCTL_RESTRICT_KEYRING with no type
        key_serial_tree[self.serial] = self

    def __repr__(self):
        return "<Key %d %s %r>" % (self.serial, self.type.name, self.description)

    @property
    def is_keyring(self):
        return self.type.name == "keyring"

    def expired(self, now=None):
        return self.expiry is not None and (now or time.monotonic()) >= self.expiry

    def get(self):
        self.usage += 1
        return self

    def put(self):
        self.usage -= 1
        if self.usage <= 0:
            key_destroy(self)


def _alloc_serial():
    while True:
        serial = random.randrange(3, 1 << 31)
        if serial not in key_serial_tree:
            return serial


def key_alloc(ktype, description, uid, gid, perm, quota=True, overrun=False):
    """A new, uninstantiated key owned by uid; EDQUOT if uid has no room
    (unless overrun: the keyrings the kernel makes for a task)."""
    user = key_user_lookup(uid)
    quotalen = len(description) + 1
    if quota:
        mk, mb = user.limits()
        if not overrun and (user.qnkeys + 1 > mk or user.qnbytes + quotalen > mb):
            raise Errno(EDQUOT)
    key = Key(ktype, description, uid, gid, perm)
    user.nkeys += 1
    if quota:
        user.qnkeys += 1
        user.qnbytes += quotalen
        key.in_quota = True
    key.quotalen = quotalen
    return key


def key_payload_reserve(key, datalen):
    """Charge the key's owner for a payload of datalen bytes (EDQUOT)."""
    delta = datalen - key.datalen
    if key.in_quota and delta > 0:
        _, mb = key.user.limits()
        if key.user.qnbytes + delta > mb:
            raise Errno(EDQUOT)
    if key.in_quota:
        key.user.qnbytes += delta
    key.datalen = datalen


def key_instantiate(key, payload, datalen):
    key_payload_reserve(key, datalen)
    key.payload = payload
    key.state = KEY_IS_POSITIVE
    key.user.nikeys += 1
    key.user_construct = False


def key_negate(key, timeout, error):
    """A negative key: lookups get error until it expires."""
    key.state = KEY_IS_NEGATIVE
    key.reject_error = error
    key.user.nikeys += 1
    key.user_construct = False
    key_set_timeout(key, timeout)


def key_set_timeout(key, timeout):
    key.expiry = time.monotonic() + timeout if timeout else None


def key_revoke(key):
    """Revoked: lookups get EKEYREVOKED, the payload is dropped, and the
    key counts as expired from now (its garbage collection time)."""
    if not key.revoked:
        key.revoked = True
        key.type.revoke(key)
        now = time.monotonic()
        if key.expiry is None or key.expiry > now:
            key.expiry = now


def key_invalidate(key):
    """Gone at once: every keyring drops it."""
    if key.invalidated:
        return
    key.invalidated = True
    # cycle: security.keys.keyring -> security.keys.key
    from security.keys.keyring import keyring_unlink_everywhere
    key.get()
    keyring_unlink_everywhere(key)
    key.put()


def key_destroy(key):
    if key.dead and key.serial not in key_serial_tree:
        return
    key.dead = True
    key_serial_tree.pop(key.serial, None)
    user = key.user
    user.nkeys -= 1
    if key.state != KEY_IS_UNINSTANTIATED:
        user.nikeys -= 1
    if key.in_quota:
        user.qnkeys -= 1
        user.qnbytes -= key.quotalen + key.datalen
    key.type.destroy(key)


def key_validate(key):
    """key_validate(): the error using this key gets, or 0."""
    if key.invalidated:
        return ENOKEY
    if key.revoked or key.dead:
        return EKEYREVOKED
    if key.expired():
        return EKEYEXPIRED
    return 0


def key_lookup(serial):
    key = key_serial_tree.get(serial)
    if key is None or key.dead or key.invalidated:
        raise Errno(ENOKEY)
    return key


def key_task_permission(key, possessed, cred, need):
    """0 if cred may do need (KEY_NEED_* bits) to key, else EACCES."""
    perm = key.perm
    if key.uid == cred.fsuid:
        kperm = perm >> 16
    elif key.gid != INVALID_GID and perm & KEY_GRP_ALL and \
            (key.gid == cred.fsgid or key.gid in cred.groups):
        kperm = perm >> 8
    else:
        kperm = perm
    if possessed:
        kperm |= perm >> 24
    if kperm & need & 0x3f != need:
        raise Errno(EACCES)
