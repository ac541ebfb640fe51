"""init/paths.py - where the build puts what the kernel needs at run time."""

import os

SRC = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("PYUML_BUILD", os.path.join(SRC, "build"))
STUB64 = os.path.join(BUILD, "stub64")
STUB32 = os.path.join(BUILD, "stub32")
VDSO32 = os.path.join(BUILD, "vdso32.so")
VDSO64 = os.path.join(BUILD, "vdso64.so")
DEFAULT_INITRD = os.path.join(BUILD, "initramfs.cpio.gz")
