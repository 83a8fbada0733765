#!/usr/bin/python3
"""Parse deploy-run check reports back and check their structure.

    report-validate.py DIR                 every *.json, *.xml and *.github in DIR
    report-validate.py FILE...             by extension: .json, .xml (JUnit), .github

JSON must follow the contract of DESIGN.md (one object, or an array of them
for several profiles) with summary counts that match the findings.  JUnit XML
must keep to the rules of the common JUnit schema (Jenkins/Ant junit-10.xsd:
element nesting, required and allowed attributes, time format) and its
tests/failures/errors/skipped counts must match its testcases.  GitHub
output must be workflow commands plus summary lines that unescape to the
same findings (a file the JSON names by an absolute path may be named relative
to the checkout).  When FOO.json sits next to FOO.xml or FOO.github, the files
are checked against each other.  Exits 1 and names each problem on failure.
"""

import json
import os
import re
import sys
import xml.etree.ElementTree as ET

problems = []


def problem(where, what):
    problems.append(f"{where}: {what}")


def expect(cond, where, what):
    if not cond:
        problem(where, what)
    return cond


# ---- JSON ----

FINDING_KEYS = {"id", "check", "severity", "message", "hint", "file", "line"}


def check_json_report(where, rep):
    if not expect(isinstance(rep, dict), where, "a report is not an object"):
        return
    expect(set(rep) == {"profile", "ok", "summary", "findings"}, where,
           f"report keys are {sorted(rep)}")
    expect(isinstance(rep.get("profile"), str), where, "profile is not a string")
    expect(isinstance(rep.get("ok"), bool), where, "ok is not a boolean")
    summary = rep.get("summary", {})
    expect(set(summary) == {"error", "warning"}, where, f"summary keys are {sorted(summary)}")
    counts = {"error": 0, "warning": 0, "note": 0}
    for i, f in enumerate(rep.get("findings", [])):
        w = f"{where}: findings[{i}]"
        if not expect(isinstance(f, dict) and set(f) == FINDING_KEYS, w,
                      f"finding keys are {sorted(f) if isinstance(f, dict) else f}"):
            continue
        expect(isinstance(f["id"], str) and f["id"], w, "id is not a non-empty string")
        expect(f["check"] == f["id"].split(".")[0], w, "check is not the id's family")
        expect(f["severity"] in counts, w, f"severity {f['severity']!r}")
        counts[f.get("severity")] = counts.get(f.get("severity"), 0) + 1
        expect(isinstance(f["message"], str) and f["message"], w, "message is empty")
        expect(f["hint"] is None or isinstance(f["hint"], str), w, "hint")
        expect(f["file"] is None or isinstance(f["file"], str), w, "file")
        expect(f["line"] is None or (isinstance(f["line"], int) and f["line"] > 0), w,
               "line is neither null nor a positive integer")
        expect(f["file"] is not None or f["line"] is None, w, "a line without a file")
    expect(summary.get("error") == counts["error"], where, "summary.error does not match")
    expect(summary.get("warning") == counts["warning"], where, "summary.warning does not match")
    if counts["error"]:
        expect(rep.get("ok") is False, where, "ok with errors")
    elif not counts["warning"]:
        expect(rep.get("ok") is True, where, "not ok without errors or warnings")


def load_json(path):
    with open(path, "rb") as fh:
        data = json.loads(fh.read().decode("utf-8"))  # strict UTF-8, strict JSON
    reports = data if isinstance(data, list) else [data]
    expect(not isinstance(data, list) or len(data) > 1, path,
           "an array for a single profile (one profile gives a bare object)")
    for i, rep in enumerate(reports):
        check_json_report(f"{path}: report {i}", rep)
    return reports


# ---- JUnit XML ----

TIME = re.compile(r"^(([0-9]{0,3},)*[0-9]{3}|[0-9]{0,3})*(\.[0-9]*)?$")
SUITES_ATTRS = {"name", "time", "tests", "failures", "errors"}
SUITE_REQUIRED = {"name", "tests", "failures", "errors"}
SUITE_ATTRS = SUITE_REQUIRED | {"group", "time", "skipped", "timestamp", "hostname", "id",
                                "package", "file", "log", "url"}
SUITE_CHILDREN = {"testsuite", "properties", "testcase", "system-out", "system-err"}
CASE_ATTRS = {"name", "time", "classname", "group"}
CASE_CHILDREN = {"skipped", "error", "failure", "rerunFailure", "rerunError", "flakyFailure",
                 "flakyError", "system-out", "system-err"}
RESULT_ATTRS = {"type", "message"}


def check_attrs(where, el, allowed, required=()):
    extra = set(el.attrib) - allowed
    expect(not extra, where, f"<{el.tag}> has attributes the schema forbids: {sorted(extra)}")
    missing = set(required) - set(el.attrib)
    expect(not missing, where, f"<{el.tag}> lacks required attributes {sorted(missing)}")
    if "time" in el.attrib and el.tag != "testcase":
        expect(TIME.match(el.attrib["time"]), where, f"time {el.attrib['time']!r}")


def count_attr(where, el, name):
    try:
        return int(el.attrib[name])
    except (KeyError, ValueError):
        problem(where, f"<{el.tag}> {name}={el.attrib.get(name)!r} is not a count")
        return -1


def check_suite(where, suite):
    check_attrs(where, suite, SUITE_ATTRS, SUITE_REQUIRED)
    name = suite.attrib.get("name", "")
    cases = []
    for child in suite:
        expect(child.tag in SUITE_CHILDREN, where, f"<{child.tag}> inside <testsuite>")
        if child.tag != "testcase":
            continue
        w = f"{where}: testcase {child.attrib.get('name')!r}"
        check_attrs(w, child, CASE_ATTRS, {"name"})
        case_id = child.attrib.get("name", "")
        expect(child.attrib.get("classname") == f"{name}.{case_id.split('.')[0]}", w,
               f"classname {child.attrib.get('classname')!r}")
        kinds = [c.tag for c in child]
        for c in child:
            expect(c.tag in CASE_CHILDREN, w, f"<{c.tag}> inside <testcase>")
            if c.tag in ("failure", "error", "skipped"):
                check_attrs(w, c, RESULT_ATTRS)
                expect(len(list(c)) == 0, w, f"<{c.tag}> has child elements")
            if c.tag == "failure":
                expect(c.attrib.get("message") and (c.text or "").strip(), w,
                       "a failure without a message and a text")
        expect(kinds.count("failure") <= 1, w, "more than one <failure>")
        expect(not ("skipped" in kinds and "failure" in kinds), w, "skipped and failed")
        cases.append((case_id, kinds))
    ids = [c[0] for c in cases]
    expect(len(ids) == len(set(ids)), where, "a check id has two testcases")
    tests = len(cases)
    failures = sum(1 for _, k in cases if "failure" in k)
    errors = sum(1 for _, k in cases if "error" in k)
    skipped = sum(1 for _, k in cases if "skipped" in k)
    expect(count_attr(where, suite, "tests") == tests, where, f"tests is not {tests}")
    expect(count_attr(where, suite, "failures") == failures, where, f"failures is not {failures}")
    expect(count_attr(where, suite, "errors") == errors, where, f"errors is not {errors}")
    expect(count_attr(where, suite, "skipped") == skipped, where, f"skipped is not {skipped}")
    return {"name": name, "tests": tests, "failures": failures, "errors": errors,
            "failing": {i for i, k in cases if "failure" in k}, "ids": set(ids)}


def load_junit(path):
    with open(path, "rb") as fh:
        raw = fh.read()
    raw.decode("utf-8")  # must be valid UTF-8 as declared
    root = ET.fromstring(raw)
    suites = []
    if not expect(root.tag == "testsuites", path, f"root element <{root.tag}>"):
        return suites
    check_attrs(path, root, SUITES_ATTRS)
    for child in root:
        if expect(child.tag == "testsuite", path, f"<{child.tag}> inside <testsuites>"):
            suites.append(check_suite(f"{path}: testsuite {child.attrib.get('name')!r}", child))
    for key in ("tests", "failures", "errors"):
        total = sum(s[key] for s in suites)
        expect(count_attr(path, root, key) == total, path, f"testsuites {key} is not {total}")
    return suites


# ---- GitHub workflow commands ----

COMMAND = re.compile(r"^::(error|warning|notice) ([^:]*)::(.*)$")
SUMMARY_PREFIX = "deploy-run check: "
SEVERITY = {"error": "error", "warning": "warning", "notice": "note"}


def unescape(s, prop):
    pairs = [("%0D", "\r"), ("%0A", "\n")]
    if prop:
        pairs += [("%3A", ":"), ("%2C", ",")]
    for a, b in pairs:
        s = s.replace(a, b)
    return s.replace("%25", "%")


def load_github(path):
    """Returns one list of findings per profile, each as a dict like the JSON ones."""
    with open(path, "rb") as fh:
        text = fh.read().decode("utf-8")
    expect(text.endswith("\n"), path, "no final newline")
    blocks, current = [], []
    for n, line in enumerate(text.split("\n")[:-1], 1):
        where = f"{path}:{n}"
        if line.startswith(SUMMARY_PREFIX):
            blocks.append({"summary": line[len(SUMMARY_PREFIX):], "findings": current})
            current = []
            continue
        m = COMMAND.match(line)
        if not expect(m, where, "neither a workflow command nor a summary line"):
            continue
        props = {}
        for item in m.group(2).split(","):
            key, eq, value = item.partition("=")
            expect(eq and key in {"file", "line", "col", "title", "endLine", "endColumn"},
                   where, f"property {item!r}")
            props[key] = unescape(value, True)
        for key in ("line", "col"):
            expect(key not in props or props[key].isdigit(), where, f"{key} is not a number")
        expect("col" not in props or "line" in props, where, "a column without a line")
        expect("line" not in props or "file" in props, where, "a line without a file")
        expect("title" in props, where, "no title")
        message, _, hint = unescape(m.group(3), False).partition("\nhint: ")
        current.append({"severity": SEVERITY[m.group(1)], "title": props.get("title"),
                        "file": props.get("file"),
                        "line": int(props["line"]) if "line" in props else None,
                        "message": message, "hint": hint or None})
    expect(not current, path, "findings after the last summary line")
    return blocks


def for_log(s):
    """What the github renderer makes of a string: controls but tab, CR, LF become '?'."""
    if s is None:
        return None
    return "".join("?" if (ord(c) < 0x20 and c not in "\t\r\n") or 0x7f <= ord(c) <= 0x9f
                   else c for c in s)


# ---- cross-checks ----

def cross_junit(path, reports, suites):
    if not expect(len(reports) == len(suites), path, "not one testsuite per JSON report"):
        return
    for rep, suite in zip(reports, suites):
        where = f"{path}: testsuite {suite['name']!r}"
        expect(suite["name"] == rep["profile"], where, "name is not the JSON profile")
        errors = {f["id"] for f in rep["findings"] if f["severity"] == "error"}
        warnings = {f["id"] for f in rep["findings"] if f["severity"] == "warning"}
        expect(errors <= suite["failing"], where, "an id with errors does not fail")
        expect({f["id"] for f in rep["findings"]} <= suite["ids"], where, "an id is missing")
        strict = not rep["ok"] and not errors
        if strict:
            expect(warnings <= suite["failing"], where, "strict, yet a warning id passes")
        expect(suite["failing"] <= errors | warnings, where, "a testcase fails without cause")
        expect(bool(suite["failures"]) == (not rep["ok"]), where, "failures disagree with ok")


def cross_github(path, reports, blocks):
    if not expect(len(reports) == len(blocks), path, "not one summary line per JSON report"):
        return
    for rep, block in zip(reports, blocks):
        where = f"{path}: profile {rep['profile']!r}"
        expect(block["summary"].startswith(for_log(rep["profile"]).replace("\n", "?") + ": "),
               where, "summary line does not name the profile")
        got, want = block["findings"], rep["findings"]
        if not expect(len(got) == len(want), where, "not one command per finding"):
            continue
        for g, w in zip(got, want):
            expect(g["severity"] == w["severity"], where, f"severity of {w['id']}")
            expect(g["title"] == f"{for_log(rep['profile'])}: {w['id']}", where,
                   f"title {g['title']!r}")
            # github names a file inside the checkout relative to it
            wf = for_log(w["file"])
            expect(g["file"] == wf or (g["file"] is not None and wf is not None and
                                       wf.startswith("/") and wf.endswith("/" + g["file"])),
                   where, f"file of {w['id']}")
            expect(g["line"] == (w["line"] if w["file"] else None), where, f"line of {w['id']}")
            expect(g["message"] == for_log(w["message"]), where, f"message of {w['id']}")
            expect(g["hint"] == for_log(w["hint"]), where, f"hint of {w['id']}")


def main(argv):
    paths = []
    for arg in argv[1:]:
        if os.path.isdir(arg):
            paths += [os.path.join(arg, f) for f in sorted(os.listdir(arg))
                      if f.endswith((".json", ".xml", ".github"))]
        else:
            paths.append(arg)
    if not paths:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    loaded = {}
    for path in paths:
        stem, ext = os.path.splitext(path)
        try:
            if ext == ".json":
                loaded.setdefault(stem, {})["json"] = load_json(path)
            elif ext == ".xml":
                loaded.setdefault(stem, {})["xml"] = load_junit(path)
            elif ext == ".github":
                loaded.setdefault(stem, {})["github"] = load_github(path)
            else:
                problem(path, "unknown extension")
        except (ValueError, ET.ParseError) as e:  # JSON, UTF-8 and XML errors
            problem(path, f"does not parse: {e}")
    for stem, kinds in loaded.items():
        if "json" in kinds and "xml" in kinds:
            cross_junit(stem + ".xml", kinds["json"], kinds["xml"])
        if "json" in kinds and "github" in kinds:
            cross_github(stem + ".github", kinds["json"], kinds["github"])
    for p in problems:
        print(p, file=sys.stderr)
    print(f"{len(paths)} files, {len(problems)} problems", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
