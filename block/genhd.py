"""block/genhd.py - struct gendisk: the disks the kernel has.

A driver (ubd, loop) describes each disk it drives with a Gendisk - its
device number, name, size in 512-byte sectors, whether it is read-only -
and add_disk() makes it known: a node in devtmpfs (/dev/ubda), a line in
/proc/partitions, a directory in /sys/block.  Disks have no partitions
here: the images UML users boot are whole-disk file systems (BLKRRPART
says EINVAL, as Linux for a disk that cannot be partitioned).
"""

from kernel.errno import ENXIO, Errno
from fs.inode import S_IFBLK, mkdev
from fs.devtmpfs import devtmpfs_create_node, devtmpfs_delete_node

disks = {}                  # dev_t -> Gendisk, in the order they came


class Gendisk:
    def __init__(self, major, first_minor, name, driver, capacity=0, read_only=False,
                 minors=1, private=None):
        self.major = major
        self.first_minor = first_minor
        self.minors = minors
        self.disk_name = name           # str: "ubda"
        self.driver = driver            # .submit(disk, bio), optional .ioctl, .sysfs_extra
        self.capacity = capacity        # 512-byte sectors
        self.read_only = read_only
        self.private = private
        self.removable = 0
        self.stats = [0, 0, 0]          # bios submitted: read, write, flush
        self.sectors = [0, 0]           # sectors read, written (/sys/block/X/stat)
        self.bdev = None                # block/bdev.py's BlockDevice, made on first use

    @property
    def dev(self):
        return mkdev(self.major, self.first_minor)

    def set_capacity(self, sectors):
        self.capacity = sectors
        if self.bdev is not None:
            self.bdev.size_changed()

    def __repr__(self):
        return "<Gendisk %s>" % self.disk_name


def add_disk(disk, node=True):
    """The disk is ready: /dev, /proc/partitions and /sys/block show it."""
    disks[disk.dev] = disk
    if node:
        devtmpfs_create_node(disk.disk_name.encode(), 0o660, disk.major, disk.first_minor,
                             kind=S_IFBLK)


def del_gendisk(disk):
    """The disk goes (a loop device removed): its node too."""
    if disks.get(disk.dev) is disk:
        del disks[disk.dev]
    devtmpfs_delete_node(disk.disk_name.encode())


def get_gendisk(dev):
    disk = disks.get(dev)
    if disk is None:
        raise Errno(ENXIO)
    return disk


def find_disk(name):
    for d in disks.values():
        if d.disk_name == name:
            return d
    return None


def partitions_text(reader=None):
    """/proc/partitions: each disk's size in 1 KiB blocks."""
    out = ["major minor  #blocks  name\n\n"]
    for d in disks.values():
        if d.capacity == 0 and d.major == 7:
            continue                    # an unbound loop device, as Linux hides it
        out.append("%4d  %7d %10d %s\n" % (d.major, d.first_minor, d.capacity >> 1,
                                            d.disk_name))
    return "".join(out)
