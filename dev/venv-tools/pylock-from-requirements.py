#!/usr/bin/python3
"""Writes the pylock.toml (PEP 751) equivalent to a hashed requirement file.

    pylock-from-requirements.py REQUIREMENTS WHEELHOUSE... [--created-by NAME]

Each requirement NAME==VERSION with its --hash values becomes a [[packages]]
entry with that name and version and one wheel: the wheel of WHEELHOUSE with
that name and version (its file name, a path relative to the lock's
directory, which is the requirement file's), with every hash of the
requirement; when the wheel's own sha256 is not one of them, a warning says
so (the lock is written as the requirement file says).  A marker is kept.
What a pylock.toml cannot say the same way is written as close as it can
be, so that a check reports the same thing on both: a requirement that is
not pinned to one version gets no version; one without a hash gets a vcs
source (which cannot carry a hash either); NAME @ URL with hashes an
archive.  Only the requirement file's own lines are read (no -r/-c).
The lock goes to standard output.
"""
import hashlib
import os
import re
import sys

try:
    from packaging.utils import canonicalize_name
except ImportError:  # pragma: no cover
    def canonicalize_name(name):
        return re.sub(r"[-_.]+", "-", name).lower()


def logical_lines(text):
    cur = ""
    for raw in text.splitlines():
        line = raw.split(" #", 1)[0].rstrip() if not raw.lstrip().startswith("#") else ""
        if line.endswith("\\"):
            cur += line[:-1] + " "
            continue
        cur += line
        if cur.strip():
            yield cur.strip()
        cur = ""
    if cur.strip():
        yield cur.strip()


def q(s):
    return "'" + s + "'" if "'" not in s and "\n" not in s else '"' + s.replace(
        "\\", "\\\\").replace('"', '\\"') + '"'


def main():
    args = sys.argv[1:]
    created_by = "deploy-run dev/venv-tools/pylock-from-requirements.py"
    if "--created-by" in args:
        i = args.index("--created-by")
        created_by = args[i + 1]
        del args[i:i + 2]
    reqfile, wheelhouses = args[0], args[1:]
    lockdir = os.path.dirname(os.path.abspath(reqfile))
    wheels = {}
    for wheelhouse in wheelhouses:
        for f in sorted(os.listdir(wheelhouse)):
            if f.endswith(".whl"):
                name, version = f.split("-")[:2]
                wheels.setdefault((canonicalize_name(name), version), os.path.join(wheelhouse, f))
    out = ["lock-version = '1.0'", "created-by = %s" % q(created_by)]
    with open(reqfile) as f:
        text = f.read()
    for line in logical_lines(text):
        if line.startswith("-"):
            continue
        hashes = re.findall(r"--hash[= ](\w+):([0-9a-fA-F]+)", line)
        spec = re.split(r"\s--", " " + line, maxsplit=1)[0].strip() if not line.startswith(
            "--") else ""
        spec = re.sub(r"\s+--hash.*$", "", line).strip()
        marker = None
        if ";" in spec:
            spec, marker = [s.strip() for s in spec.split(";", 1)]
        url = None
        if " @ " in spec:
            spec, url = [s.strip() for s in spec.split(" @ ", 1)]
        m = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:==\s*([^\s,;]+))?(.*)$", spec)
        name, version, rest = m.group(1), m.group(2), m.group(3).strip()
        if rest:
            version = None  # not pinned to one version
        out.append("")
        out.append("[[packages]]")
        out.append("name = %s" % q(canonicalize_name(name)))
        if version:
            out.append("version = %s" % q(version))
        if marker:
            out.append("marker = %s" % q(marker))
        table = "{%s}" % ", ".join("%s = %s" % (a, q(h)) for a, h in hashes)
        if not hashes:
            out.append("vcs = {type = 'git', url = %s, commit-id = '%s'}" % (
                q(url or "https://example.invalid/%s.git" % canonicalize_name(name)), "0" * 40))
            continue
        if url:
            out.append("archive = {url = %s, hashes = %s}" % (q(url), table))
            continue
        path = wheels.get((canonicalize_name(name), version)) if version else None
        if path:
            with open(path, "rb") as w:
                digest = hashlib.sha256(w.read()).hexdigest()
            if ("sha256", digest) not in hashes:
                print("pylock-from-requirements: warning: %s: sha256 %s is not one of %s's "
                      "hashes" % (path, digest, name), file=sys.stderr)
            rel = os.path.relpath(os.path.abspath(path), lockdir)
            out.append("wheels = [{name = %s, path = %s, hashes = %s}]" % (
                q(os.path.basename(path)), q(rel), table))
        else:
            out.append("wheels = [{name = %s, url = %s, hashes = %s}]" % (
                q("%s-%s-py3-none-any.whl" % (name, version or "0")),
                q("https://example.invalid/%s" % name), table))
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
