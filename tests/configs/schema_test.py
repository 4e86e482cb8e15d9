#!/usr/bin/env python3
"""Keeps config/braid.schema.json and braidd's loader from drifting apart.

    schema_test.py BRAIDD SOURCE_DIR

- The schema is a valid draft 2020-12 schema.
- Every shipped config (config/*.json) and every tests/configs/good/*.json
  passes the schema (braidd --check accepting them is checked separately).
- Every tests/configs/bad/*.json is marked in its .expect file:
    schema: reject    bad for a reason a schema can express (unknown key, wrong
                      type, range, enum, required key): the schema must reject it
    schema: accept    bad only for reasons a schema cannot see (duplicate names,
                      clashing addresses, endpoint details, unregistered
                      protocols): the schema must accept it
    schema: not-json  not JSON at all
- The schema's limit keys and the stock protocols' options and transports
  match what braidd reports (--list-protocols, config error messages).
"""

import glob
import json
import os
import re
import subprocess
import sys

import jsonschema


class Failures(list):
    def check(self, condition, message):
        if not condition:
            self.append(message)


def schema_marker(expect_path):
    with open(expect_path) as f:
        for line in f:
            if line.startswith("schema:"):
                return line.split(":", 1)[1].strip()
    return None


def protocol_sections(text):
    sections = {}
    for block in text.strip().split("\n\n"):
        lines = block.split("\n")
        options = [m.group(1) for m in (re.match(r"^    (\S+) \(", l) for l in lines) if m]
        transports = next(l.split(": ", 1)[1].split(", ") for l in lines if l.startswith("  transports: "))
        sections[lines[0]] = {"options": set(options), "transports": set(transports)}
    return sections


def main(argv):
    braidd, source = argv[1], argv[2]
    failures = Failures()
    with open(os.path.join(source, "config", "braid.schema.json")) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)

    def errors_of(path):
        with open(path) as f:
            doc = json.load(f)
        return ["%s: %s" % ("/" + "/".join(str(p) for p in e.absolute_path), e.message)
                for e in validator.iter_errors(doc)]

    shipped = [p for p in glob.glob(os.path.join(source, "config", "*.json")) if not p.endswith(".schema.json")]
    good = glob.glob(os.path.join(source, "tests", "configs", "good", "*.json"))
    failures.check(shipped, "no shipped configs found")
    failures.check(good, "no good configs found")
    for path in shipped + good:
        problems = errors_of(path)
        failures.check(not problems, "%s should pass the schema: %s" % (path, problems))

    bad = sorted(glob.glob(os.path.join(source, "tests", "configs", "bad", "*.json")))
    failures.check(len(bad) >= 15, "only %d bad configs" % len(bad))
    counts = {}
    for path in bad:
        expect = path[:-len(".json")] + ".expect"
        if not os.path.exists(expect):
            failures.append("%s has no .expect file" % path)
            continue
        marker = schema_marker(expect)
        counts[marker] = counts.get(marker, 0) + 1
        if marker == "not-json":
            try:
                with open(path) as f:
                    json.load(f)
                failures.append("%s is marked not-json but parses" % path)
            except ValueError:
                pass
        elif marker == "reject":
            failures.check(errors_of(path), "%s is marked 'schema: reject' but the schema accepts it" % path)
        elif marker == "accept":
            problems = errors_of(path)
            failures.check(not problems, "%s is marked 'schema: accept' but the schema rejects it: %s"
                           % (path, problems))
        else:
            failures.append("%s: the .expect file needs a 'schema: reject|accept|not-json' line" % expect)

    # Limit keys: the schema's and the loader's (its unknown-key message lists them).
    defaults_schema = schema["properties"]["defaults"]["properties"]
    probe = os.path.join(os.environ.get("TMPDIR", "/tmp"), "braid-schema-probe-%d.json" % os.getpid())
    with open(probe, "w") as f:
        json.dump({"defaults": {"zzzzzzzzzzzzzzzz": 1}, "services": []}, f)
    try:
        out = subprocess.run([braidd, "--check", "--config", probe], capture_output=True, text=True, timeout=60)
    finally:
        os.remove(probe)
    listed = re.search(r"expected one of: (.*)$", out.stderr, re.M)
    failures.check(listed, "braidd did not list the limit keys: %s" % out.stderr)
    if listed:
        failures.check(set(listed.group(1).split(", ")) == set(defaults_schema),
                       "limit keys differ: braidd %s, schema %s" % (listed.group(1), sorted(defaults_schema)))
    service_schema = schema["$defs"]["service"]["properties"]
    failures.check(set(defaults_schema) <= set(service_schema), "a limit key is missing from the service schema")

    # The stock protocols' options and transports, as braidd registers them.
    out = subprocess.run([braidd, "--list-protocols"], capture_output=True, text=True, timeout=60)
    sections = protocol_sections(out.stdout)
    option_defs = {"daytime": "daytime_options", "thanks": "thanks_options", "udp_broadcast": "udp_broadcast_options",
                   "metrics": "metrics_options"}
    for name in ("echo", "upper", "daytime", "thanks", "udp_broadcast", "metrics"):
        failures.check(name in sections, "braidd does not register %s" % name)
        if name not in sections:
            continue
        in_schema = set(schema["$defs"][option_defs[name]]["properties"]) if name in option_defs else set()
        failures.check(sections[name]["options"] == in_schema, "%s options: braidd %s, schema %s"
                       % (name, sorted(sections[name]["options"]), sorted(in_schema)))
    transport_rules = {"thanks": "^(tcp|tcp6|unix|systemd):", "udp_broadcast": "^(udp|udp6|systemd):",
                       "metrics": "^(tcp|tcp6|unix|systemd):"}
    for name, pattern in transport_rules.items():
        if name in sections:
            allowed = {"tcp", "unix"} if "tcp" in pattern else {"udp"}
            failures.check(sections[name]["transports"] == allowed, "%s transports: braidd %s, schema %s"
                           % (name, sorted(sections[name]["transports"]), sorted(allowed)))

    if failures:
        for f in failures:
            print("FAIL:", f)
        return 1
    print("schema OK: %d shipped, %d good, %d bad configs (%s)"
          % (len(shipped), len(good), len(bad), ", ".join("%s %d" % kv for kv in sorted(counts.items()))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
