"""security/keys/request_key.py - request_key(2): find a key the caller
possesses, or have one made.

Linux makes a missing key by running /sbin/request-key (a usermode
helper) with the callout information.  This kernel runs no usermode
helpers, so construction always fails the way it does on Linux when the
helper fails: the new key is negatively instantiated for
key_negative_timeout seconds (lookups meanwhile get ENOKEY) and the call
returns ENOKEY.  The key is still linked into the destination keyring,
which must grant Write (CVE-2017-17807), as on Linux.
"""

from kernel.errno import ENOKEY, Errno
from security.keys import keyring as _kr
from security.keys import process_keys as pk
from security.keys.key import (KEY_NEED_WRITE, key_alloc, key_negate,
                               key_user_lookup)

KEY_REQKEY_DEFL_NO_CHANGE = -1
KEY_REQKEY_DEFL_DEFAULT = 0
KEY_REQKEY_DEFL_THREAD_KEYRING = 1
KEY_REQKEY_DEFL_PROCESS_KEYRING = 2
KEY_REQKEY_DEFL_SESSION_KEYRING = 3
KEY_REQKEY_DEFL_USER_KEYRING = 4
KEY_REQKEY_DEFL_USER_SESSION_KEYRING = 5
KEY_REQKEY_DEFL_GROUP_KEYRING = 6
KEY_REQKEY_DEFL_REQUESTOR_KEYRING = 7

key_negative_timeout = 60


def construct_get_dest_keyring(t):
    """Where a constructed key goes when the caller names no keyring: the
    request-key default (KEYCTL_SET_REQKEY_KEYRING), falling through
    thread, process, session and user-session keyrings as Linux does."""
    jit = t.jit_keyring
    order = {
        KEY_REQKEY_DEFL_DEFAULT: ("thread", "process", "session", "user_session"),
        KEY_REQKEY_DEFL_REQUESTOR_KEYRING: ("thread", "process", "session", "user_session"),
        KEY_REQKEY_DEFL_THREAD_KEYRING: ("thread", "process", "session", "user_session"),
        KEY_REQKEY_DEFL_PROCESS_KEYRING: ("process", "session", "user_session"),
        KEY_REQKEY_DEFL_SESSION_KEYRING: ("session", "user_session"),
        KEY_REQKEY_DEFL_USER_SESSION_KEYRING: ("user_session",),
        KEY_REQKEY_DEFL_USER_KEYRING: ("user",),
    }.get(jit, ())
    for which in order:
        if which == "thread" and t.thread_keyring is not None:
            return t.thread_keyring
        if which == "process" and t.signal.process_keyring is not None:
            return t.signal.process_keyring
        if which == "session" and t.session_keyring is not None:
            return t.session_keyring
        if which == "user_session":
            return pk.look_up_user_keyrings(t.cred.uid)[1]
        if which == "user":
            return pk.look_up_user_keyrings(t.cred.uid)[0]
    return None


def request_key_and_link(t, ktype, description, callout, dest):
    ctx = _kr.SearchContext(t.cred, ktype.name, description, skip_expired=True)
    try:
        key = pk.search_process_keyrings(t, ctx)
    except Errno as e:
        if e.errno != ENOKEY or ctx.error is not None:
            raise
        key = None
    if key is not None:
        if dest is not None:
            _kr.key_link(dest, key)
        return key
    if callout is None:
        raise Errno(ENOKEY)
    # construct_key_and_link
    if dest is None:
        dest = construct_get_dest_keyring(t)
    if dest is not None:
        pk.key_permission(t, dest, True, KEY_NEED_WRITE)
    # cycle: security.keys.keyctl -> security.keys.request_key
    from security.keys.keyctl import default_perm
    key_user_lookup(t.cred.fsuid)
    key = key_alloc(ktype, description, t.cred.fsuid, t.cred.fsgid, default_perm(ktype))
    key.user_construct = True
    key.get()
    try:
        if dest is not None:
            _kr.key_link(dest, key)
        # the usermode helper would run now; there is none, so the key
        # is negated, as Linux does when /sbin/request-key fails
        key_negate(key, key_negative_timeout, ENOKEY)
    finally:
        key.put()
    raise Errno(ENOKEY)
