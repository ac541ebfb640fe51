"""skas/stub.py - what the kernel knows about a stub executable.

The stub's ELF symbol table is the contract between arch/<subarch>/stub.S and
the kernel: every address (entry points, data-page fields, stack) and every
shared constant (physmem fd, record size, return signal) is read from it here
with pyelftools, so the layout is defined once, in the assembly.
"""

from elftools.elf.elffile import ELFFile

from mm.physmem import PAGE_SIZE


class StubImage:
    """One built stub (build/stub64 or build/stub32)."""

    _WANT = ("stub_start", "stub_code_end", "stub_data", "stub_data_size",
             "stub_stack", "stub_stack_size", "stub_stack_top", "stub_end",
             "stub_host_vdso", "stub_host_vdso_end",
             "stub_init", "stub_syscall_handler", "stub_segv_handler",
             "stub_segv_stop", "stub_rt_sigreturn", "stub_host_pid",
             "stub_fault_cr2", "stub_fault_error_code", "stub_fault_trap_no",
             "stub_fault_uc", "stub_batch", "stub_physmem_fd",
             "stub_record_size", "stub_return_signal", "stub_tick_usec")

    def __init__(self, path):
        self.path = path
        with open(path, "rb") as f:
            elf = ELFFile(f)
            self.elfclass = elf.elfclass
            symtab = elf.get_section_by_name(".symtab")
            syms = {s.name: s["st_value"] for s in symtab.iter_symbols()}
            missing = [n for n in self._WANT if n not in syms]
            if missing:
                raise ValueError("%s lacks symbols %s" % (path, ", ".join(missing)))
            for name in self._WANT:
                setattr(self, name[len("stub_"):], syms[name])
            text = elf.get_section_by_name(".text")
            code = text.data()
            # the code pages, as they will sit in physmem (seed: "written out
            # to the backing vm file in setup_physmem")
            self.code = bytes(text["sh_addr"] - self.start) + code
        self.code_pages = (self.code_end - self.start) // PAGE_SIZE
        self.code = self.code.ljust(self.code_pages * PAGE_SIZE, b"\0")
        self.data_pages = self.data_size // PAGE_SIZE
        self.stack_pages = self.stack_size // PAGE_SIZE
        # offsets inside the data pages
        self.off_host_pid = self.host_pid - self.data
        self.off_cr2 = self.fault_cr2 - self.data
        self.off_error_code = self.fault_error_code - self.data
        self.off_trap_no = self.fault_trap_no - self.data
        self.off_uc = self.fault_uc - self.data
        self.off_batch = self.batch - self.data
        if self.elfclass == 32:
            # the i386 stub_init takes most of its arguments here
            self.off_init_stack = syms["stub_init_stack_pgoff"] - self.data
            self.off_init_code = syms["stub_init_code_pgoff"] - self.data
            self.off_init_exec = syms["stub_init_exec"] - self.data
        # records that fit, keeping room for the terminating zero record
        self.max_records = (self.data_size - self.off_batch) // self.record_size - 1
