"""Measuring a braidd process from the outside: resident memory, CPU time and
open descriptors from /proc, and bounded waits that are not sleeps."""

import os
import select

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def rss_bytes(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS for pid %d" % pid)


def cpu_seconds(pid):
    """User + system CPU time of the process so far."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def open_fds(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def wait_quietly(seconds):
    """Lets `seconds` of wall time pass while measuring; select() on nothing."""
    select.select([], [], [], seconds)


def settled_rss(pid, deadline):
    """braidd's resident size once it has stopped working (no CPU time used
    for 0.5 s), or at the deadline: the highest value seen."""
    highest, cpu = rss_bytes(pid), cpu_seconds(pid)
    while not deadline.expired():
        wait_quietly(0.5)
        highest = max(highest, rss_bytes(pid))
        now = cpu_seconds(pid)
        if now == cpu:
            break
        cpu = now
    return highest
