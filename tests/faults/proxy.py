# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A fault-injecting HTTP(S) proxy on 127.0.0.1, in front of the real Kuzzle of the tests.

Standard library only. A test starts it (``with FaultProxy(kuzzle.url) as proxy:``), points a task's ``url``
at ``proxy.url``, and tells it what to do to the requests that match a rule::

    proxy.add('reset_after', method='PUT', path='^/profiles/')     # Kuzzle runs the write, the client sees a reset
    proxy.add('trickle', path='^/profiles/', interval=0.5)         # the answer, one byte every 0.5 s
    proxy.add('status', status=503, times=2)                       # two refusals before Kuzzle sees anything

Each connection carries one request (the proxy answers ``Connection: close``, as Kuzzle does). The first rule
that matches a request and has uses left decides; requests that match no rule are forwarded untouched.
``proxy.log`` lists what was done to each request, in order. A rule's ``hook(entry, status, headers, body)`` runs
test code once Kuzzle has answered and before the client gets anything. See tests/faults/README.md for every action.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import http.client
import json
import re
import socket
import ssl
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

# action -> whether the request reaches Kuzzle
ACTIONS = {
    'pass': True,            # forwarded, answer untouched (with ``delay``: a slow network)
    'status': False,         # answered with ``status`` (default 502) and ``body``; ``forward=True`` sends it to Kuzzle first
    'reset_before': False,   # the client connection is reset (TCP RST) before anything reaches Kuzzle
    'reset_after': True,     # Kuzzle runs the request, then the client connection is reset before any byte of the answer
    'reset_mid_body': True,  # Kuzzle's headers and the first ``keep`` bytes of its body, then a reset
    'truncate': True,        # Kuzzle's headers (with the full Content-Length), ``keep`` bytes of its body, then a clean close
    'trickle': True,         # Kuzzle's whole answer, ``chunk`` bytes every ``interval`` seconds (at most ``limit`` seconds)
    'body': True,            # Kuzzle's status and headers with ``body`` (bytes or str) instead of its body
    'result': True,          # Kuzzle's envelope with its ``result`` replaced by ``value`` (a wrong-shaped answer)
}
HOP_BY_HOP = ('connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'content-length', 'upgrade', 'te', 'trailer')


class Rule:
    """What to do to the requests that match ``method`` (any when None) and the regular expression ``path``
    (searched in the path with its query string; any when None), ``times`` times (None: every time)."""

    def __init__(self, action, method=None, path=None, times=1, delay=0, **params):
        if action not in ACTIONS:
            raise ValueError('unknown action %r (known: %s)' % (action, ', '.join(sorted(ACTIONS))))
        self.action = action
        self.method = method.upper() if method else None
        self.path = re.compile(path) if path else None
        self.left = times
        self.delay = delay
        self.params = params

    def take(self, method, path):
        """True (and one use fewer) when this rule applies to that request."""
        if self.left is not None and self.left <= 0:
            return False
        if self.method and self.method != method:
            return False
        if self.path and not self.path.search(path):
            return False
        if self.left is not None:
            self.left -= 1
        return True

    def __repr__(self):
        return '<Rule %s %s %s left=%s>' % (self.action, self.method or '*', self.path.pattern if self.path else '*', self.left)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, proxy):
        self.proxy = proxy
        super(_Server, self).__init__(('127.0.0.1', 0), _Handler)

    def handle_error(self, request, client_address):
        pass  # every failure worth knowing is in the proxy's log; no traceback on the test's stderr


class _Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'fault-proxy'

    def setup(self):
        proxy = self.server.proxy
        context = proxy.tls_context
        if context is not None:
            self.request.settimeout(10)
            try:
                self.request = context.wrap_socket(self.request, server_side=True)
            except (ssl.SSLError, OSError) as exc:
                proxy.record(None, None, 'tls_refused', note=str(exc))
                raise
            self.request.settimeout(None)
        self.connection = self.request
        proxy.track(self.connection)
        super(_Handler, self).setup()

    def finish(self):
        try:
            super(_Handler, self).finish()
        except OSError:
            pass
        self.server.proxy.untrack(self.connection)
        try:
            self.connection.close()
        except OSError:
            pass

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        pass  # the proxy keeps its own log

    def do_GET(self):  # noqa: N802 pylint: disable=invalid-name
        self.close_connection = True
        self.server.proxy.handle(self)

    do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = do_GET


class FaultProxy:
    """The proxy: ``upstream`` is Kuzzle's URL (http); ``tls`` None for plain HTTP, else a dict with ``cert`` and
    ``key`` (PEM files the proxy presents) and optionally ``client_ca`` (then a client certificate signed by it
    is required: mTLS)."""

    def __init__(self, upstream, tls=None, upstream_timeout=60):
        parts = urlsplit(upstream)
        self.upstream = (parts.hostname, parts.port or 80)
        self.upstream_prefix = parts.path.rstrip('/')
        self.upstream_timeout = upstream_timeout
        self.tls_context = _tls_context(tls) if tls else None
        self.rules = []
        self._log = []
        self._lock = threading.Lock()
        self._connections = set()
        self._stopping = threading.Event()
        self._server = None
        self._thread = None

    @property
    def url(self):
        return '%s://127.0.0.1:%d' % ('https' if self.tls_context else 'http', self._server.server_address[1])

    @property
    def port(self):
        return self._server.server_address[1]

    def start(self):
        self._server = _Server(self)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={'poll_interval': 0.1},
                                        name='fault-proxy', daemon=True)
        self._thread.start()
        return self

    def stop(self):
        """Stop accepting, cut every open connection (trickles included) and free the port."""
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.close()
            except OSError:
                pass
        if self._thread is not None:
            self._thread.join(10)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()
        return False

    # ------------------------------------------------------------------ rules and log
    def add(self, action, method=None, path=None, times=1, delay=0, **params):
        """Add a rule (see Rule and ACTIONS); rules are tried in the order they were added."""
        rule = Rule(action, method=method, path=path, times=times, delay=delay, **params)
        with self._lock:
            self.rules.append(rule)
        return rule

    def clear(self):
        """Forget every rule and the log."""
        with self._lock:
            self.rules = []
            self._log = []

    @property
    def log(self):
        """One dict per request, in order: method, path, action, forwarded (did Kuzzle get it), upstream_status,
        sent (bytes of the answer sent to the client), client_gone (the client closed before the end), note."""
        with self._lock:
            return [dict(entry) for entry in self._log]

    def wait_idle(self, timeout=5):
        """Wait until no connection is being served: a client may read the whole answer before the proxy has
        counted its last bytes in the log."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if not self._connections:
                    return
            time.sleep(0.01)
        raise AssertionError('the proxy still serves a connection after %s s' % timeout)

    def entries(self, action=None, method=None, path=None):
        """The log entries with that action, method, and path matching that regular expression."""
        return [e for e in self.log if (action is None or e['action'] == action) and (method is None or e['method'] == method)
                and (path is None or (e['path'] is not None and re.search(path, e['path'])))]

    def record(self, method, path, action, **fields):
        entry = dict(method=method, path=path, action=action, forwarded=False, upstream_status=None, sent=0,
                     client_gone=False, note=None)
        entry.update(fields)
        with self._lock:
            self._log.append(entry)
        return entry

    def track(self, connection):
        with self._lock:
            self._connections.add(connection)

    def untrack(self, connection):
        with self._lock:
            self._connections.discard(connection)

    def _rule_for(self, method, path):
        with self._lock:
            for rule in self.rules:
                if rule.take(method, path):
                    return rule
        return None

    # ------------------------------------------------------------------ one request
    def handle(self, handler):
        method, path = handler.command, handler.path
        length = int(handler.headers.get('Content-Length') or 0)
        body = handler.rfile.read(length) if length else None
        rule = self._rule_for(method, path)
        action = rule.action if rule else 'pass'
        params = rule.params if rule else {}
        entry = self.record(method, path, action)
        if rule and rule.delay:
            self._stopping.wait(rule.delay)
        sock = handler.connection
        if action == 'reset_before':
            _reset(sock)
            return
        if action == 'status' and not params.get('forward'):
            self._answer(sock, entry, params.get('status', 502), [('Content-Type', 'text/plain')],
                         _as_bytes(params.get('body', 'fault-proxy: injected %d' % params.get('status', 502))))
            return
        try:
            status, headers, answer = self._forward(method, path, handler.headers, body)
        except (OSError, http.client.HTTPException) as exc:
            entry['note'] = 'upstream failed: %s' % exc
            self._answer(sock, entry, 502, [('Content-Type', 'text/plain')], b'fault-proxy: upstream failed')
            return
        entry.update(forwarded=True, upstream_status=status)
        if params.get('hook'):
            try:
                params['hook'](entry, status, headers, answer)  # test code, run while the client waits for the answer
            except Exception as exc:  # pylint: disable=broad-except
                entry['note'] = 'hook failed: %r' % exc  # the test reads the log; the answer goes on as usual
        if action == 'status':
            self._answer(sock, entry, params.get('status', 502), [('Content-Type', 'text/plain')],
                         _as_bytes(params.get('body', 'fault-proxy: injected %d after Kuzzle answered' % params.get('status', 502))))
        elif action == 'reset_after':
            _reset(sock)
        elif action == 'reset_mid_body':
            self._answer(sock, entry, status, headers, answer, keep=params.get('keep', len(answer) // 2), then='reset')
        elif action == 'truncate':
            self._answer(sock, entry, status, headers, answer, keep=params.get('keep', len(answer) // 2), then='close')
        elif action == 'trickle':
            self._trickle(sock, entry, status, headers, answer, params)
        elif action == 'body':
            self._answer(sock, entry, params.get('status', status), headers, _as_bytes(params['body']))
        elif action == 'result':
            self._answer(sock, entry, status, headers, _with_result(answer, params['value']))
        else:
            self._answer(sock, entry, status, headers, answer)

    def _forward(self, method, path, headers, body):
        connection = http.client.HTTPConnection(self.upstream[0], self.upstream[1], timeout=self.upstream_timeout)
        try:
            # no Accept-Encoding: Kuzzle answers uncompressed, so that hooks, 'result' and byte counts see the JSON
            sent_headers = dict((k, v) for k, v in headers.items() if k.lower() not in HOP_BY_HOP + ('host', 'accept-encoding'))
            sent_headers['Connection'] = 'close'
            connection.request(method, self.upstream_prefix + path, body=body, headers=sent_headers)
            response = connection.getresponse()
            answer = response.read()
            kept = [(k, v) for k, v in response.getheaders() if k.lower() not in HOP_BY_HOP]
            return response.status, kept, answer
        finally:
            connection.close()

    def _answer(self, sock, entry, status, headers, body, keep=None, then=None):
        """Send an answer whose Content-Length is the whole body; only ``keep`` bytes of it when set,
        followed by a reset or a clean close (``then``)."""
        head = _head(status, headers, len(body))
        data = head + (body if keep is None else body[:keep])
        entry['sent'] += self._send(sock, entry, data)
        if then == 'reset':
            _reset(sock)
        elif then == 'close':
            _close(sock)

    def _trickle(self, sock, entry, status, headers, body, params):
        data = _head(status, headers, len(body)) + body
        chunk, interval, limit = params.get('chunk', 1), params.get('interval', 0.2), params.get('limit', 60)
        deadline = time.monotonic() + limit
        for start in range(0, len(data), chunk):
            if self._stopping.is_set() or time.monotonic() > deadline:
                entry['note'] = 'trickle stopped after %d bytes' % entry['sent']
                _close(sock)
                return
            sent = self._send(sock, entry, data[start:start + chunk])
            entry['sent'] += sent
            if entry['client_gone']:
                return
            self._stopping.wait(interval)

    @staticmethod
    def _send(sock, entry, data):
        try:
            sock.sendall(data)
        except OSError:
            entry['client_gone'] = True
            return 0
        return len(data)


def _head(status, headers, length):
    reason = http.client.responses.get(status, 'Status')
    lines = ['HTTP/1.1 %d %s' % (status, reason)]
    lines.extend('%s: %s' % (k, v) for k, v in headers if k.lower() not in HOP_BY_HOP)
    lines.extend(['Content-Length: %d' % length, 'Connection: close'])
    return ('\r\n'.join(lines) + '\r\n\r\n').encode('latin-1')


def _with_result(answer, value):
    try:
        envelope = json.loads(answer)
    except ValueError:
        envelope = {}
    if not isinstance(envelope, dict):
        envelope = {}
    envelope['result'] = value
    return json.dumps(envelope).encode('utf-8')


def _as_bytes(body):
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode('utf-8')
    return json.dumps(body).encode('utf-8')


def _reset(sock):
    """Close with a TCP RST (SO_LINGER 0) instead of a FIN: the client sees 'connection reset by peer'."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
        sock.close()
    except OSError:
        pass


def _close(sock):
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    try:
        sock.close()
    except OSError:
        pass


def _tls_context(tls):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tls['cert'], tls['key'])
    if tls.get('client_ca'):
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(tls['client_ca'])
    return context
