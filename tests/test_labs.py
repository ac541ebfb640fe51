"""The labs (labs/): markers, starters and graders hold together.

For every lab: its grader gives full marks on this tree (the reference),
and on the lab's starter, built into a temporary directory by
labs/starter.py, it fails exactly the checks the stripped code implements
(those a grade.py marks starter="fail") and passes the others; the starter
still boots the busybox system as `make run` does.  And every marker in
the tree is well formed, so a change elsewhere that breaks one fails here.
"""

import json
import os
import subprocess
import sys

import pytest

import conftest

LABS = os.path.join(conftest.ROOT, "labs")
sys.path.insert(0, LABS)
import starter  # noqa: E402

PY = os.path.join(conftest.ROOT, ".venv", "bin", "python")


def test_markers_are_well_formed():
    assert starter.check() == []


@pytest.mark.parametrize("text, why", [
    ("x\n# LAB cow: begin\ny\n", "never ends"),
    ("# LAB cow: end\n", "without a begin"),
    ("# LAB cow: begin\n# LAB lazy: begin\n", "inside"),
    ("# LAB cow: begin\na\n# LAB cow: end\n", "without a 'starter'"),
    ("# LAB cow: begin\n# LAB cow: starter\nnot a starter line\n# LAB cow: end\n", "every line"),
    ("# LAB cow: begin\n# LAB cow: starter\n# LAB cow: starter\n# LAB cow: end\n", "second"),
    ("// LAB cow: begin\n# LAB cow: starter\n// LAB cow: end\n", "one comment leader"),
])
def test_broken_markers_are_caught(text, why):
    with pytest.raises(starter.MarkerError, match=why):
        starter.parse(text, "x.py")


def test_render_keeps_other_labs_and_indentation():
    text = ("def f():\n    # LAB a: begin (note)\n    return 1\n    # LAB a: starter\n"
            "    #> if x:\n    #>     return 0\n    #>\n    # LAB a: end\n"
            "    # LAB b: begin\n    y = 2\n    # LAB b: starter\n    # LAB b: end\n")
    items = starter.parse(text)
    out = starter.render(items, "a")
    assert out.split("\n")[1:5] == ["    # LAB a: write this (labs/a/README.md)",
                                    "    if x:", "        return 0", ""]
    assert "    # LAB b: begin\n    y = 2\n    # LAB b: starter\n    # LAB b: end" in out
    assert starter.render(items, "c") == text


def _grade(root, lab, tmp_path, name):
    out = tmp_path / (name + ".json")
    p = subprocess.run([PY, os.path.join(root, "labs", lab, "grade.py"), "--json", str(out)],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=900)
    text = p.stdout.decode(errors="replace")
    assert out.exists(), "the grader did not finish:\n" + text
    return p.returncode, json.loads(out.read_text()), text


@pytest.mark.parametrize("lab", starter.lab_names())
def test_lab_reference_and_starter(lab, tmp_path):
    rc, checks, text = _grade(conftest.ROOT, lab, tmp_path, "reference")
    failed = [c["title"] for c in checks if not c["ok"]]
    assert rc == 0 and not failed, "the reference fails lab %s:\n%s" % (lab, text)

    tree = tmp_path / "starter"
    changed = starter.export(lab, str(tree), share_build=True)
    assert changed, "lab %s strips nothing" % lab
    rc, checks, text = _grade(str(tree), lab, tmp_path, "starter")
    assert rc != 0, "lab %s's grader passes its own starter:\n%s" % (lab, text)
    failed = sorted(c["title"] for c in checks if not c["ok"])
    want = sorted(c["title"] for c in checks if c["starter"] == "fail")
    assert failed == want, "lab %s's starter: the checks that fail are not the ones the " \
        "stripped code implements\n%s" % (lab, text)

    # the starter still boots the busybox system (what make run does)
    p = subprocess.run([str(tree / "linux"), "quiet", "initrd=" + os.path.join(
        conftest.BUILD, "busybox.cpio.gz"), "init=/init"], stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, timeout=300)
    assert p.returncode == 0 and b"== done" in p.stdout, \
        "lab %s's starter does not boot:\n%s\n%s" % (lab, p.stdout[-2000:].decode(errors="replace"),
                                                     p.stderr[-2000:].decode(errors="replace"))
