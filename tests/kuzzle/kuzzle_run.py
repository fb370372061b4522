"""Starting and stopping Redis and Kuzzle for ``serve``: on 127.0.0.1, or (``--nodes``) on the addresses of
the cluster network of cluster_net.py."""

import contextlib
import ctypes
import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

from kuzzle_install import SetupError, log, tail

HOST = '127.0.0.1'
KUZZLE_STOP_TIMEOUT = 30
_PR_SET_PDEATHSIG = 1
try:
    _PRCTL = ctypes.CDLL(None, use_errno=True).prctl  # resolved now: nothing is loaded after fork
except (OSError, AttributeError):
    _PRCTL = None


def _die_with_parent():
    """In the child: get SIGKILL if serve itself is killed, so nothing is left behind."""
    if _PRCTL is not None:
        _PRCTL(_PR_SET_PDEATHSIG, signal.SIGKILL)


def free_port(host=HOST):
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def check_port_free(port):
    with socket.socket() as sock:
        try:
            sock.bind((HOST, port))
        except OSError as exc:
            raise SetupError(f'port {port} on {HOST} is not free: {exc}') from exc


def _popen(cmd, log_path, enter=None, **kwargs):
    """``enter``: called in the child before exec (cluster_net moves a Kuzzle node into its namespace)."""
    def prepare():
        _die_with_parent()
        if enter:
            enter()
    with open(log_path, 'w', encoding='utf-8') as out:
        # New session: a Ctrl-C in the terminal reaches serve only, which then stops Kuzzle
        # before Redis and the stand-in, in that order.
        return subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,  # pylint: disable=consider-using-with
                                start_new_session=True, preexec_fn=prepare, **kwargs)


def start_redis(redis_server, run_dir, log_path, deadline, host=HOST):
    """An empty, non-persistent Redis on a free port of ``host``; returns (process, port)."""
    port = free_port(host)
    proc = _popen([redis_server, '--bind', host, '--port', str(port), '--save', '', '--appendonly', 'no',
                   '--daemonize', 'no', '--dir', run_dir,
                   # protected mode refuses every client but loopback ones; serve --nodes binds the
                   # cluster bridge, which only the host and the nodes' namespaces can reach
                   '--protected-mode', 'yes' if host == HOST else 'no'], log_path)
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SetupError(f'redis-server exited with code {proc.returncode}. Log: {log_path}\n{tail(log_path)}')
        with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=1) as sock:
            sock.sendall(b'PING\r\n')
            if sock.recv(64).startswith(b'+PONG'):
                return proc, port
        time.sleep(0.05)
    stop(proc, 'redis', 5)
    raise SetupError(f'redis-server did not answer PING on port {port}. Log: {log_path}\n{tail(log_path)}')


def write_kuzzlerc(run_dir, port, redis_port, es_url, redis_host=HOST, cluster=None):
    """Kuzzle reads its configuration with rc("kuzzle"): .kuzzlerc in its working directory.

    ``cluster``: None for a single node, else the ``cluster`` settings of a node of serve --nodes."""
    redis = {'node': {'host': redis_host, 'port': redis_port}}
    config = {
        'server': {'port': port},
        'services': {'internalCache': redis, 'memoryStorage': redis,
                     'storageEngine': {'majorVersion': '7', 'client': {'node': es_url}}},
        'cluster': dict(cluster, enabled=True) if cluster else {'enabled': False},  # single node: ZeroMQ opens no port
        'stats': {'enabled': False},
    }
    with open(os.path.join(run_dir, '.kuzzlerc'), 'w', encoding='utf-8') as handle:
        json.dump(config, handle, indent=2)


def start_kuzzle(install_dir, run_dir, log_path, listen_host=None, enter=None):
    """``listen_host``: the address our uWS wrapper binds instead of 127.0.0.1 (a node's address in its
    namespace); ``enter``: see _popen."""
    # kuzzle_* variables would override .kuzzlerc (rc gives the environment precedence).
    env = {k: v for k, v in os.environ.items() if not k.lower().startswith('kuzzle_') and k != 'UWS_LISTEN_HOST'}
    if listen_host:
        env['UWS_LISTEN_HOST'] = listen_host
    env['NODE_ENV'] = 'production'  # as in the official image: no stack traces in errors
    script = os.path.join(install_dir, 'node_modules', 'kuzzle', 'dist', 'bin', 'start-kuzzle-server')
    command = ['node', script]
    if enter:
        # A cluster node forks a process of its own (the ID-card renewer), which would outlive a node
        # killed with SIGKILL. As the first process of a PID namespace, the node takes it along: the
        # kernel kills a namespace's processes when its first one dies, and unshare --kill-child
        # kills the node when unshare dies (which dies with serve, see _die_with_parent).
        command = ['unshare', '--pid', '--kill-child', '--'] + command
    return _popen(command, log_path, enter=enter, cwd=run_dir, env=env)


def wait_healthy(url, proc, log_path, deadline):
    """Poll GET /_healthcheck until it answers 200; fail fast if Kuzzle dies."""
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SetupError(f'Kuzzle exited with code {proc.returncode} while starting. '
                             f'Log: {log_path}\n{tail(log_path)}')
        try:
            with urllib.request.urlopen(url + '/_healthcheck', timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise SetupError(f'Kuzzle did not answer {url}/_healthcheck in time. Log: {log_path}\n{tail(log_path)}')


def signal_group(proc, signum=signal.SIGTERM):
    """Signal the process group of ``proc`` if it still runs (stop() waits; this does not)."""
    if proc is not None and proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signum)


def stop(proc, name, timeout):
    """SIGTERM the process group, wait, then SIGKILL it; safe to call twice."""
    if proc is None:
        return
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            log(f'{name} did not stop within {timeout} s after SIGTERM: killing it')
    # Whatever the leader did, leave none of its group behind.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
