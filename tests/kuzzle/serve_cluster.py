"""``serve --nodes N``: N Kuzzle nodes in cluster mode, each in a network namespace, behind a round-robin proxy.

Redis and the Elasticsearch stand-in listen on the bridge address of cluster_net.py (reachable from
every namespace, on no public interface); node ``i`` listens on ``http://<its address>:7512`` and on
Kuzzle's cluster ports 7510/7511 inside its namespace; the proxy listens on ``127.0.0.1:PORT``.
"""

import json
import os
import shutil
import tempfile
import time
import urllib.error
import urllib.request

import kuzzle_install
import kuzzle_run
from cluster_net import NODE_IFACE, ClusterNetwork
from es_standin import StandIn
from kuzzle_install import SetupError, log, tail
from rr_proxy import RoundRobinProxy

NODE_PORT = 7512  # every node has the same port: each has its own namespace
# what a node logs once it has joined and waits for minimumNodes (lib/cluster/node.js): every node but the last
JOINED = 'Not enough nodes active. Waiting for other nodes to join the cluster'


def cluster_status(url, timeout=2):
    """Kuzzle's cluster:status (GET /cluster/_status) of the node or proxy at ``url``: its result, or None."""
    try:
        with urllib.request.urlopen(url + '/cluster/_status', timeout=timeout) as answer:
            return json.loads(answer.read())['result']
    except (urllib.error.URLError, OSError, ValueError, KeyError):
        return None


class ClusterServers:
    """Network, Redis, stand-in, N Kuzzle nodes and the proxy of one ``serve --nodes N``."""

    def __init__(self, port, write_log, nodes):
        self.port = port
        self.count = nodes
        self.write_log = os.path.abspath(write_log) if write_log else None
        self.url = f'http://{kuzzle_run.HOST}:{port}'
        self.run_dir = tempfile.mkdtemp(prefix='kuzzle-serve-')
        logs = kuzzle_install.logs_dir()
        self.kuzzle_logs = [os.path.join(logs, f'kuzzle-{port}-node{i}.log') for i in range(nodes)]
        self.redis_log = os.path.join(logs, f'redis-{port}.log')
        self.network = ClusterNetwork(nodes)
        self.redis = self.standin = self.proxy = None
        self.kuzzles = []
        self.node_urls = []

    def start(self, install_dir, redis_server, timeout):
        started = time.monotonic()
        deadline = started + timeout
        kuzzle_run.check_port_free(self.port)
        self.network.create()
        host = self.network.host_address
        self.redis, redis_port = kuzzle_run.start_redis(redis_server, self.run_dir, self.redis_log, deadline, host=host)
        try:
            self.standin = StandIn(0, self.write_log, host=host).start()
        except OSError as exc:
            raise SetupError(f'cannot start the Elasticsearch stand-in (write log {self.write_log}): {exc}') from exc
        log(f'Redis on {host}:{redis_port}, Elasticsearch stand-in on {host}:{self.standin.port}; '
            f'starting {self.count} Kuzzle nodes (logs: {", ".join(self.kuzzle_logs)})')
        # minimumNodes = N: a node does not serve before the N nodes have joined
        cluster = {'minimumNodes': self.count, 'interface': NODE_IFACE}
        for i, address in enumerate(self.network.node_addresses):
            run_dir = os.path.join(self.run_dir, f'node{i}')
            os.makedirs(run_dir)
            kuzzle_run.write_kuzzlerc(run_dir, NODE_PORT, redis_port, self.standin.url, redis_host=host, cluster=cluster)
            # started from the main thread: PR_SET_PDEATHSIG follows the thread that forks
            self.kuzzles.append(kuzzle_run.start_kuzzle(install_dir, run_dir, self.kuzzle_logs[i], listen_host=address,
                                                        enter=self.network.enter(i)))
            self.node_urls.append(f'http://{address}:{NODE_PORT}')
            if i < self.count - 1:
                self._wait_joined(i, deadline)
        for url, proc, log_path in zip(self.node_urls, self.kuzzles, self.kuzzle_logs):
            kuzzle_run.wait_healthy(url, proc, log_path, deadline)
        self._wait_cluster(deadline)
        self.proxy = RoundRobinProxy(self.port, [(a, NODE_PORT) for a in self.network.node_addresses]).start()
        for dummy in range(self.count):  # through the proxy too: each request reaches the next node
            status = cluster_status(self.url)
            if not status or status['activeNodes'] != self.count:
                raise SetupError(f'the proxy on {self.url} does not answer cluster:status with {self.count} nodes: {status}')
        log(f'Kuzzle cluster of {self.count} nodes ready in {time.monotonic() - started:.1f} s')

    def _wait_joined(self, i, deadline):
        """Until node ``i`` says it joined the cluster and waits for the others, before the next node starts.
        Started together, two busy starting nodes can miss each other's handshake (Kuzzle waits 2 s for an
        answer) or heartbeats, and then each waits for the other forever (seen here on a loaded machine);
        one at a time, the running node answers at once."""
        while time.monotonic() < deadline:
            self._check_alive('while the cluster formed')
            try:
                with open(self.kuzzle_logs[i], encoding='utf-8', errors='replace') as node_log:
                    if JOINED in node_log.read():
                        return
            except OSError:
                pass
            time.sleep(0.1)
        raise SetupError(f'Kuzzle node {i} did not join the cluster in time. Log: {self.kuzzle_logs[i]}\n{tail(self.kuzzle_logs[i])}')

    def _wait_cluster(self, deadline):
        """Until cluster:status of every node lists the N nodes."""
        while time.monotonic() < deadline:
            self._check_alive('while the cluster formed')
            counts = [(cluster_status(url) or {}).get('activeNodes') for url in self.node_urls]
            if counts == [self.count] * self.count:
                return
            time.sleep(0.2)
        raise SetupError(f'the cluster did not report {self.count} nodes in time (cluster:status of each node: {counts}). '
                         f'Logs: {", ".join(self.kuzzle_logs)}\n{tail(self.kuzzle_logs[0])}')

    def _check_alive(self, when):
        for i, proc in enumerate(self.kuzzles):
            if proc.poll() is not None:
                raise SetupError(f'Kuzzle node {i} exited with code {proc.returncode} {when}. '
                                 f'Log: {self.kuzzle_logs[i]}\n{tail(self.kuzzle_logs[i])}')

    def announce(self):
        """The lines serve prints on stdout: one per node, then the proxy (the line callers wait for)."""
        return [f'node {i} {url}' for i, url in enumerate(self.node_urls)] + [f'listening on {self.url}']

    def wait(self):
        """Serve until a signal (Stop) or until a node dies (SetupError)."""
        while True:
            self._check_alive('unexpectedly')
            time.sleep(0.5)

    def stop(self):
        # Every node gets SIGTERM at once (each one's graceful shutdown still talks to Redis and the
        # stand-in), then the proxy, the stand-in, Redis, and the network last.
        for proc in self.kuzzles:
            kuzzle_run.signal_group(proc)
        for i, proc in enumerate(self.kuzzles):
            kuzzle_run.stop(proc, f'Kuzzle node {i}', kuzzle_run.KUZZLE_STOP_TIMEOUT)
        if self.proxy:
            self.proxy.stop()
        if self.standin:
            self.standin.stop()
        kuzzle_run.stop(self.redis, 'Redis', 10)
        try:
            self.network.remove()
        except SetupError as exc:
            log(f'error while removing the cluster network: {exc}')
        shutil.rmtree(self.run_dir, ignore_errors=True)
