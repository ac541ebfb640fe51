"""kernel/futex.py - fast user-space mutexes (placeholder for the exit hooks).

mm_release() implements CLONE_CHILD_CLEARTID: when a thread exits, the
kernel writes 0 to its clear_child_tid word and wakes one futex waiter
there; pthread_join relies on it.
"""

from kernel.errno import Errno


def exit_robust_list(t):
    """Walk the robust list at exit (see sys_set_robust_list)."""


def mm_release(t):
    if t.clear_child_tid and t.mm is not None and t.mm.users > 1:
        from mm.uaccess import put_user_u32
        try:
            put_user_u32(t.mm, t.clear_child_tid, 0)
            futex_wake(t.mm, t.clear_child_tid, 1)
        except Errno:
            pass
    t.clear_child_tid = 0


def futex_wake(mm, uaddr, n):
    return 0
