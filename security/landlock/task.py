"""security/landlock/task.py - scopes: what a sandbox may not reach
outside itself.  A layer with SCOPE_SIGNAL keeps its tasks from signalling
any task not in that layer's domain (itself or one nested in it); one with
SCOPE_ABSTRACT_UNIX_SOCKET keeps them from connecting or sending to an
abstract unix socket made outside it.  Both EPERM."""

from kernel.errno import EPERM, Errno
from security.landlock.ruleset import SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL


def domain_is_scoped(client, server, scope):
    """Is server's domain out of reach of client's for scope?  The
    innermost client layer with the scope decides: the server must be
    within it (have that very layer among its own)."""
    for i in range(len(client) - 1, -1, -1):
        if client[i].scoped & scope:
            return server is None or len(server) <= i or server[i] is not client[i]
    return False


def task_kill(sender, t):
    """May sender signal t?  Threads of one process always may."""
    domain = sender.cred.landlock
    if domain is None or sender.tgid == t.tgid:
        return True
    return not domain_is_scoped(domain, t.cred.landlock, SCOPE_SIGNAL)


def unix_may_connect(t, sock, other):
    """connect or send from sock to other, an abstract unix socket."""
    domain = t.cred.landlock
    if domain is None or sock.peer is other:
        return
    if domain_is_scoped(domain, other.landlock_domain, SCOPE_ABSTRACT_UNIX_SOCKET):
        raise Errno(EPERM)
