"""kernel/syslog.py - syslog(2) and /proc/kmsg: the kernel log for readers.

    syslog(type, buf, len)      (glibc's klogctl; busybox dmesg uses it)

reads and manages the ring buffer of kernel/printk.py as Linux's
do_syslog() does.  Text comes as lines "<PRI>[SECONDS.USEC] message\\n",
PRI being facility * 8 + level:

  SYSLOG_ACTION_READ (2)        wait for unread records and consume them
                                (the one reader position, syslog_seq;
                                /proc/kmsg reads the same way)
  SYSLOG_ACTION_READ_ALL (3)    the newest records since the last CLEAR
                                that fit in len, leaving them in place
  SYSLOG_ACTION_READ_CLEAR (4)  the same, then CLEAR
  SYSLOG_ACTION_CLEAR (5)       forget what is there for READ_ALL
  SYSLOG_ACTION_CONSOLE_OFF/ON/LEVEL (6, 7, 8)  the console's log level
  SYSLOG_ACTION_SIZE_UNREAD (9), SIZE_BUFFER (10)
  CLOSE (0), OPEN (1)           nothing, 0

Permissions as Linux's check_syslog_permissions: with dmesg_restrict
(/proc/sys/kernel/dmesg_restrict, 1 by default as in Debian) every action
needs CAP_SYSLOG (here: euid 0); without it, READ_ALL and SIZE_BUFFER are
open to everyone.  /proc/kmsg checks at open, and its reads do not again.
"""

from kernel import printk, sched
from kernel.errno import EAGAIN, EFAULT, EINVAL, EPERM, Errno
from kernel.capability import CAP_SYSLOG, capable
from mm.uaccess import access_ok, copy_to_user

SYSLOG_ACTION_CLOSE, SYSLOG_ACTION_OPEN, SYSLOG_ACTION_READ, SYSLOG_ACTION_READ_ALL, \
    SYSLOG_ACTION_READ_CLEAR, SYSLOG_ACTION_CLEAR, SYSLOG_ACTION_CONSOLE_OFF, \
    SYSLOG_ACTION_CONSOLE_ON, SYSLOG_ACTION_CONSOLE_LEVEL, SYSLOG_ACTION_SIZE_UNREAD, \
    SYSLOG_ACTION_SIZE_BUFFER = range(11)
SYSLOG_FROM_READER, SYSLOG_FROM_PROC = 0, 1

syslog_seq = 0              # where READ (and /proc/kmsg) goes on
syslog_partial = b""        # the rest of a record a short READ left
clear_seq = 0               # where READ_ALL starts
saved_console_loglevel = -1


def record_text(r):
    """One record as syslog(2) and /proc/kmsg show it."""
    return ("<%d>%s %s\n" % (r.facility << 3 | r.level, printk.timestamp(r.ts_usec),
                             r.text)).encode(errors="replace")


def syslog_action_restricted(action):
    if printk.dmesg_restrict:
        return True
    return action not in (SYSLOG_ACTION_READ_ALL, SYSLOG_ACTION_SIZE_BUFFER)


def check_syslog_permissions(t, action, source):
    if source == SYSLOG_FROM_PROC and action != SYSLOG_ACTION_OPEN:
        return
    if syslog_action_restricted(action) and not capable(t, CAP_SYSLOG):
        raise Errno(EPERM)


def _first(seq):
    return max(seq, printk.log.first_seq)


def _read_all(count, clear):
    """The newest records from clear_seq on that fit in count bytes."""
    global clear_seq
    log = printk.log
    texts = []
    size = 0
    seq = log.next_seq - 1
    start = _first(clear_seq)
    while seq >= start:
        s = record_text(log.get(seq))
        if size + len(s) > count:
            break
        texts.append(s)
        size += len(s)
        seq -= 1
    if clear:
        clear_seq = log.next_seq
    return b"".join(reversed(texts))


def _unread():
    global syslog_seq
    syslog_seq = _first(syslog_seq)
    return syslog_partial or syslog_seq < printk.log.next_seq


def syslog_read(t, count, nonblock=False):
    """READ: wait for a record, then take as many as fit (a generator when
    it has to wait).  Returns the bytes."""
    if not _unread():
        if nonblock:
            raise Errno(EAGAIN)
        return _syslog_read_wait(t, count)
    return _take(count)


def _syslog_read_wait(t, count):
    r = yield from sched.wait_event(t, printk.log.wait_queue(), _unread)
    if r < 0:
        return r
    return _take(count)


def _take(count):
    global syslog_seq, syslog_partial
    log = printk.log
    out = bytearray()
    while len(out) < count:
        if not syslog_partial:
            syslog_seq = _first(syslog_seq)
            r = log.get(syslog_seq)
            if r is None:
                break
            syslog_partial = record_text(r)
            syslog_seq += 1
        n = count - len(out)
        out += syslog_partial[:n]
        syslog_partial = syslog_partial[n:]
    return bytes(out)


def size_unread():
    n = len(syslog_partial)
    log = printk.log
    for seq in range(_first(syslog_seq), log.next_seq):
        n += len(record_text(log.get(seq)))
    return n


def do_syslog(t, action, buf, count, source):
    global clear_seq, saved_console_loglevel
    check_syslog_permissions(t, action, source)
    if action in (SYSLOG_ACTION_CLOSE, SYSLOG_ACTION_OPEN):
        return 0
    if action in (SYSLOG_ACTION_READ, SYSLOG_ACTION_READ_ALL, SYSLOG_ACTION_READ_CLEAR):
        if not buf or count < 0:
            raise Errno(EINVAL)
        if count == 0:
            return 0
        if not access_ok(t.mm, buf, count):
            raise Errno(EFAULT)
        if action == SYSLOG_ACTION_READ:
            data = syslog_read(t, count)
            if type(data) is not bytes:
                return _copy_out_later(t, buf, data)
        else:
            data = _read_all(count, action == SYSLOG_ACTION_READ_CLEAR)
        copy_to_user(t.mm, buf, data)
        return len(data)
    if action == SYSLOG_ACTION_CLEAR:
        clear_seq = printk.log.next_seq
        return 0
    if action == SYSLOG_ACTION_CONSOLE_OFF:
        if saved_console_loglevel == -1:
            saved_console_loglevel = printk.console_loglevel
        printk.set_console_loglevel(printk.minimum_console_loglevel)
        return 0
    if action == SYSLOG_ACTION_CONSOLE_ON:
        if saved_console_loglevel != -1:
            printk.set_console_loglevel(saved_console_loglevel)
            saved_console_loglevel = -1
        return 0
    if action == SYSLOG_ACTION_CONSOLE_LEVEL:
        if count < 1 or count > 8:
            raise Errno(EINVAL)
        printk.set_console_loglevel(max(count, printk.minimum_console_loglevel))
        saved_console_loglevel = -1             # a later CONSOLE_ON keeps it
        return 0
    if action == SYSLOG_ACTION_SIZE_UNREAD:
        return size_unread()
    if action == SYSLOG_ACTION_SIZE_BUFFER:
        return printk.log.size
    raise Errno(EINVAL)


def _copy_out_later(t, buf, gen):
    data = yield from gen
    if isinstance(data, int):
        return data
    copy_to_user(t.mm, buf, data)
    return len(data)


def sys_syslog(t, action, buf, length):
    action &= 0xFFFFFFFF
    length &= 0xFFFFFFFF
    if length & 0x80000000:
        length -= 1 << 32
    return do_syslog(t, action if action < 0x80000000 else -1, buf, length, SYSLOG_FROM_READER)
