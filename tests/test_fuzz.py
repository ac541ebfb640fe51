"""Generated system call sequences: the host kernel is the reference.

sysfuzz (tests/guest/sysfuzz.c) runs a list of raw system calls and prints
each result.  For the memory-management calls, whose results do not depend
on anything outside the process, the list is run natively and under pyuml
and the outputs must be equal, call by call, including which pages of the
scratch region end up mapped.  For a wider set of calls with hostile
arguments the kernel must simply stay up: errnos, never an oops.
"""

import os
import struct

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import differential, guest, run

PAGE = 4096
SCRATCH_PAGES = 64


def scratch(off):
    return (0xA5 << 56) | off


def buf(off):
    return (0xA5 << 56) | (1 << 48) | off


page_addr = st.integers(0, SCRATCH_PAGES + 8).map(lambda p: scratch(p * PAGE))
any_addr = st.one_of(page_addr, st.integers(0, SCRATCH_PAGES * PAGE).map(scratch),
                     st.sampled_from([0, 1, 0x1000, 0x7FFFFFFFF000, 0xFFFFFFFFFFFFF000,
                                      0xFFFF800000000000]))
length = st.one_of(st.integers(0, 12).map(lambda n: n * PAGE), st.integers(0, 20000),
                   st.sampled_from([1 << 62, 0xFFFFFFFFFFFFF000]))
prot = st.one_of(st.integers(0, 7), st.integers(0, 0xFF))
MAP_FLAGS = [0x01, 0x02, 0x03, 0x10, 0x20, 0x100, 0x4000, 0x100000, 0x40, 0x800]
mflags = st.lists(st.sampled_from(MAP_FLAGS), max_size=4).map(lambda fs: sum(set(fs)))

mmap_call = st.tuples(st.just(9), any_addr, length, prot,
                      st.one_of(mflags.map(lambda f: f | 0x22 if f & 3 == 0 else f | 0x20), mflags),
                      st.sampled_from([-1 & 0xFFFFFFFFFFFFFFFF, 5, 1000]),
                      st.sampled_from([0, PAGE, 1]))
munmap_call = st.tuples(st.just(11), any_addr, length, st.just(0), st.just(0), st.just(0), st.just(0))
mprotect_call = st.tuples(st.just(10), any_addr, length, prot, st.just(0), st.just(0), st.just(0))
mremap_call = st.tuples(st.just(25), page_addr, length, length, st.integers(0, 7), page_addr,
                        st.just(0))
mm_calls = st.lists(st.one_of(mmap_call, munmap_call, mprotect_call, mremap_call),
                    min_size=1, max_size=25)


def records(calls):
    return b"".join(struct.pack("<8Q", *[v & 0xFFFFFFFFFFFFFFFF for v in c], 0) for c in calls)


@settings(max_examples=int(os.environ.get("PYUML_FUZZ_EXAMPLES", "30")), deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(calls=mm_calls)
# found by the search: a moving mremap that shrinks a range reaching past
# its mapping (Linux unmaps the tail first, then checks what is left)
@example(calls=[(9, scratch(0), 8192, 0, 34, (1 << 64) - 1, 0),
                (25, scratch(PAGE), 8192, 4096, 3, scratch(0), 0)])
def test_mm_calls_match_the_host(tmp_path_factory, calls):
    path = tmp_path_factory.mktemp("fuzz") / "calls.bin"
    path.write_bytes(records(calls))
    differential(guest("sysfuzz", "musl"), [str(path), str(SCRATCH_PAGES + 8)],
                 files={str(path): records(calls)})


# -- a wider set of calls, hostile arguments: the kernel must stay up ---------------

# (no pselect6/ppoll: with no fds and no timeout they sleep for ever, on
# Linux too, and the run would only time out)
SAFE = [0, 1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 16, 17, 18, 19, 20, 21, 25, 28, 32, 33, 39,
        63, 72, 74, 75, 76, 77, 78, 79, 80, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 95,
        96, 97, 98, 99, 100, 102, 104, 107, 108, 110, 111, 115, 118, 120, 121, 124, 131,
        137, 138, 157, 160, 186, 201, 217, 228, 229, 257, 258, 262, 263, 264, 265, 266, 267,
        268, 269, 273, 274, 280, 292, 293, 295, 296, 302, 318, 332, 334, 434, 435,
        438, 439]
hostile = st.one_of(st.integers(0, 1 << 64 - 1), st.sampled_from([0, 1, 2, 3, 0xFFFFFFFF,
                                                                   0xFFFFFFFFFFFFFFFF, 1 << 63]),
                    st.integers(0, 4096).map(buf), page_addr)
wide_calls = st.lists(st.tuples(st.sampled_from(SAFE), hostile, hostile, hostile, hostile,
                                hostile, hostile), min_size=1, max_size=40)


@settings(max_examples=int(os.environ.get("PYUML_FUZZ_EXAMPLES", "25")), deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(calls=wide_calls)
def test_hostile_arguments_never_oops(tmp_path_factory, calls):
    path = tmp_path_factory.mktemp("fuzz") / "calls.bin"
    data = records(calls)
    path.write_bytes(data)
    r = run(guest("sysfuzz", "musl"), [str(path)], files={str(path): data}, timeout=60,
            quiet=False)
    log = r.stderr.decode(errors="replace")
    bad = [line for line in log.splitlines() if "Oops" in line or "Traceback" in line
           or ("panic" in line and "Attempted to kill init" not in line)]
    assert not bad, log[-3000:]
    # the calls may close its stdout or kill it with a signal of its own
    # making (SIGSEGV after munmapping itself, SIGXFSZ...); SIGKILL would
    # mean the kernel gave up on it
    assert r.status != 128 + 9, (r.status, r.out[-500:])


# -- the socket calls, hostile arguments on real sockets (sockfuzz.c) -------------------
# The same examples every run (a shared suite must not fail at random on a
# difference nobody touched); PYUML_FUZZ_RANDOM=1 explores new ones.
FIXED_SEED = not os.environ.get("PYUML_FUZZ_RANDOM")
# Compared with the host kernel: the sockets, the addresses the calls can
# name (all on the loopback) and the option values are fixed; lengths,
# flags, levels, options, families, fds and pointers are not.

def templ(k):
    return (0xA5 << 56) | (2 << 48) | k


def unmapped(off):
    return (0xA5 << 56) | off


s_fd = st.one_of(st.integers(3, 16), st.sampled_from([-1, 1 << 31, 0xFFFFFFFF, 1000]))
s_ptr = st.one_of(st.integers(0, 19).map(templ), st.integers(0, 8192).map(buf),
                  st.sampled_from([0, 1, unmapped(0), unmapped(4093), 0xFFFF800000000000,
                                   0x7FFFFFFFFFFF]))
s_len = st.one_of(st.sampled_from([0, 1, 2, 3, 4, 8, 12, 15, 16, 20, 24, 27, 28, 40, 64,
                                   110, 128, 129, 4096, 65536, 0x7FFFFFFF, 0xFFFFFFFF,
                                   0xFFFFFFFFFFFFFFFF, 1 << 31]), st.integers(0, 300))
# (no AF_PACKET or raw sockets: the host would give root real ones)
s_family = st.sampled_from([0, 1, 2, 10, 16, 3, 46, 99, 0xFFFFFFFF])
s_type = st.sampled_from([0, 1, 2, 5, 6, 11, 0x801, 0x80002, 0x1001, 0xFFFFFFFF])
s_proto = st.sampled_from([0, 1, 6, 17, 58, 136, 255, 256, 262, 0xFFFFFFFF])
# The options compared with the host: every one this kernel implements,
# checked by Linux's rules, and the unknown ones around them.  (Options it
# does not have are ENOPROTOOPT here: TCP repair and fast open keys, most
# of the IPV6_* ones, SO_TIMESTAMPING ...; multicast membership answers by
# the host's routes, which the guest has not; they are in the never-oops
# run below.)
AGREED = {
    0: [0, 1, 2, 3, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15, 18, 19, 20, 21, 22, 23, 24, 25, 26,
        34, 37, 38, 39, 40, 42, 43, 44, 45, 46, 47, 53, 60, 70],
    1: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 28,
        29, 30, 31, 32, 33, 35, 36, 38, 39, 40, 42, 49, 54, 58, 63, 64, 78],
    6: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 15, 16, 17, 18, 23, 25, 30, 34, 36, 37, 38,
        39, 40, 41, 42, 47, 48, 50, 60, 70],
    17: [0, 1, 2, 5, 12, 100, 101, 102, 103, 104, 105],
    41: [0, 7, 9, 10, 12, 13, 14, 15, 16, 19, 23, 25, 26, 36, 37, 38, 39, 40, 41, 49, 51, 52,
         63, 66, 71, 75, 78],
}
s_level_opt = st.one_of(
    st.sampled_from([(lv, o) for lv, opts in AGREED.items() for o in opts]),
    st.tuples(st.sampled_from([136, 270, 255, 0xFFFFFFFF]), st.integers(0, 80)))
# (no MSG_OOB: AF_UNIX out-of-band data is not implemented)
s_flags = st.lists(st.sampled_from([0, 2, 4, 0x20, 0x40, 0x100, 0x2000, 0x4000, 0x8000,
                                    0x10000, 0x40000000, 0x80000000]),
                   max_size=3).map(lambda fs: sum(set(fs)))
s_how = st.sampled_from([0, 1, 2, 3, 0xFFFFFFFF])
# (no SIOCS* ioctls: natively, as root, they would change the host's
# interfaces; they are in the never-oops run below)
s_ioctl = st.sampled_from([0x541B, 0x5411, 0x894B, 0x8905, 0x8912, 0x8910, 0x8913,
                           0x8915, 0x891B, 0x8921, 0x8927, 0x8933, 0x8942, 0x8970,
                           0x8901, 0x8903, 0x5421, 0x89F0, 0x1234])
Z = st.just(0)
sock_call = st.one_of(
    # (no NETLINK_XFRM, protocol 6: the host has IPsec's netlink, this kernel not)
    st.tuples(st.just(41), s_family, s_type, s_proto, Z, Z, Z)
    .filter(lambda c: (c[1], c[3]) != (16, 6)),                                  # socket
    st.tuples(st.just(53), s_family, s_type, s_proto, s_ptr, Z, Z),               # socketpair
    st.tuples(st.just(49), s_fd, s_ptr, s_len, Z, Z, Z),                           # bind
    st.tuples(st.just(42), s_fd, s_ptr, s_len, Z, Z, Z),                           # connect
    st.tuples(st.just(50), s_fd, st.sampled_from([0, 1, 5, 0xFFFFFFFF]), Z, Z, Z, Z),
    st.tuples(st.just(43), s_fd, s_ptr, s_ptr, Z, Z, Z),                           # accept
    st.tuples(st.just(288), s_fd, s_ptr, s_ptr, st.sampled_from([0, 0x800, 0x80000, 1]), Z, Z),
    st.tuples(st.sampled_from([51, 52]), s_fd, s_ptr, s_ptr, Z, Z, Z),             # get*name
    st.tuples(st.just(44), s_fd, s_ptr, s_len, s_flags, s_ptr, s_len),             # sendto
    st.tuples(st.just(45), s_fd, s_ptr, s_len, s_flags, s_ptr, s_ptr),             # recvfrom
    st.tuples(st.sampled_from([46, 47]), s_fd, s_ptr, s_flags, Z, Z, Z),           # send/recvmsg
    st.tuples(st.just(48), s_fd, s_how, Z, Z, Z, Z),                               # shutdown
    s_level_opt.flatmap(lambda lo: st.tuples(st.just(54), s_fd, st.just(lo[0]), st.just(lo[1]),
                                             s_ptr, s_len, Z)),                   # setsockopt
    s_level_opt.flatmap(lambda lo: st.tuples(st.just(55), s_fd, st.just(lo[0]), st.just(lo[1]),
                                             s_ptr, s_ptr, Z)),                   # getsockopt
    st.tuples(st.just(16), s_fd, s_ioctl, s_ptr, Z, Z, Z),                         # ioctl
    st.tuples(st.sampled_from([299, 307]), s_fd, s_ptr, st.sampled_from([0, 1, 2, 1025]),
              s_flags, Z, Z),                                                        # mmsg
    st.tuples(st.just(3), st.integers(3, 16), Z, Z, Z, Z, Z),                      # close
)


@settings(max_examples=int(os.environ.get("PYUML_FUZZ_EXAMPLES", "12")), deadline=None,
          derandomize=FIXED_SEED,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(calls=st.lists(sock_call, min_size=1, max_size=30))
def test_socket_calls_with_hostile_arguments_match_the_host(tmp_path_factory, calls):
    path = tmp_path_factory.mktemp("sockfuzz") / "calls.bin"
    data = records(calls)
    path.write_bytes(data)
    n, u = differential(guest("sockfuzz", "musl"), [str(path)], files={str(path): data})
    log = u.stderr.decode(errors="replace")
    assert "Oops" not in log and "Traceback" not in log, log[-3000:]


any_level_opt = st.tuples(st.sampled_from([0, 1, 6, 17, 41, 136, 270, 255, 0xFFFFFFFF]),
                          st.one_of(st.integers(0, 80), st.sampled_from([0xFFFFFFFF, 1 << 20])))
any_sockopt = any_level_opt.flatmap(lambda lo: st.tuples(
    st.sampled_from([54, 55]), s_fd, st.just(lo[0]), st.just(lo[1]), s_ptr, s_len, Z))
# the interface-changing ioctls too (SIOCSIFFLAGS, SIOCSIFADDR, SIOCDIFADDR,
# SIOCSIFMTU, SIOCADDRT, SIOCSIFNAME, SIOCSIFHWADDR, SIOCSHWTSTAMP ...)
set_ioctl = st.tuples(st.just(16), s_fd, st.sampled_from(
    [0x8914, 0x8916, 0x8918, 0x891A, 0x891C, 0x8936, 0x8922, 0x890B, 0x890C, 0x8923,
     0x8924, 0x8943, 0x8971, 0x8931, 0x8990, 0x89B0, 0x8946]), s_ptr, Z, Z, Z)


@settings(max_examples=int(os.environ.get("PYUML_FUZZ_EXAMPLES", "8")), deadline=None,
          derandomize=FIXED_SEED,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(calls=st.lists(st.one_of(sock_call, any_sockopt, set_ioctl), min_size=1, max_size=40))
def test_any_socket_option_never_oops(tmp_path_factory, calls):
    """Every option number at every level: errnos, never an oops."""
    path = tmp_path_factory.mktemp("sockfuzz") / "calls.bin"
    data = records(calls)
    path.write_bytes(data)
    r = run(guest("sockfuzz", "musl"), [str(path)], files={str(path): data}, timeout=60,
            quiet=False)
    log = r.stderr.decode(errors="replace")
    assert "Oops" not in log and "Traceback" not in log, log[-3000:]
    assert r.status == 0, (r.status, r.out[-500:])


@settings(max_examples=int(os.environ.get("PYUML_FUZZ_EXAMPLES", "10")), deadline=None,
          derandomize=FIXED_SEED,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(calls=st.lists(st.tuples(sock_call, st.booleans()), min_size=1, max_size=30))
def test_i386_socket_calls_with_hostile_arguments_match_the_host(tmp_path_factory, calls):
    """The same calls from an i386 program: each by its own i386 number or,
    as the flag says, through socketcall(2) (compat msghdr, mmsghdr,
    socklen and pointer widths)."""
    path = tmp_path_factory.mktemp("sockfuzz32") / "calls.bin"
    data = b"".join(struct.pack("<8Q", *[v & 0xFFFFFFFFFFFFFFFF for v in c], int(sc))
                    for c, sc in calls)
    path.write_bytes(data)
    n, u = differential(guest("sockfuzz", "glibc32"), [str(path)], files={str(path): data})
    log = u.stderr.decode(errors="replace")
    assert "Oops" not in log and "Traceback" not in log, log[-3000:]
