#!/usr/bin/python3
"""Differential test of checks/reqfile.c and checks/lockfile.c against pip.

Usage: dist_reqfile_pip.py TEST_REQFILE_BINARY

Writes requirement files (hand-written cases, and seeded random lines made
of names, extras, specifiers, markers and options) to a temporary
directory, reads each with pip's own parser (pip._internal.req.req_file,
offline: only local files) and with `test-reqfile --dump FILE`, and fails
on any difference in: accepted or refused, and for each requirement its
name, specifier set, pinned, marker, URL, editable, constraint, extras,
hashes and line.

Generated classes of their own: files with a byte order mark (UTF-8,
UTF-16 in both byte orders, UTF-32 big-endian), a PEP 263 coding line
(latin-1, cp1252), invalid UTF-8 in a comment or a requirement (pip's
UnicodeDecodeError: refused by both, at the same line), and a Windows path
as a requirement.

Deliberate differences, kept out of the corpus: words after the options
("-r a.txt b.txt"), and two -r/-c/-e on one line, which pip silently
ignores and deploy-run refuses; "==1.*", which pip's is_pinned calls pinned
and deploy-run does not (a wildcard is no pin); hash digests of the wrong length, which
pip only finds at install time; paths to local directories and archives,
which pip resolves on disk while deploy-run keeps them as written.

Deliberate differences that ARE generated, checked by their own rule:
a Windows path (C:\\wheels\\x.tar.gz, c:/wheels/x.whl, .\\dist\\x.zip)
that pip's parser accepts as a file name relative to its working directory
(its install then fails): deploy-run refuses it (req.parse at the line),
which is checked, and the case is counted; a PEP 263 encoding other than
latin-1, ascii, cp1252 and utf-8: refused (not generated).
"""
import codecs
import json
import logging
import os
import random
import re
import subprocess
import sys
import tempfile

from pip._internal.network.session import PipSession
from pip._internal.req.constructors import install_req_from_parsed_requirement
from pip._internal.req.req_file import parse_requirements
from pip._vendor.packaging.markers import Marker
from pip._vendor.packaging.specifiers import SpecifierSet

logging.disable(logging.CRITICAL)  # pip's "looks like a filename" warnings

H1 = "0123456789abcdef" * 4
H2 = "fedcba9876543210" * 8

CASES = {
    "basic.txt": "flask==2.2.2\nrequests>=2,<3\nzope.interface===5.5\n",
    "comments.txt": "# top\n\nflask==1  # trailing\n  # indented\nx#notacomment==1\n",
    "continued.txt": f"flask==2.2.2 \\\n    --hash=sha256:{H1} \\\n    --hash=sha256:{H1}\n"
                     "    # via -r requirements.in\nclick==8 \\\n# comment ends it\nb==1\\\n",
    "crlf.txt": "\ufeffa==1\r\nb==2\r\n",
    "markers.txt": "a==1; python_version >= '3.8'\nb ; extra == 'x'\n"
                   "c[x,y]>=1 ; os_name == \"posix\" and sys_platform != 'win32'\n",
    "urls.txt": "pkg @ https://example.com/pkg-1.0.tar.gz\n"
                "https://example.com/Foo_Bar-1.2.3-py3-none-any.whl\n"
                "git+https://github.com/org/thing@v1#egg=thing\n"
                "https://example.com/x.tar.gz#egg=x; python_version > '3'\n"
                "https://example.com/y-2.0-1-py3-none-any.whl ; os_name == 'posix'\n",
    "editable.txt": "-e git+https://github.com/org/repo@v1#egg=Repo_Name\n"
                    "--editable=git+ssh://git@github.com/org/x#egg=x\n",
    "options.txt": "--index-url https://${REQ_HOST}/simple\n-i https://b/simple\n"
                   "--extra https://c/simple\n-fhttps://links/\n--trusted-host h\n"
                   "--pre --require-hashes\n--no-binary :all: --only-binary=lxml\n"
                   "--no-index\n--prefer-binary\n--use-feature truststore\na==1\n",
    "envvars.txt": "a==${REQ_VERSION}\nb @ https://${REQ_HOST}/b-${UNSET}.tar.gz\n"
                   "c @ https://h/${lower}$REQ_VERSION/c.zip\n",
    "hashes.txt": f"a==1 --hash=sha256:{H1} --hash sha512:{H2}\n"
                  f"b==1 --hash='sha256:{H1}'\n",
    "perreq.txt": "a==1 --global-option=--quiet --install-option=--x\n",
    "include.txt": "first==1\n-r sub/base.txt\n-c constraints.txt\nlast==3\n",
    "sub/base.txt": "base==2\n--requirement ../common.txt\n",
    "common.txt": "Common_Pkg==1\n",
    "constraints.txt": "base==2\n-r inner.txt\nlimited<5\n",
    "inner.txt": "inner==1\n",
    "bad-option.txt": "a==1\n--bogus\n",
    "bad-option2.txt": "--pre=yes\n",
    "bad-missing.txt": "--index-url\n",
    "bad-hash.txt": "a==1 --hash=md5:abc\n",
    "bad-hash2.txt": "a==1 --hash=abc\n",
    "bad-quote.txt": "a==1 --hash='sha256:abc\n",
    "bad-req.txt": "not a valid requirement!\n",
    "bad-req2.txt": "a (==1\n",
    "bad-editable.txt": "-e https://example.com/x.tar.gz\n",
    "bad-editable2.txt": "-e git+https://github.com/org/repo\n",
    "bad-feature.txt": "--use-feature=nope\n",
    "bad-wheel.txt": "https://x/bad.whl\n",
    "bad-include.txt": "-r does-not-exist.txt\n",
    "bad-marker.txt": "a; os_name ==\n",
    "ambiguous.txt": "--no x\n",
}

NAMES = ["flask", "Flask_Login", "zope.interface", "a-b.c_d", "X"]
EXTRAS = ["", "[a]", "[b, a]", "[A_b]"]
SPECS = ["", "==1.0", "===1.0", ">=1,<2", "==1.*", "~=1.4", " (>=1.0)", "!=1.5", "==1.0+local",
         "== 2.0", ">1.0.dev0", "==1.0,==1.0"]
MARKERS = ["", "; python_version >= '3.8'", " ; extra == 'x'",
           ";os_name=='posix' and sys_platform!='win32'", "; implementation_name == \"cpython\"",
           "; python_version in '3.10 3.11'"]
OPTIONS = ["", f" --hash=sha256:{H1}", f" --hash sha256:{H1} --hash=sha512:{H2}",
           "  # a comment", " --global-option=x"]


def generated(rng, n):
    lines = []
    for _ in range(n):
        lines.append(rng.choice(NAMES) + rng.choice(EXTRAS) + rng.choice(SPECS) +
                     rng.choice(MARKERS) + rng.choice(OPTIONS))
    return lines


WINDOWS = [r"C:\wheels\x-1.0-py3-none-any.whl", r"C:\wheels\x.whl", r"c:/wheels/x-1.0.tar.gz",
           r".\dist\x-1.0.tar.gz", r"D:\x.zip", r"C:\wheels\x-1.0-py3-none-any.whl[extra]",
           r"E:/w/x-2.0-py3-none-any.whl ; os_name == 'posix'"]
BAD_UTF8 = [b"\xe9", b"\xc3", b"\xed\xa0\x80", b"\xc0\xaf", b"\xff", b"\xf4\x90\x80\x80"]


def encoded(rng, i):
    """One generated file of the encoding classes: (bytes, expected error line
    or None, the line of a Windows path or None)."""
    lines = generated(rng, rng.randrange(1, 6))
    text = "\n".join(lines) + "\n"
    kind = i % 8
    if kind == 0:
        return text.encode("utf-16"), None, None      # BOM, little-endian (PowerShell)
    if kind == 1:
        return codecs.BOM_UTF16_BE + text.encode("utf-16-be"), None, None
    if kind == 2:
        return codecs.BOM_UTF8 + text.encode(), None, None
    if kind == 3:
        return codecs.BOM_UTF32_BE + text.encode("utf-32-be"), None, None
    if kind in (4, 5):  # invalid UTF-8 in a comment line, a trailing comment or a requirement
        k = rng.randrange(len(lines) + 1)
        bad = rng.choice(BAD_UTF8)
        data = [x.encode() for x in lines]
        where = rng.randrange(3)
        if where == 0 or k == len(lines):
            data.insert(k, b"# caf" + bad + b" au lait")
        elif where == 1:
            data[k] += b"  # caf" + bad
        else:
            data[k] = data[k].replace(b"==", b"==1" + bad, 1) if b"==" in data[k] \
                else data[k] + bad
        return b"\n".join(data) + b"\n", k + 1, None
    if kind == 6:  # a PEP 263 line in one of the first two lines
        enc = rng.choice(["latin-1", "iso-8859-1", "cp1252", "Windows-1252", "utf-8", "ascii"])
        first = ("# -*- coding: %s -*-\n" % enc).encode()
        tail = "# caf\u00e9\n".encode(enc) if enc != "ascii" else b"# cafe\n"
        if rng.random() < 0.5:
            return first + text.encode() + tail, None, None
        return b"# locked\n" + first + text.encode() + tail, None, None
    k = rng.randrange(len(lines) + 1)  # a Windows path
    lines.insert(k, rng.choice(WINDOWS))
    return ("\n".join(lines) + "\n").encode(), None, k + 1


def pip_side(path):
    session = PipSession()
    try:
        out = []
        for pr in parse_requirements(path, session=session):
            ir = install_req_from_parsed_requirement(pr)
            line = int(pr.comes_from.rsplit("(line ", 1)[1].rstrip(")"))
            out.append({
                "name": ir.name,
                "specifier": str(ir.specifier),
                # deliberate: pip's is_pinned takes "==1.*" for a pin, deploy-run not
                "pinned": ir.is_pinned and not any(
                    sp.version.endswith(".*") for sp in ir.specifier),
                "marker": str(ir.markers) if ir.markers else None,
                "url": ir.link.url if ir.link else None,
                "editable": ir.editable,
                "constraint": ir.constraint,
                "extras": sorted(ir.extras),
                "hashes": sorted(f"{a}:{d}" for a, ds in ir.hash_options.items() for d in ds),
                "line": line,
                "file": os.path.basename(pr.comes_from.split(" ", 1)[1].rsplit(" (line", 1)[0]),
            })
        return {"ok": True, "reqs": out}
    except UnicodeDecodeError as e:
        with open(path, "rb") as f:
            data = f.read()
        return {"ok": False, "error": f"UnicodeDecodeError: {e}",
                "line": data[:e.start].count(b"\n") + 1}
    except Exception as e:  # pip raises several types for a bad file
        return {"ok": False, "error": f"{type(e).__name__}: {e}"}


def our_side(binary, path):
    out = subprocess.run([binary, "--dump", path], check=True, capture_output=True)
    d = json.loads(out.stdout.decode("utf-8", "replace"))
    if not d["ok"]:
        return d
    reqs = []
    for r in d["reqs"]:
        reqs.append({
            "name": r["name"],
            "specifier": str(SpecifierSet(r["specifier"])),
            "pinned": r["pinned"],
            "marker": str(Marker(r["marker"])) if r["marker"] else None,
            "url": r["url"],
            "editable": r["editable"],
            "constraint": r["constraint"],
            # pip keeps extras as safe_extra() spells them: lowercase
            "extras": sorted({re.sub("[^A-Za-z0-9.-]+", "_", e).lower() for e in r["extras"]}),
            "hashes": sorted(r["hashes"]),
            "line": r["line"],
            "file": os.path.basename(r["file"]),
        })
    return {"ok": True, "reqs": reqs}


def main():
    binary = os.path.abspath(sys.argv[1])
    os.environ["REQ_HOST"] = "pypi.example.com"
    os.environ["REQ_VERSION"] = "1.0"
    os.environ.pop("UNSET", None)
    rng = random.Random(4)
    cases = dict(CASES)
    for i in range(40):
        cases[f"gen-{i}.txt"] = "\n".join(generated(rng, 10)) + "\n"
    bad_line, windows = {}, {}
    for i in range(int(os.environ.get("ENCODED", "160"))):
        data, bad, win = encoded(rng, i)
        cases[f"enc-{i}.txt"] = data
        if bad:
            bad_line[f"enc-{i}.txt"] = bad
        if win:
            windows[f"enc-{i}.txt"] = win
    cases["utf32le.txt"] = "a==1\n".encode("utf-32")  # pip reads it as UTF-16: refused
    cases["cp1252-undefined.txt"] = b"# coding: cp1252\na==1\n# \x81\n"
    cases["ascii-high.txt"] = b"#coding=ascii\na==1\n# \xe9\n"
    cases["utf16-odd.txt"] = b"\xff\xfea\x00=\x00=\x001\x00\n"
    deliberate = 0
    problems = []
    with tempfile.TemporaryDirectory(prefix="reqfile-diff-") as tmp:
        for name, text in cases.items():
            path = os.path.join(tmp, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(text if isinstance(text, bytes) else text.encode("utf-8"))
        compared = 0
        for name in cases:
            if name in ("sub/base.txt", "common.txt", "constraints.txt", "inner.txt"):
                continue
            path = os.path.join(tmp, name)
            a, b = our_side(binary, path), pip_side(path)
            compared += 1
            if name in windows:
                where = re.search(r":(\d+):\d+: error: (.*)", a.get("error", ""))
                if a["ok"] or not where or int(where.group(1)) != windows[name]:
                    problems.append(f"{name}: a Windows path at line {windows[name]}: ours "
                                    f"{a.get('error', 'accepts')}")
                elif b["ok"]:  # deliberate: pip's parser takes it for a relative file name
                    deliberate += 1
                continue
            if name in bad_line and not a["ok"] and not b["ok"]:
                where = re.search(r":(\d+):\d+: error: ", a["error"])
                if not where or bad_line[name] != int(where.group(1)) or \
                        bad_line[name] != b.get("line"):
                    problems.append(f"{name}: invalid UTF-8 at line {b.get('line')}: ours "
                                    f"{a['error']}")
            if a["ok"] != b["ok"]:
                problems.append(f"{name}: ours {'accepts' if a['ok'] else 'refuses: ' + a['error']}"
                                f", pip {'accepts' if b['ok'] else 'refuses: ' + b['error']}")
                continue
            if not a["ok"]:
                continue
            if len(a["reqs"]) != len(b["reqs"]):
                problems.append(f"{name}: {len(a['reqs'])} requirements, pip {len(b['reqs'])}")
                continue
            for x, y in zip(a["reqs"], b["reqs"]):
                for key in x:
                    if x[key] != y[key]:
                        problems.append(f"{name}:{y['line']}: {key}: ours {x[key]!r}, "
                                        f"pip {y[key]!r}")
    for p in problems[:int(os.environ.get("SHOW", "20"))]:
        print(p)
    print(f"{compared} files compared ({len(bad_line)} with invalid UTF-8, {len(windows)} with a "
          f"Windows path, of which {deliberate} pip's parser accepts: deliberate), "
          f"{len(problems)} differences")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
