#!/usr/bin/env python3
"""Runs `braidd --check --config CONFIG` and checks the outcome.

    check_config.py BRAIDD CONFIG            a good config: exit 0
    check_config.py BRAIDD CONFIG EXPECT     a bad config: exit 2, and every line of
                                             EXPECT (except '#' comments and the
                                             'schema:' marker) appears in the output
"""

import subprocess
import sys


def expected_lines(path):
    with open(path) as f:
        lines = [line.rstrip("\n") for line in f]
    return [line for line in lines if line.strip() and not line.startswith("#") and not line.startswith("schema:")]


def main(argv):
    if len(argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        return 2
    braidd, config = argv[1], argv[2]
    result = subprocess.run([braidd, "--check", "--config", config], capture_output=True, text=True, timeout=60)
    output = result.stdout + result.stderr
    failures = []
    if len(argv) == 3:
        if result.returncode != 0:
            failures.append("expected exit status 0, got %d" % result.returncode)
    else:
        if result.returncode != 2:
            failures.append("expected exit status 2, got %d" % result.returncode)
        wanted = expected_lines(argv[3])
        if not wanted:
            failures.append("%s lists no expected text" % argv[3])
        for text in wanted:
            if text not in output:
                failures.append("missing from the output: %s" % text)
    if failures:
        print("braidd --check --config %s\n--- output ---\n%s--- problems ---" % (config, output))
        for f in failures:
            print(f)
        return 1
    print(output, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
