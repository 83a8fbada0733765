#!/usr/bin/python3
"""Differential test: what gunicorn really runs with, against the profile.

For profiles that set every gunicorn setting deploy-run writes into its
argv, and for each input from outside the argv (GUNICORN_CMD_ARGS, PORT,
WEB_CONCURRENCY, FORWARDED_ALLOW_IPS, SENDFILE, ./gunicorn.conf.py, a
--config in GUNICORN_CMD_ARGS), this runs deploy-run's argv (from `show
--format json --reveal`) with `--print-config` appended, in its environment
and working directory, with Debian's gunicorn 20.1 (the example's venv is
built from Debian's packages), and compares every setting gunicorn prints:

  - each setting deploy-run writes must have the value the profile intends,
    computed here from the profile's text, not from deploy-run's parser;
  - every other setting must print as it does without the outside input.

A difference is explained only when `check --format json` reports
server.outside-config (an error or warning naming the setting) for that
input.  Exit 0 with no unexplained difference; prints each one otherwise.

usage: gunicorn_config_diff.py DEPLOY_RUN SOURCE_ROOT
"""
import json
import os
import subprocess
import sys
import tempfile

DR, ROOT = sys.argv[1], sys.argv[2]
EX = os.path.join(ROOT, "example")
VENV_GUNICORN = os.path.join(EX, ".venv", "bin", "gunicorn")

# Profiles: [server] lines, and what gunicorn must print for each setting deploy-run writes.
PROFILES = {
    "full": (
        """bind = 127.0.0.1:18201, unix:{tmp}/app.sock
workers = 3
worker_class = gthread
threads = 4
timeout = 45s
graceful_timeout = 1500ms
keepalive = 7s
max_requests = 500
max_requests_jitter = 50
preload = true
access_log = -
log_level = warning
forwarded_allow_ips = 10.0.0.1, 10.0.0.2
[cleanup]
pid_file = {tmp}/app.pid
""",
        {"bind": "['127.0.0.1:18201', 'unix:{tmp}/app.sock']", "workers": "3",
         "worker_class": "gthread", "threads": "4", "timeout": "45",
         "graceful_timeout": "2", "keepalive": "7", "max_requests": "500",
         "max_requests_jitter": "50", "preload_app": "True", "accesslog": "-",
         "loglevel": "warning", "forwarded_allow_ips": "['10.0.0.1', '10.0.0.2']",
         "pidfile": "{tmp}/app.pid"}),
    "defaults": (
        """bind = 127.0.0.1:18202
workers = 2
log_level = trace
""",
        {"bind": "['127.0.0.1:18202']", "workers": "2", "worker_class": "sync",
         "timeout": "30", "graceful_timeout": "30", "keepalive": "5",
         "accesslog": "-", "loglevel": "debug", "reload": "False",
         "preload_app": "False"}),
    "config": (
        """bind = 127.0.0.1:18203
workers = 2
reload = true
config = {tmp}/chosen.conf.py
""",
        {"bind": "['127.0.0.1:18203']", "workers": "2", "reload": "True",
         "config": "{tmp}/chosen.conf.py", "backlog": "64"}),
}

# Outside inputs: (name, environment, files to write in the working directory)
SOURCES = [
    ("clean", {}, {}),
    ("GUNICORN_CMD_ARGS", {"GUNICORN_CMD_ARGS": "--workers 9 --timeout 99 --max-requests 7 --threads 8 --pid /tmp/other.pid --reload --backlog 12 -k eventlet"}, {}),
    ("GUNICORN_CMD_ARGS --config", {"GUNICORN_CMD_ARGS": "--config {tmp}/other.conf.py"}, {}),
    ("PORT", {"PORT": "9999"}, {}),
    ("WEB_CONCURRENCY", {"WEB_CONCURRENCY": "11"}, {}),
    ("FORWARDED_ALLOW_IPS", {"FORWARDED_ALLOW_IPS": "*"}, {}),
    ("SENDFILE", {"SENDFILE": "0"}, {}),
    ("gunicorn.conf.py", {}, {"gunicorn.conf.py": "reload = True\nworkers = 13\nbacklog = 7\nloglevel = 'critical'\n"}),
]


def run(argv, env=None, cwd=None):
    p = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


def print_config(show, env):
    argv = show["argv"] + ["--print-config"]
    full = {k: v["value"] for k, v in show["env"].items() if v["value"] is not None}
    rc, out, err = run(argv, env=full, cwd=show["cwd"])
    conf = {}
    for line in out.splitlines():
        if " = " in line:
            k, v = line.split(" = ", 1)
            conf[k.strip()] = v.strip()
    if not conf:
        raise SystemExit("gunicorn --print-config printed nothing: %s" % err[-2000:])
    return conf


def main():
    if not os.access(VENV_GUNICORN, os.X_OK):
        print("SKIP: no example venv (dev/setup.sh makes it)")
        return 77
    tmp = tempfile.mkdtemp(prefix="dr-gconf-")
    prof = os.path.join(tmp, "profiles")
    wd = os.path.join(tmp, "wd")
    os.makedirs(prof)
    with open(os.path.join(tmp, "chosen.conf.py"), "w") as f:
        f.write("backlog = 64\n")
    with open(os.path.join(tmp, "other.conf.py"), "w") as f:
        f.write("workers = 21\nbacklog = 3\n")
    base_env = {"PATH": "/usr/bin:/bin", "HOME": tmp}
    for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS"):
        if k in os.environ:
            base_env[k] = os.environ[k]
    unexplained, compared, explained_n, controls = [], 0, 0, []
    for pname, (lines, expect) in PROFILES.items():
        os.makedirs(wd, exist_ok=True)
        text = ("[profile]\nstage = development\n[app]\nroot = %s\nworkdir = %s\n"
                "module = webapp.wsgi:app\nserver = gunicorn\nrequirements =\n[server]\n%s"
                % (EX, wd, lines.format(tmp=tmp)))
        with open(os.path.join(prof, pname + ".ini"), "w") as f:
            f.write(text)
        baseline = None
        for sname, extra_env, files in SOURCES:
            for fn, content in files.items():
                with open(os.path.join(wd, fn), "w") as f:
                    f.write(content)
            env = dict(base_env)
            env.update({k: v.format(tmp=tmp) for k, v in extra_env.items()})
            rc, out, err = run([DR, "--profiles", prof, "show", pname, "--format", "json", "--reveal"], env=env)
            if rc != 0:
                raise SystemExit("show %s (%s) failed: %s" % (pname, sname, err))
            show = json.loads(out)
            # gunicorn imports the app from its cwd (the example's webapp)
            show["env"]["PYTHONPATH"] = {"value": EX, "source": "test"}
            conf = print_config(show, env)
            rc, out, err = run([DR, "--profiles", prof, "check", pname, "--only", "server.outside-config",
                                "--format", "json"], env=env)
            findings = json.loads(out)["findings"]
            explained = " ".join(f["message"] for f in findings)
            if sname == "clean":
                baseline = conf
                if findings:
                    unexplained.append("%s clean: unexpected findings %s" % (pname, explained))
            for k, want in expect.items():
                want = want.format(tmp=tmp)
                compared += 1
                if conf.get(k) != want:
                    if k + " = " in explained:
                        explained_n += 1
                    else:
                        unexplained.append("%s %s: %s = %s, the profile means %s" % (pname, sname, k, conf.get(k), want))
            for k, v in conf.items():
                if k in expect or sname == "clean":
                    continue
                compared += 1
                if baseline.get(k) != v:
                    if k + " = " in explained:
                        explained_n += 1
                    else:
                        unexplained.append("%s %s: %s = %s, without the input %s" % (pname, sname, k, v, baseline.get(k)))
            # control: the oracle sees ./gunicorn.conf.py once deploy-run's --config is taken away
            if sname == "gunicorn.conf.py" and "--config" in show["argv"]:
                i = show["argv"].index("--config")
                if show["argv"][i + 1] == "python:__future__":
                    del show["argv"][i:i + 2]
                    raw = print_config(show, env)
                    controls.append(raw.get("backlog") == "7")
            for fn in files:
                os.remove(os.path.join(wd, fn))
    for u in unexplained:
        print("UNEXPLAINED:", u)
    # the comparison can fail: outside inputs made differences that findings explained,
    # and without deploy-run's --config gunicorn does load ./gunicorn.conf.py
    if explained_n == 0:
        unexplained.append("no difference at all: the outside inputs did not reach gunicorn")
        print("UNEXPLAINED: no difference at all: the outside inputs did not reach gunicorn")
    if not controls or not all(controls):
        unexplained.append("control failed: gunicorn did not load ./gunicorn.conf.py without --config")
        print("UNEXPLAINED: control failed: gunicorn did not load ./gunicorn.conf.py without --config")
    print("%d differences explained by server.outside-config" % explained_n)
    print("%d settings compared over %d profiles and %d inputs, %d unexplained differences"
          % (compared, len(PROFILES), len(SOURCES), len(unexplained)))
    subprocess.run(["rm", "-rf", tmp])
    return 1 if unexplained else 0


sys.exit(main())
