"""mm/exit.py - the end of an address space: mmput and exit_mmap.

When the last task using an mm lets go of it, every VMA's pages are
released, the page tables are freed (and must all be gone: nr_ptes back to
zero, as Linux checks), and the host process behind it is killed and reaped.
The host needs no munmap first: its whole address space goes with it.
"""

from kernel.printk import pr_err
from mm.memory import zap_page_range
from fs.aio import exit_aio
from fs.pagecache import filemap_close
from skas.process import destroy_context


def setmax_mm_hiwater_rss(sig, mm):
    """A process leaves mm (exit, exec): keep its peak for ru_maxrss (KB)."""
    sig.maxrss = max(sig.maxrss, mm.get_mm_hiwater_rss() * 4)


def mmput(mm):
    mm.users -= 1
    if mm.users == 0:
        if mm.ioctx_table:
            exit_aio(mm)
        exit_mmap(mm)


def exit_mmap(mm):
    for vma in mm.vmas:
        zap_page_range(mm, vma.start, vma.end, free_tables=False)
        if vma.file is not None:
            filemap_close(vma)
            vma.file.put()
            vma.file = None
    mm.vmas = []
    mm.reindex()
    mm.pt.free_empty_tables(0, mm.task_size)
    if mm.pt.nr_ptes != 0:
        pr_err("BUG: mm %r: nr_ptes %d after exit_mmap" % (mm, mm.pt.nr_ptes))
    if mm.exe_file is not None:
        mm.exe_file.put()
        mm.exe_file = None
    if mm.context is not None:
        mm.free_stub_ptes()
        destroy_context(mm.context)
        mm.context = None
    mm.pt.free_pgd()
    mm.tlb_ranges = []
    mm.pending_unmaps = []
