"""Memory-mapped files through the page cache, differential: shared and
private mappings against read/write, across fork and between unrelated
mappings, SIGBUS past the end of the file and after truncation, msync,
madvise(DONTNEED...) and mremap of anonymous and file mappings.  (The same
program runs on a hostfs root in test_hostfs.py.)"""

import pytest

from conftest import differential, guest


@pytest.mark.parametrize("libc", ["musl", "glibc"])
def test_mmap_files_on_tmpfs(libc, tmp_path):
    n, u = differential(guest("mmapfile", libc), [str(tmp_path / "w")])
    assert "touch beyond EOF: killed by Bus error" in u.out
    assert "other process sees cS" in u.out
