#!/usr/bin/python3
"""Differential test of the COMPOSED environment against python-dotenv.

    /usr/bin/python3 tests/diff/dotenv_compose_diff.py DEPLOY_RUN [COUNT] [SEED]

What the server gets is compared, not what a parser returns.  Each run is
one to three .env files (hand-written cases, then COUNT random runs from a
seeded generator, default 300).  For each run and each of process = loses /
wins (python-dotenv's override=True / False) and interpolation on / off:

  deploy-run   `deploy-run show PROFILE --format json --reveal`, the real
               binary, started with the known environment ENVIRON, its
               profile listing the files in [env] files;
  python       os.environ set to ENVIRON, then load_dotenv(FILE,
               override=..., interpolate=...) once per file, in order (each
               later file by another call, with the same override), and
               what os.environ holds after.

Every variable must be the same, with the same value (the variables
deploy-run adds itself, source "deploy-run", are left out: VIRTUAL_ENV,
PATH).  A run where load_dotenv() raises (ValueError: a key os.environ
refuses, such as 'A=B'; UnicodeDecodeError: invalid UTF-8) must be an
error finding of `deploy-run check PROFILE --only env`: env.parse at the
line of the refused binding, env.encoding for invalid UTF-8; and no
variable with "=" in its name may be composed.

Each single-file run is also compared with dotenv_values(FILE) (and
dotenv_values(FILE, interpolate=False)): with process = loses, a key whose
value is a string has that value in deploy-run's environment; a key whose
value is None (a bare KEY) has the process environment's value when it has
one, or "value": null.

Last, a few runs go through `deploy-run run` to a stand-in gunicorn that
writes its os.environ as JSON: the server's environment must be show's
(plus what `run` adds for the server alone: nothing today, see RUN_ADDS).

The generator produces, among its random lines, the classes the composed
comparison exists for: a bare KEY after a valued binding of the same key in
the same file, a key bound by an earlier file and bare in a later one, and
keys os.environ refuses ('A=B'=c).

Deliberate differences, which the comparison therefore leaves out:
  - process = wins with a key whose last binding has a value in two files
    (and that the process environment does not hold): deploy-run gives the
    LATER file's value ("a later file overrides an earlier one", as
    systemd's EnvironmentFile= and Compose's env_file do), successive
    load_dotenv(override=False) calls keep the first file's.  Such runs are
    counted and skipped in that mode only; interpolation follows the same
    rule (profiles/environ.h).
  - a NUL byte in a value: python-dotenv's os.environ raises ValueError
    only when it sets the key (not when the process environment wins);
    deploy-run reports env.parse either way.  The generator writes no NUL.
  - invalid UTF-8: python-dotenv raises UnicodeDecodeError; deploy-run
    composes the bytes and reports env.encoding (an error in production),
    so such a run is compared as "an error finding", not by values.
"""
import json
import logging
import os
import random
import subprocess
import sys
import tempfile

sys.path.insert(0, "/usr/lib/python3/dist-packages")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dotenv import dotenv_values, load_dotenv  # noqa: E402
from dotenv.main import DotEnv  # noqa: E402
from dotenv.parser import parse_stream  # noqa: E402
import dotenv_diff  # noqa: E402  (its generator)

logging.disable(logging.CRITICAL)

# the inherited environment: dotenv_diff's, and B, which the files bind too
ENVIRON = dict(dotenv_diff.ENVIRON, B="env-b")

# What `run` gives the server beyond show's environment (none today).
RUN_ADDS = set()

# (files...): hand-written runs
CASES = [
    [b"B=2\nB\n"],
    [b"C=2\nC\n"],
    [b"C=2\nC\nD=${C:-d}\n"],
    [b"B=2\nB\nD=${B:-d}\n"],
    [b"C\nC=2\n"],
    [b"C=1\n", b"C=2\nC\n"],
    [b"C=1\n", b"C\nD=${C:-d}\n"],
    [b"C=1\n", b"C=2\nD=${C}\nC\n"],
    [b"C\n", b"D=${C:-d}\n"],
    [b"B\n", b"D=${B:-d}\n"],
    [b"C=1\n", b"D=${C}\n"],
    [b"A=file\n", b"D=${A}\n"],
    [b"'A=B'=c\nC=1\n"],
    [b"'A=B'\nC=1\n"],
    [b"'A=B'=c\n'A=B'\n"],
    [b"C=1\n", b"'X=Y'=2\n"],
    [b"'=x'=1\n"],
    [b"C=${'A=B'}\n"],
    [b"export 'K=V'=1\n"],
    [b"C=1\nC=2\n", b"C=3\n", b"C\n"],
    [b"C=1\n", b"", b"D=${C}\n"],
    [b"", b""],
    [b"# nothing\n", b"C\n"],
]

KEYS = ["A", "B", "C", "D", "K1", "E1", "EMPTY", "SPACE", "\u00c4\u00d6", "k.e-y", "'q k'",
        "export"]
REFUSED = ["'A=B'", "'k=v'", "'=x'"]


def key(rng):
    return rng.choice(REFUSED) if rng.random() < 0.03 else rng.choice(KEYS)


def random_run(rng):
    """One to three files over a small set of keys, so that files share keys;
    among the generator's lines, bare keys after valued ones and refused keys."""
    files = []
    bound = []
    for _ in range(rng.choice([1, 1, 2, 2, 3])):
        lines = []
        for _ in range(rng.randrange(0, 7)):
            r = rng.random()
            if r < 0.35:
                k = key(rng)
                lines.append(k + "=" + dotenv_diff.value(rng).replace("\0", ""))
                bound.append(k)
            elif r < 0.5 and bound:  # a bare KEY after a valued one (this file or an earlier)
                lines.append(rng.choice(bound) + rng.choice(["", " ", " # bare"]))
            elif r < 0.6:
                k = key(rng)
                lines.append(k + "=${" + rng.choice(KEYS + ["UNSET"]).strip("'") +
                             rng.choice(["", ":-dflt", ":-"]) + "}")
                bound.append(k)
            else:
                lines.append(dotenv_diff.line(rng))
        text = "".join(x + rng.choice(["\n", "\n", "\r\n"]) for x in lines)
        data = text.replace("\0", "").encode("utf-8")
        if rng.random() < 0.02:
            data = b"\xff" + data
        files.append(data)
    return files


def python_environ(paths, override, interpolate):
    """os.environ after load_dotenv() of each path, or the exception's class."""
    os.environ.clear()
    os.environ.update(ENVIRON)
    try:
        for p in paths:
            load_dotenv(p, override=override, interpolate=interpolate, encoding="utf-8")
    except UnicodeDecodeError:
        return "invalid utf-8"
    except ValueError:
        return "refused"
    return dict(os.environ)


def valued_in_two_files(paths):
    """True when a key the process does not hold has a valued last binding in
    two files (the deliberate difference of process = wins)."""
    seen = set()
    for p in paths:
        try:
            d = DotEnv(p, interpolate=False, encoding="utf-8").dict()
        except UnicodeDecodeError:
            continue
        keys = {k for k, v in d.items() if v is not None and k not in ENVIRON}
        if keys & seen:
            return True
        seen |= keys
    return False


def classes(paths):
    """Whether the run has a bare KEY after a valued binding of KEY (in its
    file or an earlier one), and a key os.environ refuses, as python-dotenv
    parses them."""
    valued, bare, refused = set(), False, False
    for p in paths:
        try:
            with open(p, encoding="utf-8") as f:
                for b in parse_stream(f):
                    if b.key is None:
                        continue
                    refused |= b.key == "" or "=" in b.key
                    if b.value is None:
                        bare |= b.key in valued
                    else:
                        valued.add(b.key)
        except UnicodeDecodeError:
            pass
    return bare, refused


def write_profile(tmp, name, files, process, interpolate, stage="production", extra=""):
    with open(os.path.join(tmp, "profiles", name + ".ini"), "w") as f:
        f.write("[profile]\nstage = %s\n[app]\nroot = ..\nmodule = w:app\nrequirements =\n"
                "[env]\nfiles = %s\nprocess = %s\ninterpolate = %s\n%s"
                % (stage, ", ".join(files), process, "true" if interpolate else "false",
                   extra))


def deploy_run(dr, tmp, args):
    r = subprocess.run([dr, "--profiles", os.path.join(tmp, "profiles")] + args,
                       env=ENVIRON, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return r.returncode, r.stdout.decode("utf-8", "surrogateescape"), \
        r.stderr.decode("utf-8", "surrogateescape")


def composed(dr, tmp, name):
    rc, out, err = deploy_run(dr, tmp, ["show", name, "--format", "json", "--reveal"])
    if rc != 0:
        return None, "show exited %d: %s" % (rc, err.strip())
    env = json.loads(out)["env"]
    return env, None


def error_finding(dr, tmp, name, want):
    """deploy-run check reports the error python-dotenv raised."""
    rc, out, err = deploy_run(dr, tmp, ["check", name, "--only", "env", "--format", "json"])
    if rc != 1:
        return "check exited %d, not 1 (%s)" % (rc, err.strip()[:200])
    ids = {(f["id"], f["severity"]) for f in json.loads(out)["findings"]}
    need = ("env.parse" if want == "refused" else "env.encoding", "error")
    return None if need in ids else "no %s %s finding: %r" % (need + (sorted(ids),))


def main():
    dr = os.path.abspath(sys.argv[1])
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 20261203
    rng = random.Random(seed)
    runs = [list(c) for c in CASES] + [random_run(rng) for _ in range(count)]
    failures = []
    compared = skipped = errors = values_checked = served = 0
    bare_after_valued = refused_keys = 0
    with tempfile.TemporaryDirectory() as tmp:
        os.makedirs(os.path.join(tmp, "profiles"))
        for n, run in enumerate(runs):
            names = []
            for i, data in enumerate(run):
                names.append("r%d_%d.env" % (n, i))
                with open(os.path.join(tmp, names[-1]), "wb") as f:
                    f.write(data)
            paths = [os.path.join(tmp, x) for x in names]
            bare, refused = classes(paths)
            bare_after_valued += bare
            refused_keys += refused
            for process in ("loses", "wins"):
                override = process == "loses"
                for interpolate in (True, False):
                    name = "r%d_%s_%d" % (n, process, interpolate)
                    write_profile(tmp, name, names, process, interpolate)
                    want = python_environ(paths, override, interpolate)
                    env, err = composed(dr, tmp, name)
                    if err:
                        failures.append((run, name, "show", err))
                        continue
                    bad = [k for k in env if "=" in k or not k]
                    if bad:
                        failures.append((run, name, "a refused name composed", bad))
                    if isinstance(want, str):
                        errors += 1
                        err = error_finding(dr, tmp, name, want)
                        if err:
                            failures.append((run, name, want, err))
                        continue
                    if not override and valued_in_two_files(paths):
                        skipped += 1
                        continue
                    compared += 1
                    mine = {k: v["value"] for k, v in env.items()
                            if v["source"] != "deploy-run" and v["value"] is not None}
                    if mine != want:
                        keys = sorted(k for k in set(mine) | set(want)
                                      if mine.get(k) != want.get(k))
                        failures.append((run, name, "environ",
                                         {k: (want.get(k), mine.get(k)) for k in keys}))
                    if len(run) == 1 and override:
                        values_checked += 1
                        os.environ.clear()
                        os.environ.update(ENVIRON)
                        d = dotenv_values(paths[0], interpolate=interpolate)
                        for k, v in d.items():
                            if not k or "=" in k:
                                continue  # refused: never composed (checked above)
                            got = env.get(k, {}).get("value", "(absent)")
                            exp = v if v is not None else ENVIRON.get(k)
                            if got != exp:
                                failures.append((run, name, "dotenv_values",
                                                 (k, v, got)))
        # `run`: the server's own environment
        venv = os.path.join(tmp, ".venv", "bin")
        os.makedirs(venv)
        dump = os.path.join(tmp, "environ.json")
        with open(os.path.join(venv, "gunicorn"), "w") as f:
            f.write("#!/usr/bin/python3\nimport json, os\n"
                    "json.dump(dict(os.environ), open(%r, 'w'))\n" % dump)
        os.chmod(os.path.join(venv, "gunicorn"), 0o755)
        for n, run in enumerate(runs[:len(CASES)] + runs[len(CASES):len(CASES) + 20]):
            names = ["r%d_%d.env" % (n, i) for i in range(len(run))]
            for process in ("loses", "wins"):
                name = "run%d_%s" % (n, process)
                write_profile(tmp, name, names, process, True, stage="development",
                              extra="[checks]\nvenv = off\nreq = off\npath = off\n"
                              "server = off\n")
                env, err = composed(dr, tmp, name)
                if err:
                    failures.append((run, name, "show", err))
                    continue
                if os.path.exists(dump):
                    os.unlink(dump)
                rc, out, err = deploy_run(dr, tmp, ["run", name])
                bad = any(k == "" or "=" in k for k in env)
                refused = python_environ([os.path.join(tmp, x) for x in names], True,
                                         True) == "refused"
                if refused:
                    if rc != 125 or os.path.exists(dump):
                        failures.append((run, name, "run started despite env.parse",
                                         (rc, err[-300:])))
                    continue
                if rc != 0 or not os.path.exists(dump) or bad:
                    failures.append((run, name, "run", (rc, err[-300:])))
                    continue
                served += 1
                with open(dump) as f:
                    server = json.load(f)
                want = {k: v["value"] for k, v in env.items() if v["value"] is not None}
                got = {k: v for k, v in server.items() if k not in RUN_ADDS}
                if got != want:
                    keys = sorted(k for k in set(got) | set(want) if got.get(k) != want.get(k))
                    failures.append((run, name, "run's environ",
                                     {k: (want.get(k), got.get(k)) for k in keys}))
    for run, name, what, detail in failures[:8]:
        print("DIFFERENCE %s (%s)\n  files:  %r\n  detail: %r" % (name, what, run, detail))
    print("%d runs (%d hand-written; %d with a bare key after a valued one, %d with a refused "
          "key): %d compositions compared with load_dotenv(), %d load_dotenv() errors found "
          "as error findings, %d single files compared with dotenv_values(), %d servers' "
          "environ compared with show; %d skipped (deliberate: process = wins, a key valued "
          "in two files); %d differences"
          % (len(runs), len(CASES), bare_after_valued, refused_keys, compared, errors,
             values_checked, served, skipped, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
