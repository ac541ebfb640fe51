"""kernel/printk.py - kernel messages on the host's stderr.

Lines look like Linux's dmesg: "[    0.012345] message", seconds since boot.
`quiet` on the command line keeps everything but errors off the console.
The guest console (stdout) never carries kernel messages.
"""

import sys
import time

KERN_ERR, KERN_WARNING, KERN_NOTICE, KERN_INFO, KERN_DEBUG = 3, 4, 5, 6, 7

boot_time = time.monotonic()
loglevel = KERN_INFO                # messages below this level are printed
newline = "\n"                      # "\r\n" while the host terminal is raw
_once = set()


def printk(msg, level=KERN_INFO):
    if level > loglevel:
        return
    t = time.monotonic() - boot_time
    sys.stderr.write("[%5d.%06d] %s%s" % (int(t), int((t % 1) * 1e6), msg, newline))
    sys.stderr.flush()


def pr_err(msg):
    printk(msg, KERN_ERR)


def pr_warn(msg):
    printk(msg, KERN_WARNING)


def pr_info(msg):
    printk(msg, KERN_INFO)


def pr_debug(msg):
    printk(msg, KERN_DEBUG)


def printk_once(key, msg, level=KERN_INFO):
    if key not in _once:
        _once.add(key)
        printk(msg, level)
