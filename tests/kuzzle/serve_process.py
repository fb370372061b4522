"""Starting ``tests/kuzzle/serve`` from Python, and stopping it: for the pytest fixture and the benchmarks.

Standard library only: the benchmarks run without pytest.
"""

import os
import queue
import signal
import subprocess
import threading
import time

from kuzzle_install import tail
from kuzzle_run import HOST, free_port

SERVE = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'serve')
# Generous: the first run of serve on a machine installs Kuzzle (minutes).
START_TIMEOUT = float(os.environ.get('KUZZLE_SERVE_TIMEOUT', '1800'))


def start_serve(directory, write_log=True, new_session=False, nodes=0):
    """Start ``serve`` on a free port; return (process, url, write log path or None).

    ``nodes``: start ``serve --nodes N`` (a cluster behind a round-robin proxy at ``url``); the nodes'
    own URLs are then in ``process.node_urls`` (an empty list for a single Kuzzle).

    serve's stderr goes to ``directory/serve.stderr`` and is shown if it fails to start; its write log
    (with ``write_log``) to ``directory/writes.jsonl``. ``new_session``: serve gets its own session,
    so that a Ctrl-C in the terminal reaches only the caller, which then stops serve itself.
    """
    port = free_port()
    log_path = os.path.join(directory, 'writes.jsonl') if write_log else None
    stderr_path = os.path.join(directory, 'serve.stderr')
    command = [SERVE, '--port', str(port)] + (['--write-log', log_path] if log_path else [])
    command += ['--nodes', str(nodes)] if nodes else []
    with open(stderr_path, 'w', encoding='utf-8') as stderr:
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr,  # pylint: disable=consider-using-with
                                stdin=subprocess.DEVNULL, text=True, start_new_session=new_session)
    url = f'http://{HOST}:{port}'
    expected = f'listening on {url}'
    lines = queue.Queue()
    # serve's children do not inherit its stdout: readline() returns '' as soon as serve exits.
    # serve --nodes first prints "node I URL" for each node, then the line we wait for.
    threading.Thread(target=_read_until, args=(proc.stdout, lines, expected), daemon=True).start()
    nodes_seen = []
    line = ''
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            line = lines.get(timeout=max(0.0, deadline - time.monotonic())).strip()
        except queue.Empty:
            line = ''
        if not line.startswith('node '):
            break
        nodes_seen.append(line.split()[2])
    proc.node_urls = nodes_seen
    if line != expected or len(nodes_seen) != nodes:
        stop_serve(proc)
        raise RuntimeError(f'tests/kuzzle/serve did not start (expected "{expected}", got {line.strip()!r}).\n'
                           f'stderr ({stderr_path}):\n{tail(stderr_path, 60)}')
    return proc, url, log_path


def _read_until(stream, lines, last):
    while True:
        line = stream.readline()
        lines.put(line)
        if not line or line.strip() == last:
            return


def stop_serve(proc, timeout=90):
    """SIGTERM serve (it stops Kuzzle, the stand-in and Redis) and wait for it; its exit code."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    if proc.stdout:
        proc.stdout.close()
    return proc.returncode
