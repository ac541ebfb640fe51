"""The x86_64 vDSO (arch/x86_64/vdso.S): found through AT_SYSINFO_EHDR like
on Linux, its clock functions agree with the system calls they stand for,
and reading the clock through libc costs no system call (the reads go to
the host's own vDSO, kept above the stub: skas/host_vdso.py)."""

import os
import re
import subprocess
import sys

import pytest

from conftest import differential, guest, run

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.mark.parametrize("libc", ["musl", "glibc"])
def test_vdso_functions_as_on_linux(libc):
    n, u = differential(guest("vdsoclock", libc), [])
    assert "10000 reads, 0 backwards" in u.out
    assert "coarse clock 5: 0 backwards" in u.out and "coarse clock 6: 0 backwards" in u.out


@pytest.mark.parametrize("libc", ["musl", "glibc"])
def test_clock_reads_make_no_system_calls(libc):
    """100,000 clock_gettime calls through libc: a few dozen system calls
    in all (start-up and exit), not one per read."""
    r = run(guest("vdsoclock", libc), ["100000"], kernel_args=["stats"])
    assert r.status == 0 and "100000 reads, 0 backwards" in r.out, r.stderr
    m = re.search(rb"stats: ptrace_stops=(\d+) syscalls=(\d+)", r.stderr)
    assert m, r.stderr
    assert int(m.group(2)) < 1000, m.group(0)



def test_template_keeps_only_the_stub_and_the_hosts_vdso():
    """After stub_init the exec'd x86_64 template maps nothing below
    TASK_SIZE: the stub's pages, and the host's vDSO and vvar pages moved
    into the window above it (in a child Python, so that its physmem and
    template stay out of this process)."""
    code = """
import sys
sys.path.insert(0, %r)
import arch.x86_64 as a
from mm.physmem import setup_physmem
from skas import host_vdso, process
setup_physmem(16 << 20)
stub = a.get_stub()
ctx = process.start_template(stub)
try:
    with open("/proc/%%d/maps" %% ctx.pid) as f:
        maps = [(tuple(int(x, 16) for x in l.split()[0].split("-")), l.split()[5:]) for l in f]
    # (the host's [vsyscall] page, far above, is in every process)
    assert all(stub.start <= lo and hi <= stub.host_vdso_end
               for (lo, hi), name in maps if name != ["[vsyscall]"]), maps
    vdso = [lo for (lo, hi), name in maps if name == ["[vdso]"]]
    assert vdso == [host_vdso.base] and stub.end <= host_vdso.base < stub.host_vdso_end, (vdso, maps)
    assert set(host_vdso.host_symbol_offsets()) == set(host_vdso.FORWARDED)
    print("template ok")
finally:
    process.kill_all()
""" % ROOT
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60)
    assert p.stdout == b"template ok\n", p.stderr.decode()
