"""Hand-written edge cases for packaging_diff.py."""

VERSIONS = [
    "1.0", "v1.0", "V1.0", " 1.0 ", "\t1.0\n", "1!2.0", "01.002", "1.0.0.0.0",
    "1.0a", "1.0.a", "1.0-a", "1.0_a", "1.0alpha1", "1.0ALPHA.1", "1.0beta2", "1.0c1",
    "1.0pre1", "1.0preview1", "1.0rc", "1.0-rc-1", "1.0a-", "1.0a.", "1.0-1", "1.0-0",
    "1.0.post", "1.0post1", "1.0.rev2", "1.0r3", "1.0-r", "1.0.dev", "1.0dev1", "1.0-dev-1",
    "1.0a1.post2.dev3", "1.0+abc", "1.0+ABC.1-2_3", "1.0+007", "1.0+a..b", "1.0+", "1.0+-a",
    "1.0-", "1.0.", ".1", "1..0", "1.0a1a2", "1.0.post1.post2", "1.0dev1dev2", "1!", "!1",
    "1!2!3", "1.*", "", " ", "1.0 1", "1.99999999999999999999999", "0", "0.0", "v",
    "1.0.poſt1", "1.0prevıew1", "1.0prevİew1", "1.0+K", "1.0+İ", "1.0 \u00a0", "\u20031.0",
    "1.0\x1c", "1.0\x00", "١.0",
]

COMPARES = [
    ("1.0", "1.0.0"), ("1.0.dev0", "1.0a0"), ("1.0a0", "1.0"), ("1.0", "1.0.post0"),
    ("1.0+abc", "1.0"), ("1.0+1", "1.0+abc"), ("1.0+abc.1", "1.0+abc"), ("1!0.1", "2.0"),
    ("1.0rc1", "1.0c1"), ("1.0.post1", "1.0.poſt1"), ("1.0.post1.dev1", "1.0.post1"),
    ("1.0a1.dev1", "1.0a1"), ("1.0+a", "1.0+B"), ("1.0+01", "1.0+1"),
    ("1.99999999999999999999", "1.100000000000000000000"),
]

CONTAINS = [
    (">=1.0", "1.1a1", "none"), (">=1.0a1", "1.1a1", "none"), (">=1.0", "1.1a1", "true"),
    ("", "1.0a1", "none"), ("", "1.0", "none"), ("", "1.0a1", "true"), ("<2.0", "2.0a1", "true"),
    ("<2.0", "1.9a1", "true"), ("<2.0a2", "2.0a1", "none"), (">1.0", "1.0.post1", "none"),
    (">1.0.post0", "1.0.post1", "none"), (">1.0", "1.0+local", "none"), (">1.0", "1.1+l", "none"),
    ("==1.0", "1.0+local", "none"), ("==1.0+local", "1.0", "none"), ("==1.0.*", "1.0.5", "none"),
    ("==1.0.*", "1.0a1", "true"), ("==1.*", "1.0+x", "none"), ("!=1.0.*", "1.0.1", "none"),
    ("~=1.4.5", "1.4.9", "none"), ("~=1.4.5", "1.5.0", "none"), ("~=1.4", "1.9", "none"),
    ("~=2.2.post3", "2.2.post4", "none"), ("~=1.2.A1", "1.2.5", "true"),
    ("~=1.2.a1", "1.5", "true"), ("~=1!1.2", "1!1.5", "none"), ("===1.0", "1.0", "none"),
    ("===1.0", "1.0.0", "none"), ("===foo", "1.0", "none"), ("===foo", "1.0", "true"),
    ("===1.0,===1.0.0", "1.0", "true"), ("===1.0.0,===1.0", "1.0", "true"),
    ("===1.0+K", "1.0+k", "true"), ("<=1.0.post1", "1.0.poſt1", "true"),
    ("==1.0prevİew1", "1.0rc1", "true"), ("==1.0", "1.0prevİew1", "true"),
    ("==1!2.*", "1!2.5", "none"), ("==v1.0.*", "1.0", "none"),
]

SPECSETS = [
    "", ",", " , ", ">=1.0,<2", ">=1.0 , <2 ,", "==1.0,==1.0.0", "~=1.0,~=1.0.0",
    "===a;b", "=== foo", "===", "====1", "< =1", "<==1", "==1.0.*.1", "~=1", "~=1.*",
    ">=1.0+local", "==1.0+local", "!=1.0.*", "== 1.0", "==\u00a01.0", ">=1.0\u2003",
    "==1.0)", "=1.0", "1.0",
]

NAMES = ["Foo.Bar", "foo__bar", "FOO-_-bar", "a..b", "-x-", "K", "İx", "ı"]

MARKERS = [
    'os_name == "posix"', 'os_name=="posix"', "os_name == 'posix' and python_version >= '3'",
    'python_version >= "3.8" or (os_name == "nt" and sys_platform == "win32")',
    '((os_name == "posix"))', '((os_name == "posix" and extra == "x")) or os_name == "nt"',
    '(os_name == "posix") or os_name == "nt"', 'os_name == "posix" junk',
    'os_name == "posix"and os_name == "posix"', 'os_name == "posix"andfoo',
    'extra == "Foo_Bar"', 'extra == os_name', '"Foo" == extra', '"posix" == os_name',
    '"a" == "b"', 'os_name == sys_platform', 'python_version == "3.*"',
    'python_version ~= "3.8"', 'os_name ~= "posix"', 'os_name === "posix"',
    'python_version === "3.11"', 'os_name == "1.0"', '"3" in python_version',
    '"3" not in python_version', 'python_version not  in "3.11 3.12"', 'os_name notin "x"',
    'os_name < "q"', 'platform_release > "5"', 'platform.python_implementation == "CPython"',
    'python_implementation == "CPython"', 'os.name == "posix"', 'platform.release == "x"',
    'python_version_x == "1"', 'os_name == "\\x70osix"', 'os_name == "\\160osix"',
    'os_name == "p\\osix"', 'os_name == "\\"', "os_name == '\\u0070osix'",
    'os_name == "\\U00000070osix"', 'os_name == "\\xZZ"', 'os_name == "\\U00110000"',
    'os_name == "a\\\'b"', '(os_name == "posix"', 'os_name == "posix")', '()', '', ' ',
    'os_name', 'os_name ==', '== "x"', 'os_name == "x" or', 'extra == "security"',
    'implementation_version >= "3.11"', 'python_full_version < "3.13.0"',
    'platform_version == "#1"', 'os_name in "posix,nt"', 'os_name < "3.0"',
]

REQUIREMENTS = [
    "requests", "requests[security]", "requests [security , socks]", "requests[]",
    "requests[ ]", "requests[,]", "requests[a b]", "requests[a,]", "requests[a", "req>=1.0",
    "req (>=1.0)", "req(>=1.0,<2)", "req ( >=1.0 , <2 )", "req (>=1.0", "req >=1.0,", "req>=1.0,,",
    "req==1.0.*", "req===1,2", "req===foo(bar", "req ===foo ; os_name=='posix'",
    "req; os_name == 'posix'", "req ;os_name == 'posix'", "req>=1.0;os_name=='posix'",
    "req @ https://h/x.whl", "req@https://h/x.whl", "req @ https://h/x.whl;os_name=='posix'",
    "req @ https://h/x.whl ;os_name=='posix'", "req @ https://h/x.whl ", "req @", "req @ ",
    "req @ file:///x", "req @ file:/x", "req @ FILE:///x", "req @ file:///x?",
    "req @ relative", "req @ https://", "req @ http://[::1]/x", "req @ http://[::1/x",
    "req @ http://[1.2.3.4]/x", "req @ http://[v1.fe]/x", "req @ http://[fe80::1%25eth0]/x",
    "req 1.0", "req\n", "req>=1.0\n", "req-", "req.", "req-.x", "-req", "_req", "0", "req ",
    " req", "req\t>=1", "Req_Name.x-y[Ex_A,ex-a]>=1", "req>=1.0+local", "req<=1.0 junk",
    "req>=1.0 ; ", "req>=1.0 ; os_name == 'posix' junk", "req ; extra == 'Foo_Bar'",
    "req[x] @ https://h/x.whl ; extra == 'x'", "req !=1.0.*, ~= 1.2",
]
