"""drivers/block/ubd.py - UML's block device: a host file as a disk.

    ubd<N>[flags]=FILE               N = 0..7 (or a..h): /dev/ubda .. /dev/ubdh
    ubd<N>[flags]=COWFILE,BACKING    copy-on-write over a shared image

flags (any of): r read-only, s synchronous (the host file is opened
O_SYNC, so a write has reached the host's disk when it completes), d do
not look for a COW header in FILE, c and t (shared, no trim: accepted,
they change nothing here).  Major 98, 16 minors per disk, as UML.

A ubd disk's requests (block/bio.py) become host file I/O: reads are
preads straight into the bio's memory (the page cache frame), writes and
flushes go to the host I/O thread (drivers/block/io_thread.py), whose
completion is the "interrupt" that ends the bio.  With a COW file, each
run of sectors is read from the COW file if its bitmap bit is set, else
from the backing file; writes go to the COW file, followed by the bitmap
bytes they changed (drivers/block/cow.py).

The host file is locked (fcntl, as UML does) so two kernels cannot use
one image read-write at once.
"""

import errno as _errno
import fcntl
import os
import re
import stat

from kernel.errno import EIO
from block.bio import REQ_OP_FLUSH, REQ_OP_READ, REQ_OP_WRITE, SECTOR_SHIFT
from block.genhd import Gendisk, add_disk
from drivers.block import cow as _cow
from drivers.block.io_thread import HostRequest, io_thread
from kernel.printk import pr_err, pr_info

UBD_MAJOR = 98
UBD_SHIFT = 4                       # 16 minors per disk
MAX_DEV = 8

_OPTION = re.compile(r"^ubd([0-7a-h])([rsdct]*)$")


class UbdError(Exception):
    """A bad ubd= option or an image that cannot be used: one boot line."""


class UbdConfig:
    def __init__(self, n, flags, files, option):
        self.n = n
        self.read_only = "r" in flags
        self.sync = "s" in flags
        self.no_cow = "d" in flags
        self.files = files
        self.option = option


def parse_ubd_option(name, value):
    """A UbdConfig for a ubdN...=VALUE option, None if name is no ubd option."""
    m = _OPTION.match(name)
    if m is None:
        if re.match(r"^ubd[0-9a-z]", name):
            raise UbdError("%s=%s: the disk is ubd0..ubd7 (or ubda..ubdh), flags r, s, d, c, t"
                           % (name, value))
        return None
    unit = m.group(1)
    n = int(unit) if unit.isdigit() else ord(unit) - ord("a")
    parts = [p for p in re.split(r"[,:]", value) if p]
    if not parts or len(parts) > 3:
        raise UbdError("%s=%s: give FILE or COWFILE,BACKING" % (name, value))
    return UbdConfig(n, m.group(2), parts[:2], "%s=%s" % (name, value))


class Ubd:
    """One ubd disk: its host file(s)."""

    def __init__(self, cfg):
        self.n = cfg.n
        self.name = "ubd" + chr(ord("a") + cfg.n)
        self.read_only = cfg.read_only
        self.file = cfg.files[0]
        self.backing_file = cfg.files[1] if len(cfg.files) > 1 else None
        self.cow = None
        self.backing_fd = None
        self.fd = None
        self.size = 0
        self.errors = 0
        self._open(cfg)

    def _open_host(self, path, rw, create=False, sync=False):
        flags = (os.O_RDWR if rw else os.O_RDONLY) | os.O_CLOEXEC
        if sync:
            flags |= os.O_SYNC
        try:
            fd = os.open(path, flags)
        except OSError as e:
            raise UbdError("%s: %s" % (path, e.strerror))
        if not _is_regular(fd):
            os.close(fd)
            raise UbdError("%s: not a regular file" % path)
        try:
            fcntl.lockf(fd, (fcntl.LOCK_EX if rw else fcntl.LOCK_SH) | fcntl.LOCK_NB)
        except OSError as e:
            os.close(fd)
            if e.errno in (_errno.EAGAIN, _errno.EACCES):
                raise UbdError("%s: in use by another kernel (locked)" % path)
            raise UbdError("%s: cannot lock: %s" % (path, e.strerror))
        return fd

    def _open(self, cfg):
        rw = not self.read_only
        if self.backing_file is not None and not os.path.exists(self.file):
            # COWFILE,BACKING with no COW file yet: make one, as UML does
            if not os.path.exists(self.backing_file):
                raise UbdError("%s: %s" % (self.backing_file, os.strerror(_errno.ENOENT)))
            try:
                c = _cow.create_cow_file(self.file, self.backing_file)
            except (OSError, _cow.CowError) as e:
                raise UbdError("%s: cannot create COW file: %s" %
                               (self.file, getattr(e, "strerror", None) or e))
            os.close(c.fd)
        self.fd = self._open_host(self.file, rw, sync=cfg.sync)
        if not cfg.no_cow:
            try:
                self.cow = _cow.open_cow_file(self.fd, self.backing_file)
            except _cow.CowError as e:
                raise UbdError("%s: %s" % (self.file, e))
            except OSError as e:
                raise UbdError("%s: %s" % (self.file, e.strerror))
        if self.cow is not None:
            self.cow.fd = self.fd
            self.backing_file = self.cow.backing
            self.backing_fd = self._open_host(self.cow.backing, False)
            self.size = self.cow.size
        elif self.backing_file is not None:
            raise UbdError("%s: has no COW header (a COW file is the first of "
                           "COWFILE,BACKING)" % self.file)
        else:
            self.size = os.fstat(self.fd).st_size

    # -- requests ------------------------------------------------------------------
    def read(self, sector, bufs):
        """Synchronous: fill the buffers bufs (consecutive on the disk) from
        the host file(s), with one preadv when there is no COW file.
        0 or -EIO."""
        start = sector << SECTOR_SHIFT
        total = sum(len(b) for b in bufs)
        io_thread.wait_for_overlap(self, start, start + total)
        try:
            if self.cow is None:
                n = os.preadv(self.fd, bufs, start) if len(bufs) > 1 else 0
                for b in bufs:                  # what one preadv did not fill
                    if n >= len(b):
                        n -= len(b)
                    else:
                        _pread_into(self.fd, b[n:], start + n)
                        n = 0
                    start += len(b)
                return 0
            for buf in bufs:
                self._read_cow(sector, buf)
                sector += len(buf) >> SECTOR_SHIFT
            return 0
        except OSError:
            self.errors += 1
            return -EIO

    def _read_cow(self, sector, buf):
        """Each run of sectors from where the bitmap says it is."""
        nsect = len(buf) >> SECTOR_SHIFT
        for in_cow, s, n in self.cow.runs(sector, nsect):
            off = (s - sector) << SECTOR_SHIFT
            part = buf[off:off + (n << SECTOR_SHIFT)]
            if in_cow:
                _pread_into(self.fd, part, self.cow.data_offset + (s << SECTOR_SHIFT))
            else:
                _pread_into(self.backing_fd, part, s << SECTOR_SHIFT)

    def write(self, sector, data, on_done):
        start = sector << SECTOR_SHIFT
        extent = (self, start, start + len(data))
        if self.cow is None:
            ops = [("pwrite", self.fd, start, data)]
            io_thread.submit(HostRequest(ops, on_done, extent))
            return
        nsect = len(data) >> SECTOR_SHIFT
        boff, bits = self.cow.set_range(sector, nsect)
        ops = [("pwrite", self.fd, self.cow.data_offset + start, data),
               ("pwrite", self.fd, boff, bits)]

        def done(req):
            if req.status:
                self.cow.clear_range(sector, nsect)
            on_done(req)
        io_thread.submit(HostRequest(ops, done, extent))

    def flush(self, on_done):
        io_thread.submit(HostRequest([("fdatasync", self.fd)], on_done))


def _is_regular(fd):
    return stat.S_ISREG(os.fstat(fd).st_mode)


def _pread_into(fd, buf, off):
    """Fill buf from fd at off; the part past the end of the file reads as
    zeros (a sparse image that was never written there)."""
    view = buf
    while len(view):
        n = os.preadv(fd, [view], off)
        if n <= 0:
            view[:] = bytes(len(view))
            return
        view = view[n:]
        off += n


class UbdDriver:
    """The block driver (Linux's blk_mq_ops for ubd)."""
    name = "ubd"
    ro_open_refused = True              # ubd_open: a read-only disk is EROFS for writers

    def submit(self, disk, bio):
        ubd = disk.private
        if bio.op == REQ_OP_READ:
            bio.bio_endio(ubd.read(bio.sector, bio.buffers()))
        elif bio.op == REQ_OP_WRITE:
            ubd.write(bio.sector, b"".join(bytes(b) for b in bio.buffers()),
                      lambda req: _end(ubd, bio, req))
        elif bio.op == REQ_OP_FLUSH:
            ubd.flush(lambda req: _end(ubd, bio, req))
        else:
            bio.bio_endio(-EIO)

    def sysfs_extra(self, disk):
        return {}


def _end(ubd, bio, req):
    if req.status:
        ubd.errors += 1
        pr_err("ubd%s: host %s error %d on %s" % (chr(ord("a") + ubd.n),
               "write" if bio.op == REQ_OP_WRITE else "flush", -req.status, ubd.file))
    bio.bio_endio(-EIO if req.status else 0)


ubd_driver = UbdDriver()
ubd_devs = {}               # n -> Ubd


def ubd_init(configs):
    """Open every ubd= image and add its disk (raises UbdError)."""
    for cfg in configs:
        if cfg.n in ubd_devs:
            raise UbdError("%s: ubd%d given twice" % (cfg.option, cfg.n))
        ubd = Ubd(cfg)
        ubd_devs[cfg.n] = ubd
        disk = Gendisk(UBD_MAJOR, cfg.n << UBD_SHIFT, ubd.name, ubd_driver,
                       capacity=ubd.size >> SECTOR_SHIFT, read_only=ubd.read_only,
                       minors=1 << UBD_SHIFT, private=ubd)
        add_disk(disk)
        pr_info(" %s: %s%s (%d KiB)%s" % (ubd.name, ubd.file,
                ",%s" % ubd.backing_file if ubd.backing_file else "", ubd.size >> 10,
                " read-only" if ubd.read_only else ""))


def ubd_shutdown():
    """The machine stops: every queued write reaches its host file."""
    io_thread.shutdown()
    for ubd in ubd_devs.values():
        for fd in (ubd.fd, ubd.backing_fd):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
    ubd_devs.clear()
