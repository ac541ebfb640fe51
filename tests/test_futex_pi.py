"""Priority-inheritance futexes (kernel/futex.py): FUTEX_LOCK_PI,
TRYLOCK_PI and UNLOCK_PI on raw words (the word's owner, FUTEX_WAITERS
and FUTEX_OWNER_DIED after each step, handover to a sleeping waiter, an
owner dying while another waits), and the pthread mutexes built on them:
PTHREAD_PRIO_INHERIT under contention, error checking, robust PI mutexes
whose owner dies - against the host kernel."""

import pytest

from conftest import differential, guest


@pytest.mark.parametrize("libc", ["musl", "glibc", "glibc32"])
def test_pi_futexes(libc):
    n, u = differential(guest("pifutex", libc), timeout=60)
    assert "counter 12000" in u.out
