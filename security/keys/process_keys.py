"""security/keys/process_keys.py - the keyrings a task has, and how the
special ids name them (Linux's security/keys/process_keys.c).

  thread keyring (KEY_SPEC_THREAD_KEYRING, -1)   t.thread_keyring, "_tid"
  process keyring (-2)                           t.signal.process_keyring, "_pid"
  session keyring (-3)                           t.session_keyring, "_ses" or named
  user keyring (-4)                              per uid, "_uid.N"
  user-session keyring (-5)                      per uid, "_uid_ses.N"

Thread and process keyrings are made on first use when the caller asks
to create (KEY_LOOKUP_CREATE), else ENOKEY.  A task without a session
keyring (init, here: nobody ran pam_keyinit) is given its uid's
user-session keyring on first reference, or a new anonymous one with
create.  fork keeps the session keyring and drops the thread and process
ones (a new thread gets a fresh thread keyring if its creator had one);
exec drops thread and process keyrings; exit lets go of all of them.

A key is possessed when it is one of these or reachable from the thread,
process and session keyrings (or the user-session one standing in for
the session) through keyrings the caller may search: possession adds
the key's possessor permissions.
"""

from kernel.errno import EINVAL, EIO, ENOKEY, Errno
from security.keys import keyring as _kr
from security.keys.key import (INVALID_GID, KEY_IS_UNINSTANTIATED, KEY_POS_ALL,
                               KEY_POS_SETATTR, KEY_USR_ALL, KEY_USR_READ, KEY_USR_VIEW,
                               key_alloc, key_instantiate, key_lookup, key_task_permission,
                               key_user_lookup, key_validate)

KEY_SPEC_THREAD_KEYRING = -1
KEY_SPEC_PROCESS_KEYRING = -2
KEY_SPEC_SESSION_KEYRING = -3
KEY_SPEC_USER_KEYRING = -4
KEY_SPEC_USER_SESSION_KEYRING = -5
KEY_SPEC_GROUP_KEYRING = -6
KEY_SPEC_REQKEY_AUTH_KEY = -7
KEY_SPEC_REQUESTOR_KEYRING = -8

KEY_LOOKUP_CREATE, KEY_LOOKUP_PARTIAL = 0x01, 0x02
KEY_DEFER_PERM_CHECK = 0            # need: check nothing here, the caller will


def keyring_alloc(description, uid, gid, perm, overrun=False):
    k = key_alloc(_kr.key_type_keyring, description, uid, gid, perm, overrun=overrun)
    key_instantiate(k, {}, 0)
    return k


def look_up_user_keyrings(uid):
    """(user keyring, user-session keyring) of uid, made on first use; they
    live as long as the kernel (Linux keeps them registered per user)."""
    user = key_user_lookup(uid)
    if user.uid_keyring is None:
        perm = (KEY_POS_ALL & ~KEY_POS_SETATTR) | KEY_USR_ALL
        uk = keyring_alloc(b"_uid.%d" % uid, uid, INVALID_GID, perm, overrun=True)
        us = keyring_alloc(b"_uid_ses.%d" % uid, uid, INVALID_GID, perm, overrun=True)
        _kr.key_link(us, uk)
        user.uid_keyring, user.session_keyring = uk.get(), us.get()
    return user.uid_keyring, user.session_keyring


def install_thread_keyring(t):
    if t.thread_keyring is None:
        t.thread_keyring = keyring_alloc(b"_tid", t.cred.uid, t.cred.gid,
                                         KEY_POS_ALL | KEY_USR_VIEW, overrun=True).get()
    return t.thread_keyring


def install_process_keyring(t):
    sig = t.signal
    if sig.process_keyring is None:
        sig.process_keyring = keyring_alloc(b"_pid", t.cred.uid, t.cred.gid,
                                            KEY_POS_ALL | KEY_USR_VIEW, overrun=True).get()
    return sig.process_keyring


def install_session_keyring(t, keyring=None):
    """Make keyring (or a new anonymous "_ses") t's session keyring."""
    if keyring is None:
        keyring = keyring_alloc(b"_ses", t.cred.uid, t.cred.gid,
                                KEY_POS_ALL | KEY_USR_VIEW | KEY_USR_READ, overrun=True)
    old, t.session_keyring = t.session_keyring, keyring.get()
    if old is not None:
        old.put()
    return keyring


def session_keyring(t, create=False):
    if t.session_keyring is None:
        _, us = look_up_user_keyrings(t.cred.uid)
        if create:
            install_session_keyring(t)
        else:
            install_session_keyring(t, us)
    return t.session_keyring


def own_keyrings(t):
    """The keyrings a search of t's keys starts from, in Linux's order."""
    out = [k for k in (t.thread_keyring, t.signal.process_keyring) if k is not None]
    if t.session_keyring is not None:
        out.append(t.session_keyring)
    else:
        out.append(look_up_user_keyrings(t.cred.uid)[1])
    return out


def is_key_possessed(t, key):
    cred = t.cred
    for kr in own_keyrings(t):
        if kr is key:
            return True
        if kr.revoked:
            continue
        if _kr.keyring_reaches_key(kr, key, cred):
            return True
    return False


def search_process_keyrings(t, ctx):
    """The first possessed key matching ctx, or raise its error (ENOKEY
    when nothing at all was found)."""
    err = None
    for kr in own_keyrings(t):
        if kr.revoked or kr.invalidated:
            continue
        ctx.error = None
        found = _kr.keyring_search(kr, True, ctx)
        if found is not None:
            return found
        if ctx.error is not None:
            err = ctx.error
    raise Errno(err or ENOKEY)


def lookup_user_key(t, ident, lflags=0, need=KEY_DEFER_PERM_CHECK):
    """The key an id names for t: (key, possessed).  A special id names one
    of t's keyrings (made with KEY_LOOKUP_CREATE where Linux does);
    a serial must exist.  Unless KEY_LOOKUP_PARTIAL, an uninstantiated key
    is EIO, a negative one its error; a revoked or expired one is refused
    whenever a permission is asked for."""
    create = lflags & KEY_LOOKUP_CREATE
    if ident == KEY_SPEC_THREAD_KEYRING:
        if t.thread_keyring is None and not create:
            raise Errno(ENOKEY)
        key, possessed = install_thread_keyring(t), True
    elif ident == KEY_SPEC_PROCESS_KEYRING:
        if t.signal.process_keyring is None and not create:
            raise Errno(ENOKEY)
        key, possessed = install_process_keyring(t), True
    elif ident == KEY_SPEC_SESSION_KEYRING:
        key, possessed = session_keyring(t, create), True
    elif ident == KEY_SPEC_USER_KEYRING:
        key, possessed = look_up_user_keyrings(t.cred.uid)[0], True
    elif ident == KEY_SPEC_USER_SESSION_KEYRING:
        key, possessed = look_up_user_keyrings(t.cred.uid)[1], True
    elif ident in (KEY_SPEC_REQKEY_AUTH_KEY, KEY_SPEC_REQUESTOR_KEYRING):
        raise Errno(ENOKEY)             # no request-key upcall is ever running
    elif ident < 1:
        raise Errno(EINVAL)
    else:
        key = key_lookup(ident)
        possessed = is_key_possessed(t, key)
    if not lflags & KEY_LOOKUP_PARTIAL:
        if key.state == KEY_IS_UNINSTANTIATED:
            if need != KEY_DEFER_PERM_CHECK:
                raise Errno(EIO)
        elif key.state < 0 and need != KEY_DEFER_PERM_CHECK:
            raise Errno(key.reject_error)
    if need != KEY_DEFER_PERM_CHECK:
        err = key_validate(key)
        if err:
            raise Errno(err)
        key_task_permission(key, possessed, t.cred, need)
    return key, possessed


def key_permission(t, key, possessed, need):
    key_task_permission(key, possessed, t.cred, need)


# -- the task's life ---------------------------------------------------------------

def copy_keys(parent, child, clone_thread):
    """fork/clone: the session keyring stays, thread and process ones do
    not (a new thread gets its own thread keyring if its creator has one)."""
    child.jit_keyring = parent.jit_keyring
    child.thread_keyring = None
    if parent.session_keyring is not None:
        child.session_keyring = parent.session_keyring.get()
    if clone_thread and parent.thread_keyring is not None:
        install_thread_keyring(child)


def exec_keys(t):
    if t.thread_keyring is not None:
        t.thread_keyring, old = None, t.thread_keyring
        old.put()
    if t.signal.process_keyring is not None:
        t.signal.process_keyring, old = None, t.signal.process_keyring
        old.put()


def exit_keys(t, group_dead):
    for attr in ("thread_keyring", "session_keyring"):
        k = getattr(t, attr)
        if k is not None:
            setattr(t, attr, None)
            k.put()
    if group_dead and t.signal.process_keyring is not None:
        t.signal.process_keyring, old = None, t.signal.process_keyring
        old.put()
