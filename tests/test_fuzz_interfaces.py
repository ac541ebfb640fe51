"""Hostile arguments for the interfaces of issue 13 (extended attributes,
keyrings, seccomp, ...): sysfuzz (tests/guest/sysfuzz.c) runs generated
raw calls under pyuml; the kernel must answer with errnos, never oops,
never give up on the guest."""

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import guest, run
from test_fuzz import hostile, records

# x86_64 numbers: get/set/list/removexattr and the l*/f* forms; add_key,
# request_key, keyctl
XATTR = list(range(188, 200))
KEYS = [248, 249, 250]
CALLS = XATTR + KEYS

small = st.one_of(st.integers(-8, 40).map(lambda v: v & 0xFFFFFFFFFFFFFFFF), hostile)
calls = st.lists(st.tuples(st.sampled_from(CALLS), small, hostile, hostile, small,
                           small, hostile), min_size=1, max_size=40)


@settings(max_examples=int(os.environ.get("PYUML_FUZZ_EXAMPLES", "15")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(calls=calls)
def test_interfaces_hostile_arguments(tmp_path_factory, calls):
    path = tmp_path_factory.mktemp("fuzz") / "calls.bin"
    data = records(calls)
    path.write_bytes(data)
    r = run(guest("sysfuzz", "musl"), [str(path)], files={str(path): data}, timeout=60,
            quiet=False)
    log = r.stderr.decode(errors="replace")
    bad = [line for line in log.splitlines() if "Oops" in line or "Traceback" in line
           or ("panic" in line and "Attempted to kill init" not in line)]
    assert not bad, log[-3000:]
    assert r.status != 128 + 9, (r.status, r.out[-500:])
