"""The harness itself: serve listens on loopback only and leaves nothing behind."""

import os
import socket
import subprocess
import sys
import time

import pytest

import pytest_kuzzle


def _children(pid):
    """Every descendant of ``pid``, from /proc."""
    parents = {}
    for entry in os.listdir('/proc'):
        if entry.isdigit():
            try:
                with open(f'/proc/{entry}/stat', encoding='utf-8') as handle:
                    parents[int(entry)] = int(handle.read().rsplit(')', 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    found, todo = set(), [pid]
    while todo:
        current = todo.pop()
        kids = [p for p, parent in parents.items() if parent == current]
        found.update(kids)
        todo.extend(kids)
    return found


def _socket_inodes(pids):
    inodes = set()
    for pid in pids:
        try:
            for fd in os.listdir(f'/proc/{pid}/fd'):
                target = os.readlink(f'/proc/{pid}/fd/{fd}')
                if target.startswith('socket:['):
                    inodes.add(target[8:-1])
        except OSError:
            continue
    return inodes


def _address(hex_ip):
    raw = bytes.fromhex(hex_ip)
    # /proc/net shows the address as 32-bit words in host (little-endian) order.
    words = b''.join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
    return socket.inet_ntop(socket.AF_INET if len(raw) == 4 else socket.AF_INET6, words)


def _tcp_listeners():
    """{inode: (address, port)} of every listening TCP socket on the machine."""
    out = {}
    for table in ('/proc/net/tcp', '/proc/net/tcp6'):
        with open(table, encoding='utf-8') as handle:
            for line in handle.readlines()[1:]:
                fields = line.split()
                if fields[3] == '0A':  # TCP_LISTEN
                    hex_ip, hex_port = fields[1].split(':')
                    out[fields[9]] = (_address(hex_ip), int(hex_port, 16))
    return out


@pytest.fixture(scope='module')
def served(tmp_path_factory):
    """serve started and then stopped; what was seen while it ran."""
    directory = str(tmp_path_factory.mktemp('serve'))
    proc, url, write_log = pytest_kuzzle.start_serve(directory)
    pids = _children(proc.pid) | {proc.pid}
    listeners = _tcp_listeners()
    ours = {listeners[i] for i in _socket_inodes(pids) if i in listeners}
    run_dirs = {os.readlink(f'/proc/{pid}/cwd') for pid in pids if os.path.exists(f'/proc/{pid}/cwd')}
    with open(write_log, encoding='utf-8') as handle:
        writes = handle.read().splitlines()
    started = time.monotonic()
    code = pytest_kuzzle.stop_serve(proc)
    return {'url': url, 'pids': pids, 'listeners': ours, 'code': code, 'stop_seconds': time.monotonic() - started,
            'run_dirs': run_dirs - {os.getcwd()}, 'writes': writes}


def test_listens_on_loopback_only(served):
    port = int(served['url'].rsplit(':', 1)[1])
    assert len(served['pids']) >= 3  # serve (with the stand-in), Redis, Kuzzle
    assert ('127.0.0.1', port) in served['listeners']
    assert len(served['listeners']) >= 3  # Kuzzle, Redis, the stand-in
    assert {address for address, _port in served['listeners']} == {'127.0.0.1'}


def test_stops_cleanly_and_leaves_nothing(served):
    assert served['code'] == 0
    assert served['stop_seconds'] < 60
    time.sleep(0.5)
    assert [pid for pid in served['pids'] if os.path.exists(f'/proc/{pid}')] == []
    still = {addr for addr in _tcp_listeners().values() if addr in served['listeners']}
    assert still == set()
    assert served['run_dirs'] and not any(os.path.exists(d) for d in served['run_dirs'])


def test_write_log_records_the_bootstrap(served):
    assert any('"%kuzzle.profiles"' in line and '"admin"' in line for line in served['writes'])


def _run_serve(args, env=None, timeout=60):
    return subprocess.run([pytest_kuzzle.SERVE] + args, capture_output=True, text=True, timeout=timeout, env=env, check=False)


def test_port_in_use_is_a_clear_error():
    with socket.socket() as busy:
        busy.bind(('127.0.0.1', 0))
        busy.listen()
        result = _run_serve(['--port', str(busy.getsockname()[1])])
    assert result.returncode == 1 and result.stdout == ''
    assert 'is not free' in result.stderr


def test_missing_node_is_a_clear_error(tmp_path):
    (tmp_path / 'python3').symlink_to(sys.executable)
    result = _run_serve(['--port', '1'], env={'PATH': str(tmp_path), 'HOME': str(tmp_path)})
    assert result.returncode == 1 and result.stdout == ''
    assert 'Node.js 20 is required' in result.stderr


def test_port_is_required():
    result = _run_serve([])
    assert result.returncode == 2 and '--port is required' in result.stderr
