"""kernel/utsname.py - UTS namespaces: the host and domain names uname(2)
reports, sethostname(2) and setdomainname(2) set, per namespace (Linux's
kernel/utsname.c).

A new namespace (clone or unshare with CLONE_NEWUTS) starts with a copy
of its creator's names; changes in one are not seen in another.
"""

from kernel.ns_common import NsCommon
from kernel.user_namespace import init_user_ns

CLONE_NEWUTS = 0x04000000


class UtsNamespace(NsCommon):
    def __init__(self, nodename, domainname, user_ns, inum=None):
        super().__init__(b"uts", CLONE_NEWUTS, user_ns, inum)
        self.nodename = nodename        # uname's nodename: the host name
        self.domainname = domainname    # the NIS domain name


init_uts_ns = UtsNamespace(b"pyuml", b"(none)", init_user_ns, inum=0xEFFFFFFE)


def copy_utsname(old, user_ns):
    return UtsNamespace(old.nodename, old.domainname, user_ns)
