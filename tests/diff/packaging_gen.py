"""Random inputs for packaging_diff.py: PEP 440 versions and specifiers,
PEP 508 markers and requirements, mostly well-formed, some mutated."""

PRE = ["a", "b", "c", "rc", "alpha", "beta", "pre", "preview"]
POST = ["post", "rev", "r"]
SEPS = ["", "", "", ".", "-", "_"]
# The non-ASCII letters that case-insensitive matching accepts for i, s, k.
ODD = {"i": ["\u0130", "\u0131"], "s": ["\u017f"], "k": ["\u212a"]}
WS = ["", "", "", " ", "  ", "\t", "\u00a0", "\u2003", "\n", "\x1c"]
GARBAGE = "0123456789.-_+!*abcdeghiklnoprstuvV ,;()=<>~@[]\"'"


def num(rng):
    r = rng.random()
    if r < 0.6:
        return str(rng.randint(0, 12))
    if r < 0.8:
        return "0" * rng.randint(1, 3) + str(rng.randint(0, 99))
    if r < 0.95:
        return str(rng.randint(0, 10 ** 6))
    return str(rng.randint(10 ** 19, 10 ** 30))


def case(rng, word):
    out = []
    for c in word:
        if c in ODD and rng.random() < 0.03:
            out.append(rng.choice(ODD[c]))
        elif rng.random() < 0.15:
            out.append(c.upper())
        else:
            out.append(c)
    return "".join(out)


def release(rng, minimum=1):
    n = rng.randint(minimum, 4)
    return ".".join(num(rng) for _ in range(n))


def local(rng):
    parts = []
    for _ in range(rng.randint(1, 3)):
        if rng.random() < 0.4:
            parts.append(num(rng))
        else:
            parts.append(case(rng, "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789")
                                           for _ in range(rng.randint(1, 5)))))
    return "+" + "".join(p + rng.choice(".-_") for p in parts[:-1]) + parts[-1]


def version_body(rng, allow_local=True, minimum=1):
    s = ""
    if rng.random() < 0.1:
        s += rng.choice("vV")
    if rng.random() < 0.1:
        s += num(rng) + "!"
    s += release(rng, minimum)
    if rng.random() < 0.35:
        s += rng.choice(SEPS) + case(rng, rng.choice(PRE)) + rng.choice(SEPS)
        if rng.random() < 0.8:
            s += num(rng)
    if rng.random() < 0.25:
        if rng.random() < 0.3:
            s += "-" + num(rng)
        else:
            s += rng.choice(SEPS) + case(rng, rng.choice(POST)) + rng.choice(SEPS)
            if rng.random() < 0.8:
                s += num(rng)
    if rng.random() < 0.25:
        s += rng.choice(SEPS) + case(rng, "dev") + rng.choice(SEPS)
        if rng.random() < 0.8:
            s += num(rng)
    if allow_local and rng.random() < 0.2:
        s += local(rng)
    return s


def mutate(rng, s):
    r = rng.random()
    i = rng.randint(0, len(s))
    if r < 0.3 and s:
        return s[:i] + s[i + 1:]
    if r < 0.6:
        return s[:i] + rng.choice(GARBAGE) + s[i:]
    if r < 0.8 and s:
        j = rng.randint(0, len(s))
        return s[:min(i, j)] + s[max(i, j):] + s[min(i, j):max(i, j)]
    return s + rng.choice(["-", ".", "+", "!", "*", ".*", "a", "..", "+-", "_"])


def version(rng):
    s = rng.choice(WS) + version_body(rng) + rng.choice(WS)
    if rng.random() < 0.2:
        s = mutate(rng, s)
    return s


def near_version(rng, v):
    """Another spelling or a neighbour of v."""
    r = rng.random()
    if r < 0.3:
        return v + ".0" if "+" not in v else v
    if r < 0.5:
        return v.upper()
    if r < 0.7:
        return v.replace(".", "-", 1) if "." in v else v
    return version_body(rng)


OPS = ["==", "!=", "<=", ">=", "<", ">", "~=", "==="]


def specifier(rng, valid):
    op = rng.choice(OPS)
    ws = rng.choice(["", "", " ", "  "])
    if op == "===":
        v = rng.choice([rng.choice(valid).strip(), "foo", "1.0", "", "1.0a1", "1.0+Local"])
    elif op in ("==", "!=") and rng.random() < 0.3:
        v = release(rng) + ".*"
    elif op == "~=":
        v = version_body(rng, allow_local=False, minimum=2 if rng.random() < 0.9 else 1)
    else:
        v = version_body(rng, allow_local=op in ("==", "!=") or rng.random() < 0.05)
    s = rng.choice(["", "", " "]) + op + ws + v + rng.choice(["", "", " "])
    if rng.random() < 0.08:
        s = mutate(rng, s)
    return s


def specset(rng, valid):
    n = rng.choice([0, 1, 1, 1, 2, 2, 3, 4])
    items = [specifier(rng, valid) for _ in range(n)]
    if rng.random() < 0.1:
        items.append("")
    return ",".join(items)


def version_for(rng, spec, valid):
    """A version close to one named in spec (boundary cases matter most)."""
    import re
    m = re.findall(r"[0-9][0-9.]*", spec)
    if not m:
        return rng.choice(valid)
    base = rng.choice(m).rstrip(".")
    suffix = rng.choice(["", "", "a1", ".dev0", ".post1", "rc2", "+loc.1", ".0", ".1",
                         "a1.dev2", ".post1.dev1", "+1"])
    if rng.random() < 0.1:
        base = "1!" + base
    return base + suffix


def name(rng):
    return "".join(rng.choice("abcXYZ019-_.") for _ in range(rng.randint(1, 12)))


VARS = ["python_version", "python_full_version", "os_name", "sys_platform",
        "platform_release", "platform_system", "platform_version", "platform_machine",
        "platform_python_implementation", "python_implementation", "implementation_name",
        "implementation_version", "extra", "os.name", "sys.platform", "platform.version",
        "platform.machine", "platform.python_implementation"]
MOPS = ["==", "!=", "<", "<=", ">", ">=", "~=", "===", "in", "not in"]
STRINGS = ["3.11", "3.8", "3.11.2", "3.13.0rc1", "3", "3.*", "3.11.*", "2.7", "posix", "nt",
           "linux", "win32", "x86_64", "Linux", "CPython", "cpython", "PyPy", "",
           "foo", "Foo.Bar", "security", "1.0", "6.1", "7.3.1", "Debian", "#1", "10"]


def quote(rng, s):
    if rng.random() < 0.05:
        s = s.replace("o", "\\x6f").replace("3", "\\063").replace(".", "\\u002e")
    if rng.random() < 0.03:
        s += rng.choice(["\\t", "\\\\", "\\q", "\\'", "\u00e9"])
    q = '"' if rng.random() < 0.7 else "'"
    if q in s and "\\" + q not in s:
        q = "'" if q == '"' else '"'
    return q + s + q


def mvalue(rng):
    s = rng.choice(STRINGS)
    if rng.random() < 0.2:
        s = version_body(rng)
    return s


def marker_item(rng):
    left_var = rng.random() < 0.85
    var = rng.choice(VARS)
    op = rng.choice(MOPS)
    val = quote(rng, mvalue(rng))
    ws = lambda: rng.choice(["", " ", " ", "  ", "\t"])  # noqa: E731
    if rng.random() < 0.03:
        return rng.choice([f"{var}{ws()}{op}{ws()}{rng.choice(VARS)}",
                           f"{val}{ws()}{op}{ws()}{quote(rng, rng.choice(VARS))}",
                           f"{val}{ws()}{op}{ws()}{val}"])
    if left_var:
        return f"{var}{ws()}{op}{ws()}{val}"
    return f"{val}{ws()}{op}{ws()}{var}"


def marker_expr(rng, depth=0):
    n = rng.choice([1, 1, 2, 3])
    parts = []
    for i in range(n):
        if depth < 3 and rng.random() < 0.2:
            atom = "(" + rng.choice(["", " "]) + marker_expr(rng, depth + 1) + \
                rng.choice(["", " "]) + ")"
        else:
            atom = marker_item(rng)
        if i:
            parts.append(rng.choice([" and ", " or ", " and ", " or ", "and ", " or"]))
        parts.append(atom)
    return "".join(parts)


def marker(rng, valid):
    s = rng.choice(["", " "]) + marker_expr(rng) + rng.choice(["", " ", "\t"])
    if rng.random() < 0.1:
        s = mutate(rng, s)
    return s


def extra(rng):
    return rng.choice(["", "", "foo", "Foo_Bar", "foo-bar", "security", "SECURITY", "a.b"])


URLS = ["https://example.org/pkg-1.0.tar.gz", "git+https://github.com/o/r.git@v1#egg=r",
        "file:///srv/wheels/x-1.0-py3-none-any.whl", "file:/srv/x.whl", "file://host/x",
        "FILE:///x", "file:///x?", "https://", "http://[::1]:8000/x", "http://[1.2.3.4]/x",
        "http://[::1/x", "https://u:p@h.example:443/p;param?q=1#frag", "relative/path",
        "ssh://git@host/x", "https://h/x%20y", "hg+http://h/r#egg=x&subdirectory=s"]


def requirement(rng, valid):
    s = rng.choice(["", "", " "]) + rng.choice(
        ["requests", "Django", "zope.interface", "a", "A_B-c.d", "x1", "my_pkg", "0pkg"])
    if rng.random() < 0.3:
        ex = [rng.choice(["security", "Socks", "a_b", "c.d", "x", "x"])
              for _ in range(rng.randint(0, 3))]
        s += rng.choice(["", " "]) + "[" + rng.choice(["", " "]) + \
            rng.choice([",", ", ", " ,"]).join(ex) + rng.choice(["", " "]) + "]"
    if rng.random() < 0.2:
        s += rng.choice([" @ ", "@", " @"]) + rng.choice(URLS)
        if rng.random() < 0.5:
            s += rng.choice([" ; ", " ;", ";"]) + marker_expr(rng)
    else:
        spec = specset(rng, valid)
        if rng.random() < 0.3:
            spec = "(" + spec + ")"
        s += rng.choice(["", " "]) + spec
        if rng.random() < 0.4:
            s += rng.choice([" ; ", ";", "; "]) + marker_expr(rng)
    s += rng.choice(["", "", " "])
    if rng.random() < 0.1:
        s = mutate(rng, s)
    return s
