"""What the chaos suites share: one way to record a check and to pick a free loopback port."""

import socket

FAILURES = []


def check(name, condition, figures):
    """Print one line per check (ok or FAIL with its figures) and remember the failures."""
    print(f"{'ok  ' if condition else 'FAIL'}  {name}: {figures}", flush=True)
    if not condition:
        FAILURES.append(name)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
