#!/usr/bin/python3
"""Differential test of checks/pep440.c and checks/pep508.c against
Debian's python3-packaging (the specification).

Generates versions, specifier sets, markers and requirements (seeded
random, valid and invalid, plus the hand-written cases of
packaging_cases.py), asks packaging and tests/tools/pkgtool the same
questions in one batch each, and fails on any difference.

    packaging_diff.py PKGTOOL [--seed N] [--scale N] [--show N]

Deliberate differences (never generated; see packaging_cases.py):
  - "\\N{NAME}" escapes in marker strings are refused (no Unicode name
    database in C);
  - Python's \\b treats only Unicode letters and digits as word
    characters, pkgtool every non-ASCII byte: non-ASCII text right after
    a name, variable or "and"/"or"/"in" may tokenize differently;
  - str.lower() is applied to ASCII and to the four non-ASCII letters the
    version grammar lets in (U+0130, U+0131, U+017F, U+212A) only: other
    non-ASCII letters in extra names are not lowercased;
  - when one specifier of a set raises (a "===" whose text is not a
    version, asked with prereleases=None), packaging's answer depends on
    set iteration order; pkgtool always reports the error.  The expected
    answer below follows that rule;
  - a marker string whose escapes decode to NUL ("\\0") ends at the NUL in
    pkgtool (C strings); packaging keeps it.  The generator can produce one
    by chance: such commands are not compared.
"""
import json
import os
import random
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from packaging.markers import Marker, default_environment  # noqa: E402
from packaging.requirements import Requirement  # noqa: E402
from packaging.specifiers import SpecifierSet  # noqa: E402
from packaging.utils import canonicalize_name, canonicalize_version  # noqa: E402
from packaging.version import Version  # noqa: E402

import packaging_cases as cases  # noqa: E402
import packaging_gen as gen  # noqa: E402

FAIL = {"ok": False}


def expect_version(s):
    try:
        v = Version(s)
    except Exception:
        return FAIL
    return {"ok": True, "str": str(v), "public": v.public, "base": v.base_version,
            "pre": v.is_prerelease, "post": v.is_postrelease}


def expect_compare(a, b):
    try:
        x, y = Version(a), Version(b)
    except Exception:
        return FAIL
    return {"ok": True, "cmp": (x > y) - (x < y)}


def expect_specset(s):
    try:
        return {"ok": True, "str": str(SpecifierSet(s))}
    except Exception:
        return FAIL


def expect_contains(s, v, pre):
    """SpecifierSet.contains, with an error in any specifier an error."""
    try:
        ss = SpecifierSet(s)
        item = Version(v)
    except Exception:
        return FAIL
    prereleases = {"none": None, "true": True, "false": False}[pre]
    specs = list(ss)
    try:
        if prereleases is None and specs:
            prereleases = any([sp.prereleases for sp in specs])
        if not prereleases and item.is_prerelease:
            return {"ok": True, "r": False}
        results = [sp.contains(item, prereleases=prereleases) for sp in specs]
    except Exception:
        return FAIL
    return {"ok": True, "r": all(results)}


def expect_marker(m, extra, env):
    try:
        marker = Marker(m)
    except Exception:
        return FAIL
    e = dict(env)
    e["extra"] = extra
    try:
        ev = marker.evaluate(e)
    except Exception:
        ev = None
    return {"ok": True, "str": str(marker), "eval": ev}


def expect_requirement(r):
    try:
        req = Requirement(r)
    except Exception:
        return FAIL
    return {"ok": True, "name": req.name, "extras": sorted(req.extras), "url": req.url,
            "spec": str(req.specifier), "marker": str(req.marker) if req.marker else None,
            "str": str(req)}


def expect_host(version):
    env = default_environment()
    env["extra"] = ""
    env["ok"] = True
    return env


def expected(cmd, env):
    kind = cmd[0]
    if kind == "version":
        return expect_version(cmd[1])
    if kind == "compare":
        return expect_compare(cmd[1], cmd[2])
    if kind == "canon":
        return {"ok": True, "str": canonicalize_version(
            cmd[1], strip_trailing_zero=cmd[2] == "1")}
    if kind == "name":
        return {"ok": True, "str": canonicalize_name(cmd[1])}
    if kind == "specset":
        return expect_specset(cmd[1])
    if kind == "contains":
        return expect_contains(cmd[1], cmd[2], cmd[3])
    if kind == "env":
        env[cmd[1]] = cmd[2]
        return {"ok": True}
    if kind == "marker":
        return expect_marker(cmd[1], cmd[2], env)
    if kind == "requirement":
        return expect_requirement(cmd[1])
    if kind == "host":
        return expect_host(cmd[1])
    raise ValueError(kind)


ENVS = [
    {"python_version": "3.11", "python_full_version": "3.11.2", "os_name": "posix",
     "sys_platform": "linux", "platform_machine": "x86_64", "platform_system": "Linux",
     "platform_release": "6.1.0-18-amd64",
     "platform_version": "#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)",
     "implementation_name": "cpython", "implementation_version": "3.11.2",
     "platform_python_implementation": "CPython"},
    {"python_version": "3.13", "python_full_version": "3.13.0rc1", "os_name": "nt",
     "sys_platform": "win32", "platform_machine": "AMD64", "platform_system": "Windows",
     "platform_release": "10", "platform_version": "10.0.19045",
     "implementation_name": "pypy", "implementation_version": "7.3.1",
     "platform_python_implementation": "PyPy"},
]


def build_commands(rng, scale):
    cmds = []
    for s in cases.VERSIONS:
        cmds.append(["version", s])
    for a, b in cases.COMPARES:
        cmds.append(["compare", a, b])
    for s, v, pre in cases.CONTAINS:
        cmds.append(["contains", s, v, pre])
    for s in cases.SPECSETS:
        cmds.append(["specset", s])
    for s in cases.NAMES:
        cmds.append(["name", s])
    for s in cases.REQUIREMENTS:
        cmds.append(["requirement", s])

    versions = [gen.version(rng) for _ in range(1500 * scale)]
    for s in versions:
        cmds.append(["version", s])
        cmds.append(["canon", s, rng.choice("01")])
    valid = [v for v in versions if expect_version(v)["ok"]]
    for _ in range(1500 * scale):
        a = rng.choice(valid)
        b = gen.near_version(rng, a) if rng.random() < 0.5 else rng.choice(valid)
        cmds.append(["compare", a, b])
    specsets = [gen.specset(rng, valid) for _ in range(800 * scale)]
    for s in specsets:
        cmds.append(["specset", s])
    for _ in range(3000 * scale):
        s = rng.choice(specsets)
        v = rng.choice(valid) if rng.random() < 0.5 else gen.version_for(rng, s, valid)
        cmds.append(["contains", s, v, rng.choice(["none", "true", "false"])])
    for _ in range(300 * scale):
        cmds.append(["name", gen.name(rng)])
    for env in ENVS:
        for k, v in env.items():
            cmds.append(["env", k, v])
        for m in cases.MARKERS:
            cmds.append(["marker", m, rng.choice(["", "Foo.Bar", "security"])])
        for _ in range(1000 * scale):
            cmds.append(["marker", gen.marker(rng, valid), gen.extra(rng)])
    for _ in range(1500 * scale):
        cmds.append(["requirement", gen.requirement(rng, valid)])
    import platform
    cmds.append(["host", platform.python_version()])
    return cmds


def main():
    args = sys.argv[1:]
    if not args:
        print(__doc__, file=sys.stderr)
        return 2
    tool = args[0]
    seed, scale, show = 4402, 3, 8
    i = 1
    while i < len(args):
        if args[i] == "--seed":
            seed = int(args[i + 1])
        elif args[i] == "--scale":
            scale = int(args[i + 1])
        elif args[i] == "--show":
            show = int(args[i + 1])
        i += 2
    rng = random.Random(seed)
    t0 = time.monotonic()
    cmds = build_commands(rng, scale)
    env = {}
    want = [expected(c, env) for c in cmds]
    t1 = time.monotonic()
    data = "".join(json.dumps(c) + "\n" for c in cmds).encode()
    proc = subprocess.run([tool], input=data, capture_output=True, check=False)
    t2 = time.monotonic()
    if proc.returncode != 0:
        print(f"pkgtool exited with {proc.returncode}: "
              f"{proc.stderr.decode(errors='replace')[-2000:]}")
        return 1
    lines = proc.stdout.decode("utf-8", errors="surrogatepass").splitlines()
    if len(lines) != len(cmds):
        print(f"pkgtool answered {len(lines)} lines for {len(cmds)} commands")
        return 1
    diffs = []
    counts = {}
    for cmd, w, line in zip(cmds, want, lines):
        got = json.loads(line)
        counts[cmd[0]] = counts.get(cmd[0], 0) + 1
        if "\\u0000" in json.dumps(w):
            continue  # the NUL difference above
        if got != w:
            diffs.append((cmd, w, got))
    summary = ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))
    print(f"seed {seed}: {len(cmds)} commands ({summary}); packaging {t1 - t0:.1f}s, "
          f"pkgtool {t2 - t1:.1f}s")
    for cmd, w, got in diffs[:show]:
        print("DIFF", json.dumps(cmd))
        print("  packaging:", json.dumps(w))
        print("  pkgtool:  ", json.dumps(got))
    if diffs:
        print(f"{len(diffs)} differences")
        return 1
    print("0 differences")
    return 0


if __name__ == "__main__":
    sys.exit(main())
