"""kernel/membarrier.py - membarrier(2): memory barriers on every CPU that
runs the process's threads.

This machine has one CPU and the Python kernel runs between any two guest
instructions of different tasks, so every barrier command has nothing left
to do.  What remains is the bookkeeping Linux's users depend on: QUERY
reports the supported commands, and the PRIVATE_EXPEDITED kinds fail with
EPERM until the process has registered for them.  Registration belongs to
the address space (mm.membarrier_state): threads share it, a forked child
keeps it (it runs the same code), exec starts afresh.
"""

from kernel.errno import EINVAL, EPERM

MEMBARRIER_CMD_QUERY = 0
MEMBARRIER_CMD_GLOBAL = 1 << 0
MEMBARRIER_CMD_GLOBAL_EXPEDITED = 1 << 1
MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED = 1 << 2
MEMBARRIER_CMD_PRIVATE_EXPEDITED = 1 << 3
MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED = 1 << 4
MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE = 1 << 5
MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE = 1 << 6
MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ = 1 << 7
MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_RSEQ = 1 << 8
MEMBARRIER_CMD_GET_REGISTRATIONS = 1 << 9
MEMBARRIER_CMD_FLAG_CPU = 1 << 0

MEMBARRIER_CMD_BITMASK = (1 << 10) - 1

# mm.membarrier_state: registration asked for, and completed ("ready")
STATE_PRIVATE_EXPEDITED_READY = 1 << 0
STATE_PRIVATE_EXPEDITED = 1 << 1
STATE_GLOBAL_EXPEDITED_READY = 1 << 2
STATE_GLOBAL_EXPEDITED = 1 << 3
STATE_SYNC_CORE_READY = 1 << 4
STATE_SYNC_CORE = 1 << 5
STATE_RSEQ_READY = 1 << 6
STATE_RSEQ = 1 << 7

# which registration command a state bit reports (GET_REGISTRATIONS)
_REGISTRATIONS = (
    (STATE_GLOBAL_EXPEDITED | STATE_GLOBAL_EXPEDITED_READY,
     MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED),
    (STATE_PRIVATE_EXPEDITED | STATE_PRIVATE_EXPEDITED_READY,
     MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED),
    (STATE_SYNC_CORE | STATE_SYNC_CORE_READY,
     MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE),
    (STATE_RSEQ | STATE_RSEQ_READY,
     MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_RSEQ),
)

# private command -> (state it needs, registration: state bits it sets, ready bit)
_PRIVATE = {
    MEMBARRIER_CMD_PRIVATE_EXPEDITED: STATE_PRIVATE_EXPEDITED_READY,
    MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE: STATE_SYNC_CORE_READY,
    MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ: STATE_RSEQ_READY,
}
_REGISTER_PRIVATE = {
    MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED: (STATE_PRIVATE_EXPEDITED,
                                                STATE_PRIVATE_EXPEDITED_READY),
    # (a core-serialising or rseq registration also asks for the plain
    # private state, without making it ready: as Linux)
    MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE: (
        STATE_PRIVATE_EXPEDITED | STATE_SYNC_CORE, STATE_SYNC_CORE_READY),
    MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_RSEQ: (
        STATE_PRIVATE_EXPEDITED | STATE_RSEQ, STATE_RSEQ_READY),
}


def sys_membarrier(t, cmd, flags, cpu_id):
    cmd &= 0xFFFFFFFF
    cmd = cmd - (1 << 32) if cmd & 0x80000000 else cmd
    flags &= 0xFFFFFFFF
    if cmd == MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ:
        if flags and flags != MEMBARRIER_CMD_FLAG_CPU:
            return -EINVAL
    elif flags:
        return -EINVAL
    mm = t.mm
    if cmd == MEMBARRIER_CMD_QUERY:
        return MEMBARRIER_CMD_BITMASK
    if cmd in (MEMBARRIER_CMD_GLOBAL, MEMBARRIER_CMD_GLOBAL_EXPEDITED):
        return 0
    if cmd == MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED:
        mm.membarrier_state |= STATE_GLOBAL_EXPEDITED | STATE_GLOBAL_EXPEDITED_READY
        return 0
    if cmd in _PRIVATE:
        if not mm.membarrier_state & _PRIVATE[cmd]:
            return -EPERM
        return 0                # (a CPU number, valid or not, changes nothing)
    if cmd in _REGISTER_PRIVATE:
        asked, ready = _REGISTER_PRIVATE[cmd]
        mm.membarrier_state |= asked | ready
        return 0
    if cmd == MEMBARRIER_CMD_GET_REGISTRATIONS:
        state = mm.membarrier_state
        return sum(c for bits, c in _REGISTRATIONS if state & bits)
    return -EINVAL
