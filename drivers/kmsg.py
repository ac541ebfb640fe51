"""drivers/kmsg.py - /dev/kmsg (char 1:11) and /proc/kmsg.

/dev/kmsg is the structured way into the kernel log (kernel/printk.py),
the one util-linux dmesg and systemd use:

  - each open file has its own position (a sequence number), starting at
    the oldest record the buffer still holds;
  - read() returns one record, "PRI,SEQ,TIMESTAMP_USEC,FLAGS;TEXT\\n"
    (PRI = facility * 8 + level; FLAGS "-"; bytes that are not printable
    as \\xNN); a buffer too small for it is EINVAL; no record yet waits
    (EAGAIN with O_NONBLOCK); a position whose records were overwritten
    gets EPIPE once, and the file then goes on from the oldest one;
  - lseek(fd, 0, SEEK_SET) goes back to the oldest record, SEEK_DATA to
    the first after the last syslog CLEAR, SEEK_END to the end; any
    other offset is ESPIPE;
  - write() adds a record: "<N>text" gives level N & 7 and, if not 0,
    facility N >> 3; otherwise the default message level and facility
    user (1);
  - poll: readable when a record is waiting, POLLERR|POLLPRI after an
    overrun.

Opening it for reading asks what syslog(SYSLOG_ACTION_READ_ALL) asks
(dmesg_restrict).  /proc/kmsg is syslog(2)'s SYSLOG_ACTION_READ as a file
(mode 0400): reads consume the one shared reader position.
"""

from kernel import printk, sched
from kernel import syslog as ksyslog
from kernel.errno import EAGAIN, EINVAL, EPIPE, ESPIPE, Errno
from fs.char_dev import register_chrdev
from fs.file import FileOperations, O_ACCMODE, O_NONBLOCK, O_WRONLY

POLLIN, POLLPRI, POLLERR, POLLRDNORM = 0x1, 0x2, 0x8, 0x40
SEEK_SET, SEEK_CUR, SEEK_END, SEEK_DATA = 0, 1, 2, 3
LOG_USER = 1


class KmsgUser:
    """What an open /dev/kmsg remembers."""
    __slots__ = ("seq",)

    def __init__(self):
        self.seq = printk.log.first_seq


def _escape(text):
    out = []
    for ch in text.encode(errors="replace"):
        if ch < 0x20 or ch >= 0x7F or ch == 0x5C:
            out.append("\\x%02x" % ch)
        else:
            out.append(chr(ch))
    return "".join(out)


def kmsg_record(r):
    return ("%d,%d,%d,-;%s\n" % (r.facility << 3 | r.level, r.seq, r.ts_usec,
                                 _escape(r.text))).encode()


class DevKmsgOps(FileOperations):
    seekable = True

    def open(self, f, t):
        if f.flags & O_ACCMODE != O_WRONLY:
            ksyslog.check_syslog_permissions(t, ksyslog.SYSLOG_ACTION_READ_ALL,
                                             ksyslog.SYSLOG_FROM_READER)
        f.private = KmsgUser()

    def read(self, f, t, count):
        user = f.private
        log = printk.log
        if user.seq < log.first_seq:
            user.seq = log.first_seq            # the records were overwritten
            raise Errno(EPIPE)
        if user.seq >= log.next_seq:
            if f.flags & O_NONBLOCK:
                raise Errno(EAGAIN)
            return self._wait(f, t, count)
        return self._one(user, count)

    def _wait(self, f, t, count):
        user = f.private
        r = yield from sched.wait_event(t, printk.log.wait_queue(),
                                        lambda: user.seq < printk.log.next_seq)
        if r < 0:
            raise Errno(-r)                     # read returns bytes or raises
        return self.read(f, t, count)

    def _one(self, user, count):
        data = kmsg_record(printk.log.get(user.seq))
        if len(data) > count:
            raise Errno(EINVAL)
        user.seq += 1
        return data

    def write(self, f, t, data):
        text = bytes(data).decode(errors="replace")
        level, facility = printk.default_message_loglevel, LOG_USER
        if text.startswith("<"):
            end = text.find(">")
            if 1 < end <= 4 and text[1:end].isdigit():
                pri = int(text[1:end])
                level = pri & 7
                if pri >> 3:                    # facility 0 is not for programs
                    facility = pri >> 3
                text = text[end + 1:]
        text = text.rstrip("\n")
        r = printk.log_store(level, text, facility)
        if level < printk.console_loglevel:
            printk.console_write(r)
        return len(data)

    def llseek(self, f, offset, whence):
        if offset:
            raise Errno(ESPIPE)
        user = f.private
        log = printk.log
        if whence == SEEK_SET:
            user.seq = log.first_seq
        elif whence == SEEK_DATA:
            user.seq = max(ksyslog.clear_seq, log.first_seq)
        elif whence == SEEK_END:
            user.seq = log.next_seq
        else:
            raise Errno(EINVAL)
        return 0

    def poll(self, f, t):
        user = f.private
        log = printk.log
        mask = 0
        if user.seq < log.next_seq:
            mask = POLLIN | POLLRDNORM
            if user.seq < log.first_seq:
                mask |= POLLERR | POLLPRI
        return mask, (log.wait_queue(),)


class ProcKmsgOps(FileOperations):
    """/proc/kmsg: syslog(2)'s destructive READ."""

    def open(self, f, t):
        ksyslog.check_syslog_permissions(t, ksyslog.SYSLOG_ACTION_OPEN, ksyslog.SYSLOG_FROM_PROC)

    def read(self, f, t, count):
        if count == 0:
            return b""
        return ksyslog.syslog_read(t, count, nonblock=bool(f.flags & O_NONBLOCK))

    def poll(self, f, t):
        mask = POLLIN | POLLRDNORM if ksyslog.size_unread() else 0
        return mask, (printk.log.wait_queue(),)


dev_kmsg_fops = DevKmsgOps()
proc_kmsg_fops = ProcKmsgOps()


def kmsg_init():
    register_chrdev(1, 11, dev_kmsg_fops)
