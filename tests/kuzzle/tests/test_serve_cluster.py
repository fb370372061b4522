"""serve --nodes 2: the cluster forms, the proxy alternates nodes, nothing is left after SIGTERM or SIGKILL.

Needs root (network namespaces), as serve --nodes does.
"""

import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

import pytest

import pytest_kuzzle
from kuzzle_run import free_port
from test_serve_harness import _children, _run_serve, _socket_inodes, _tcp_listeners

PREFIX = 'kzs'


def _ip(*args):
    return subprocess.run(['ip', *args], capture_output=True, text=True, check=True, timeout=15).stdout


def _namespaces_of(pid):
    return sorted(line.split()[0] for line in _ip('netns', 'list').splitlines() if line.startswith(f'{PREFIX}{pid}-'))


def _links_of(pid):
    return sorted(link['ifname'] for link in json.loads(_ip('-j', 'link', 'show')) if link['ifname'].startswith(f'{PREFIX}{pid}'))


def _leftovers(pid):
    return {'namespaces': _namespaces_of(pid), 'links': _links_of(pid)}


def _get(url):
    with urllib.request.urlopen(url, timeout=10) as answer:
        return answer.headers, json.loads(answer.read())


def _netns_inode(pid):
    return os.stat(f'/proc/{pid}/ns/net').st_ino


@pytest.fixture(scope='module')
def killed(tmp_path_factory):
    """A serve --nodes 2 killed with SIGKILL: what it left behind (cleaned by the next serve's start)."""
    proc, _url, _log = pytest_kuzzle.start_serve(str(tmp_path_factory.mktemp('killed')), nodes=2)
    pids = _children(proc.pid)
    proc.kill()
    proc.wait()
    time.sleep(1)  # the children get SIGKILL from the kernel (PR_SET_PDEATHSIG, and the nodes' PID namespaces)
    return {'pid': proc.pid, 'children_running': [p for p in pids if _running(p)], **_leftovers(proc.pid)}


def _running(pid):
    """Does ``pid`` exist and is it not a zombie? (The orphans of a killed serve are reparented to PID 1,
    which may be slow to reap them, or never do it in a container.)"""
    try:
        with open(f'/proc/{pid}/stat', encoding='utf-8') as handle:
            return handle.read().rsplit(')', 1)[1].split()[0] != 'Z'
    except OSError:
        return False


@pytest.fixture(scope='module')
def cluster(tmp_path_factory, killed):  # pylint: disable=redefined-outer-name,unused-argument
    """serve --nodes 2, started after ``killed``; stopped (SIGTERM) by test_sigterm_leaves_nothing."""
    proc, url, write_log = pytest_kuzzle.start_serve(str(tmp_path_factory.mktemp('cluster')), nodes=2)
    yield {'proc': proc, 'url': url, 'write_log': write_log, 'nodes': proc.node_urls,
           'killed_after_restart': _leftovers(killed['pid'])}
    pytest_kuzzle.stop_serve(proc)


def test_sigkill_leaves_namespaces_that_the_next_start_removes(killed, cluster):  # pylint: disable=redefined-outer-name
    assert killed['children_running'] == []  # Redis, the nodes and their ID-card renewers died with serve
    assert len(killed['namespaces']) == 2 and len(killed['links']) == 3  # two veths and the bridge stayed
    assert cluster['killed_after_restart'] == {'namespaces': [], 'links': []}


def test_cluster_status_reports_both_nodes(cluster):  # pylint: disable=redefined-outer-name
    addresses = sorted(url.split('//')[1].split(':')[0] for url in cluster['nodes'])
    assert len(addresses) == 2
    for url in cluster['nodes'] + [cluster['url']]:
        status = _get(url + '/cluster/_status')[1]['result']
        assert status['activeNodes'] == 2
        assert sorted(node['address'] for node in status['nodes']) == addresses


def test_proxy_alternates_nodes(cluster):  # pylint: disable=redefined-outer-name
    served_by = [_get(cluster['url'] + '/_now')[0]['X-Harness-Node'] for dummy in range(6)]
    assert sorted(set(served_by)) == ['0', '1']
    assert all(a != b for a, b in zip(served_by, served_by[1:])), served_by


def test_each_node_runs_in_its_own_namespace(cluster):  # pylint: disable=redefined-outer-name
    pid = cluster['proc'].pid
    assert _namespaces_of(pid) == [f'{PREFIX}{pid}-0', f'{PREFIX}{pid}-1']
    nodes = [p for p in _children(pid) if _cmdline(p).startswith('node ')]
    assert len(nodes) == 2
    inodes = {_netns_inode(p) for p in nodes}
    assert len(inodes) == 2 and _netns_inode(pid) not in inodes


def test_host_listeners_are_loopback_or_the_cluster_bridge(cluster):  # pylint: disable=redefined-outer-name
    pid = cluster['proc'].pid
    port = int(cluster['url'].rsplit(':', 1)[1])
    listeners = _tcp_listeners()
    ours = {listeners[i] for i in _socket_inodes(_children(pid) | {pid}) if i in listeners}
    bridge = cluster['nodes'][0].split('//')[1].rsplit('.', 1)[0] + '.1'
    assert ('127.0.0.1', port) in ours
    assert {address for address, _port in ours} == {'127.0.0.1', bridge}  # proxy; Redis and the stand-in


def test_sigterm_leaves_nothing(cluster):  # pylint: disable=redefined-outer-name
    proc = cluster['proc']
    pids = _children(proc.pid) | {proc.pid}
    port = int(cluster['url'].rsplit(':', 1)[1])
    listeners = _tcp_listeners()
    ours = {listeners[i] for i in _socket_inodes(pids) if i in listeners}
    started = time.monotonic()
    assert pytest_kuzzle.stop_serve(proc) == 0
    assert time.monotonic() - started < 60
    assert [p for p in pids if os.path.exists(f'/proc/{p}')] == []
    assert _leftovers(proc.pid) == {'namespaces': [], 'links': []}
    assert ('127.0.0.1', port) in ours and {addr for addr in _tcp_listeners().values() if addr in ours} == set()


def _cmdline(pid):
    try:
        with open(f'/proc/{pid}/cmdline', 'rb') as handle:
            return handle.read().replace(b'\0', b' ').decode()
    except OSError:
        return ''


def test_without_ip_is_a_clear_error(tmp_path):
    (tmp_path / 'python3').symlink_to(sys.executable)
    result = _run_serve(['--port', '1', '--nodes', '2'], env={'PATH': str(tmp_path), 'HOME': str(tmp_path)})
    assert result.returncode == 1 and result.stdout == ''
    assert 'needs the "ip" command' in result.stderr


def test_not_root_is_a_clear_error():
    # as nobody (65534), with the system's Python (root's own may be out of nobody's reach); serve checks its
    # port, then what namespaces need, before anything else. The checkout may sit under a directory nobody
    # cannot enter (CI's does), so serve's Python files are run from a world-readable copy.
    env = {'PATH': '/usr/bin:/bin', 'HOME': '/nonexistent'}
    copy = tempfile.mkdtemp(prefix='kuzzle-serve-nobody.')
    try:
        os.chmod(copy, 0o755)
        for name in glob.glob(os.path.join(os.path.dirname(pytest_kuzzle.SERVE), '*.py')):
            shutil.copy(name, copy)
            os.chmod(os.path.join(copy, os.path.basename(name)), 0o644)
        started = time.monotonic()
        result = subprocess.run(['/usr/bin/python3', os.path.join(copy, 'serve.py'), '--port', str(free_port()), '--nodes', '2'],
                                capture_output=True, text=True, timeout=60, env=env, check=False, user=65534, group=65534,
                                cwd='/')
    finally:
        shutil.rmtree(copy)
    assert result.returncode == 1 and result.stdout == ''
    assert 'serve --nodes needs root' in result.stderr
    assert time.monotonic() - started < 30


def test_nodes_is_checked():
    result = _run_serve(['--port', '1', '--nodes', '17'])
    assert result.returncode == 2 and '--nodes takes 1 to 16' in result.stderr
