"""security/keys/keyring.py - the "keyring" key type: a key whose payload
is a set of links to other keys (Linux's security/keys/keyring.c).

A keyring holds at most one key per (type, description): linking a key
replaces an older one with the same index.  Reading a keyring gives the
serials of its keys as 32-bit numbers.  Searching (keyring_search) looks
at a keyring's keys, then inside the keyrings it links, six deep at
most, with SEARCH permission needed on every key matched and every
keyring entered; possession carries down from where the search began.
A revoked, invalidated or expired match, a negative key, or one the
caller may not search is skipped, and its error is what the search
answers if nothing better is found (else ENOKEY).
"""

import struct

from kernel.errno import (EACCES, EDEADLK, EINVAL, EKEYEXPIRED, EKEYREVOKED,
                          ELOOP, ENOENT, ENOKEY, ENOTDIR, EPERM, Errno)
from security.keys.key import (KEY_IS_NEGATIVE, KEY_IS_POSITIVE, KEY_NEED_SEARCH,
                               KEYQUOTA_LINK_BYTES, KeyType, key_payload_reserve,
                               key_serial_tree, key_task_permission, register_key_type)

KEYRING_SEARCH_MAX_DEPTH = 6


class KeyringType(KeyType):
    name = "keyring"
    has_update = False
    has_read = True

    def preparse(self, description, payload):
        if payload:
            raise Errno(EINVAL)
        return {}, 0

    def read(self, key):
        return b"".join(struct.pack("<I", k.serial) for k in key.payload.values())

    def describe(self, key):
        text = key.description.decode(errors="replace")
        if key.state == KEY_IS_POSITIVE:
            n = len(key.payload)
            text += ": %d" % n if n else ": empty"
        return text

    def revoke(self, key):
        keyring_clear_links(key)

    def destroy(self, key):
        keyring_clear_links(key)


key_type_keyring = KeyringType()
register_key_type(key_type_keyring)


def _index(key):
    return (key.type.name, key.description)


def keyring_clear_links(keyring):
    links = keyring.payload
    if not links:
        return
    keyring.payload = {}
    if not keyring.dead:
        key_payload_reserve(keyring, 0)
    for k in links.values():
        k.put()


def _check_keyring(keyring):
    if not keyring.is_keyring:
        raise Errno(ENOTDIR)


def _reaches(start, target, depth=0):
    """Does keyring start lead to keyring target (cycle check)?"""
    if start is target:
        return True
    if depth > KEYRING_SEARCH_MAX_DEPTH:
        raise Errno(ELOOP)
    for k in (start.payload or {}).values():
        if k.is_keyring and _reaches(k, target, depth + 1):
            return True
    return False


def _depth_below(keyring, depth=0):
    d = 0
    for k in (keyring.payload or {}).values():
        if k.is_keyring:
            if depth > KEYRING_SEARCH_MAX_DEPTH:
                raise Errno(ELOOP)
            d = max(d, 1 + _depth_below(k, depth + 1))
    return d


def key_link(keyring, key):
    """Link key into keyring, replacing a key of the same type and
    description."""
    _check_keyring(keyring)
    if keyring.revoked or keyring.dead:
        raise Errno(EKEYREVOKED)
    if keyring.restrict_link:
        raise Errno(EPERM)
    if key.dead or key.invalidated:
        raise Errno(ENOKEY)
    if key.is_keyring:
        if _reaches(key, keyring):
            raise Errno(EDEADLK)
        if _depth_below(key) + 1 >= KEYRING_SEARCH_MAX_DEPTH:
            raise Errno(ELOOP)
    links = keyring.payload
    idx = _index(key)
    old = links.get(idx)
    if old is key:
        return
    if old is None:
        key_payload_reserve(keyring, keyring.datalen + KEYQUOTA_LINK_BYTES)
    links[idx] = key.get()
    if old is not None:
        old.put()


def key_unlink(keyring, key):
    _check_keyring(keyring)
    links = keyring.payload or {}
    idx = _index(key)
    if links.get(idx) is not key:
        raise Errno(ENOENT)
    del links[idx]
    key_payload_reserve(keyring, keyring.datalen - KEYQUOTA_LINK_BYTES)
    key.put()


def keyring_clear(keyring):
    _check_keyring(keyring)
    if keyring.restrict_link or keyring.keep:
        raise Errno(EPERM)
    keyring_clear_links(keyring)


def keyring_unlink_everywhere(key):
    idx = _index(key)
    for kr in list(key_serial_tree.values()):
        if kr.is_keyring and kr.payload and kr.payload.get(idx) is key:
            del kr.payload[idx]
            key_payload_reserve(kr, kr.datalen - KEYQUOTA_LINK_BYTES)
            key.put()


class SearchContext:
    """What a search looks for and the best error seen so far."""

    def __init__(self, cred, type_name, description, check_state=True, check_perm=True,
                 skip_expired=False):
        self.cred = cred
        self.skip_expired = skip_expired    # request_key: expired ones are not there
        self.type_name = type_name
        self.description = description
        self.check_state = check_state
        self.check_perm = check_perm
        self.error = None

    def matches(self, key):
        return key.type.name == self.type_name and key.description == self.description

    def consider(self, key, possessed):
        """The key if it is the answer, else None (noting why)."""
        if self.check_state:
            if key.invalidated or key.revoked:
                self.error = EKEYREVOKED
                return None
            if key.expired():
                if not self.skip_expired:
                    self.error = EKEYEXPIRED
                return None
        if self.check_perm:
            try:
                key_task_permission(key, possessed, self.cred, KEY_NEED_SEARCH)
            except Errno:
                self.error = EACCES
                return None
        if self.check_state and key.state == KEY_IS_NEGATIVE:
            self.error = key.reject_error
            return None
        return key


def keyring_search(keyring, possessed, ctx, depth=0):
    """The first match below keyring, or None (ctx.error says why)."""
    if depth == 0 and ctx.matches(keyring):
        found = ctx.consider(keyring, possessed)
        if found is not None:
            return found
    links = list((keyring.payload or {}).values())
    for k in links:
        if ctx.matches(k):
            found = ctx.consider(k, possessed)
            if found is not None:
                return found
    if depth + 1 >= KEYRING_SEARCH_MAX_DEPTH:
        return None
    for k in links:
        if not k.is_keyring or k.revoked or k.invalidated or k.expired():
            continue
        if ctx.check_perm:
            try:
                key_task_permission(k, possessed, ctx.cred, KEY_NEED_SEARCH)
            except Errno:
                continue
        found = keyring_search(k, possessed, ctx, depth + 1)
        if found is not None:
            return found
    return None


def keyring_reaches_key(keyring, key, cred, depth=0):
    """Is key in keyring or, through searchable keyrings, below it?
    (Possession: keyring is one of the caller's own.)"""
    links = keyring.payload or {}
    if links.get(_index(key)) is key:
        try:
            key_task_permission(key, True, cred, KEY_NEED_SEARCH)
            return True
        except Errno:
            return False
    if depth + 1 >= KEYRING_SEARCH_MAX_DEPTH:
        return False
    for k in links.values():
        if k.is_keyring and not k.revoked and not k.expired():
            try:
                key_task_permission(k, True, cred, KEY_NEED_SEARCH)
            except Errno:
                continue
            if keyring_reaches_key(k, key, cred, depth + 1):
                return True
    return False
