"""fs/posix_acl.py - POSIX access control lists (Linux's fs/posix_acl.c).

An ACL is a tuple of (tag, perm, id) entries in the order
posix_acl_valid() demands: USER_OBJ, USERs, GROUP_OBJ, GROUPs, MASK,
OTHER.  Guests read and write them as the xattrs
system.posix_acl_access and system.posix_acl_default (fs/xattr.py), in
the little-endian posix_acl_xattr layout: a u32 version (2), then per
entry u16 tag, u16 perm, u32 id.

An inode that keeps ACLs has `acl_access` and `acl_default` (None: none).
An access ACL that says no more than the mode bits is not stored: setting
one only changes the mode (posix_acl_update_mode), and chmod rewrites the
stored one's owner, mask (or group) and other entries (posix_acl_chmod).
The permission check (fs/namei.py: generic_permission) asks
acl_permission() when the caller is not the owner and an ACL exists.
"""

import struct

from kernel.errno import EINVAL, EOPNOTSUPP, Errno
from fs.namei import in_group_p

ACL_USER_OBJ, ACL_USER, ACL_GROUP_OBJ, ACL_GROUP, ACL_MASK, ACL_OTHER = \
    0x01, 0x02, 0x04, 0x08, 0x10, 0x20
ACL_UNDEFINED_ID = 0xFFFFFFFF
POSIX_ACL_XATTR_VERSION = 2
ACL_READ, ACL_WRITE, ACL_EXECUTE = 4, 2, 1

_HEADER = struct.Struct("<I")
_ENTRY = struct.Struct("<HHI")
_ID_TAGS = (ACL_USER, ACL_GROUP)


def acl_from_xattr(value):
    """Parse and check a posix_acl_xattr value: the ACL tuple, or None for
    an empty one (which removes the ACL)."""
    if len(value) < _HEADER.size:
        raise Errno(EINVAL)
    if _HEADER.unpack_from(value)[0] != POSIX_ACL_XATTR_VERSION:
        raise Errno(EOPNOTSUPP)
    body = value[_HEADER.size:]
    if len(body) % _ENTRY.size:
        raise Errno(EINVAL)
    if not body:
        return None
    acl = []
    for off in range(0, len(body), _ENTRY.size):
        tag, perm, id_ = _ENTRY.unpack_from(body, off)
        if tag in _ID_TAGS:
            if id_ == ACL_UNDEFINED_ID:
                raise Errno(EINVAL)     # no such user or group
        elif tag in (ACL_USER_OBJ, ACL_GROUP_OBJ, ACL_MASK, ACL_OTHER):
            id_ = ACL_UNDEFINED_ID
        else:
            raise Errno(EINVAL)
        acl.append((tag, perm, id_))
    acl = tuple(acl)
    acl_valid(acl)
    return acl


def acl_to_xattr(acl):
    return _HEADER.pack(POSIX_ACL_XATTR_VERSION) + b"".join(
        _ENTRY.pack(tag, perm, id_) for tag, perm, id_ in acl)


def acl_valid(acl):
    """posix_acl_valid(): USER_OBJ, USERs, GROUP_OBJ, GROUPs, MASK, OTHER
    in that order, one of each OBJ and OTHER, a MASK if any entry is
    named.  (Named entries are not checked for order or repeats.)"""
    state = ACL_USER_OBJ
    needs_mask = False
    for tag, perm, _ in acl:
        if perm & ~7:
            raise Errno(EINVAL)
        if tag == ACL_USER_OBJ and state == ACL_USER_OBJ:
            state = ACL_USER
        elif tag == ACL_USER and state == ACL_USER:
            needs_mask = True
        elif tag == ACL_GROUP_OBJ and state == ACL_USER:
            state = ACL_GROUP
        elif tag == ACL_GROUP and state == ACL_GROUP:
            needs_mask = True
        elif tag == ACL_MASK and state == ACL_GROUP:
            state = ACL_OTHER
        elif tag == ACL_OTHER and (state == ACL_OTHER or (state == ACL_GROUP and not needs_mask)):
            state = 0
        else:
            raise Errno(EINVAL)
    if state != 0:
        raise Errno(EINVAL)


def acl_equiv_mode(acl):
    """(mode bits the ACL implies, True if the mode bits say it all)."""
    mode = 0
    equiv = True
    for tag, perm, _ in acl:
        if tag == ACL_USER_OBJ:
            mode |= perm << 6
        elif tag == ACL_GROUP_OBJ:
            mode |= perm << 3
        elif tag == ACL_OTHER:
            mode |= perm
        elif tag == ACL_MASK:
            mode = (mode & ~0o070) | (perm << 3)
            equiv = False
        else:
            equiv = False
    return mode, equiv


def acl_chmod(acl, mode):
    """The access ACL after chmod(mode) (posix_acl_chmod_masq)."""
    has_mask = any(tag == ACL_MASK for tag, _, _ in acl)
    out = []
    for tag, perm, id_ in acl:
        if tag == ACL_USER_OBJ:
            perm = (mode >> 6) & 7
        elif tag == ACL_MASK or (tag == ACL_GROUP_OBJ and not has_mask):
            perm = (mode >> 3) & 7
        elif tag == ACL_OTHER:
            perm = mode & 7
        out.append((tag, perm, id_))
    return tuple(out)


def acl_permission(cred, inode, acl, mask):
    """posix_acl_permission(): may cred (not the owner) have mask?"""
    want = mask & 7
    mask_perm = next((p for tag, p, _ in acl if tag == ACL_MASK), 7)
    found_group = False
    for tag, perm, id_ in acl:
        if tag == ACL_USER and id_ == cred.fsuid:
            return (perm & mask_perm & want) == want
        if tag == ACL_GROUP_OBJ and in_group_p(cred, inode.gid):
            found_group = True
            if (perm & mask_perm & want) == want:
                return True
        if tag == ACL_GROUP and in_group_p(cred, id_):
            found_group = True
            if (perm & mask_perm & want) == want:
                return True
    if found_group:
        return False
    other = next(p for tag, p, _ in acl if tag == ACL_OTHER)
    return (other & want) == want
