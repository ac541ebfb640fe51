#!/usr/bin/env python3
"""labs/starter.py - the one tool that turns the reference tree into a lab's
starter tree.

The kernel in this tree is the reference solution of every lab.  The code a
lab asks students to write is marked where it lives, one region at a time:

        # LAB cow: begin
        ... the reference code ...
        # LAB cow: starter
        #> ... what the starter has instead (may be empty) ...
        # LAB cow: end

The `#>` lines are the starter's code with `#> ` in front (a lone `#>` is an
empty line); they sit at the indentation the code will have.  The comment
leader may be `#` or `//` (C, assembly), the same on all four kinds of
line.  Regions do not nest and every region names one lab (a directory
labs/NAME/ with a README.md and a grade.py).

    starter.py list                  the labs, one line each
    starter.py check                 every marker in the tree is well formed, and
                                     every lab's starter compiles
    starter.py strip LAB [DIR]       make DIR (default: this tree) LAB's starter
    starter.py export LAB DIR        copy this tree (its git files) to DIR, stripped
                                     [--share-build: link build/ and .venv here]
    starter.py start LAB             git branch lab/LAB, stripped and committed
    starter.py current               the lab of this tree (labs/CURRENT or branch)

In a starter the region becomes its starter code under one line
`# LAB cow: write this (labs/cow/README.md)`, so the places to work are
easy to find (grep -rn "LAB cow"); the other labs' regions stay as they are.
"""

import os
import re
import shutil
import subprocess
import sys

LABS = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(LABS)

MARK = re.compile(r"^(?P<indent>[ \t]*)(?P<lead>#|//) LAB (?P<lab>[a-z0-9_-]+): "
                  r"(?P<what>begin|starter|end)\b.*$")
STARTER_LINE = re.compile(r"^(?P<indent>[ \t]*)(?P<lead>#|//)>(?: (?P<code>.*))?$")
SKIP_DIRS = {".git", ".venv", "build", "__pycache__", ".hypothesis", ".pytest_cache"}
SUFFIXES = (".py", ".c", ".h", ".S", ".sh", ".in", "Makefile", ".inc")


class MarkerError(Exception):
    pass


def lab_names(root=ROOT):
    d = os.path.join(root, "labs")
    return sorted(n for n in os.listdir(d)
                  if os.path.isfile(os.path.join(d, n, "grade.py"))
                  and os.path.isfile(os.path.join(d, n, "README.md")))


def lab_title(name, root=ROOT):
    with open(os.path.join(root, "labs", name, "README.md")) as f:
        first = f.readline().strip()
    return re.sub(r"^#+\s*(Lab \S+:\s*)?", "", first)


def source_files(root=ROOT):
    """The files markers may be in: git's list when there is one, else a walk."""
    try:
        out = subprocess.run(["git", "-C", root, "ls-files", "-z"], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, check=True).stdout
        names = [n for n in out.decode().split("\0") if n]
        names = [n for n in names if os.path.exists(os.path.join(root, n))]
        # files not yet added (a lab being written) count too
        extra = subprocess.run(["git", "-C", root, "ls-files", "-z", "--others",
                                "--exclude-standard"], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, check=True).stdout
        names += [n for n in extra.decode().split("\0") if n]
    except (OSError, subprocess.CalledProcessError):
        names = []
        for dirpath, dirs, files in os.walk(root):
            dirs[:] = [d for d in dirs if d not in SKIP_DIRS]
            for f in files:
                names.append(os.path.relpath(os.path.join(dirpath, f), root))
    return sorted(n for n in set(names) if n.endswith(SUFFIXES)
                  and not n.startswith("labs/starter.py"))


def parse(text, path="?"):
    """Split a file into plain lines and regions.  Returns a list whose items
    are str (a line) or dict(lab, indent, lead, solution=[lines],
    starter=[lines], line=N).  Raises MarkerError."""
    items = []
    region = None
    for n, line in enumerate(text.split("\n"), 1):
        m = MARK.match(line)
        if m:
            what, lab = m.group("what"), m.group("lab")
            if what == "begin":
                if region is not None:
                    raise MarkerError("%s:%d: LAB %s begins inside LAB %s (line %d)"
                                      % (path, n, lab, region["lab"], region["line"]))
                region = dict(lab=lab, indent=m.group("indent"), lead=m.group("lead"),
                              solution=[], starter=[], line=n, part="solution", raw=[line])
                continue
            if region is None:
                raise MarkerError("%s:%d: LAB %s %s without a begin" % (path, n, lab, what))
            region["raw"].append(line)
            if lab != region["lab"]:
                raise MarkerError("%s:%d: LAB %s %s inside LAB %s (line %d)"
                                  % (path, n, lab, what, region["lab"], region["line"]))
            if m.group("lead") != region["lead"]:
                raise MarkerError("%s:%d: the markers of one region use one comment leader"
                                  % (path, n))
            if what == "starter":
                if region["part"] != "solution":
                    raise MarkerError("%s:%d: a second 'starter' in LAB %s" % (path, n, lab))
                region["part"] = "starter"
                continue
            if region["part"] != "starter":
                raise MarkerError("%s:%d: LAB %s ends without a 'starter' line (it may have "
                                  "no code under it, but it must be there)" % (path, n, lab))
            items.append(region)
            region = None
            continue
        if region is None:
            items.append(line)
            continue
        region["raw"].append(line)
        if region["part"] == "solution":
            region["solution"].append(line)
        else:
            s = STARTER_LINE.match(line)
            if s is None or s.group("lead") != region["lead"]:
                raise MarkerError("%s:%d: in the starter part of LAB %s every line is "
                                  "'%s> code'" % (path, n, region["lab"], region["lead"]))
            code = s.group("code")
            region["starter"].append(s.group("indent") + code if code is not None else "")
    if region is not None:
        raise MarkerError("%s:%d: LAB %s begins but never ends" % (path, region["line"],
                                                                   region["lab"]))
    return items


def render(items, lab):
    """The file's text with lab's regions replaced by their starter code."""
    out = []
    for it in items:
        if isinstance(it, str):
            out.append(it)
        elif it["lab"] != lab:
            out += it["raw"]                # another lab's region, as it was
        else:
            out.append("%s%s LAB %s: write this (labs/%s/README.md)"
                       % (it["indent"], it["lead"], lab, lab))
            out += it["starter"]
    return "\n".join(out)


def regions(root=ROOT):
    """{path: items} for every source file with at least one region."""
    found = {}
    for name in source_files(root):
        path = os.path.join(root, name)
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        except (UnicodeDecodeError, OSError):
            continue
        if " LAB " not in text:
            continue
        items = parse(text, name)
        if any(isinstance(i, dict) for i in items):
            found[name] = items
    return found


def check(root=ROOT):
    """Problems with the markers, as a list of strings (empty: all good)."""
    problems = []
    try:
        found = regions(root)
    except MarkerError as e:
        return [str(e)]
    labs = set(lab_names(root))
    per_lab = {}
    for name, items in found.items():
        for it in items:
            if isinstance(it, dict):
                if it["lab"] not in labs:
                    problems.append("%s:%d: LAB %s: no such lab (labs/%s/)"
                                    % (name, it["line"], it["lab"], it["lab"]))
                per_lab.setdefault(it["lab"], []).append(name)
    for lab in sorted(labs):
        if lab not in per_lab:
            problems.append("lab %s has no regions: its starter would be the reference" % lab)
            continue
        for name in sorted(set(per_lab[lab])):
            if not name.endswith(".py"):
                continue
            text = render(found[name], lab)
            try:
                compile(text, "%s (starter of %s)" % (name, lab), "exec")
            except SyntaxError as e:
                problems.append("%s: the starter of lab %s does not compile: %s" % (name, lab, e))
    return problems


def strip(lab, root=ROOT):
    """Make the tree at root lab's starter, in place.  Returns the files changed."""
    if lab not in lab_names(root):
        raise MarkerError("no such lab: %s (make lab-list)" % lab)
    changed = []
    for name, items in regions(root).items():
        if not any(isinstance(i, dict) and i["lab"] == lab for i in items):
            continue
        with open(os.path.join(root, name), "w") as f:
            f.write(render(items, lab))
        changed.append(name)
    with open(os.path.join(root, "labs", "CURRENT"), "w") as f:
        f.write(lab + "\n")
    return sorted(changed)


def export(lab, dest, share_build=False):
    """Copy this tree's source files to dest and make it lab's starter."""
    if lab not in lab_names():
        raise MarkerError("no such lab: %s (make lab-list)" % lab)
    os.makedirs(dest, exist_ok=True)
    try:
        out = subprocess.run(["git", "-C", ROOT, "ls-files", "-z", "--cached", "--others",
                              "--exclude-standard"], stdout=subprocess.PIPE, check=True,
                             stderr=subprocess.DEVNULL).stdout
        names = [n for n in out.decode().split("\0") if n]
    except (OSError, subprocess.CalledProcessError):
        names = []
        for dirpath, dirs, files in os.walk(ROOT):
            dirs[:] = [d for d in dirs if d not in SKIP_DIRS]
            names += [os.path.relpath(os.path.join(dirpath, f), ROOT) for f in files]
    for n in names:
        src = os.path.join(ROOT, n)
        if not os.path.isfile(src) or n == "labs/CURRENT":
            continue
        dst = os.path.join(dest, n)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copy2(src, dst)
    if share_build:
        for n in ("build", ".venv"):
            if not os.path.exists(os.path.join(dest, n)):
                os.symlink(os.path.join(ROOT, n), os.path.join(dest, n))
        shutil.copy2(os.path.join(ROOT, "scripts", "linux.in"), os.path.join(dest, "linux"))
        os.chmod(os.path.join(dest, "linux"), 0o755)
    return strip(lab, dest)


def current(root=ROOT):
    p = os.path.join(root, "labs", "CURRENT")
    if os.path.exists(p):
        with open(p) as f:
            return f.read().strip()
    try:
        b = subprocess.run(["git", "-C", root, "rev-parse", "--abbrev-ref", "HEAD"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                           check=True).stdout.decode().strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return b[4:] if b.startswith("lab/") else None


def start(lab):
    """git checkout -b lab/LAB, strip, commit."""
    if lab not in lab_names():
        raise MarkerError("no such lab: %s (make lab-list)" % lab)
    git = ["git", "-C", ROOT]
    dirty = subprocess.run(git + ["status", "--porcelain", "--untracked-files=no"],
                           stdout=subprocess.PIPE, check=True).stdout.strip()
    if dirty:
        raise MarkerError("commit or stash your changes first (git status)")
    branch = "lab/" + lab
    if subprocess.run(git + ["rev-parse", "--verify", "-q", branch],
                      stdout=subprocess.DEVNULL).returncode == 0:
        raise MarkerError("branch %s exists already: git checkout %s" % (branch, branch))
    subprocess.run(git + ["checkout", "-q", "-b", branch], check=True)
    changed = strip(lab)
    subprocess.run(git + ["add", "labs/CURRENT"] + changed, check=True)
    subprocess.run(git + ["commit", "-q", "-m", "lab %s: the starter (labs/starter.py strip %s)"
                          % (lab, lab)], check=True)
    return branch, changed


def main(argv):
    if not argv or argv[0] in ("-h", "--help"):
        sys.stdout.write(__doc__)
        return 0
    cmd, args = argv[0], argv[1:]
    try:
        if cmd == "list":
            for n in lab_names():
                print("%-10s %s" % (n, lab_title(n)))
        elif cmd == "check":
            problems = check()
            for p in problems:
                print(p)
            if problems:
                return 1
            print("markers ok: %d labs" % len(lab_names()))
        elif cmd == "strip" and len(args) in (1, 2):
            for n in strip(args[0], os.path.abspath(args[1]) if len(args) > 1 else ROOT):
                print("stripped", n)
        elif cmd == "export" and len(args) >= 2:
            export(args[0], os.path.abspath(args[1]), share_build="--share-build" in args[2:])
            print("lab %s's starter is in %s" % (args[0], args[1]))
        elif cmd == "start" and len(args) == 1:
            branch, changed = start(args[0])
            print("You are on branch %s: the starter of lab %s." % (branch, args[0]))
            print("Read labs/%s/README.md; the places to work: grep -rn 'LAB %s' ."
                  % (args[0], args[0]))
            print("Then: make grade")
        elif cmd == "current":
            lab = current()
            if lab is None:
                print("this tree is no lab's starter (make lab-start LAB=x)", file=sys.stderr)
                return 1
            print(lab)
        else:
            sys.stderr.write("usage: starter.py list|check|strip LAB [DIR]|export LAB DIR|"
                             "start LAB|current\n")
            return 2
    except MarkerError as e:
        print("starter.py: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
