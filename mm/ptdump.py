"""mm/ptdump.py - vmprint: an mm's page tables as text (/proc/PID/pagetable).

xv6's vmprint() for x86-64's four levels, on pyuml's real tables: the pgd's
address, then every entry in use, depth first, one line each, indented one
" .." per level below the pgd, with its index in its table, the entry
itself and the physical address it holds:

    page table 0x0000000000005000
     ..0: pte 0x0000000000024027 pa 0x0000000000024000
     .. ..2: pte 0x0000000000025027 pa 0x0000000000025000
     .. .. ..0: pte 0x0000000000026027 pa 0x0000000000026000
     .. .. .. ..16: pte 0x8000000000031025 pa 0x0000000000031000

An entry of the pgd, a pud or a pmd is in use when it is present
(_PAGE_PRESENT); a pte when it holds a frame (present, or PROT_NONE).
Linux's counterpart is the debugfs page-table dump (mm/ptdump.c); this
file is pyuml's own, for the page-table lab (labs/pgtbl).
"""

from mm.pgtable import _PAGE_PRESENT, PTE_PFN_MASK, pte_pfn, pte_present


def vmprint(mm):
    pt = mm.pt
    lines = ["page table %#018x" % (pt.pgd << 12)]
    # LAB pgtbl: begin
    q = pt.q

    def walk(pfn, depth):
        row = q[pfn << 9:(pfn << 9) + 512]
        for i in range(512):
            e = row[i]
            if not (pte_present(e) if depth == 4 else e & _PAGE_PRESENT):
                continue
            lines.append(" .." * depth + "%d: pte %#018x pa %#018x" % (i, e, e & PTE_PFN_MASK))
            if depth < 4:
                walk(pte_pfn(e), depth + 1)

    walk(pt.pgd, 1)
    # LAB pgtbl: starter
    # LAB pgtbl: end
    return "\n".join(lines) + "\n"
