"""drivers/base/node.py - /sys/devices/system/node: the one memory node.

What numactl and libnuma read to learn the machine's NUMA shape: which
nodes exist (possible, online, has_memory, has_cpu ...: "0"), and for
node0 its CPUs (cpumap, cpulist), its distance to itself (10) and its
memory (meminfo, numastat), live from physmem like /proc/meminfo.
mm/mempolicy.py is the policy side of the same single node.
"""

from mm import physmem as _pm


def _meminfo():
    pm = _pm.physmem
    total, free = pm.nr_frames * 4, pm.nr_free * 4
    used = total - free
    rows = [("MemTotal", total), ("MemFree", free), ("MemUsed", used), ("SwapCached", 0),
            ("Active", used), ("Inactive", 0), ("Active(anon)", used), ("Inactive(anon)", 0),
            ("Active(file)", 0), ("Inactive(file)", 0), ("Unevictable", 0), ("Mlocked", 0),
            ("Dirty", 0), ("Writeback", 0), ("FilePages", 0), ("Mapped", 0),
            ("AnonPages", used), ("Shmem", 0), ("KernelStack", 0), ("PageTables", 0),
            ("SecPageTables", 0), ("NFS_Unstable", 0), ("Bounce", 0), ("WritebackTmp", 0),
            ("KReclaimable", 0), ("Slab", 0), ("SReclaimable", 0), ("SUnreclaim", 0)]
    return "".join("Node 0 %-15s %8d kB\n" % (k + ":", v) for k, v in rows)


def _numastat():
    pages = _pm.physmem.nr_frames - _pm.physmem.nr_free
    return ("numa_hit %d\nnuma_miss 0\nnuma_foreign 0\ninterleave_hit 0\nlocal_node %d\n"
            "other_node 0\n" % (pages, pages))


def node_files():
    """{name: text or {name: text ...}} under /sys/devices/system/node."""
    node0 = {
        "cpumap": "1\n",
        "cpulist": "0\n",
        "distance": "10\n",
        "meminfo": _meminfo,
        "numastat": _numastat,
    }
    out = {name: "0\n" for name in ("possible", "online", "has_memory",
                                    "has_normal_memory", "has_cpu")}
    out["node0"] = node0
    return out
