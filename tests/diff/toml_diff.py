#!/usr/bin/python3
"""Differential test of checks/toml.c against Python's TOML parsers.

Every document goes through tests/tools/toml-dump --batch (the C parser) and
through tomllib (Python 3.11's standard library) and tomli (Debian's
python3-tomli) when they are there.  Each document must be accepted by both
or refused by both, and when accepted give the same tree: the same keys in
the same order, the same types (integer and float, the four date and time
kinds, strings) and the same values.

Two differences are counted apart.  Nesting deeper than TOML_DEPTH_MAX
(128, toml.h) is refused by the C parser, a bound for hostile input (Python
stops with a RecursionError near 500).  And the one difference TOML asks for: an integer outside the signed 64-bit range
is an error for the C parser ("If an integer cannot be represented
losslessly, an error must be thrown", TOML 1.0) while Python keeps big
integers.  Such documents are counted apart, and only when Python's value
really holds such an integer and the C error says so.

The documents: hand-written cases (the edges of the grammar, in the style of
toml-test), the pylock.toml examples of the specification, and documents from
a seeded generator, valid ones and mutations of them.  Usage:
    toml_diff.py TOML_DUMP [COUNT] [SEED]
"""
import datetime
import json
import math
import os
import random
import subprocess
import sys
import time

PARSERS = []
try:
    import tomllib
    PARSERS.append(("tomllib", tomllib))
except ImportError:
    pass
try:
    import tomli
    PARSERS.append(("tomli", tomli))
except ImportError:
    pass

INT64 = (-(1 << 63), (1 << 63) - 1)


def tag(v):
    if isinstance(v, bool):
        return ["boolean", v]
    if isinstance(v, int):
        return ["integer", str(v)]
    if isinstance(v, float):
        return ["float", v]
    if isinstance(v, str):
        return ["string", v]
    if isinstance(v, datetime.datetime):
        return ["datetime" if v.tzinfo else "datetime-local", v.isoformat()]
    if isinstance(v, datetime.date):
        return ["date-local", v.isoformat()]
    if isinstance(v, datetime.time):
        return ["time-local", v.isoformat()]
    if isinstance(v, list):
        return ["array", [tag(x) for x in v]]
    if isinstance(v, dict):
        return ["table", [[k, tag(x)] for k, x in v.items()]]
    raise TypeError(type(v))


def same(py, c):
    """py from tag(), c from toml-dump."""
    if py[0] != c[0]:
        return False
    if py[0] == "float":
        cv = float(c[1])
        if math.isnan(py[1]):
            return math.isnan(cv)
        return cv == py[1]
    if py[0] == "array":
        return len(py[1]) == len(c[1]) and all(same(a, b) for a, b in zip(py[1], c[1]))
    if py[0] == "table":
        return (len(py[1]) == len(c[1]) and
                all(a[0] == b[0] and same(a[1], b[1]) for a, b in zip(py[1], c[1])))
    return py[1] == c[1]


def depth(v):
    if isinstance(v, (list, dict)):
        items = v.values() if isinstance(v, dict) else v
        return 1 + max((depth(x) for x in items), default=0)
    return 0


def has_big_int(v):
    if isinstance(v, bool):
        return False
    if isinstance(v, int):
        return not INT64[0] <= v <= INT64[1]
    if isinstance(v, list):
        return any(has_big_int(x) for x in v)
    if isinstance(v, dict):
        return any(has_big_int(x) for x in v.values())
    return False


# ---- hand-written documents: (bytes, expected "ok"/"error"/None) ----

HAND = [
    # keys
    b'a = 1', b'"a" = 1', b"'a' = 1", b'"" = 1', b"'' = 1", b'a.b.c = 1', b'a . b . c = 1',
    b'"a.b" = 1', b'a."b.c" = 1', b'1234 = 1', b'-_- = 1', b'true = 1', b'inf = 1',
    b'a = 1\na = 2', b'a = 1\n"a" = 2', b"a = 1\n'a' = 2", b'a.b = 1\na = 2',
    b'a = 1\na.b = 2', b'a.b = 1\na.c = 2', b'= 1', b'a = ', b'a', b'a =1 b = 2',
    b'"\\u0061" = 1\na = 2', b'"a\\u0000b" = 1', b'"\\n" = 1', b'a.b.c.d.e.f = 1',
    b'"multi\nline" = 1', b'"""a""" = 1', b'a.b.c = 1\na.b.d = 2\n[a.b]',
    b'a.b.c = 1\n[a.b.c.d]', b'a.b.c = 1\n[a.b.e]', b'a.b = 1\n[a]',
    b'\xc3\xa9 = 1', b'"\xc3\xa9" = 1',
    # strings
    b'a = "\\b\\t\\n\\f\\r\\"\\\\"', b'a = "\\u00e9\\U0001F600"', b'a = "\\x41"', b'a = "\\e"',
    b'a = "\\uD800"', b'a = "\\U00110000"', b'a = "\\u12"', b'a = "\\"', b'a = "tab\there"',
    b'a = "nul\x00"', b'a = "del\x7f"', b'a = "cr\rlf"', b'a = "unterminated',
    b"a = 'literal \\n'", b"a = 'it''s'", b"a = '''\nmulti\nline'''", b"a = '''''''",
    b"a = ''''''''", b'a = """"""', b'a = """\n"""', b'a = """a""""', b'a = """a"""""',
    b'a = """a""""""', b'a = """\\\n    b"""', b'a = """a \\  \n  b"""', b'a = """a \\ b"""',
    b'a = """\\\t\n  x"""', b'a = """a\\"""', b'a = """\r\nx\r\ny"""', b"a = '''\r\nx\r\ny'''",
    b'a = """x\ry"""', b'a = "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"', b'a = "\xc3"',
    b'a = "\xed\xa0\x80"', b'a = "\xc0\x80"', b'a = "\xf4\x90\x80\x80"', b'a = "\xff"',
    b'\xef\xbb\xbfa = 1', b'a = "\\u0000"', b'a = """\\u0000"""', b'a = "\x1b[31m"',
    b'a = """ \\\n\n\n  """', b'a = """\\\n"""', b'a = """ \\',
    # integers
    b'a = 0', b'a = +0', b'a = -0', b'a = 00', b'a = 01', b'a = 1_000', b'a = 1__0',
    b'a = _1', b'a = 1_', b'a = 0x_1', b'a = 0xDEADbeef', b'a = 0o755', b'a = 0b1010',
    b'a = 0X1', b'a = 0o8', b'a = 0b2', b'a = +0x1', b'a = -0o1', b'a = 0x',
    b'a = 9223372036854775807', b'a = -9223372036854775808', b'a = 9223372036854775808',
    b'a = -9223372036854775809', b'a = 0x7FFFFFFFFFFFFFFF', b'a = 0x8000000000000000',
    b'a = 0b' + b'1' * 64, b'a = 99999999999999999999999', b'a = 1 2', b'a = 1,',
    b'a = ++1', b'a = 1.', b'a = .1', b'a = 1..2',
    # floats
    b'a = 1.0', b'a = -1.5', b'a = 1e10', b'a = 1E-10', b'a = 1e+10', b'a = 1.5e3',
    b'a = 1_0.0_1e1_0', b'a = 1.e5', b'a = 1e', b'a = 1e_1', b'a = 0.1', b'a = 00.1',
    b'a = -0.0', b'a = +0.0', b'a = 1e999', b'a = -1e999', b'a = 1e-999', b'a = inf',
    b'a = +inf', b'a = -inf', b'a = nan', b'a = +nan', b'a = -nan', b'a = Inf', b'a = NaN',
    b'a = infinity', b'a = 3.141592653589793', b'a = 0.1e-0', b'a = 1e05', b'a = 1_e5',
    b'a = 1.5_', b'a = 5e-324', b'a = 1.7976931348623157e308',
    # booleans
    b'a = true', b'a = false', b'a = True', b'a = truex', b'a = tru',
    # dates and times
    b'a = 1979-05-27T07:32:00Z', b'a = 1979-05-27T00:32:00-07:00',
    b'a = 1979-05-27T00:32:00.999999-07:00', b'a = 1979-05-27 07:32:00Z',
    b'a = 1979-05-27t07:32:00z', b'a = 1979-05-27T07:32:00', b'a = 1979-05-27T00:32:00.999999',
    b'a = 1979-05-27', b'a = 07:32:00', b'a = 00:32:00.999999', b'a = 00:32:00.9999999',
    b'a = 00:32:00.1234567891', b'a = 1979-05-27T07:32:00.5Z', b'a = 1979-05-27T07:32',
    b'a = 07:32', b'a = 1979-05-27T07:32:60', b'a = 1979-05-27T24:00:00', b'a = 24:00:00',
    b'a = 1979-02-29', b'a = 1980-02-29', b'a = 1900-02-29', b'a = 2000-02-29',
    b'a = 1979-04-31', b'a = 1979-13-01', b'a = 1979-00-01', b'a = 1979-01-00',
    b'a = 1979-01-32', b'a = 0000-01-01', b'a = 0001-01-01', b'a = 9999-12-31',
    b'a = 1979-05-27T07:32:00+24:00', b'a = 1979-05-27T07:32:00+23:60',
    b'a = 1979-05-27T07:32:00+01', b'a = 1979-05-27T07:32:00-00:00', b'a = 1979-5-27',
    b'a = 1979-05-27T', b'a = 1979-05-27 ', b'a = 1979-05-27 # c', b'a = 1979-05-27T07:32:00.',
    b'a = 1979-05-27T07:32:00 Z', b'a = [1979-05-27, 07:32:00]', b'a = 1979-05-27 07:32:00',
    b'a = 1979-05-27  07:32:00', b'a = 12:34:56Z', b'a = 1987-07-05T17:45:00.123+05:30',
    # arrays
    b'a = []', b'a = [ ]', b'a = [1,2,3]', b'a = [1,2,3,]', b'a = [,]', b'a = [1,,2]',
    b'a = [1 2]', b'a = [\n1,\n2,\n]', b'a = [ # c\n 1 # c\n , # c\n 2 # c\n ]',
    b'a = [1, "a", 1.0, true, [], {}]', b'a = [[1], [[2]]]', b'a = [', b'a = [1',
    b'a = [{a = 1}, {a = 2}]', b'a = [{a = 1}]\n[[a]]', b'a = []\n[[a]]', b'a = [1]\n[a]',
    b'a = [\r\n1\r\n]', b'a = [1\r]', b'a = [ # \x01\n]',
    # inline tables
    b'a = {}', b'a = { }', b'a = {b = 1}', b'a = {b = 1,}', b'a = {b = 1, b = 2}',
    b'a = {b.c = 1, b.d = 2}', b'a = {b = {c = 1}, b.d = 2}', b'a = {b.c = 1, b = 2}',
    b'a = {\nb = 1}', b'a = {b = 1\n}', b'a = {b = [\n1\n]}', b'a = {b = 1}\na.c = 2',
    b'a = {b = 1}\n[a]', b'a = {b = 1}\n[a.c]', b'a = {b = {}}\n[a.b]', b'a = {b = 1, c}',
    b'a = {b = 1 c = 2}', b'a = { b = 1 , c = 2 }', b'a = {,}', b'a = {b = 1}}',
    b'a = {"b" = 1, \'c\' = 2, d.e = 3}', b'a = {b = [1], b.c = 2}', b'a = {a.b = {}, a.b.c = 1}',
    # tables
    b'[a]', b'[a]\n[a]', b'[a]\n[b]\n[a]', b'[a.b]\n[a]', b'[a]\n[a.b]\n[a]', b'[ a . b ]',
    b'[a]b = 1', b'[a] b = 1', b'[a] # c', b'[]', b'[a.]', b'[.a]', b'[a..b]', b'[a',
    b'[a]]', b'[[a]]', b'[[a]]\n[[a]]', b'[[a]]\n[a]', b'[a]\n[[a]]', b'[[a]]\n[a.b]\n[a.b]',
    b'[[a]]\n[a.b]\n[[a]]\n[a.b]', b'[[a.b]]\n[a]\n[a.c]', b'[[a.b]]\n[a]\nb.c = 1',
    b'[[a.b]]\n[a]\nc.d = 1', b'[a.b.c]\nz = 9\n[a]\nb.c.t = 1', b'[a.b.c]\n[a]\nb.d = 1',
    b'[a.b.c]\n[a]\nb.d = 1\n[a.b]', b'[a]\nb.c = 1\n[a.b.d]', b'[a]\nb.c = 1\n[a.b]',
    b'[a]\nb = 1\n[a.b]', b'[a]\nb = {}\n[a.b]', b'[a]\nb = {}\n[a.b.c]',
    b'[[a]]\nb.c = 1\n[[a]]\nb.c = 2', b'[[a]]\nb.c = 1\n[a.b]', b'[[a]]\nb.c = 1\n[a.b.d]',
    b'[[a]]\n[[a.b]]\n[a.b.c]\n[[a.b]]\n[a.b.c]', b'[[a]]\nb = {}\n[[a]]\nb = {}',
    b'[[a]]\n[[a.b]]\n[[a]]\n[a.b]', b'[ [a] ]', b'[[ a ]]', b'[ [a]]', b'[[a] ]',
    b'[a]\n[a.b]\n[a.b.c]\n[a.b.c.d]', b'["a"]\n[\'a\']', b'["a.b"]\n[a.b]',
    b'[a.b]\n["a"."b"]', b'[a]\nb = 1\n[c]\nb = 2\n[a.d]\nb = 3', b'a.b = 1\n[a.c]',
    b'[[a]]\na = 1', b'[[a.a]]\n[[a]]', b'[a.b.c]\n[[a.b]]', b'[[a.b]]\n[[a]]',
    b'x = [{}]\n[x.y]', b'[[x]]\n[x]', b'[x]\ny.z = 1\n[x.y]',
    # whitespace, comments, line endings
    b'', b' ', b'\n', b'\n\n\t \n', b'# only', b'a = 1 # c', b'a = 1# c', b'#\x00',
    b'# \x7f', b'# \t tab', b'# \xc3\xa9', b'a = 1\r\n', b'a = 1\r', b'a = 1\rb = 2',
    b'\ta\t=\t1\t', b'a=1', b'a = 1\n\n\nb = 2', b'# \r\n', b'# \r', b'a = 1 \x0c',
    b'\x0ca = 1', b'a = 1\x00', b'\x00',
    # nesting
    b'a = ' + b'[' * 100 + b']' * 100, b'a = ' + b'{b = ' * 100 + b'1' + b'}' * 100,
    b'a = ' + b'[' * 200 + b']' * 200, b'[' + b'.'.join([b'a'] * 100) + b']',
    b'.'.join([b'a'] * 100) + b' = 1',
]

SPEC_EXAMPLES = [
    # the pylock.toml specification's example (packaging.python.org), both layouts
    "tests/golden/pylock/spec-example.toml",
    "tests/golden/pylock/spec-example-inline.toml",
    "example/pylock.toml",
]


# ---- the generator ----

KEYS = ["a", "b", "c", "name", '"a"', "'b'", '"a b"', '"\\u00e9"', "a-b", "1", '""', "x_y"]


def gen_key(r, pool=KEYS):
    parts = [r.choice(pool) for _ in range(r.choice([1, 1, 1, 2, 3]))]
    sep = r.choice([".", ".", " . ", ". ", " ."])
    return sep.join(parts)


def gen_string(r):
    pieces = ["", "a", "é", "€", "😀", " ", "\t", "\\\\", '\\"', "\\n", "\\t", "\\u0041",
              "\\U0001F600", "'", "#", "=", "[", "{", ",", "\\b", "\\f", "\\r"]
    body = "".join(r.choice(pieces) for _ in range(r.randint(0, 5)))
    kind = r.randint(0, 3)
    if kind == 0:
        return '"' + body + '"'
    if kind == 1:
        lit = body.replace("\\", "").replace("'", "")
        return "'" + lit + "'"
    if kind == 2:
        nl = r.choice(["", "\n", "\\\n  ", "\r\n"])
        return '"""' + nl + body + r.choice(["", "\n", '"', '""']) + '"""'
    lit = body.replace("\\", "").replace("'", "")
    return "'''" + r.choice(["", "\n"]) + lit + r.choice(["", "\n", "'", "''"]) + "'''"


def gen_number(r):
    k = r.randint(0, 9)
    if k == 0:
        return str(r.randint(-10**6, 10**6))
    if k == 1:
        return r.choice(["0x", "0o", "0b"]) + {"0x": "DEAD_beef", "0o": "7_55", "0b": "1_0"}[
            r.choice(["0x", "0o", "0b"])]
    if k == 2:
        return str(r.choice([2**63 - 1, -2**63, 2**63, -2**63 - 1, 2**64, 0]))
    if k == 3:
        return repr(r.uniform(-1e6, 1e6))
    if k == 4:
        return r.choice(["inf", "-inf", "+inf", "nan", "+nan", "-nan"])
    if k == 5:
        return "%de%d" % (r.randint(0, 99), r.randint(-400, 400))
    if k == 6:
        return "1_000" + r.choice(["", ".5", "e3", ".0_1"])
    if k == 7:
        return r.choice(["+", "-", ""]) + str(r.randint(0, 9)) + "." + str(r.randint(0, 999))
    if k == 8:
        return "0x%X" % r.randint(0, 2**64)
    return str(r.randint(0, 99)) + r.choice(["", "_0", "e+0", "E-1"])


def gen_date(r):
    if r.random() < 0.3:
        y, m, d = r.randint(0, 2400), r.randint(0, 13), r.randint(0, 32)
        t = "%02d:%02d:%02d" % (r.randint(0, 24), r.randint(0, 60), r.randint(0, 60))
    else:
        y, m, d = r.randint(1, 2400), r.randint(1, 12), r.randint(1, 28)
        t = "%02d:%02d:%02d" % (r.randint(0, 23), r.randint(0, 59), r.randint(0, 59))
    date = "%04d-%02d-%02d" % (y, m, d)
    if r.random() < 0.5:
        t += "." + "".join(r.choice("0123456789") for _ in range(r.randint(1, 9)))
    off = r.choice(["", "Z", "z", "+05:30", "-00:00", "+24:00", "-23:59", "Z", ""])
    k = r.randint(0, 3)
    if k == 0:
        return date
    if k == 1:
        return t
    return date + r.choice(["T", "t", " "]) + t + off


def gen_value(r, depth):
    k = r.randint(0, 9 if depth < 4 else 6)
    if k <= 1:
        return gen_string(r)
    if k <= 3:
        return gen_number(r)
    if k == 4:
        return r.choice(["true", "false"])
    if k <= 6:
        return gen_date(r)
    if k <= 8:
        ws = r.choice(["", " ", "\n", " # c\n "])
        items = [gen_value(r, depth + 1) for _ in range(r.randint(0, 4))]
        return "[" + ws + ("," + ws).join(items) + r.choice(["", ",", ws]) + "]"
    items = ["%s = %s" % (gen_key(r), gen_value(r, depth + 1)) for _ in range(r.randint(0, 3))]
    return "{" + r.choice(["", " "]) + ", ".join(items) + r.choice(["", " "]) + "}"


WIDE_KEYS = KEYS + ["k%d" % i for i in range(40)]


def gen_doc(r):
    lines = []
    pool = KEYS if r.random() < 0.5 else WIDE_KEYS
    for _ in range(r.randint(1, 12)):
        k = r.randint(0, 9)
        if k <= 5:
            lines.append("%s = %s" % (gen_key(r, pool), gen_value(r, 0)))
        elif k == 6:
            lines.append("[%s]" % gen_key(r, pool))
        elif k == 7:
            lines.append("[[%s]]" % gen_key(r, pool))
        elif k == 8:
            lines.append(r.choice(["", "# comment", "  # é", "\t"]))
        else:
            lines.append("%s = %s # c" % (gen_key(r, pool), gen_value(r, 0)))
    return r.choice(["\n", "\n", "\r\n"]).join(lines) + r.choice(["", "\n"])


MUTATIONS = ['"', "'", "[", "]", "=", ".", "\\", "\n", "#", ",", "{", "}", "x", "_", "0",
             "\x7f", "\r", "\x00", "\t", " ", "é", "\ud800", "T", ":", "-", "+", "e"]


def mutate(r, doc):
    b = list(doc)
    for _ in range(r.randint(1, 3)):
        op = r.randint(0, 3)
        i = r.randint(0, len(b))
        if op == 0 and b:
            del b[min(i, len(b) - 1)]
        elif op == 1:
            b.insert(i, r.choice(MUTATIONS))
        elif op == 2 and b:
            b[min(i, len(b) - 1)] = r.choice(MUTATIONS)
        else:
            lines = "".join(b).split("\n")
            if lines:
                lines.insert(r.randint(0, len(lines)), r.choice(lines))
            b = list("\n".join(lines))
    return "".join(b)


def encode(s, r):
    data = s.encode("utf-8", "surrogatepass")
    if r.random() < 0.02 and data:
        i = r.randint(0, len(data) - 1)
        data = data[:i] + bytes([r.choice([0x80, 0xC3, 0xFF, 0xED, 0xF4])]) + data[i:]
    return data


def python_parse(data):
    """[(parser name, ("ok", value) | ("error", message))]"""
    out = []
    for name, mod in PARSERS:
        try:
            out.append((name, ("ok", mod.loads(data.decode("utf-8")))))
        except (UnicodeDecodeError, mod.TOMLDecodeError) as e:
            out.append((name, ("error", str(e))))
        except RecursionError:
            out.append((name, ("error", "RecursionError")))
    return out


def main():
    dump = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 6000
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 751
    if not PARSERS:
        print("SKIP: neither tomllib nor tomli is available")
        return 77
    root = os.environ.get("SOURCE_ROOT") or os.path.dirname(os.path.dirname(
        os.path.dirname(os.path.abspath(__file__))))
    docs = [(d, "hand") for d in HAND]
    for rel in SPEC_EXAMPLES:
        path = os.path.join(root, rel)
        if os.path.exists(path):
            with open(path, "rb") as f:
                docs.append((f.read(), rel))
    r = random.Random(seed)
    for i in range(count):
        doc = gen_doc(r)
        if i % 2:
            doc = mutate(r, doc)
        docs.append((encode(doc, r), "generated #%d" % i))

    start = time.monotonic()
    batch = b"".join(b"%d\n" % len(d) + d for d, _ in docs)
    res = subprocess.run([dump, "--batch"], input=batch, stdout=subprocess.PIPE, check=True)
    c_out = [json.loads(line) for line in res.stdout.decode().splitlines()]
    if len(c_out) != len(docs):
        print("FAIL: toml-dump answered %d documents of %d" % (len(c_out), len(docs)))
        return 1
    c_time = time.monotonic() - start

    stats = {"documents": len(docs), "accepted": 0, "refused": 0, "big-int": 0, "deep": 0,
             "differences": 0}
    for (data, origin), c in zip(docs, c_out):
        for name, (status, val) in python_parse(data):
            if status == "ok" and not c["ok"] and has_big_int(val) and "out of range" in c["error"]:
                stats["big-int"] += 1
                continue
            if status == "ok" and not c["ok"] and depth(val) > 128 and "nested more" in c["error"]:
                stats["deep"] += 1
                continue
            ok = status == "ok"
            if ok == c["ok"] and (not ok or same(tag(val), c["value"])):
                continue
            stats["differences"] += 1
            if stats["differences"] <= 20:
                print("DIFFERENCE (%s, %s): %r" % (origin, name, data[:300]))
                print("  python: %s %s" % (status, json.dumps(tag(val)) if ok else val))
                print("  C:      %s" % json.dumps(c)[:600])
        if c["ok"]:
            stats["accepted"] += 1
        else:
            stats["refused"] += 1
    print("parsers: C against %s; seed %d" % (", ".join(n for n, _ in PARSERS), seed))
    print("documents: %(documents)d (%(accepted)d accepted, %(refused)d refused by C); "
          "integers beyond 64 bits (refused by C only, as TOML asks): %(big-int)d; "
          "nested beyond the C bound of 128 (toml.h): %(deep)d; "
          "differences: %(differences)d" % stats)
    print("C parser time for all documents: %.3f s" % c_time)
    return 1 if stats["differences"] else 0


if __name__ == "__main__":
    sys.exit(main())
