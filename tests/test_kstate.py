"""/dev/kstate (drivers/kstate.py): the graders' view of the kernel.

A guest asks for snapshots by writing requests; the kernel's answers land
in the host file the boot option names.  Checked against what the guest
itself knows (its pid, the address of a mapping it touched, a pipe it
filled) and against the invariants the answers must keep.
"""

import json
import os

import conftest

SH = ["root=/dev/root", "rootfstype=hostfs", "rootflags=/", "ro", "init=/bin/busybox"]


def _boot(tmp_path, script, kstate=True):
    log = tmp_path / "k.jsonl"
    args = ["quiet"] + SH + (["kstate=%s" % log] if kstate else []) + [
        "--", "sh", "-c", "mount -t proc proc /proc; mount -t tmpfs tmpfs /tmp; " + script]
    r = conftest.boot(args)
    recs = [json.loads(line) for line in open(log)] if log.exists() else []
    return r, recs


def test_snapshots_of_a_process(tmp_path):
    script = ("exec 3>/dev/kstate; echo \"@me task $$\" >&3; echo '@mm mm self' >&3; "
              "echo '@pt pt self' >&3; echo '@mem mem' >&3; echo '@t tasks' >&3; "
              "echo '@file file /bin/busybox' >&3; echo \"@fd fd $$ 3\" >&3; "
              "echo '@q sched' >&3; echo pid=$$")
    r, recs = _boot(tmp_path, script)
    assert r.status == 0, r.stderr
    pid = int(r.out.split("pid=")[1])
    by = {x["tag"]: x for x in recs}
    assert by["me"]["pid"] == pid and by["me"]["comm"] == "busybox"
    assert by["me"]["state"] == "R" and by["me"]["running"]
    mm = by["mm"]
    assert mm["pid"] == pid and mm["vmas"] and mm["rss"] == sum(
        1 for a, pte, rc, cache in mm["ptes"] if pte & 0x101)
    # every pte inside a VMA; every frame referenced at least by this pte
    for a, pte, rc, cache in mm["ptes"]:
        assert any(v["start"] <= a < v["end"] for v in mm["vmas"]), hex(a)
        assert rc >= 1
    # the pt snapshot holds the same leaf entries as the mm one
    leaves = {}
    for tab in by["pt"]["tables"]:
        if tab["level"] == 1:
            for i, e in tab["entries"]:
                leaves[tab["va"] | (i << 12)] = e
    assert {a: p for a, p, _, _ in mm["ptes"]} == {a: e for a, e in leaves.items()
                                                  if a < mm["task_size"]}
    assert 0 < by["mem"]["nr_free"] < by["mem"]["nr_frames"]
    assert pid in [t["pid"] for t in by["t"]["tasks"]]
    assert by["file"]["fstype"] == "hostfs" and by["file"]["pages"]
    assert by["fd"]["inode"]["fstype"] == "devtmpfs"


def test_a_blocked_pipe_writer(tmp_path):
    """dd fills a pipe nobody reads: the snapshot shows 64 KiB buffered and
    the writer asleep on it."""
    script = ("mkfifo /tmp/f; busybox dd if=/dev/zero bs=4096 count=100 > /tmp/f 2>/dev/null & "
              "w=$!; exec 4</tmp/f; i=0; while [ $i -lt 500 ]; do "
              "s=$(busybox cut -d' ' -f3 /proc/$w/stat); [ \"$s\" = S ] && break; "
              "i=$((i+1)); done; echo \"@w task $w\" > /dev/kstate; "
              "echo \"@p fd $$ 4\" > /dev/kstate; busybox kill $w; echo done")
    r, recs = _boot(tmp_path, script)
    assert "done" in r.out, r.stderr
    by = {x["tag"]: x for x in recs}
    assert by["p"]["pipe"]["nbytes"] == 65536 and len(by["p"]["pipe"]["bufs"]) == 16
    assert by["w"]["state"] == "S" and by["w"]["pid"] in by["p"]["pipe"]["wr_waiters"]


def test_bad_requests_fail_cleanly(tmp_path):
    script = ("for q in 'nonsense' 'task 99999' 'mm' 'frames 0' 'file /nonexistent' 'fd self 77' "
              "'futex self 0x3'; do echo \"@bad $q\" > /dev/kstate; echo \"rc=$?\"; done; "
              "echo '@ok mem' > /dev/kstate; echo rc=$?")
    r, recs = _boot(tmp_path, script)
    assert r.out.split().count("rc=1") == 7 and r.out.split()[-1] == "rc=0", r.out + r.stderr
    assert "Oops" not in r.stderr.decode(errors="replace")
    assert [x["tag"] for x in recs] == ["bad"] * 7 + ["ok"]
    assert all("error" in x for x in recs[:7])


def test_no_device_without_the_option(tmp_path):
    r, recs = _boot(tmp_path, "[ -e /dev/kstate ] && echo there || echo absent", kstate=False)
    assert r.out == "absent\n" and recs == []
    r = conftest.boot(["kstate=/nonexistent/dir/x", "initrd=/dev/null"])
    assert r.stderr.strip() == b"linux: kstate=/nonexistent/dir/x: No such file or directory"
    assert not os.path.exists("/nonexistent/dir/x")
