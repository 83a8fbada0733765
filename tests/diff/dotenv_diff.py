#!/usr/bin/python3
"""Differential test: deploy-run's .env parser against Debian's python3-dotenv.

    /usr/bin/python3 tests/diff/dotenv_diff.py BUILD/tests/dotenv-dump [COUNT] [SEED]

Hand-written edge cases plus COUNT (default 2000) files from a seeded random
generator are written to a temporary directory and read by both
python-dotenv's DotEnv(path, interpolate=..., override=...).dict() (what
dotenv_values() and load_dotenv() use) and the dotenv-dump driver, with
interpolation on and off and override true and false, against the same fixed
process environment.  Any difference in keys, order or values fails the test.
With interpolation and override on, the driver's line of each key's last
binding and the lines of the statements python-dotenv skips are compared too.

Deliberate differences (also in profiles/dotenv.h), which the generator
therefore does not produce:
  - NUL bytes: python-dotenv keeps them in keys and values; C strings and the
    process environment cannot, so the driver reports {"error": "nul"}.
  - Invalid UTF-8: python-dotenv raises UnicodeDecodeError; the parser reads
    the bytes anyway and records the line, the driver prints
    {"error": "invalid utf-8"}, and this script maps the exception to that
    same object, so invalid UTF-8 IS generated and compared.
  - Line numbers: python-dotenv's warning names the line where a statement's
    leading white space starts; we name the line of its first character.
    The comparison below computes the latter from python-dotenv's parse.
"""
import json
import logging
import os
import random
import subprocess
import sys
import tempfile

sys.path.insert(0, "/usr/lib/python3/dist-packages")
from dotenv.main import DotEnv  # noqa: E402
from dotenv.parser import parse_stream  # noqa: E402

logging.disable(logging.CRITICAL)

ENVIRON = {
    "A": "env-a",
    "E1": "from environ",
    "EMPTY": "",
    "SPACE": " x y ",
    "UNI": "\u00e9\u4e2d",
    "LANG": "C.UTF-8",
}

CASES = [
    b"",
    b"\n\n",
    b"A=1",
    b"A=1\nB=2\n",
    b"export A=1\n",
    b"export  A = 1 \n",
    b"export\tA=1\n",
    b"export=1\n",
    b"export\n",
    b"export A\n",
    b"export \n",
    b"export #x\n",
    b"exportA=1\n",
    b"A\n",
    b"A \n",
    b"A # comment\n",
    b"A=\n",
    b"A= \n",
    b"A= # c\n",
    b"A=#c\n",
    b"A=a#b\n",
    b"A=a #b\n",
    b"A=a\t#b\n",
    b"A=a  b  \n",
    b"A = spaced value  \n",
    b"A='single ${A} \\' \\\\ \\n'\n",
    b'A="double \\\\ \\\' \\" \\a \\b \\f \\n \\r \\t \\v \\x \\u00e9 \\0"\n',
    b'A="multi\nline\nvalue"\nB=after\n',
    b"A='multi\nline'\nB=after\n",
    b'A="unterminated\nB=2\n',
    b"A='unterminated\nB=2\n",
    b"A='a\\'\nB=2\n",
    b"A='a\\'\nB='b\\'\n",
    b'A="a\\"\nB="b\\"\n',
    b'A="a\\\\"\nB="x"\n',
    b'A="x" junk\nB=2\n',
    b'A="x" # comment\n',
    b'A="x"#comment\n',
    b"A='x'  \n",
    b"'quoted key'=1\n",
    b"'quoted\nkey'=1\n",
    b"''=1\n",
    b"'=1\n",
    b"=1\nB=2\n",
    b"=\n",
    b"A B=1\n",
    b"A=1 B=2\n",
    b"# just a comment\n#\n  # indented\n",
    b"  A=1\n\t\tB=2\n",
    b"A=1\r\nB='x\r\ny'\r\n",
    b"A=1\rB=2\r",
    b"A=1\r\n\r\nB=2",
    b"\xef\xbb\xbfA=1\nB=2\n",
    b"\xef\xbb\xbf# comment\nB=2\n",
    b"A=\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80\n",
    b"\xc3\xa9=1\n",
    b"A=x\xc2\xa0#c\n",
    b"A=x\xc2\xa0\n",
    b"A=x\xe2\x80\xa8y\nB=\xe3\x80\x80v\xe3\x80\x80\n",
    b"A\xc2\x85=1\n",
    b"A=1\x1c\nB=\x1d2\n",
    b"A=1\x0bB=2\x0c\n",
    b"A=\xff\n",
    b"A=1\n\xc3\n",
    b"A=\xed\xa0\x80\n",
    b"B=${A}\n",
    b"B=${A:-def}\nC=${UNSET:-def}\nD=${UNSET}\nE=${UNSET:-}\n",
    b"B=$A ${A-x} ${A:=x} ${A:x} ${ ${}\n",
    b"B=${:-z}${}\n",
    b"A=file\nB=${A}\n",
    b"E1=file\nB=${E1}\n",
    b"A\nB=${A:-def}\n",
    b"B=${B}x\nB=${B}y\n",
    b"B=${${A}}\n",
    b"B='${A}'\nC=\"${A}\"\n",
    b"B=${A:-a}b}\n",
    b"B=${EMPTY:-d}${SPACE}${UNI}\n",
    b"B=$${A}\n",
    b"A=1\nA=2\nB=3\nA=4\n",
    b"A=\"line\\nbreak ${A}\"\n",
    b"A=a\\\nb\n",
    b"A=\"\"\"triple\"\"\"\n",
    b"A=''\nB=\"\"\n",
    b"A='' x\n",
    b"\n\n  \n\nA B\n\nC=1\n",
    b"\n   \n\t\nA=\"x\nB\" y\n\nC=1\n",
]


def pick(rng, items):
    return items[rng.randrange(len(items))]


KEYS = ["A", "B", "C", "FOO", "foo_bar", "K1", "E1", "export", "\u00c4\u00d6", "k.e-y",
        "$X", "'q k'", "'multi\nkey'", "'", "''", "", "A B", "a=b", "#k", "\u2028",
        "\ufeffBOM", "'A=B'"]
WORDS = ["x", "value", "a b", "1", "", "\u00e9", "\u4e2d\u6587", "\U0001f600", "\\", "\\\\",
         "\\n", "\\t", "\\'", '\\"', "\\x", "'", '"', "#", " #", " # c", "\t#", "#c", "=",
         "${A}", "${B}", "${E1}", "${UNSET}", "${A:-d}", "${UNSET:-dflt}", "${UNSET:-}",
         "${", "${A", "}", "$A", "${A-x}", "${A:x}", "${:-z}", "${}", "${EMPTY:-e}",
         "${FOO}", "${K1:-${A}}", "\u00a0", "\u2028", "\x85", "\u3000", "\x1c", "\x0b",
         "\x0c", "\u2009", "\x1d", "\x1e", "\x1f", "\u1680", "\u200a", "\u2029",
         "\u202f", "\u205f", "\u200b", "\ufeff", " ", "  ", "\t", "\n", "\r", "\r\n", "export "]
EOLS = ["\n", "\n", "\n", "\r\n", "\r", ""]


def value(rng):
    n = rng.randrange(5)
    body = "".join(pick(rng, WORDS) for _ in range(n))
    r = rng.random()
    if r < 0.3:
        return "'" + body + ("'" if rng.random() < 0.85 else "")
    if r < 0.6:
        return '"' + body + ('"' if rng.random() < 0.85 else "")
    return body.replace("\n", " ").replace("\r", " ") if rng.random() < 0.8 else body


def line(rng):
    r = rng.random()
    if r < 0.08:
        return "#" + pick(rng, WORDS)
    if r < 0.12:
        return pick(rng, ["", " ", "\t", "\u00a0", "\u3000 "])
    if r < 0.2:  # token soup
        return "".join(pick(rng, WORDS + KEYS) for _ in range(rng.randrange(1, 6)))
    s = pick(rng, ["", "", "", "export ", "export\t", "  ", "\t", "export"])
    s += pick(rng, KEYS)
    if rng.random() < 0.1:
        return s + pick(rng, ["", " ", " # c", " x"])
    s += pick(rng, ["=", "=", "=", " = ", "= ", " =", "=\t"])
    s += value(rng)
    s += pick(rng, ["", "", "", " ", " # trailing", "#x", " junk", "\t"])
    return s


def random_file(rng):
    text = "".join(line(rng) + pick(rng, EOLS) for _ in range(rng.randrange(1, 9)))
    data = text.replace("\0", "").encode("utf-8")
    if rng.random() < 0.05:
        data = b"\xef\xbb\xbf" + data
    if rng.random() < 0.03:
        i = rng.randrange(len(data) + 1)
        data = data[:i] + pick(rng, [b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xc0\xaf"]) + data[i:]
    return data


def python_values(path, interpolate, override):
    try:
        d = DotEnv(path, interpolate=interpolate, override=override, encoding="utf-8").dict()
    except UnicodeDecodeError:
        return {"error": "invalid utf-8"}
    return list(d.items())


def python_lines(path):
    """Line of each key's last binding and of each skipped statement, counted
    from the statement's first character."""
    lines, problems = {}, []
    try:
        with open(path, encoding="utf-8") as f:
            for b in parse_stream(f):
                s = b.original.string
                first = b.original.line + s[:len(s) - len(s.lstrip())].count("\n")
                if b.error:
                    problems.append(first)
                elif b.key is not None:
                    lines[b.key] = first
    except UnicodeDecodeError:
        return None
    return lines, problems


def run_driver(driver, paths, flags):
    out = subprocess.run([driver] + flags + paths, env=ENVIRON, check=True,
                         stdout=subprocess.PIPE).stdout.decode("utf-8", "surrogateescape")
    # not splitlines(): values may hold U+2028, \x1c and other line breaks
    return [json.loads(x) for x in out.split("\n")[:-1]]


def main():
    driver = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 20240611
    rng = random.Random(seed)
    inputs = list(CASES) + [random_file(rng) for _ in range(count)]
    os.environ.clear()
    os.environ.update(ENVIRON)
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i, data in enumerate(inputs):
            p = os.path.join(tmp, "%d.env" % i)
            with open(p, "wb") as f:
                f.write(data)
            paths.append(p)
        for interpolate in (True, False):
            for override in (True, False):
                flags = ([] if interpolate else ["--no-interpolate"]) + \
                        ([] if override else ["--no-override"])
                got = run_driver(driver, paths, flags)
                for i, p in enumerate(paths):
                    want = python_values(p, interpolate, override)
                    mine = got[i] if "error" in got[i] else list(got[i].items())
                    if mine != want:
                        failures.append((inputs[i], flags, want, mine))
        got = run_driver(driver, paths, ["--problems"])
        for i, p in enumerate(paths):
            want = python_lines(p)
            if want is None:
                continue
            lines, problems = want
            mine_lines = dict(zip(got[i]["values"].keys(), got[i]["lines"]))
            mine_problems = [x[0] for x in got[i]["problems"]]
            if mine_lines != lines or mine_problems != problems:
                failures.append((inputs[i], ["--problems"], (lines, problems),
                                 (mine_lines, mine_problems)))
    for data, flags, want, mine in failures[:8]:
        print("DIFFERENCE %s\n  input:  %r\n  python: %r\n  ours:   %r"
              % (" ".join(flags) or "(interpolate, override)", data, want, mine))
    print("%d inputs x 5 modes, %d differences" % (len(inputs), len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
