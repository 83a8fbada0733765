#!/usr/bin/python3
"""Differential test: GUNICORN_CMD_ARGS as deploy-run reads it (shlex split and
gunicorn's argparse, checks/servercfg.c) against Debian's gunicorn 20.1 itself
(shlex.split, then gunicorn.config.Config().parser().parse_args, as
app/base.py does), on hand-written and seeded generated values: the same
verdict (accepted or rejected), and for accepted ones the same settings with
the same values (flags by presence).  Exit 0 with no difference.

usage: cmdargs_diff.py CMDARGS-DUMP [COUNT]
"""
import contextlib
import io
import random
import shlex
import subprocess
import sys

import gunicorn.config as gc

DUMP = sys.argv[1]
COUNT = int(sys.argv[2]) if len(sys.argv) > 2 else 3000

CASES = [
    "", "--pid /tmp/x --reload", "-w3 --bind=0.0.0.0:1 -b :2 app:app --threa 4",
    "--work 4", "--max", "--workers", "--workers=", "-w", "-w=3", "--no-such",
    "--reload=1", "'--pid' \"/tmp/a b\"", "--pid 'unterminated", "trail\\",
    "-- --reload", "app -- -w 3", "--timeout -1", "-w -3", "--bind --reload",
    "--preload --preload", "-b a -b b --bind c", "--log-level debug --log-lev info",
    "--forwarded-allow-ips '*'", "--no-sendfile", "-e A=1 -e B=2", "-c x.py",
    "--config=python:mod", "-k gevent -t 5", "--keep-alive=2", "-D", "-R",
    "--check-config", "--print-config", "-w\t3\n--reload", "--max-requests 5 --max-requests-jitter 1",
    "--graceful-timeout 1 --gr 2", "--statsd-host=h:1 --dogstatsd-tags a", "-n name -u 1 -g 2",
    "--paste development.ini", "--limit-request-field_size 1", "--access-logformat '%(h)s'",
]

OPTS = []
for s in gc.KNOWN_SETTINGS:
    for f in s.cli or []:
        OPTS.append(f)
WORDS = ["app:app", "x", "1", "-1", "0.0.0.0:80", "'a b'", '"q"', "--", "-", "=", "a=b", "\\ ", "'", "\""]


def gen(rng):
    parts = []
    for _ in range(rng.randint(0, 6)):
        r = rng.random()
        if r < 0.5:
            o = rng.choice(OPTS)
            if rng.random() < 0.2 and o.startswith("--") and len(o) > 4:
                o = o[: rng.randint(3, len(o) - 1)]
            if rng.random() < 0.2:
                o += "=" + rng.choice(WORDS)
            parts.append(o)
        else:
            parts.append(rng.choice(WORDS))
    return rng.choice([" ", "  ", "\t", "\n"]).join(parts)


def oracle(value):
    try:
        words = shlex.split(value)
    except ValueError:
        return None
    parser = gc.Config().parser()
    try:
        with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
            ns = parser.parse_args(words)
    except SystemExit:
        return None
    out = {}
    for k, v in vars(ns).items():
        if v is None or k == "args":
            continue
        out[k] = v
    return out


def ours(line):
    if line == "ERR":
        return None
    out = {}
    for item in line.split("\t")[1:]:
        k, v = item.split("=", 1)
        v = v.replace("\\n", "\n").replace("\\t", "\t").replace("\\\\", "\\")
        out.setdefault(k, []).append(v)
    return out


def same(o, g):
    if o is None or g is None:
        return o is None and g is None
    if set(o) != set(g):
        return False
    for k, v in g.items():
        mine = o[k]
        if isinstance(v, bool) or mine == ["!"]:
            continue  # a flag: its presence is what both say
        if v == [] and mine == ["--"]:
            continue  # argparse drops "--" from "--opt=--": the option is set, to nothing
        if isinstance(v, list):
            if [str(x) for x in v] != mine:
                return False
        elif str(v) != mine[-1]:
            return False
    return True


def main():
    rng = random.Random(13)
    values = CASES + [gen(rng) for _ in range(COUNT)]
    values = [v for v in values if "\0" not in v]
    data = "\0".join(values).encode() + b"\0"
    out = subprocess.run([DUMP], input=data, capture_output=True, check=True).stdout.decode()
    lines = out.split("\n")[: len(values)]
    bad = 0
    for v, line in zip(values, lines):
        g, o = oracle(v), ours(line)
        if not same(o, g):
            bad += 1
            if bad <= 20:
                print("DIFFERENT: %r\n  gunicorn: %r\n  deploy-run: %r" % (v, g, o))
    print("%d values (%d hand-written), %d different" % (len(values), len(CASES), bad))
    return 1 if bad else 0


sys.exit(main())
