"""serve: a real, empty Kuzzle 2.56 on 127.0.0.1 for the tests (see README.md).

    tests/kuzzle/serve --port PORT [--write-log FILE] [--nodes N]

Installs what is missing (Kuzzle into a cache folder, redis-server through apt), starts Redis,
the Elasticsearch stand-in and Kuzzle on loopback, prints ``listening on http://127.0.0.1:PORT``
once Kuzzle answers ``GET /_healthcheck``, and serves until SIGTERM or SIGINT.
With ``--nodes N`` (root): a cluster of N nodes in network namespaces behind a round-robin proxy
on that port (serve_cluster.py, cluster_net.py).
"""

import argparse
import os
import shutil
import signal
import sys
import tempfile
import time

import cluster_net
import kuzzle_install
import kuzzle_run
from es_standin import StandIn
from serve_cluster import ClusterServers
from kuzzle_install import SetupError, log, tail


class Stop(Exception):
    """SIGTERM or SIGINT was received."""


def _on_signal(signum, _frame):
    # Ignore further signals: the cleanup that follows has its own timeouts.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    raise Stop(signal.Signals(signum).name)


def parse_args(argv):
    parser = argparse.ArgumentParser(prog='serve', description=__doc__.split('\n', 1)[0])
    parser.add_argument('--port', type=int, help='port of Kuzzle on 127.0.0.1 (required unless --install-only)')
    parser.add_argument('--write-log', metavar='FILE',
                        help='append one JSON line per storage write (method, index, id, result) to FILE')
    parser.add_argument('--startup-timeout', type=float, default=120,
                        help='seconds allowed for Redis and Kuzzle to start, after any install (default 120)')
    parser.add_argument('--nodes', type=int, default=0, metavar='N',
                        help='N Kuzzle nodes in cluster mode, each in a network namespace of its own (needs root), '
                             'behind a round-robin proxy on --port; the default is one node on 127.0.0.1, without cluster')
    parser.add_argument('--install-only', action='store_true',
                        help='install what is missing, then exit (CI can do the slow part visibly first)')
    args = parser.parse_args(argv)
    if args.port is None and not args.install_only:
        parser.error('--port is required')
    if args.nodes < 0 or args.nodes > 16:
        parser.error('--nodes takes 1 to 16')
    return args


class Servers:
    """Redis, the stand-in and Kuzzle of one run, stopped in the order Kuzzle needs."""

    def __init__(self, port, write_log):
        self.port = port
        self.write_log = os.path.abspath(write_log) if write_log else None
        self.url = f'http://{kuzzle_run.HOST}:{port}'
        self.run_dir = tempfile.mkdtemp(prefix='kuzzle-serve-')
        logs = kuzzle_install.logs_dir()
        self.kuzzle_log = os.path.join(logs, f'kuzzle-{port}.log')
        self.redis_log = os.path.join(logs, f'redis-{port}.log')
        self.redis = self.standin = self.kuzzle = None

    def start(self, install_dir, redis_server, timeout):
        started = time.monotonic()
        deadline = started + timeout
        kuzzle_run.check_port_free(self.port)
        self.redis, redis_port = kuzzle_run.start_redis(redis_server, self.run_dir, self.redis_log, deadline)
        try:
            self.standin = StandIn(0, self.write_log).start()
        except OSError as exc:
            raise SetupError(f'cannot start the Elasticsearch stand-in (write log {self.write_log}): {exc}') from exc
        kuzzle_run.write_kuzzlerc(self.run_dir, self.port, redis_port, self.standin.url)
        log(f'Redis on port {redis_port}, Elasticsearch stand-in on port {self.standin.port}; '
            f'starting Kuzzle (log: {self.kuzzle_log})')
        self.kuzzle = kuzzle_run.start_kuzzle(install_dir, self.run_dir, self.kuzzle_log)
        kuzzle_run.wait_healthy(self.url, self.kuzzle, self.kuzzle_log, deadline)
        log(f'Kuzzle ready in {time.monotonic() - started:.1f} s')

    def announce(self):
        """The line serve prints on stdout once Kuzzle answers."""
        return [f'listening on {self.url}']

    def wait(self):
        """Serve until a signal (Stop) or until Kuzzle dies (SetupError)."""
        while self.kuzzle.poll() is None:
            time.sleep(0.5)
        raise SetupError(f'Kuzzle exited unexpectedly with code {self.kuzzle.returncode}. '
                         f'Log: {self.kuzzle_log}\n{tail(self.kuzzle_log)}')

    def stop(self):
        # Kuzzle first: its graceful shutdown still talks to Redis and Elasticsearch.
        kuzzle_run.stop(self.kuzzle, 'Kuzzle', kuzzle_run.KUZZLE_STOP_TIMEOUT)
        if self.standin:
            self.standin.stop()
        kuzzle_run.stop(self.redis, 'Redis', 10)
        shutil.rmtree(self.run_dir, ignore_errors=True)


def main(argv=None):
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    servers = None
    try:
        if not args.install_only:
            kuzzle_run.check_port_free(args.port)  # fail at once, not after a first install of minutes
            if args.nodes:
                cluster_net.check_prerequisites()
        install_dir = kuzzle_install.ensure_kuzzle()
        redis_server = kuzzle_install.ensure_redis()
        if args.install_only:
            log(f'ready: Kuzzle in {install_dir}, {redis_server}')
            return 0
        if args.nodes:
            servers = ClusterServers(args.port, args.write_log, args.nodes)
        else:
            servers = Servers(args.port, args.write_log)
        servers.start(install_dir, redis_server, args.startup_timeout)
        print('\n'.join(servers.announce()), flush=True)
        servers.wait()
    except Stop as stop:
        log(f'{stop}: stopping')
        return 0
    except SetupError as exc:
        log(f'error: {exc}')
        return 1
    finally:
        if servers:
            servers.stop()
            log('stopped')
    return 0


if __name__ == '__main__':
    sys.exit(main())
