#!/usr/bin/python3
"""Differential test of checks/dist.c against pip and importlib.metadata.

Usage: dist_pip_list.py TEST_DIST_BINARY

1. Creates a virtual environment offline (/usr/bin/python3 -m venv: pip and
   setuptools come from the ensurepip wheels) and compares what
   `test-dist --venv VENV` finds with `VENV/bin/pip list --format json`.
2. Compares the scan of Debian's /usr/lib/python3/dist-packages (legacy
   *.egg-info directories with requires.txt, and *.dist-info) with
   `pip list --path DIR --format json`.
In both, each distribution's requirements must equal importlib.metadata's
Distribution.requires (requires.txt sections turned into markers).
Exits 1 on any difference, 77 (skipped) when a venv cannot be created.
"""
import json
import os
import subprocess
import sys
import tempfile

PY = "/usr/bin/python3"

REQUIRES = r"""
import importlib.metadata as m, json, sys
out = {}
for d in m.distributions(path=sys.argv[1:]):
    name = d.metadata["Name"]
    if name is None:
        continue
    out[str(d._path)] = {"name": name, "version": d.version, "requires": d.requires or []}
print(json.dumps(out))
"""


def ours(binary, mode, target):
    out = subprocess.run([binary, mode, target], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def compare(label, found, pip_list, importlib_info):
    problems = []
    mine = {d["normalized"]: d for d in found if not d["error"]}
    for d in found:
        if d["error"]:
            problems.append(f"{label}: {d['name']}: ours failed: {d['error']}")
    theirs = {}
    for p in pip_list:
        norm = p["name"].lower().replace("_", "-").replace(".", "-")
        while "--" in norm:
            norm = norm.replace("--", "-")
        theirs[norm] = p
    for norm in sorted(set(mine) | set(theirs)):
        a, b = mine.get(norm), theirs.get(norm)
        if a is None:
            problems.append(f"{label}: pip lists {b['name']} {b['version']}, ours does not")
        elif b is None:
            problems.append(f"{label}: ours lists {a['name']} {a['version']}, pip does not")
        elif (a["name"], a["version"]) != (b["name"], b["version"]):
            problems.append(f"{label}: ours {a['name']} {a['version']}, "
                            f"pip {b['name']} {b['version']}")
    for d in found:
        if d["error"]:
            continue
        info = importlib_info.get(d["path"])
        if info is None:
            problems.append(f"{label}: importlib.metadata does not find {d['name']}")
        elif info["requires"] != d["requires"]:
            problems.append(f"{label}: {d['name']}: requires differ:\n  ours     "
                            f"{d['requires']}\n  importlib {info['requires']}")
    return problems, len(mine)


def main():
    binary = sys.argv[1]
    problems = []
    with tempfile.TemporaryDirectory(prefix="dist-diff-") as tmp:
        venv = os.path.join(tmp, "venv")
        try:
            subprocess.run([PY, "-m", "venv", venv], check=True, capture_output=True)
        except subprocess.CalledProcessError as e:
            print("cannot create a venv:", e.stderr.decode(errors="replace"))
            return 77
        pip = subprocess.run([os.path.join(venv, "bin", "pip"), "list", "--format", "json",
                              "--disable-pip-version-check"],
                             check=True, capture_output=True, text=True)
        sp = subprocess.run([os.path.join(venv, "bin", "python"), "-c",
                             "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                            check=True, capture_output=True, text=True).stdout.strip()
        info = json.loads(subprocess.run([PY, "-c", REQUIRES, sp], check=True,
                                         capture_output=True, text=True).stdout)
        p, n = compare("venv", ours(binary, "--venv", venv), json.loads(pip.stdout), info)
        problems += p
        print(f"venv: {n} distributions compared")

    system = "/usr/lib/python3/dist-packages"
    if os.path.isdir(system):
        pip = subprocess.run([PY, "-m", "pip", "list", "--path", system, "--format", "json",
                              "--disable-pip-version-check"],
                             check=True, capture_output=True, text=True)
        info = json.loads(subprocess.run([PY, "-c", REQUIRES, system], check=True,
                                         capture_output=True, text=True).stdout)
        p, n = compare("system", ours(binary, "--scan", system), json.loads(pip.stdout), info)
        problems += p
        print(f"{system}: {n} distributions compared")

    for line in problems[:20]:
        print(line)
    if problems:
        print(f"{len(problems)} differences")
        return 1
    print("no differences")
    return 0


if __name__ == "__main__":
    sys.exit(main())
