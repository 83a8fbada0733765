#!/usr/bin/python3
"""Build wheels offline from the Python distributions Debian installed.

There is no package index on the machines deploy-run is developed and tested on, yet the
example app needs a real virtualenv installed the way production installs one: from
wheels, checked against the sha256 hashes of a pip-compile style lock.  This tool makes
those wheels from what Debian 12 ships in /usr/lib/python3/dist-packages:

  wheelhouse --in REQUIREMENTS.in --out DIR [--lock REQUIREMENTS.txt] [--force]
      Build a wheel for every distribution named in REQUIREMENTS.in and everything they
      depend on.  Skipped when DIR already holds the wheels of exactly these inputs (a
      fingerprint of the sources and of this tool).  With --lock, compare the lock with
      the wheels and regenerate it when they differ, saying what changed.
  lock --in REQUIREMENTS.in --wheelhouse DIR [-o FILE] [--check FILE]
      Write the lock (pip-compile --allow-unsafe --generate-hashes format) for the wheels
      in DIR, or with --check report how FILE differs from it (exit 1).
  synth NAME VERSION [--requires REQ]... [--entry-point SCRIPT=MOD:FUNC]... [--out DIR]
      Build a tiny synthetic distribution (one module named after NAME that records its
      version), for tests that need virtualenvs with chosen packages, versions and
      dependency conflicts.  Prints the wheel's path.

Each distribution becomes a generated setuptools project holding a copy of its importable
packages and modules, its name, version, summary, Requires-Python, Requires-Dist and entry
points, built with `pip wheel --no-index --no-build-isolation --no-deps`.  Builds are
byte-for-byte reproducible (fixed SOURCE_DATE_EPOCH, umask, file order and build path) so
that the hashes in a committed lock hold on every Debian 12 machine with the same packages.

Run it with Debian's /usr/bin/python3: it needs Debian's pip, setuptools, wheel and packaging.
"""

import argparse
import concurrent.futures
import contextlib
import email.parser
import fcntl
import hashlib
import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

DIST_PACKAGES = "/usr/lib/python3/dist-packages"
# Wheels Debian ships for ensurepip; a venv gets exactly these, so they are used as they are.
SHIPPED_WHEELS = "/usr/share/python-wheels"
# 2023-01-01T00:00:00Z: any fixed date after 1980 (the ZIP epoch) keeps builds reproducible.
SOURCE_DATE_EPOCH = "1672531200"
# pip-compile leaves these out of a lock unless --allow-unsafe, and lists them last.
UNSAFE = {"pip", "setuptools", "distribute"}
FINGERPRINT_FILE = ".fingerprint"

# Debian's egg-info metadata for these distributions has lost the unconditional
# requirements (requires.txt keeps the extras but only the headers of the other sections);
# the Debian package Depends still name them.  These are upstream's install_requires for the
# version Debian 12 ships; every one whose marker applies is cross-checked against the
# Depends of the Debian package that installed the distribution.
UPSTREAM_REQUIRES = {
    "flask": ("2.2.2", [
        "Werkzeug>=2.2.2", "Jinja2>=3.0", "itsdangerous>=2.0", "click>=8.0",
        "importlib-metadata>=3.6.0; python_version < \"3.10\""]),
    "werkzeug": ("2.2.2", ["MarkupSafe>=2.1.1"]),
    "jinja2": ("3.1.2", ["MarkupSafe>=2.0"]),
    "click": ("8.1.3", [
        "colorama; platform_system == \"Windows\"",
        "importlib-metadata; python_version < \"3.8\""]),
    "uvicorn": ("0.17.6", [
        "asgiref>=3.4.0", "click>=7.0", "h11>=0.8",
        "typing-extensions; python_version < \"3.8\""]),
    "gunicorn": ("20.1.0", ["setuptools>=3.0"]),
    "anyio": ("3.6.2", [
        "idna>=2.8", "sniffio>=1.1", "typing-extensions; python_version < \"3.8\""]),
    "h11": ("0.14.0", ["typing-extensions; python_version < \"3.8\""]),
    "asgiref": ("3.6.0", ["typing-extensions; python_version < \"3.8\""]),
    "sniffio": ("1.2.0", ["contextvars>=2.1; python_version < \"3.7\""]),
}


class Failure(Exception):
    """An error for the user: printed as one line, exit status 1."""


def log(msg):
    print(f"build-wheels: {msg}", file=sys.stderr, flush=True)


def applies(req):
    """True when REQ is needed by a plain install (no extras) on this interpreter."""
    return req.marker is None or req.marker.evaluate({"extra": ""})


# --- reading Debian's installed distributions ---------------------------------------------

class Source:
    """One installed distribution and what is needed to rebuild its wheel."""

    def __init__(self, dist):
        self.dist = dist
        self.name = dist.metadata["Name"]
        self.key = canonicalize_name(self.name)
        self.version = dist.version
        self.meta_dir = str(dist._path)  # importlib.metadata keeps no public accessor
        self.requires = merged_requires(self)
        self.shipped_wheel = find_shipped_wheel(self.key, self.version)

    def top_levels(self):
        """Names of the importable top-level packages and modules of the distribution."""
        names = set()
        text = self.dist.read_text("top_level.txt")
        if text:
            names.update(n.strip().split("/")[0] for n in text.split() if n.strip())
        else:
            for f in self.dist.files or []:
                part = f.parts[0]
                if part.endswith((".dist-info", ".egg-info")) or part == "..":
                    continue
                names.add(part)
        found = []
        for n in sorted(names):
            p = os.path.join(DIST_PACKAGES, n)
            if os.path.isdir(p):
                found.append((n, "package"))
            elif n.endswith(".py") and os.path.isfile(p):
                found.append((n[:-3], "module"))
            elif os.path.isfile(p + ".py"):
                found.append((n, "module"))
        if not found:
            raise Failure(f"{self.name} {self.version}: no importable package or module "
                          f"found in {DIST_PACKAGES}")
        return found

    def files(self):
        """Sorted (relative path, absolute path) of every file to copy into the wheel."""
        out = []
        for name, kind in self.top_levels():
            if kind == "module":
                out.append((name + ".py", os.path.join(DIST_PACKAGES, name + ".py")))
                continue
            top = os.path.join(DIST_PACKAGES, name)
            for root, dirs, fnames in os.walk(top):
                dirs[:] = sorted(d for d in dirs if d != "__pycache__")
                for fn in sorted(fnames):
                    if fn.endswith((".pyc", ".pyo")):
                        continue
                    full = os.path.join(root, fn)
                    if not os.path.exists(full):
                        log(f"{self.name}: skipping dangling symlink {full}")
                        continue
                    out.append((os.path.relpath(full, DIST_PACKAGES), full))
        return out


def find_shipped_wheel(key, version):
    try:
        names = sorted(os.listdir(SHIPPED_WHEELS))
    except OSError:
        return None
    for fn in names:
        parts = fn.split("-")
        if fn.endswith(".whl") and len(parts) >= 2 and canonicalize_name(parts[0]) == key \
                and parts[1] == version:
            return os.path.join(SHIPPED_WHEELS, fn)
    return None


def merged_requires(src):
    """Debian's Requires-Dist plus upstream's unconditional ones Debian's metadata lost."""
    reqs = [Requirement(r) for r in (src.dist.requires or [])]
    have = {(canonicalize_name(r.name), str(r.marker)) for r in reqs}
    table = UPSTREAM_REQUIRES.get(src.key)
    if table:
        version, extra = table
        if version != src.version:
            log(f"note: upstream requirements of {src.name} were recorded for {version}, "
                f"Debian has {src.version}; using them")
        for s in extra:
            r = Requirement(s)
            if (canonicalize_name(r.name), str(r.marker)) not in have:
                reqs.append(r)
    return reqs


_installed = None


def installed():
    """Canonical name -> Source of the distributions in Debian's dist-packages."""
    global _installed
    if _installed is None:
        _installed = {}
        for dist in importlib.metadata.distributions(path=[DIST_PACKAGES]):
            if dist.metadata["Name"]:
                s = Source(dist)
                _installed.setdefault(s.key, s)
    return _installed


def closure(roots):
    """Sources for ROOTS and, recursively, every requirement that applies here."""
    avail = installed()
    done = {}
    todo = list(roots)
    while todo:
        req = todo.pop()
        key = canonicalize_name(req.name)
        src = avail.get(key)
        if src is None:
            raise Failure(f"{req}: not installed in {DIST_PACKAGES}; install the Debian "
                          f"package that provides it (apt-cache search {key})")
        if not req.specifier.contains(Version(src.version), prereleases=True):
            raise Failure(f"{req}: Debian has {src.name} {src.version}, which does not "
                          f"satisfy it")
        if key in done:
            continue
        done[key] = src
        todo.extend(r for r in src.requires if applies(r))
    return [done[k] for k in sorted(done)]


def read_roots(path):
    """Requirements of a requirements.in: one per line, comments and blank lines ignored."""
    roots = []
    try:
        with open(path, encoding="utf-8") as f:
            for lineno, line in enumerate(f, 1):
                line = line.split("#", 1)[0].strip()
                if not line:
                    continue
                try:
                    roots.append(Requirement(line))
                except Exception as e:
                    raise Failure(f"{path}:{lineno}: {e}")
    except OSError as e:
        raise Failure(f"{path}: {e.strerror}")
    if not roots:
        raise Failure(f"{path}: no requirements")
    return roots


def cross_check_debian_depends(sources):
    """Warn when a requirement taken from UPSTREAM_REQUIRES is not among Debian's Depends."""
    owners = {}
    for s in sources:
        if s.key not in UPSTREAM_REQUIRES:
            continue
        try:
            out = subprocess.run(["dpkg-query", "-S", s.meta_dir], capture_output=True,
                                 text=True, check=True).stdout
        except (OSError, subprocess.CalledProcessError):
            return
        owners[s.key] = out.split(":", 1)[0].strip()
    for s in sources:
        pkg = owners.get(s.key)
        if not pkg:
            continue
        out = subprocess.run(["dpkg-query", "-W", "-f", "${Depends}", pkg],
                             capture_output=True, text=True).stdout
        deps = {d.strip().split(" ")[0].split(":")[0] for d in re.split("[,|]", out)}
        for r in s.requires:
            if applies(r) and f"python3-{canonicalize_name(r.name)}" not in deps:
                log(f"warning: {s.name} requires {r} but Debian's {pkg} does not depend "
                    f"on python3-{canonicalize_name(r.name)}")


# --- building ------------------------------------------------------------------------------

SETUP_PY = '''\
import json
from setuptools import setup
from setuptools.dist import Distribution


class BinaryDistribution(Distribution):
    """Carries a compiled module: the wheel gets this interpreter's platform tag."""

    def has_ext_modules(self):
        return True


with open("spec.json", encoding="utf-8") as f:
    spec = json.load(f)
binary = spec.pop("binary")
setup(distclass=BinaryDistribution if binary else Distribution, **spec)
'''

PYPROJECT = '''\
[build-system]
requires = ["setuptools", "wheel"]
build-backend = "setuptools.build_meta"
'''


def setuptools_requires(reqs):
    """Split Requires-Dist into setuptools' install_requires and extras_require."""
    install, extras = [], {}
    for r in reqs:
        marker = str(r.marker) if r.marker else ""
        m = re.search(r"""extra == ['"]([^'"]+)['"]""", marker)
        base = r.name + (f"[{','.join(sorted(r.extras))}]" if r.extras else "")
        base += str(r.specifier)
        if not m:
            install.append(str(r))
            continue
        rest = marker[:m.start()] + marker[m.end():]
        rest = re.sub(r"^\s*and\s+|\s+and\s*$", "", rest.strip())
        rest = rest.strip()
        if rest.startswith("(") and rest.endswith(")"):
            rest = rest[1:-1]
        key = m.group(1) + (f":{rest}" if rest else "")
        extras.setdefault(key, []).append(base)
    return install, extras


@contextlib.contextmanager
def locked_build_root():
    """The fixed directory builds happen in (builds share the path, so that the wheels come
    out the same), held exclusively by a lock on the directory itself and removed after:
    nothing of it outlives the build.  A directory removed while this process waited for
    it, or not this user's own, is not used."""
    root = f"/tmp/deploy-run-wheel-build.{os.getuid()}"
    while True:
        try:
            os.mkdir(root, 0o700)
        except FileExistsError:
            pass
        fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        fcntl.flock(fd, fcntl.LOCK_EX)
        held = os.fstat(fd)
        try:
            now = os.lstat(root)
        except FileNotFoundError:
            now = None
        if now and (now.st_dev, now.st_ino) == (held.st_dev, held.st_ino):
            break
        os.close(fd)  # the previous holder removed it: make it again
    if held.st_uid != os.getuid() or held.st_mode & 0o077:
        os.close(fd)
        sys.exit(f"build-wheels: {root} is not this user's own private directory")
    try:
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)
        os.close(fd)


def build_env():
    env = dict(os.environ)
    for k in list(env):
        if k.startswith("PIP_") or k in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"):
            del env[k]
    env.update(SOURCE_DATE_EPOCH=SOURCE_DATE_EPOCH, PYTHONHASHSEED="0", LC_ALL="C.UTF-8",
               PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1", PIP_NO_CACHE_DIR="1")
    return env


def pip_wheel(project, out_dir):
    """Build the setuptools project in PROJECT into OUT_DIR; return the wheel's path."""
    cmd = ["/usr/bin/python3", "-m", "pip", "wheel", "--no-index", "--no-build-isolation",
           "--no-deps", "--quiet", "--wheel-dir", out_dir, project]
    p = subprocess.run(cmd, env=build_env(), capture_output=True, text=True, cwd=project)
    if p.returncode != 0:
        raise Failure(f"pip wheel {project} failed:\n{p.stdout}{p.stderr}")
    wheels = [f for f in os.listdir(out_dir) if f.endswith(".whl")]
    if len(wheels) != 1:
        raise Failure(f"pip wheel {project}: expected one wheel, got {wheels}")
    return os.path.join(out_dir, wheels[0])


def write_project(project, spec, files):
    """Create the setuptools project: spec.json, setup.py, pyproject.toml and FILES."""
    shutil.rmtree(project, ignore_errors=True)
    os.makedirs(project)
    for rel, content in files:
        dst = os.path.join(project, rel)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        if isinstance(content, bytes):
            with open(dst, "wb") as f:
                f.write(content)
        else:
            shutil.copyfile(content, dst)
        os.chmod(dst, 0o644)
    with open(os.path.join(project, "spec.json"), "w", encoding="utf-8") as f:
        json.dump(spec, f, indent=1, sort_keys=True)
    with open(os.path.join(project, "setup.py"), "w", encoding="utf-8") as f:
        f.write(SETUP_PY)
    with open(os.path.join(project, "pyproject.toml"), "w", encoding="utf-8") as f:
        f.write(PYPROJECT)


def make_spec(name, version, files, requires, entry_points, summary="", url="",
              license="", python_requires=""):
    """setup() keyword arguments for a project holding FILES (relative paths)."""
    packages, modules, package_data = set(), [], {}
    for rel in (r for r, _ in files):
        parts = rel.split("/")
        if len(parts) == 1:
            modules.append(parts[0][:-3])
            continue
        pkg = ".".join(parts[:-1])
        for i in range(1, len(parts)):
            packages.add(".".join(parts[:i]))
        if not rel.endswith(".py"):
            package_data.setdefault(pkg, []).append(parts[-1])
    install, extras = setuptools_requires(requires)
    groups = {}
    for group, ep_name, value in entry_points:
        groups.setdefault(group, []).append(f"{ep_name} = {value}")
    spec = {
        "name": name, "version": version,
        "packages": sorted(packages), "py_modules": sorted(modules),
        "package_data": {k: sorted(v) for k, v in package_data.items()},
        "include_package_data": False, "zip_safe": False,
        "install_requires": install, "extras_require": extras,
        "entry_points": {g: sorted(v) for g, v in sorted(groups.items())},
        "binary": any(r.endswith(".so") for r, _ in files),
    }
    for key, value in (("description", summary), ("url", url), ("license", license),
                       ("python_requires", python_requires)):
        if value:
            spec[key] = value
    return spec


def build_one(root, project_name, spec, files, out_dir):
    """Build one wheel in ROOT/PROJECT_NAME and move it into OUT_DIR; return its path."""
    project = os.path.join(root, project_name)
    write_project(project, spec, files)
    tmp = tempfile.mkdtemp(prefix=".build-", dir=out_dir)
    try:
        wheel = pip_wheel(project, tmp)
        dst = os.path.join(out_dir, os.path.basename(wheel))
        os.replace(wheel, dst)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(project, ignore_errors=True)
    return dst


def build_source(root, src, out_dir):
    if src.shipped_wheel:
        dst = os.path.join(out_dir, os.path.basename(src.shipped_wheel))
        shutil.copyfile(src.shipped_wheel, dst + ".tmp")
        os.replace(dst + ".tmp", dst)
        return dst
    md = src.dist.metadata
    eps = [(ep.group, ep.name, ep.value) for ep in src.dist.entry_points]
    files = src.files()
    spec = make_spec(src.name, src.version, files, src.requires, eps,
                     summary=md.get("Summary", ""), url=md.get("Home-page", ""),
                     license=md.get("License", ""),
                     python_requires=md.get("Requires-Python", ""))
    return build_one(root, f"{src.key}-{src.version}", spec, files, out_dir)


def fingerprint(sources, roots):
    """Digest of everything a wheelhouse depends on: sources, this tool, the build tools."""
    h = hashlib.sha256()
    with open(os.path.abspath(__file__), "rb") as f:
        h.update(f.read())
    h.update(sys.version.encode())
    for r in roots:
        h.update(f"root {r}\n".encode())
    tools = installed()
    for key in ("pip", "setuptools", "wheel"):
        if key in tools:
            h.update(f"tool {key} {tools[key].version}\n".encode())
    for s in sources:
        h.update(f"dist {s.name} {s.version} {[str(r) for r in s.requires]}\n".encode())
        paths = [s.shipped_wheel] if s.shipped_wheel else [a for _, a in s.files()]
        if not s.shipped_wheel:
            paths += [os.path.join(s.meta_dir, f) for f in sorted(os.listdir(s.meta_dir))]
        for p in paths:
            st = os.stat(p)
            h.update(f"{p} {st.st_size} {st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def build_wheelhouse(roots, out_dir, force=False):
    """Make OUT_DIR hold the wheels of ROOTS' closure; return (built?, fingerprint)."""
    sources = closure(roots)
    fp = fingerprint(sources, roots)
    os.makedirs(out_dir, exist_ok=True)
    fp_path = os.path.join(out_dir, FINGERPRINT_FILE)
    try:
        with open(fp_path, encoding="ascii") as f:
            current = f.read().strip()
    except OSError:
        current = ""
    if current == fp and not force and all_wheels_present(out_dir, sources):
        return False, fp
    with contextlib.suppress(FileNotFoundError):
        os.unlink(fp_path)
    cross_check_debian_depends(sources)
    log(f"building {len(sources)} wheels into {out_dir}")
    with locked_build_root() as root:
        with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as ex:
            built = list(ex.map(lambda s: build_source(root, s, out_dir), sources))
    keep = {os.path.basename(w) for w in built}
    for fn in os.listdir(out_dir):
        if fn.endswith(".whl") and fn not in keep:
            os.unlink(os.path.join(out_dir, fn))
    with open(fp_path + ".tmp", "w", encoding="ascii") as f:
        f.write(fp + "\n")
    os.replace(fp_path + ".tmp", fp_path)
    return True, fp


def all_wheels_present(out_dir, sources):
    have = {wheel_key(fn) for fn in os.listdir(out_dir) if fn.endswith(".whl")}
    return all((s.key, s.version) in have for s in sources)


def wheel_key(filename):
    parts = filename.split("-")
    return canonicalize_name(parts[0]), parts[1]


# --- the lock --------------------------------------------------------------------------------

def read_wheel(path):
    """(name, version, [Requirement]) from a wheel's METADATA."""
    with zipfile.ZipFile(path) as z:
        meta = [n for n in z.namelist()
                if n.endswith(".dist-info/METADATA") and n.count("/") == 1]
        if len(meta) != 1:
            raise Failure(f"{path}: no METADATA")
        msg = email.parser.Parser().parsestr(z.read(meta[0]).decode("utf-8"))
    reqs = [Requirement(r) for r in msg.get_all("Requires-Dist") or []]
    return msg["Name"], msg["Version"], reqs


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def render_lock(in_path, wheel_dir):
    """The lock for IN_PATH's requirements from the wheels in WHEEL_DIR, as pip-compile
    --allow-unsafe --generate-hashes writes it."""
    roots = read_roots(in_path)
    wheels = {}
    for fn in sorted(os.listdir(wheel_dir)):
        if fn.endswith(".whl"):
            path = os.path.join(wheel_dir, fn)
            name, version, reqs = read_wheel(path)
            wheels.setdefault(canonicalize_name(name), []).append(
                (version, reqs, sha256_file(path)))
    via = {}
    todo = [(r, f"-r {os.path.basename(in_path)}") for r in roots]
    pinned = {}
    while todo:
        req, parent = todo.pop()
        key = canonicalize_name(req.name)
        if key not in wheels:
            raise Failure(f"{req} (needed by {parent}): no wheel in {wheel_dir}")
        via.setdefault(key, set()).add(parent)
        if key in pinned:
            continue
        version, reqs, _ = wheels[key][0]
        if not req.specifier.contains(Version(version), prereleases=True):
            raise Failure(f"{req} (needed by {parent}): the wheel has version {version}")
        pinned[key] = wheels[key][0]
        todo.extend((r, key) for r in reqs if applies(r))
    pyver = "{}.{}".format(*sys.version_info[:2])
    out = [
        "#",
        f"# This file is autogenerated by dev/venv-tools/build-wheels.py with Python {pyver},",
        "# in the format of pip-compile, by the following command:",
        "#",
        f"#    build-wheels.py lock --in {os.path.basename(in_path)} --wheelhouse wheelhouse",
        "#",
        "# equivalent to: pip-compile --allow-unsafe --generate-hashes "
        f"{os.path.basename(in_path)}",
        "#",
    ]

    def entry(key):
        version, _, digest = pinned[key]
        lines = [f"{key}=={version} \\", f"    --hash=sha256:{digest}"]
        parents = sorted(via[key])
        if len(parents) == 1:
            lines.append(f"    # via {parents[0]}")
        else:
            lines.append("    # via")
            lines.extend(f"    #   {p}" for p in parents)
        return lines

    for key in sorted(k for k in pinned if k not in UNSAFE):
        out.extend(entry(key))
    unsafe = sorted(k for k in pinned if k in UNSAFE)
    if unsafe:
        out.append("")
        out.append("# The following packages are considered to be unsafe in a requirements file:")
        for key in unsafe:
            out.extend(entry(key))
    return "\n".join(out) + "\n"


def parse_lock(text):
    """{name: (version, set of hashes)} of a pip-compile lock, enough to compare two."""
    pins = {}
    logical = re.sub(r"\\\n", " ", text)
    for line in logical.splitlines():
        line = line.split("#", 1)[0].strip()
        m = re.match(r"([A-Za-z0-9._-]+)==(\S+)(.*)", line)
        if m:
            hashes = set(re.findall(r"--hash=(\S+)", m.group(3)))
            pins[canonicalize_name(m.group(1))] = (m.group(2), hashes)
    return pins


def lock_differences(old_text, new_text):
    """Human-readable differences between two locks, one per distribution."""
    old, new = parse_lock(old_text), parse_lock(new_text)
    diffs = []
    for key in sorted(set(old) | set(new)):
        if key not in old:
            diffs.append(f"{key}: {new[key][0]} is not in the lock")
        elif key not in new:
            diffs.append(f"{key}: {old[key][0]} is locked but no longer needed")
        elif old[key][0] != new[key][0]:
            diffs.append(f"{key}: locked {old[key][0]}, Debian now has {new[key][0]}")
        elif old[key][1] != new[key][1]:
            diffs.append(f"{key} {old[key][0]}: the wheel built here has another sha256 "
                         f"({', '.join(sorted(new[key][1]))})")
    if not diffs and old_text != new_text:
        diffs.append("same pins and hashes, different layout or comments")
    return diffs


def sync_lock(in_path, wheel_dir, lock_path):
    """Regenerate LOCK_PATH when it does not match the wheels; return True if rewritten."""
    new = render_lock(in_path, wheel_dir)
    try:
        with open(lock_path, encoding="utf-8") as f:
            old = f.read()
    except FileNotFoundError:
        old = None
    if old == new:
        return False
    if old is None:
        log(f"{lock_path}: no lock yet; writing it")
    else:
        log(f"{lock_path}: the wheels built from this machine's Debian packages do not match "
            "the lock:")
        for d in lock_differences(old, new):
            log(f"  {d}")
        log(f"{lock_path}: regenerating the lock from the wheels in {wheel_dir} "
            "(review and commit the change)")
    with open(lock_path + ".tmp", "w", encoding="utf-8") as f:
        f.write(new)
    os.replace(lock_path + ".tmp", lock_path)
    return True


# --- synthetic distributions -------------------------------------------------------------------

def build_synth(name, version, requires, entry_points, out_dir):
    Version(version)  # reject what is not PEP 440 before building
    module = re.sub(r"[^A-Za-z0-9_]", "_", canonicalize_name(name))
    body = [f'"""Synthetic distribution {name} {version} for deploy-run tests."""',
            f"__version__ = {version!r}", "", "", "def main():",
            f"    print({f'{name} {version}'!r})", "    return 0", ""]
    files = [(f"{module}.py", "\n".join(body).encode())]
    eps = []
    for e in entry_points:
        script, _, value = e.partition("=")
        if not value:
            value = f"{module}:main"
        eps.append(("console_scripts", script.strip(), value.strip()))
    spec = make_spec(name, version, files, [Requirement(r) for r in requires], eps,
                     summary=f"Synthetic test distribution {name}")
    os.makedirs(out_dir, exist_ok=True)
    with locked_build_root() as root:
        return build_one(root, f"synth-{module}-{version}", spec, files, out_dir)


# --- command line ----------------------------------------------------------------------------

def main(argv):
    os.umask(0o022)
    ap = argparse.ArgumentParser(prog="build-wheels.py", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    w = sub.add_parser("wheelhouse", help="build the wheels of a requirements.in closure")
    w.add_argument("--in", dest="infile", required=True)
    w.add_argument("--out", required=True)
    w.add_argument("--lock", help="check this lock against the wheels, regenerate if needed")
    w.add_argument("--force", action="store_true", help="rebuild even when up to date")
    lk = sub.add_parser("lock", help="write the hashed lock of a wheelhouse")
    lk.add_argument("--in", dest="infile", required=True)
    lk.add_argument("--wheelhouse", required=True)
    lk.add_argument("-o", "--output", help="write here instead of standard output")
    lk.add_argument("--check", metavar="FILE", help="report differences from FILE, exit 1")
    s = sub.add_parser("synth", help="build a tiny synthetic distribution")
    s.add_argument("name")
    s.add_argument("version")
    s.add_argument("--requires", action="append", default=[], metavar="REQ")
    s.add_argument("--entry-point", action="append", default=[], metavar="SCRIPT[=MOD:FUNC]")
    s.add_argument("--out", default=".")
    args = ap.parse_args(argv)
    try:
        if args.cmd == "wheelhouse":
            built, fp = build_wheelhouse(read_roots(args.infile), args.out, args.force)
            log(("built" if built else "up to date:") + f" {args.out} ({fp[:12]})")
            if args.lock:
                sync_lock(args.infile, args.out, args.lock)
        elif args.cmd == "lock":
            text = render_lock(args.infile, args.wheelhouse)
            if args.check:
                with open(args.check, encoding="utf-8") as f:
                    diffs = lock_differences(f.read(), text)
                for d in diffs:
                    print(f"{args.check}: {d}")
                return 1 if diffs else 0
            if args.output:
                with open(args.output, "w", encoding="utf-8") as f:
                    f.write(text)
            else:
                sys.stdout.write(text)
        elif args.cmd == "synth":
            print(build_synth(args.name, args.version, args.requires, args.entry_point,
                              args.out))
    except Failure as e:
        log(f"error: {e}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
