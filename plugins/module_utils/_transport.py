# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""The transport of KuzzleClient: requests sessions in which every try of a request ends within its timeout.

For internal use of the community.kuzzle collection only: no compatibility promise.

requests and urllib3 apply a timeout to each socket operation (the connection, then each read), not to a whole
answer: a server that sends one byte a second keeps a request going for as long as it likes. Here every try of a
request, urllib3's own retries included, gets a deadline, and one watchdog thread for the whole process shuts the
try's socket down once the deadline has passed. That ends whatever the sending thread waits for: the connection,
the TLS handshake, the headers or the body. The watchdog holds a duplicate of the socket's descriptor, which stays
valid once TLS wraps the socket, and closes it when the try ends. Name resolution is not bounded: the system
resolver cannot be interrupted.

Use: a session from ``new_session()``, and ``with Attempts(timeout) as attempts:`` around
``session.request(..., stream=True)`` and the reading of the body; ``attempts.expired`` then says whether the
last try ran out of time. The hooks are urllib3's pool and connection classes (``_get_conn``, called once per
try, and ``_new_conn``, once per new connection), the same in urllib3 1.26 and 2.x.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import socket
import threading
import time
from http.cookiejar import DefaultCookiePolicy

try:
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.connection import HTTPConnection, HTTPSConnection
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
    from urllib3.util.retry import Retry
except ImportError:  # _client.py says so; these stand-ins only keep this file importable
    HTTPAdapter = HTTPConnection = HTTPSConnection = HTTPConnectionPool = HTTPSConnectionPool = Retry = object

MAX_RETRY_AFTER = 30  # seconds: a longer Retry-After from a proxy must not stall a play for hours
TICK = 0.05           # seconds between two looks of the watchdog at the deadlines: a try may last that much longer
IDLE = 2.0            # seconds without any try before the watchdog thread ends (a later try starts another)

_CURRENT = threading.local()  # .attempts: the Attempts of the request this thread is sending


def _current():
    return getattr(_CURRENT, 'attempts', None)


def _shut(sock):
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed by its owner: nothing left to cut


class _Watchdog:
    """One daemon thread that ends the tries whose deadline has passed."""

    def __init__(self):
        self._lock = threading.Lock()
        self._watched = set()
        self._running = False

    def add(self, attempts):
        with self._lock:
            self._watched.add(attempts)
            if not self._running:
                self._running = True
                threading.Thread(target=self._run, name='kuzzle-deadlines', daemon=True).start()

    def discard(self, attempts):
        with self._lock:
            self._watched.discard(attempts)

    def _run(self):
        idle_since = time.monotonic()
        while True:
            time.sleep(TICK)
            now = time.monotonic()
            with self._lock:
                due = [attempts for attempts in self._watched if attempts.deadline <= now]
                if self._watched:
                    idle_since = now
                elif now - idle_since > IDLE:
                    self._running = False
                    return
            for attempts in due:
                attempts.expire(now)


_WATCHDOG = _Watchdog()


class Attempts:
    """The tries of one request sent by this thread, each with ``timeout`` seconds from its start (the moment
    urllib3 takes a connection for it) to the end of its answer."""

    def __init__(self, timeout):
        self.timeout = timeout
        self.deadline = float('inf')
        self.expired = False
        self._sockets = []
        self._lock = threading.Lock()

    def __enter__(self):
        _CURRENT.attempts = self
        return self

    def __exit__(self, *exc_info):
        _CURRENT.attempts = None
        _WATCHDOG.discard(self)
        self._release()
        return False

    def begin(self, conn):
        """A new try, on urllib3 connection ``conn`` (connected already when it is kept alive)."""
        self._release()
        with self._lock:
            self.expired = False
            self.deadline = time.monotonic() + self.timeout
        _WATCHDOG.add(self)
        if getattr(conn, 'sock', None) is not None:
            self.watch(conn.sock)

    def watch(self, sock):
        """Shut ``sock`` down at the deadline of the current try (at once if it has passed)."""
        try:
            duplicate = socket.fromfd(sock.fileno(), sock.family, sock.type, sock.proto)
        except (OSError, ValueError):
            return  # closed already
        with self._lock:
            self._sockets.append(duplicate)
            if self.expired:
                _shut(duplicate)

    def expire(self, now):
        with self._lock:
            if self.expired or now < self.deadline:
                return
            self.expired = True
            for sock in self._sockets:
                _shut(sock)

    def _release(self):
        with self._lock:
            sockets, self._sockets = self._sockets, []
            for sock in sockets:
                sock.close()


class _WatchedConnectionMixin:
    def _new_conn(self):
        sock = super(_WatchedConnectionMixin, self)._new_conn()
        attempts = _current()
        if attempts is not None:
            attempts.watch(sock)
        return sock


class _WatchedHTTPConnection(_WatchedConnectionMixin, HTTPConnection):
    pass


class _WatchedHTTPSConnection(_WatchedConnectionMixin, HTTPSConnection):
    pass


class _WatchedPoolMixin:
    def _get_conn(self, timeout=None):
        conn = super(_WatchedPoolMixin, self)._get_conn(timeout)
        attempts = _current()
        if attempts is not None:
            attempts.begin(conn)
        return conn


class _WatchedHTTPConnectionPool(_WatchedPoolMixin, HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSConnectionPool(_WatchedPoolMixin, HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


def _watch_pools(manager):
    """Give a urllib3 PoolManager (or ProxyManager) the watched pools, leaving any other pool class alone (SOCKS)."""
    classes = dict(manager.pool_classes_by_scheme)  # a copy: PoolManager shares urllib3's module-level dict
    if classes.get('http') is HTTPConnectionPool:
        classes['http'] = _WatchedHTTPConnectionPool
    if classes.get('https') is HTTPSConnectionPool:
        classes['https'] = _WatchedHTTPSConnectionPool
    manager.pool_classes_by_scheme = classes


class DeadlineAdapter(HTTPAdapter):
    """requests' HTTPAdapter whose connections are watched by the Attempts of the thread that uses them."""

    def init_poolmanager(self, *args, **kwargs):
        super(DeadlineAdapter, self).init_poolmanager(*args, **kwargs)
        _watch_pools(self.poolmanager)

    def proxy_manager_for(self, proxy, **proxy_kwargs):
        manager = super(DeadlineAdapter, self).proxy_manager_for(proxy, **proxy_kwargs)
        _watch_pools(manager)
        return manager


class CountingRetry(Retry):
    """urllib3 Retry that appends one item to ``counter`` (a list the request shares) for each retry it makes,
    and bounds Retry-After."""

    counter = None

    def new(self, **kw):
        retry = super(CountingRetry, self).new(**kw)
        retry.counter = self.counter
        return retry

    def increment(self, *args, **kwargs):
        retry = super(CountingRetry, self).increment(*args, **kwargs)  # raises when exhausted: no new try
        if self.counter is not None:
            self.counter.append(None)
        return retry

    def get_retry_after(self, response):
        seconds = super(CountingRetry, self).get_retry_after(response)
        return None if seconds is None else min(seconds, MAX_RETRY_AFTER)


def new_session(user_agent):
    """(session, adapter): a requests Session whose tries end within their timeout (see Attempts), with no cookies;
    the caller sets ``adapter.max_retries`` before each request."""
    session = requests.Session()
    session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))  # Kuzzle 500s on cookie + Bearer
    session.headers.update({'Accept': 'application/json', 'User-Agent': user_agent})
    adapter = DeadlineAdapter()
    session.mount('http://', adapter)
    session.mount('https://', adapter)
    return session, adapter
