"""mm/mm.py - struct mm_struct: one guest address space.

An mm owns its page tables, its sorted list of VMAs and, through
mm.context, the host process that realises it (skas/process.py).  Tasks
share an mm by reference count (threads, vfork).

Host mappings are brought in line with the page tables lazily: changed ptes
carry _PAGE_NEWPAGE/_PAGE_NEWPROT and their range is remembered in
tlb_ranges; whole ranges to unmap go to pending_unmaps.  mm/tlb.py turns both
into one stub batch before the guest next runs.
"""

from bisect import bisect_right

from mm import physmem as _pm
from mm.pgtable import PageTables, _PAGE_PRESENT, _PAGE_PROTNONE, mk_pte, vm_prot_bits
from mm.physmem import PAGE_SIZE
from mm.vma import VM_LOCKED


class MM:
    def __init__(self, arch):
        self.arch = arch                    # the subarch module (arch/x86_64)
        self.task_size = arch.TASK_SIZE
        self.pt = PageTables()
        self.vmas = []                      # sorted by start, non-overlapping
        self._starts = []
        self.users = 1                      # tasks using this mm
        self.context = None                 # skas.process.MMContext
        self.tlb_ranges = []                # [start, end) with stale ptes
        self.pending_unmaps = []            # [start, end) to unmap on the host
        self.start_code = self.end_code = 0
        self.start_data = self.end_data = 0
        self.start_brk = self.brk = 0
        self.start_stack = 0
        self.arg_start = self.arg_end = 0
        self.env_start = self.env_end = 0
        self.mmap_base = arch.MMAP_BASE
        self.mmap_legacy = False            # bottom-up from mmap_base (mm/mmap.py)
        self.exe_file = None
        self.auxv = b""
        self.total_vm = 0                   # pages in VMAs
        self.rss = 0                        # pages mapped by ptes
        self.hiwater_rss = 0                # rss before its last drop (get_mm_hiwater_rss)
        self.def_flags = 0                  # VM_LOCKED... for new VMAs (mlockall)
        self.membarrier_state = 0           # kernel/membarrier.py
        self.anon_fault_around = True       # off once mincore asks (mm/mincore.py)
        self.ioctx_table = None             # AIO contexts (fs/aio.py)
        self.uffd_poisoned = False          # UFFDIO_POISON left markers (fs/userfaultfd.py)
        self.ldt = None                     # modify_ldt's table, bytes (arch/x86/ldt.py)
        self.fault_log = None               # first faults, for fs/exec_prefault.py
        self.rlim = None                    # the process's rlimits (RLIMIT_AS, _DATA: mm/mmap.py)
        self.dumpable = 1                   # PR_SET_DUMPABLE; 0 after a set-user-ID exec
        self.thp_disable = False            # PR_SET_THP_DISABLE (no huge pages here anyway)
        self.reused_host = False            # exec may keep this mm's host process (fs/exec.py)
        self.coredump_filter = 0x33         # /proc/PID/coredump_filter, inherited by fork

    def get_mm_hiwater_rss(self):
        """The most pages this mm has had mapped: ru_maxrss's source.
        rss only grows between the unmaps that record it (update_hiwater_rss)."""
        return max(self.hiwater_rss, self.rss)

    def update_hiwater_rss(self):
        if self.rss > self.hiwater_rss:
            self.hiwater_rss = self.rss

    # -- VMA list ----------------------------------------------------------
    def find_vma(self, addr):
        """The first VMA with end > addr, or None (Linux's find_vma)."""
        i = bisect_right(self._starts, addr) - 1
        vmas = self.vmas
        if i >= 0 and vmas[i].end > addr:
            return vmas[i]
        i += 1
        return vmas[i] if i < len(vmas) else None

    def vma_at(self, addr):
        """The VMA containing addr, or None."""
        i = bisect_right(self._starts, addr) - 1
        if i >= 0 and self.vmas[i].end > addr:
            return self.vmas[i]
        return None

    def vmas_in(self, start, end):
        """VMAs overlapping [start, end), in order."""
        i = max(bisect_right(self._starts, start) - 1, 0)
        out = []
        for v in self.vmas[i:]:
            if v.start >= end:
                break
            if v.end > start:
                out.append(v)
        return out

    def insert_vma(self, vma):
        i = bisect_right(self._starts, vma.start)
        self.vmas.insert(i, vma)
        self._starts.insert(i, vma.start)
        self.total_vm += (vma.end - vma.start) // PAGE_SIZE

    def remove_vma(self, vma):
        i = self.vmas.index(vma)
        del self.vmas[i]
        del self._starts[i]
        self.total_vm -= (vma.end - vma.start) // PAGE_SIZE

    def locked_vm(self):
        """Pages in mlocked VMAs (VmLck)."""
        return sum(v.end - self.vma_in_use_start(v) for v in self.vmas
                   if v.flags & VM_LOCKED) // PAGE_SIZE

    STACK_EXPAND = 128 << 10                # what exec leaves below the arguments

    def vma_in_use_start(self, vma):
        """Where vma starts as Linux would have it.  The whole stack
        rlimit is one VMA here, but Linux's stack VMA only reaches down to
        128 KiB below the arguments or to the lowest page ever touched;
        locking (and VmLck) must not take in megabytes never used."""
        if vma.name != "[stack]":
            return vma.start
        low = (self.start_stack & ~(PAGE_SIZE - 1)) - self.STACK_EXPAND
        q = self.pt.q
        for addr, first, count in self.pt.pte_pages(vma.start, min(low, vma.end)):
            for i in range(count):
                if q[first + i] & (_PAGE_PRESENT | _PAGE_PROTNONE):
                    low = addr + i * PAGE_SIZE
                    break
            else:
                continue
            break
        return min(max(low, vma.start), vma.end)

    def reindex(self):
        self.vmas.sort(key=lambda v: v.start)
        self._starts = [v.start for v in self.vmas]
        self.total_vm = sum(v.end - v.start for v in self.vmas) // PAGE_SIZE

    # -- host synchronisation bookkeeping ----------------------------------
    def note_stale(self, start, end):
        """ptes in [start, end) carry NEWPAGE/NEWPROT bits to flush."""
        r = self.tlb_ranges
        if r and r[-1][1] == start:
            r[-1][1] = end
        else:
            r.append([start, end])

    def note_unmap(self, start, end):
        r = self.pending_unmaps
        if r and r[-1][1] == start:
            r[-1][1] = end
        else:
            r.append([start, end])

    # -- the stub's ptes ----------------------------------------------------
    def init_stub_pte(self):
        """Enter the stub's pages (above TASK_SIZE) into the page tables.

        The host process mapped them itself (stub_init), so the ptes are in
        sync from the start and tlb flushes never touch them.  TASK_SIZE is a
        PGDIR boundary, so these ptes sit alone in their pte page; like the
        seed, we take that page back out of nr_ptes so it counts user pte
        pages only.
        """
        ctx = self.context
        stub = ctx.stub
        pm = _pm.physmem
        pages = []
        for i in range(stub.code_pages):
            pages.append((stub.start + i * PAGE_SIZE, ctx.code_pfn + i, False, True))
        for i in range(stub.data_pages):
            pages.append((stub.data + i * PAGE_SIZE, ctx.data_pfn + i, True, False))
        for i in range(stub.stack_pages):
            pages.append((stub.stack + i * PAGE_SIZE, ctx.stack_pfn + i, True, False))
        before = self.pt.nr_ptes
        for addr, pfn, write, exec_ in pages:
            idx = self.pt.pte_index(addr, alloc=True)
            pm.get_frame(pfn)
            self.pt.q[idx] = mk_pte(pfn, vm_prot_bits(True, write, exec_))
        self.pt.nr_ptes = before

    def free_stub_ptes(self):
        stub = self.context.stub
        pm = _pm.physmem
        for addr in range(stub.start, stub.end, PAGE_SIZE):
            idx = self.pt.pte_index(addr)
            if idx is not None and self.pt.q[idx]:
                pm.put_frame(self.pt.q[idx] >> 12 & 0xFFFFFFFFFF)
                self.pt.q[idx] = 0
