#!/usr/bin/env python3
"""The man pages render without a warning and keep up with the programs.

    man_test.py BRAIDD BRAID_CLIENT MAN_DIR

- groff reads each gzipped page (as installed) with every warning on, and says
  nothing;
- every option `braidd --help` lists is in braidd(8), and every subcommand of
  `braid-client --help` with every option of its own --help is in
  braid-client(1), so a new option without its documentation fails here;
- the version in each page's header is the programs' version.
"""

import gzip
import os
import re
import subprocess
import sys


def run(argv):
    return subprocess.run(argv, capture_output=True, text=True, timeout=60)


def page_text(man_dir, section, name):
    with gzip.open(os.path.join(man_dir, "man%d" % section, "%s.%d.gz" % (name, section)), "rt") as f:
        return f.read()


def options_of(help_text):
    """Long options of a CLI11 help text, --help aside."""
    return sorted(set(re.findall(r"^\s+(?:-\w,)?(--[a-z][a-z-]*)", help_text, re.M)) - {"--help"})


def subcommands_of(help_text):
    section = help_text.split("Subcommands:", 1)[1]
    return re.findall(r"^  ([a-z]+)\s", section, re.M)


def roff_escaped(option):
    return option.replace("-", "\\-")


def main(argv):
    braidd, client, man_dir = argv[1:4]
    failures = []

    for section, name in ((8, "braidd"), (1, "braid-client")):
        path = os.path.join(man_dir, "man%d" % section, "%s.%d.gz" % (name, section))
        result = subprocess.run(["groff", "-man", "-ww", "-z", "-Tutf8"], input=page_text(man_dir, section, name),
                                capture_output=True, text=True, timeout=60)
        if result.returncode != 0 or result.stderr:
            failures.append("%s: groff warns: %s" % (path, result.stderr.strip()))

    version = run([braidd, "--version"]).stdout.split()[-1]
    for section, name in ((8, "braidd"), (1, "braid-client")):
        header = page_text(man_dir, section, name).split("\n", 1)[0]
        if not header.startswith(".TH") or version not in header:
            failures.append("%s(%d): header %r does not carry version %s" % (name, section, header, version))

    braidd_page = page_text(man_dir, 8, "braidd")
    braidd_options = options_of(run([braidd, "--help"]).stdout)
    if len(braidd_options) < 6:
        failures.append("found only %s in braidd --help" % braidd_options)
    for option in braidd_options:
        if roff_escaped(option) not in braidd_page:
            failures.append("braidd(8) does not document %s" % option)

    client_page = page_text(man_dir, 1, "braid-client")
    subcommands = subcommands_of(run([client, "--help"]).stdout)
    if len(subcommands) < 5:
        failures.append("found only %s in braid-client --help" % subcommands)
    for sub in subcommands:
        if not re.search(r"^\.B(I|R)? %s\b" % sub, client_page, re.M):
            failures.append("braid-client(1) has no entry for the command %s" % sub)
        for option in options_of(run([client, sub, "--help"]).stdout):
            if roff_escaped(option) not in client_page:
                failures.append("braid-client(1) does not document %s %s" % (sub, option))

    for failure in failures:
        print("FAIL:", failure)
    if failures:
        return 1
    print("man pages OK: braidd %s, braid-client %s" % (", ".join(braidd_options), ", ".join(subcommands)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
