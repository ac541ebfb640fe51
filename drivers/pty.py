"""drivers/pty.py - pseudo-terminals: /dev/ptmx and /dev/pts/N.

Opening /dev/ptmx makes a pair of ttys joined back to back: what a program
writes to the master arrives as input of the slave (through the slave's
line discipline: echo, line editing, ^C), and what is written to the slave
(after its output processing) is read from the master.  The slave is what
shells and editors run on; the master is held by whoever plays the
terminal (script, ssh, a test).

As on Linux: a new slave is locked until unlockpt (TIOCSPTLCK); TIOCGPTN
tells its number, TIOCGPTPEER opens it without a path.  Closing the last
slave makes the master's reads fail with EIO (POLLHUP); closing the master
hangs the slave up (its session gets SIGHUP) and removes /dev/pts/N.
The terminal settings, window size and foreground group asked through the
master are the slave's.
"""

from kernel.errno import EINVAL, EIO, ENODEV, Errno
from fs.file import File, O_CLOEXEC, POLLIN, POLLRDNORM
from fs.char_dev import register_chrdev
from fs.devpts import UNIX98_PTY_SLAVE_MAJOR, devpts
from fs.inode import dev_minor, mkdev
from drivers.n_tty import B38400, CREAD, CS8
from drivers.tty import (TIOCGPTLCK, TIOCGPTN, TIOCGPTPEER, TIOCPKT,
                         TIOCSPTLCK, Termios, Tty, TtyDriver, TtyFileOps,
                         tty_std_termios)
from mm.uaccess import copy_from_user, copy_to_user
from fs.devtmpfs import devtmpfs_create_node

PTY_BUF = 65536                  # how much may wait for a reader (Linux's 64 KiB)
ptys = {}                        # index -> master Tty


class PtyDriver(TtyDriver):
    has_set_termios = True

    def write(self, tty, data):
        """Bytes for the other end.  Input for a slave goes through its line
        discipline now (so ^C signals at once); output for the master waits
        in its flip buffer until someone looks (Linux pushes it from a work
        queue), so that a ^C on the slave can still flush it."""
        other = tty.link
        if other is None:
            return len(data)
        if other.driver is pty_master_driver:
            other.flip += data
            other.read_wait.wake_up(POLLIN | POLLRDNORM)
        else:
            other.receive(data)
        return len(data)

    def flush_buffer(self, tty):
        if tty.link is not None:
            tty.link.flip = bytearray()

    def write_room(self, tty):
        other = tty.link
        if other is None:
            return 0
        return PTY_BUF - len(other.flip) - len(other.ldisc.buf)

    def unthrottle(self, tty):
        # the reader made room: the other end may write again
        if tty.link is not None:
            tty.link.write_wait.wake_up()

    def other_closed(self, tty):
        return tty.other_closed_flag

    def set_termios(self, tty, old):
        tty.termios.cflag &= ~(0o60 | 0o400)            # CSIZE, PARENB
        tty.termios.cflag |= CS8 | CREAD


class PtyMasterDriver(PtyDriver):
    name = "pty_master"

    def close(self, tty, f):
        if tty.count > 0:
            return
        slave = tty.link
        slave.other_closed_flag = True
        tty.other_closed_flag = True
        ptys.pop(tty.index, None)
        devpts().kill_slave_node(tty.index)
        slave.hangup()

    def ioctl(self, tty, f, t, cmd, arg):
        if cmd == TIOCSPTLCK:
            tty.link.locked = bool(int.from_bytes(copy_from_user(t.mm, arg, 4), "little"))
            return 0
        if cmd == TIOCGPTLCK:
            copy_to_user(t.mm, arg, int(tty.link.locked).to_bytes(4, "little"))
            return 0
        if cmd == TIOCGPTN:
            copy_to_user(t.mm, arg, tty.index.to_bytes(4, "little"))
            return 0
        if cmd == TIOCGPTPEER:
            return open_peer(tty, t, arg)
        if cmd == TIOCPKT:
            v = int.from_bytes(copy_from_user(t.mm, arg, 4), "little")
            return 0 if not v else -EINVAL
        return None


class PtySlaveDriver(PtyDriver):
    name = "pty_slave"

    def open(self, tty, f, t):
        tty.link.other_closed_flag = False

    def close(self, tty, f):
        if tty.count > 0:
            return
        master = tty.link
        master.other_closed_flag = True
        master.read_wait.wake_up()
        master.write_wait.wake_up()


pty_master_driver = PtyMasterDriver()
pty_slave_driver = PtySlaveDriver()


def _new_pair(t):
    used = set(ptys)
    dp = devpts()
    index = dp.pty_new_index(used)
    mt = Termios(0, 0, B38400 | CS8 | CREAD, 0)
    master = Tty(b"ptm%d" % index, mkdev(5, 2), pty_master_driver, mt)
    st = tty_std_termios()
    st.cflag = B38400 | CS8 | CREAD
    slave = Tty(b"pts/%d" % index, mkdev(UNIX98_PTY_SLAVE_MAJOR, index), pty_slave_driver, st)
    for x in (master, slave):
        x.other_closed_flag = False
        x.index = index
    master.link, slave.link = slave, master
    slave.locked = True
    ptys[index] = master
    dp.new_slave_node(index, t.cred)
    return master


def _find_master(f, t):
    return _new_pair(t)


def _find_slave(f, t):
    index = dev_minor(f.inode.rdev)
    master = ptys.get(index)
    if master is None:
        raise Errno(ENODEV)
    slave = master.link
    if slave.locked or slave.hung_up or master.count <= 0:
        raise Errno(EIO)
    return slave


ptmx_fops = TtyFileOps(_find_master, noctty=True)
pts_fops = TtyFileOps(_find_slave)


def open_peer(master, t, flags):
    """TIOCGPTPEER: open the slave through /dev/pts/N."""
    flags &= 0xFFFFFFFF
    path = devpts().slave_path(master.index)
    f = File(path, flags, pts_fops)
    f.open_flags = flags
    try:
        pts_fops.open(f, t)
    except BaseException:
        f.private = None
        f.put()
        raise
    try:
        return t.files.alloc_fd(t, f, cloexec=bool(flags & O_CLOEXEC))
    except BaseException:
        f.put()
        raise


def pty_init():
    register_chrdev(5, 2, ptmx_fops)
    register_chrdev(UNIX98_PTY_SLAVE_MAJOR, None, pts_fops)
    devtmpfs_create_node(b"ptmx", 0o666, 5, 2)
