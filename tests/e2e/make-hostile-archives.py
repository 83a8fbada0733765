#!/usr/bin/python3
"""Archives for the bundle tests, made from a good bundle with tarfile and zipfile.

    make-hostile-archives.py tamper GOOD OUT (--modify=PATH | --add=PATH | --drop=PATH
                                              | --wheel=PATH)
    make-hostile-archives.py hostile GOOD OUTDIR VICTIM

tamper writes a copy of the .tar.gz bundle GOOD with one change: an entry's content
modified, an extra entry, an entry dropped, or a wheel replaced by other bytes with the
MANIFEST updated to match (so that only the lock's hashes catch it).

hostile writes OUTDIR/NAME.tar.gz and OUTDIR/NAME.zip archives that each hold the good
bundle's entries plus one hazard (absolute path, '..', symlink or hard link out, device,
FIFO, setuid/setgid file) aimed at the directory VICTIM from OUTDIR/dest, where the
test unpacks them, and prints one line per archive:
NAME<TAB>the words unbundle's message must contain.
"""
import hashlib
import io
import os
import stat
import sys
import tarfile
import zipfile


def read_bundle(path):
    """The (TarInfo, bytes or None) of every member, in order."""
    out = []
    with tarfile.open(path, "r:gz") as t:
        for m in t.getmembers():
            data = t.extractfile(m).read() if m.isreg() else None
            out.append((m, data))
    return out


def write_tar(path, members):
    with tarfile.open(path, "w:gz", format=tarfile.PAX_FORMAT) as t:
        for m, data in members:
            if data is not None:
                m.size = len(data)
                t.addfile(m, io.BytesIO(data))
            else:
                t.addfile(m)


def regular(name, data, mode=0o644):
    m = tarfile.TarInfo(name)
    m.size = len(data)
    m.mode = mode
    m.mtime = 1700000000
    return m, data


def special(name, kind, linkname="", mode=0o644):
    m = tarfile.TarInfo(name)
    m.type = kind
    m.linkname = linkname
    m.mode = mode
    m.mtime = 1700000000
    if kind in (tarfile.CHRTYPE, tarfile.BLKTYPE):
        m.devmajor, m.devminor = 1, 3
    return m, None


def set_manifest_file(members, path, data):
    """Rewrites the MANIFEST line of path for new content."""
    man, text = members[0]
    lines = text.decode().split("\n")
    for i, line in enumerate(lines):
        f = line.split(" ")
        if f[0] == "f" and f[-1] == path:
            f[2] = str(len(data))
            f[3] = hashlib.sha256(data).hexdigest()
            lines[i] = " ".join(f)
    members[0] = (man, "\n".join(lines).encode())


def tamper(good, out, how, path):
    members = read_bundle(good)
    if how == "--modify":
        # the same size, one byte changed: only the digest can tell
        members = [(m, (d[:-1] + b"#") if m.name == path else d) for m, d in members]
    elif how == "--add":
        members.append(regular(path, b"not in the manifest\n"))
    elif how == "--drop":
        members = [(m, d) for m, d in members if m.name != path]
    elif how == "--wheel":
        data = b"PK\x05\x06" + b"\0" * 18  # an empty zip: a wheel the lock never hashed
        members = [(m, data if m.name == path else d) for m, d in members]
        set_manifest_file(members, path, data)
    else:
        sys.exit("unknown change " + how)
    write_tar(out, members)


def write_zip(path, members, extra):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for m, data in members:
            name = m.name + ("/" if m.isdir() else "")
            zi = zipfile.ZipInfo(name, (2023, 1, 1, 0, 0, 0))
            zi.external_attr = ((stat.S_IFDIR if m.isdir() else stat.S_IFREG) | m.mode) << 16
            z.writestr(zi, data or b"")
        for name, mode, data in extra:
            zi = zipfile.ZipInfo(name, (2023, 1, 1, 0, 0, 0))
            zi.create_system = 3
            zi.external_attr = mode << 16
            z.writestr(zi, data)


def hostile(good, outdir, victim):
    members = read_bundle(good)
    up = os.path.relpath(victim, os.path.join(outdir, "dest"))  # from a top-level entry
    tars = {
        "absolute": ([regular(victim + "/evil-absolute", b"x")], "is an absolute path"),
        "dotdot": ([regular(up + "/evil-dotdot", b"x")], "'..' component"),
        "dotdot-inner": ([regular("webapp/../../evil-inner", b"x")], "'..' component"),
        "symlink-out": ([special("webapp/out", tarfile.SYMTYPE, "../" + up)],
                        "points out of the directory"),
        "symlink-absolute": ([special("etc", tarfile.SYMTYPE, victim)],
                             "symlink to an absolute path"),
        "symlink-climb": ([special("webapp/c", tarfile.SYMTYPE, "x/../../..")],
                          "'..' after a name"),
        "symlink-then-file": ([special("esc", tarfile.SYMTYPE, up),
                               regular("esc/evil-through-link", b"x")],
                              "points out of the directory"),
        "hardlink-out": ([special("passwd", tarfile.LNKTYPE, up + "/target")],
                         "hard link that points out of the directory"),
        "hardlink-absolute": ([special("passwd", tarfile.LNKTYPE, victim + "/target")],
                              "hard link that points out of the directory"),
        "chardev": ([special("null", tarfile.CHRTYPE)], "is a device file"),
        "blockdev": ([special("disk", tarfile.BLKTYPE)], "is a device file"),
        "fifo": ([special("pipe", tarfile.FIFOTYPE)], "is a FIFO"),
        "setuid": ([regular("webapp/su", b"#!/bin/sh\n", 0o4755)], "setuid"),
        "setgid": ([regular("webapp/sg", b"#!/bin/sh\n", 0o2755)], "setgid"),
    }
    for name, (extra, words) in tars.items():
        write_tar(os.path.join(outdir, name + ".tar.gz"), members + extra)
        print(name + ".tar.gz\t" + words)
    zips = {
        "zip-dotdot": ([(up + "/evil-zip", 0o100644, b"x")], "'..' component"),
        "zip-absolute": ([(victim + "/evil-zip-abs", 0o100644, b"x")], "is an absolute path"),
        "zip-symlink-out": ([("webapp/out", 0o120777, ("../" + up).encode())],
                            "points out of the directory"),
        "zip-setuid": ([("webapp/su", 0o104755, b"#!/bin/sh\n")], "setuid"),
    }
    for name, (extra, words) in zips.items():
        write_zip(os.path.join(outdir, name + ".zip"), members, extra)
        print(name + ".zip\t" + words)


def main(argv):
    if len(argv) == 5 and argv[1] == "tamper":
        tamper(argv[2], argv[3], argv[4].split("=")[0], argv[4].split("=", 1)[1])
    elif len(argv) == 5 and argv[1] == "hostile":
        hostile(argv[2], argv[3], argv[4])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
