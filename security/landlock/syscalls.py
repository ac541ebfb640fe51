"""security/landlock/syscalls.py - Landlock's three system calls, refused
as Linux refuses them when Landlock is built in but not enabled at boot
(not in lsm=): EOPNOTSUPP before any argument is looked at.  Programs and
LTP take that to mean "no Landlock here" (a sandbox that cannot be made
is not silently an empty one)."""

from kernel.errno import EOPNOTSUPP


def sys_landlock_create_ruleset(t, attr, size, flags):
    return -EOPNOTSUPP


def sys_landlock_add_rule(t, ruleset_fd, rule_type, rule_attr, flags):
    return -EOPNOTSUPP


def sys_landlock_restrict_self(t, ruleset_fd, flags):
    return -EOPNOTSUPP
