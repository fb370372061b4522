"""What the cross-node tests share: polling a node until it has caught up, and printing how it went."""

import time

CONVERGE = 5.0  # seconds: a bound far above what was seen (milliseconds), still a failure if a cache never catches up
TRIES = 30


def converge(read, expected):
    """Poll ``read()`` until it equals ``expected``: (stale on the first read, seconds it took)."""
    started = time.monotonic()
    value = first = read()
    while value != expected:
        assert time.monotonic() - started < CONVERGE, f'still {value!r} after {CONVERGE} s, expected {expected!r}'
        time.sleep(0.01)
        value = read()
    return first != expected, time.monotonic() - started


def report(capsys, what, stale, seconds, early='first read stale'):
    """Print, past pytest's capture, how often the first read was stale and the slowest convergence."""
    with capsys.disabled():
        print(f'\n    [cross-node] {what}: {early} {stale}/{TRIES}, slowest convergence {max(seconds) * 1000:.0f} ms')
