"""kernel/printk.py - the kernel log: printk, its ring buffer, the console.

Every message printk() is given becomes a record in the log buffer, as in
Linux: a sequence number, a timestamp (microseconds since boot), a level
(KERN_ERR ...), a facility (0 for the kernel, 1 "user" for what programs
write to /dev/kmsg) and the text.  The buffer holds LOG_BUF_LEN bytes of
records; the oldest go when it is full, and readers that had not seen them
learn so (/dev/kmsg answers EPIPE).  Readers:

  - syslog(2) and /proc/kmsg (kernel/syslog.py): "<6>[    0.000000] text"
    lines; READ consumes (syslog_seq), READ_ALL does not, CLEAR moves
    clear_seq;
  - /dev/kmsg (drivers/kmsg.py): one record per read(),
    "6,42,123456,-;text", each open file with its own position.

The console (the host's stderr) shows a record when its level is below
console_loglevel - Linux's rule, with its default 7 (everything but
KERN_DEBUG); `quiet` makes it 4 (errors and worse), `debug` 10,
`loglevel=N` N; /proc/sys/kernel/printk shows and sets the four levels.
The guest console (stdout) never carries kernel messages.
"""

import sys
import time
from collections import deque

from kernel.sched import WaitQueue

KERN_EMERG, KERN_ALERT, KERN_CRIT, KERN_ERR, KERN_WARNING, KERN_NOTICE, KERN_INFO, \
    KERN_DEBUG = range(8)

LOG_BUF_LEN = 1 << 18               # CONFIG_LOG_BUF_SHIFT=18, as Debian
RECORD_OVERHEAD = 16                # bytes a record costs beside its text

CONSOLE_LOGLEVEL_DEFAULT = 7
CONSOLE_LOGLEVEL_QUIET = 4
CONSOLE_LOGLEVEL_MIN = 1
MESSAGE_LOGLEVEL_DEFAULT = 4

# /proc/sys/kernel/printk: console, default message, minimum console, default console
console_loglevel = CONSOLE_LOGLEVEL_DEFAULT
default_message_loglevel = MESSAGE_LOGLEVEL_DEFAULT
minimum_console_loglevel = CONSOLE_LOGLEVEL_MIN
default_console_loglevel = CONSOLE_LOGLEVEL_DEFAULT
dmesg_restrict = 1                  # /proc/sys/kernel/dmesg_restrict: Debian's default

boot_time = time.monotonic()
newline = "\n"                      # "\r\n" while the host terminal is raw
_once = set()


class Record:
    __slots__ = ("seq", "ts_usec", "level", "facility", "text")

    def __init__(self, seq, ts_usec, level, facility, text):
        self.seq = seq
        self.ts_usec = ts_usec
        self.level = level
        self.facility = facility
        self.text = text                # str, without the newline

    def size(self):
        return len(self.text) + RECORD_OVERHEAD


class LogBuffer:
    """The ring of records.  first_seq is the oldest still held, next_seq
    the one the next message gets."""

    def __init__(self, size=LOG_BUF_LEN):
        self.size = size
        self.records = deque()
        self.used = 0
        self.first_seq = 0
        self.next_seq = 0
        self.wait = None                # a WaitQueue, made when someone sleeps

    def append(self, level, facility, text, ts_usec):
        r = Record(self.next_seq, ts_usec, level, facility, text)
        self.next_seq += 1
        self.records.append(r)
        self.used += r.size()
        while self.used > self.size and len(self.records) > 1:
            old = self.records.popleft()
            self.used -= old.size()
            self.first_seq = old.seq + 1
        if self.wait is not None:
            self.wait.wake_up(0x1 | 0x40)       # POLLIN | POLLRDNORM
        return r

    def get(self, seq):
        """The record with this sequence number, or None (gone or not yet)."""
        if seq < self.first_seq or seq >= self.next_seq:
            return None
        return self.records[seq - self.first_seq]

    def wait_queue(self):
        if self.wait is None:
            self.wait = WaitQueue()
        return self.wait


log = LogBuffer()


def _now_usec():
    return int((time.monotonic() - boot_time) * 1e6)


def timestamp(ts_usec):
    """[    1.234567], as the console and syslog show a record's time."""
    return "[%5d.%06d]" % (ts_usec // 1000000, ts_usec % 1000000)


def log_store(level, text, facility=0):
    """Add a record without printing it on the console (what /dev/kmsg
    writers and printk share)."""
    return log.append(level, facility, text, _now_usec())


def printk(msg, level=KERN_INFO):
    for line in str(msg).split("\n"):
        r = log_store(level, line)
        if level < console_loglevel:
            console_write(r)


def console_write(r):
    sys.stderr.write("%s %s%s" % (timestamp(r.ts_usec), r.text, newline))
    sys.stderr.flush()


def set_console_loglevel(level):
    global console_loglevel
    console_loglevel = level


def pr_err(msg):
    printk(msg, KERN_ERR)


def pr_warn(msg):
    printk(msg, KERN_WARNING)


def pr_notice(msg):
    printk(msg, KERN_NOTICE)


def pr_info(msg):
    printk(msg, KERN_INFO)


def pr_debug(msg):
    printk(msg, KERN_DEBUG)


def printk_once(key, msg, level=KERN_INFO):
    if key not in _once:
        _once.add(key)
        printk(msg, level)
