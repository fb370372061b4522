"""Network namespaces of ``serve --nodes N``: one per Kuzzle node, joined by a bridge on the host.

Each serve makes, and removes at its stop:

* a bridge ``kzs<pid>br`` on the host, holding the first address of a free ``10.201.X.0/24``
  (Redis and the Elasticsearch stand-in listen there, never on a public interface);
* per node ``i``, a namespace ``kzs<pid>-<i>`` holding ``lo`` and ``eth0``, the inner end of a
  veth pair whose host end ``kzs<pid>v<i>`` is a port of the bridge; ``eth0`` has
  ``10.201.X.(i + 2)/24`` and the namespace has no other route.

Kuzzle needs a private, non-loopback IPv4 address for its cluster (``cluster.ip: private``
refuses 127/8 and 169.254/16), and its cluster sockets bind every interface: inside a
namespace of its own, every interface means ``lo`` and ``eth0`` only. The nodes reach each
other, Redis and the stand-in through the bridge; nothing is routed further (the host's
``ip_forward`` is neither read nor changed, and the namespaces have no default route).

Names carry serve's PID, so parallel serves never collide, and a serve that died without
cleaning up (SIGKILL) is recognised by the next one: :func:`remove_stale` deletes every
``kzs<pid>...`` object whose serve is gone. Every ``ip`` command runs with a timeout.
"""

import contextlib
import ctypes
import fcntl
import ipaddress
import json
import os
import re
import shutil
import signal
import subprocess
import time

from kuzzle_install import SetupError, log

PREFIX = 'kzs'
POOL = ipaddress.ip_network('10.201.0.0/16')  # /24s out of it; one that overlaps a route of the host is skipped
NODE_IFACE = 'eth0'  # the namespace's own name for its end of the veth (names are per namespace)
IP_TIMEOUT = 15
_LOCK = '/run/lock/kuzzle-serve-netns.lock'
_NAME = re.compile(rf'^{PREFIX}(\d+)(?:-\d+|v\d+|br)$')
_CLONE_NEWNET = 0x40000000
try:
    _SETNS = ctypes.CDLL(None, use_errno=True).setns  # resolved now: nothing is loaded after fork
except (OSError, AttributeError):
    _SETNS = None


def ip(*args, check=True):
    """Run ``ip ARGS``; its stdout. A failure is a SetupError with ip's own message."""
    try:
        done = subprocess.run(['ip', *args], capture_output=True, text=True, timeout=IP_TIMEOUT, check=False,
                              stdin=subprocess.DEVNULL)
    except FileNotFoundError as exc:
        raise SetupError('serve --nodes needs the "ip" command (Debian: apt-get install -y iproute2)') from exc
    except subprocess.TimeoutExpired as exc:
        raise SetupError(f'"ip {" ".join(args)}" did not finish within {IP_TIMEOUT} s') from exc
    if check and done.returncode != 0:
        raise SetupError(f'"ip {" ".join(args)}" failed: {done.stderr.strip() or done.returncode}')
    return done.stdout


def check_prerequisites():
    """Fail at once, with the reason, when namespaces cannot be made here."""
    if not shutil.which('ip'):
        raise SetupError('serve --nodes needs the "ip" command (Debian: apt-get install -y iproute2)')
    if not shutil.which('unshare'):
        raise SetupError('serve --nodes needs the "unshare" command (Debian: util-linux)')
    if os.geteuid() != 0:
        raise SetupError('serve --nodes needs root: each Kuzzle node runs in a network namespace of its own '
                         '(ip netns add), which only root can create')
    if _SETNS is None:
        raise SetupError('serve --nodes needs setns(2) from the C library, which cannot be loaded here')


def _serve_alive(pid):
    """Is ``pid`` a running serve? (A PID reused by another program does not count.)"""
    try:
        with open(f'/proc/{pid}/cmdline', 'rb') as handle:
            return b'serve.py' in handle.read()
    except OSError:
        return False


def _ours(names, only_pid=None):
    """The names that belong to a serve: all of a dead serve's, or all of ``only_pid``'s."""
    found = []
    for name in names:
        match = _NAME.match(name)
        if match and (int(match.group(1)) == only_pid if only_pid else not _serve_alive(int(match.group(1)))):
            found.append(name)
    return found


def _namespaces():
    return [line.split()[0] for line in ip('netns', 'list').splitlines() if line.strip()]


def _links():
    return [link['ifname'] for link in json.loads(ip('-j', 'link', 'show') or '[]')]


def _remove(namespaces, links):
    """Kill what still runs in the namespaces, delete the host links (a veth goes with its pair), then the
    namespaces. Best effort: every object is tried, the first error is raised at the end."""
    errors = []
    for name in namespaces:
        with contextlib.suppress(SetupError):
            for pid in ip('netns', 'pids', name).split():
                with contextlib.suppress(ProcessLookupError, ValueError):
                    os.kill(int(pid), signal.SIGKILL)
    # veths before the bridge: deleting the host end removes both ends at once (a namespace's
    # deletion would free its end only later, asynchronously)
    for name in sorted(links, key=lambda n: n.endswith('br')):
        try:
            ip('link', 'del', name)
        except SetupError as exc:
            errors.append(exc)
    for name in namespaces:
        try:
            ip('netns', 'del', name)
        except SetupError as exc:
            errors.append(exc)
    if errors:
        raise errors[0]


def remove_stale():
    """Remove the namespaces and links of serves that died without cleaning up (SIGKILL)."""
    namespaces, links = _ours(_namespaces()), _ours(_links())
    if namespaces or links:
        log(f'removing what a dead serve left: namespaces {namespaces or "none"}, links {links or "none"}')
        _remove(namespaces, links)


def _used_networks():
    """Every IPv4 network the host has an address in or a route to (the default route aside)."""
    used = []
    for entry in json.loads(ip('-j', '-4', 'route', 'show', 'table', 'all') or '[]'):
        dst = entry.get('dst', '')
        if dst and dst != 'default' and not entry.get('type') in ('broadcast',):
            with contextlib.suppress(ValueError):
                used.append(ipaddress.ip_network(dst, strict=False))
    for link in json.loads(ip('-j', '-4', 'addr', 'show') or '[]'):
        for info in link.get('addr_info', []):
            used.append(ipaddress.ip_network(f'{info["local"]}/{info["prefixlen"]}', strict=False))
    return used


@contextlib.contextmanager
def _locked():
    """One serve at a time picks a subnet and takes it (creates its bridge)."""
    os.makedirs(os.path.dirname(_LOCK), exist_ok=True)
    with open(_LOCK, 'a', encoding='utf-8') as handle:
        deadline = time.monotonic() + 60
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError as exc:
                if time.monotonic() > deadline:
                    raise SetupError(f'another serve has held {_LOCK} for a minute') from exc
                time.sleep(0.1)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class ClusterNetwork:
    """The bridge and the namespaces of one serve; ``create()`` then ``remove()``."""

    def __init__(self, nodes, pid=None):
        self.pid = pid or os.getpid()
        self.bridge = f'{PREFIX}{self.pid}br'
        self.namespaces = [f'{PREFIX}{self.pid}-{i}' for i in range(nodes)]
        self.veths = [f'{PREFIX}{self.pid}v{i}' for i in range(nodes)]
        self.host_address = None   # on the bridge: Redis and the stand-in listen there
        self.node_addresses = []   # eth0 of each namespace

    def create(self):
        check_prerequisites()
        remove_stale()
        try:
            with _locked():
                network = self._free_network()
                hosts = list(network.hosts())
                self.host_address = str(hosts[0])
                ip('link', 'add', self.bridge, 'type', 'bridge')
                ip('addr', 'add', f'{self.host_address}/{network.prefixlen}', 'dev', self.bridge)
                ip('link', 'set', self.bridge, 'up')
            for i, (namespace, veth) in enumerate(zip(self.namespaces, self.veths)):
                address = str(hosts[i + 1])
                ip('netns', 'add', namespace)
                ip('link', 'add', veth, 'type', 'veth', 'peer', 'name', NODE_IFACE, 'netns', namespace)
                ip('link', 'set', veth, 'master', self.bridge, 'up')
                ip('-n', namespace, 'addr', 'add', f'{address}/{network.prefixlen}', 'dev', NODE_IFACE)
                ip('-n', namespace, 'link', 'set', NODE_IFACE, 'up')
                ip('-n', namespace, 'link', 'set', 'lo', 'up')
                self.node_addresses.append(address)
        except SetupError:
            self.remove()
            raise
        log(f'network {network}: bridge {self.bridge} ({self.host_address}), namespaces '
            + ', '.join(f'{n} ({a})' for n, a in zip(self.namespaces, self.node_addresses)))
        return self

    def _free_network(self):
        used = _used_networks()
        subnets = list(POOL.subnets(new_prefix=24))
        start = self.pid % len(subnets)
        for subnet in subnets[start:] + subnets[:start]:
            if not any(subnet.overlaps(other) for other in used):
                return subnet
        raise SetupError(f'no free /24 left in {POOL} for the cluster network')

    def remove(self):
        """Delete everything of this serve that exists (safe to call twice)."""
        _remove(_ours(_namespaces(), self.pid), _ours(_links(), self.pid))

    def enter(self, index):
        """A preexec_fn part: move the calling (child) process into node ``index``'s namespace."""
        path = f'/run/netns/{self.namespaces[index]}'

        def enter_namespace():
            fd = os.open(path, os.O_RDONLY)
            try:
                if _SETNS(fd, _CLONE_NEWNET) != 0:
                    raise OSError(ctypes.get_errno(), f'setns {path}')
            finally:
                os.close(fd)
        return enter_namespace
