"""kernel/user_namespace.py - the user namespace (Linux's
kernel/user_namespace.c).

pyuml has one: the initial one, which every task's credentials are in
and which owns every other namespace (NS_GET_USERNS names it).  Its
owner is root and it has no parent.
"""

from kernel.ns_common import NsCommon

CLONE_NEWUSER = 0x10000000


class UserNamespace(NsCommon):
    def __init__(self, parent, owner, inum=None):
        super().__init__(b"user", CLONE_NEWUSER, inum)
        self.parent = parent            # the namespace it was made in (None: initial)
        self.owner = owner              # the euid of its creator


init_user_ns = UserNamespace(None, 0, inum=0xEFFFFFFD)
