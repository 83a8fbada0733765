#!/usr/bin/python3
"""Differential test of checks/pysource against Python's own tokenize and ast.

    pysource_diff.py PYSOURCE-DUMP [--verbose]

Runs tests/tools/pysource-dump over the example app, a bounded, deterministic
sample of Debian's installed Python sources (/usr/lib/python3/dist-packages and
/usr/lib/python3.11) and generated cases, and compares, file by file:

  - every NAME and STRING token (byte offsets of start and end) with what
    tokenize.tokenize() gives: the string literals path.hardcoded and init read;
  - every call of the names env.app-loads-dotenv looks for (and a few common
    ones, to exercise the argument splitter on real code) with ast.Call: the
    name's offset, the count of positional arguments, *args/**kwargs, and the
    keywords among the first eight arguments;
  - every module-level "NAME [: T] = DOTTED(...)" with ast's Assign/AnnAssign,
    which is what init takes for an app's entry point.

Only files that ast.parse() accepts are compared (pysource reads on where
Python stops; what it does then is the unit tests' and the fuzzer's matter).
Deliberate differences, counted and printed, never failing the test:

  LONE_CR   a file with a carriage return that is no CRLF: tokenize.py splits
            lines at "\\n" only, the compiler (and pysource) at "\\r" too, so
            tokenize's offsets are not the compiler's; the file is skipped.
  FSTRING   a call inside an f-string's replacement field: Python 3.11
            tokenizes an f-string as one STRING token, and so does pysource;
            ast parses the field.  No check looks into f-strings.
  NAME_MARK a non-ASCII identifier holding a combining mark (pyparsing's
            Hebrew and Devanagari names): tokenize.py's regex (\w) cuts it
            in pieces, the compiler and pysource keep it one NAME.

Any other difference fails the test with the file, the offset and both sides.
"""
import ast
import io
import os
import random
import subprocess
import sys
import tokenize

CALLS = ["load_dotenv", "dotenv_values", "find_dotenv", "Path", "join", "open", "get",
         "Flask", "FastAPI", "print", "format", "isinstance", "getattr"]
SAMPLE_PER_TREE = 700
TREES = ["/usr/lib/python3/dist-packages", "/usr/lib/python3.11"]
HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLE = os.path.join(HERE, "..", "..", "example")


def sample(tree, n):
    files = []
    for d, dirs, names in os.walk(tree):
        dirs.sort()
        if "/test" in d[len(tree):] or "/idlelib" in d[len(tree):]:
            continue  # CPython's test suite holds deliberately broken files
        for name in sorted(names):
            if name.endswith(".py"):
                files.append(os.path.join(d, name))
    if len(files) <= n:
        return files
    step = len(files) / n
    return [files[int(i * step)] for i in range(n)]


def example_files():
    out = []
    for d, dirs, names in os.walk(EXAMPLE):
        dirs[:] = sorted(x for x in dirs if not x.startswith(".") and x != "__pycache__")
        out += [os.path.join(d, x) for x in sorted(names) if x.endswith(".py")]
    return out


# ---- generated cases ----

FRAGMENTS = [
    "x = 'a'\n", 'x = "a"\n', "x = '''a\n'b'\n\"c\"'''\n", 'x = """\\"""\n',
    "x = r'\\''\n", 'x = rb"\\\\"\n', "x = Rb'/home/a'\n", "x = bR'x' b'y'\n",
    "x = f'{a!r:>{w}}'\n", 'x = f"{\'nested\'}"\n', "x = F'''{x}\n'''\n",
    "x = fr'\\d{x}'\n", "x = rf\"{x}\\\"\"\n", "x = u'x'\n", "x = U\"x\"\n",
    "x = 'a' \\\n    'b'\n", "x = ('a'\n     'b')\n", "x = '\\\n'\n",
    "# 'not a string' \"nor this\"\n", "x = 1  # load_dotenv('.env')\n",
    "x = 0x1f + 1e-5 + 1_000j + .5\n", "x = ub\n", "br = 1; rb = br\n",
    "load_dotenv()\n", "load_dotenv('.env', override=True)\n",
    "dotenv.load_dotenv(dotenv_path=Path(__file__).parent / '.env')\n",
    "load_dotenv(\n    '.env',\n    override=True,\n)\n",
    "load_dotenv(*args, **kwargs)\n", "find_dotenv(usecwd=True)\n",
    "dotenv_values(stream=io.StringIO('A=1'))\n", "load_dotenv(x for x in y)\n",
    "load_dotenv(a=(1, 2), b=[3, {4: 5}], c=lambda q=1: q)\n", "load_dotenv(a==b, c)\n",
    "def load_dotenv(path=None):\n    pass\n", "class find_dotenv(object):\n    pass\n",
    "x = {'a': load_dotenv}\n", "load_dotenv\n(1)\n", "y = load_dotenv ( '.env' )\n",
    "os.path.join('/home/dev', 'x')\n", "print(f'{load_dotenv()}')\n",
    "app = Flask(__name__)\n", "app: Flask = Flask(__name__)\n",
    "application = get_wsgi_application()\n", "app = falcon.asgi.App()\n",
    "app = Flask(__name__).x\n", "app = Flask(__name__); api = FastAPI()\n",
    "if True: app = Flask(__name__)\n", "if x:\n    app = Flask(__name__)\n",
    "app = b = Flask()\n", "app, b = Flask(), 1\n", "app = Flask(\n    __name__,\n)\n",
    "app = Flask(__name__)  # comment\n", "app: dict[str, int] = dict(a=1)\n",
    "app += Flask()\n", "@deco(Flask())\ndef f():\n    return Flask()\n",
    "x = [\n    'a',  # c\n    \"b\",\n]\n", "async def f():\n    await load_dotenv()\n",
    "with open('/home/u/x') as f, open('/root') as g:\n    pass\n",
    "x = '''\r\n'''\r\n", "x = 1\r\nload_dotenv()\r\n", "\tx = 1\n" if False else "x = 2\n",
    "lambda: load_dotenv()\n", "x = [load_dotenv(a) for a in b if find_dotenv()]\n",
    "x = a.b.c.load_dotenv(1)(2)\n", "x: int\n", "print(*a, sep='')\n",
    "get(a, *b, c=1, **d)\n", "x = (yield)\n" if False else "x = ...\n",
    "s = 'é' + \"日本\"; app = FastAPI(title='é')\n", "x = \\\n  load_dotenv()\n",
    "get(lambda a, b=1, *c, **d: a, e)\n", "', '.join(f(k, v) for k, v in d.items())\n",
    "join(x async for x in y)\n" if False else "join([x for x, y in z], w)\n",
    "app = (Flask(__name__))\n", "app = (\n    Flask(__name__)\n)\n",
    "app = ((a.b.Flask)())\n" if False else "app = (Flask(x), 1)\n",
    "ñame = 'x'; app_é = FastAPI()\n",
]


def generated(n, seed=19):
    rnd = random.Random(seed)
    cases = []
    while len(cases) < n:
        src = "".join(rnd.choice(FRAGMENTS) for _ in range(rnd.randint(1, 6)))
        try:
            ast.parse(src)
        except SyntaxError:
            continue
        cases.append(src)
    return cases


# ---- what Python sees ----

def line_starts(data):
    starts = [0]
    for i, b in enumerate(data):
        if b == 0x0A:
            starts.append(i + 1)
    return starts


def python_view(data):
    """The NAME/STRING tokens, calls and assignments of data, or None to skip."""
    text = data.decode("utf-8")
    bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    starts = line_starts(data)
    lines = data.split(b"\n")

    def tok_offset(row, col):
        # tokenize's col counts characters of the decoded line
        prefix = lines[row - 1].decode("utf-8", "replace")
        if row == 1 and bom:
            prefix = prefix[1:]
        return starts[row - 1] + len(prefix[:col].encode("utf-8")) + (bom if row == 1 else 0)

    tokens = set()
    for tok in tokenize.tokenize(io.BytesIO(data).readline):
        if tok.type in (tokenize.NAME, tokenize.STRING):
            start = tok_offset(*tok.start)
            end = tok_offset(*tok.end)
            tokens.add(("N" if tok.type == tokenize.NAME else "S", start, end))

    tree = ast.parse(text)
    in_fstring = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            for sub in ast.walk(node):
                in_fstring.add(id(sub))

    def byte_offset(lineno, col):  # ast's col_offset counts UTF-8 bytes
        return starts[lineno - 1] + col + (bom if lineno == 1 else 0)

    calls, skipped = set(), 0
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        f = node.func
        if isinstance(f, ast.Name) and f.id in CALLS:
            name, off = f.id, byte_offset(f.lineno, f.col_offset)
        elif isinstance(f, ast.Attribute) and f.attr in CALLS:
            name = f.attr
            off = byte_offset(f.end_lineno, f.end_col_offset - len(f.attr.encode("utf-8")))
        else:
            continue
        if id(node) in in_fstring:
            skipped += 1
            continue
        npos = sum(1 for a in node.args if not isinstance(a, ast.Starred))
        star = int(any(isinstance(a, ast.Starred) for a in node.args) or
                   any(k.arg is None for k in node.keywords))
        items = sorted([(a.lineno, a.col_offset, None) for a in node.args] +
                       [(k.lineno, k.col_offset, k.arg) for k in node.keywords],
                       key=lambda x: (x[0], x[1]))
        kws = [k for _, _, k in items[:8] if k is not None]
        calls.add((off, name, npos, star, ",".join(kws) or "-"))

    def dotted(f):
        parts = []
        while isinstance(f, ast.Attribute):
            parts.append(f.attr)
            f = f.value
        if not isinstance(f, ast.Name):
            return None
        parts.append(f.id)
        return ".".join(reversed(parts))

    assigns = set()
    for st in tree.body:
        if isinstance(st, ast.Assign) and len(st.targets) == 1:
            target, value = st.targets[0], st.value
        elif isinstance(st, ast.AnnAssign) and st.simple and st.value is not None:
            target, value = st.target, st.value
        else:
            continue
        if isinstance(target, ast.Name) and isinstance(value, ast.Call) and dotted(value.func):
            assigns.add((target.lineno, target.id, dotted(value.func)))
    return tokens, calls, assigns, skipped, data


def name_marks(data, python_only, ours_only):
    """NAME_MARK: our non-ASCII NAMEs that tokenize.py cut into the pieces it
    gives instead.  (pieces, ours) to drop from each side, or None."""
    ours = {t for t in ours_only
            if t[0] == "N" and any(b >= 0x80 for b in data[t[1]:t[2]])}
    pieces = {t for t in python_only
              if t[0] == "N" and any(o[1] <= t[1] and t[2] <= o[2] for o in ours)}
    if not ours or not pieces:
        return None
    return pieces, ours


def parse_dump(out):
    files, cur = {}, None
    for line in out.splitlines():
        kind, _, rest = line.partition(" ")
        if kind == "F":
            cur = files.setdefault(rest, (set(), set(), set()))
        elif kind in ("N", "S"):
            a, b = rest.split()
            cur[0].add((kind, int(a), int(b)))
        elif kind == "C":
            off, name, npos, star, kws = rest.split()
            cur[1].add((int(off), name, int(npos), int(star), kws))
        elif kind == "A":
            line_no, target, callee = rest.split()
            cur[2].add((int(line_no), target, callee))
    return files


def main():
    dump = sys.argv[1]
    verbose = "--verbose" in sys.argv
    import atexit, shutil, tempfile
    tmp = tempfile.mkdtemp(prefix="pysource-diff.")
    atexit.register(shutil.rmtree, tmp, True)
    sources = {"example": example_files()}
    for tree in TREES:
        sources[tree] = sample(tree, SAMPLE_PER_TREE)
    gen = []
    for i, src in enumerate(generated(400)):
        p = os.path.join(tmp, "case%03d.py" % i)
        with open(p, "w", encoding="utf-8", newline="") as f:
            f.write(src)
        gen.append(p)
    sources["generated"] = gen

    figures = {}
    failures = 0
    deliberate = {"LONE_CR": 0, "FSTRING": 0, "NAME_MARK": 0}
    for label, files in sources.items():
        compared = skipped_syntax = 0
        counts = [0, 0, 0]
        py = {}
        for path in files:
            try:
                with open(path, "rb") as f:
                    data = f.read()
            except OSError:
                continue
            if b"\r" in data.replace(b"\r\n", b""):
                deliberate["LONE_CR"] += 1
                continue
            try:
                view = python_view(data)
            except (SyntaxError, UnicodeDecodeError, ValueError, tokenize.TokenError,
                    IndentationError):
                skipped_syntax += 1
                continue
            py[path] = view
        paths = sorted(py)
        ours = {}
        for i in range(0, len(paths), 200):
            out = subprocess.run([dump, "--calls", ",".join(CALLS)] + paths[i:i + 200],
                                 check=True, capture_output=True).stdout
            ours.update(parse_dump(out.decode("utf-8", "surrogateescape")))
        for path in paths:
            tokens, calls, assigns, fskipped, data = py[path]
            deliberate["FSTRING"] += fskipped
            mine = ours.get(path, (set(), set(), set()))
            marked = name_marks(data, tokens - mine[0], mine[0] - tokens)
            if marked:
                deliberate["NAME_MARK"] += len(marked[1])
                tokens = tokens - marked[0]
                mine = (mine[0] - marked[1], mine[1], mine[2])
            compared += 1
            for what, a, b, i in (("token", tokens, mine[0], 0), ("call", calls, mine[1], 1),
                                  ("assignment", assigns, mine[2], 2)):
                counts[i] += len(a)
                if a == b:
                    continue
                failures += 1
                print("DIFF %s %s: python only %s; pysource only %s" % (
                    path, what, sorted(a - b)[:5], sorted(b - a)[:5]))
                if label == "generated" or verbose:
                    with open(path, encoding="utf-8", newline="") as f:
                        print("---\n" + f.read() + "---")
        figures[label] = (compared, skipped_syntax, counts)
    for label, (compared, skipped_syntax, counts) in figures.items():
        print("%-32s %4d files compared (%d Python rejects), %6d tokens, %4d calls, "
              "%3d assignments" % (label, compared, skipped_syntax, *counts))
    print("deliberate differences: %d files with a lone CR skipped, %d calls inside "
          "f-strings, %d identifiers with a combining mark" % (
              deliberate["LONE_CR"], deliberate["FSTRING"], deliberate["NAME_MARK"]))
    for label, (compared, _, counts) in figures.items():
        if not compared or not counts[0]:
            print("FAIL %s: nothing compared" % label)
            failures += 1
    print("%d unexplained differences" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
