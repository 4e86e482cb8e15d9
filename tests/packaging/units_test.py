#!/usr/bin/env python3
"""`systemd-analyze verify` accepts the shipped units without a word.

    units_test.py BRAIDD SOURCE_DIR MAN_DIR

verify wants ExecStart's binary to exist and the man pages of Documentation=
to open, so the units are verified as copies in a scratch directory with
/usr/bin/braidd rewritten to the built braidd, and with MANPATH at the built
man pages. Any output at all, not only a non-zero status, is a failure: verify
reports a misspelt or misplaced directive as a warning and still exits 0.
Units broken on purpose must fail the same check, so it is known to bite.
"""

import os
import shutil
import subprocess
import sys
import tempfile

UNITS = ("braidd.service", "braidd.socket")

# (what is broken, unit, text replaced, replacement)
BROKEN = [
    ("a misspelt directive", "braidd.service", "NoNewPrivileges=yes", "NoNewPrivilege=yes"),
    ("a bad value", "braidd.service", "Type=notify", "Type=notfy"),
    ("a missing binary", "braidd.service", "ExecStart=@BRAIDD@", "ExecStart=@BRAIDD@.missing"),
    ("a bad listen address", "braidd.socket", "ListenStream=127.0.0.1:7", "ListenStream=127.0.0.1:70000"),
    ("a man page that does not exist", "braidd.socket", "man:braidd(8)", "man:braidd-nope(8)"),
]


def write_units(directory, source, braidd, edit=None):
    paths = []
    for unit in UNITS:
        with open(os.path.join(source, "packaging", "systemd", unit)) as f:
            text = f.read()
        if edit and edit[0] == unit:
            old = edit[1].replace("@BRAIDD@", "/usr/bin/braidd")
            if old not in text:
                raise SystemExit("FAIL: %s no longer contains %r; update the broken variants" % (unit, old))
            text = text.replace(old, edit[2].replace("@BRAIDD@", "/usr/bin/braidd"))
        text = text.replace("/usr/bin/braidd", braidd)
        path = os.path.join(directory, unit)
        with open(path, "w") as f:
            f.write(text)
        paths.append(path)
    return paths


def verify(paths, man_dir):
    env = dict(os.environ, MANPATH=man_dir, SYSTEMD_LOG_COLOR="0", SYSTEMD_PAGER="")
    result = subprocess.run(["systemd-analyze", "verify", *paths], capture_output=True, text=True, env=env,
                            timeout=120)
    return result.returncode, (result.stdout + result.stderr).strip()


def main(argv):
    braidd, source, man_dir = (os.path.abspath(a) for a in argv[1:4])
    if shutil.which("systemd-analyze") is None:
        print("FAIL: systemd-analyze not found (Debian package systemd; tools/install-deps installs it)")
        return 1
    failures = []
    scratch = tempfile.mkdtemp(prefix="braid-units-")
    try:
        status, output = verify(write_units(scratch, source, braidd), man_dir)
        if status != 0 or output:
            failures.append("the shipped units: status %d\n%s" % (status, output))
        else:
            print("ok: the shipped units verify cleanly")
        for what, *edit in BROKEN:
            directory = tempfile.mkdtemp(dir=scratch)
            status, output = verify(write_units(directory, source, braidd, edit), man_dir)
            if status == 0 and not output:
                failures.append("a unit with %s passed verify" % what)
            else:
                print("ok: a unit with %s fails verify: %s" % (what, output.splitlines()[0] if output else status))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    for failure in failures:
        print("FAIL:", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
