# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A small counting reverse proxy for the benchmarks (Python standard library only).

It sits between Ansible and Kuzzle on 127.0.0.1 and counts every HTTP request it forwards, so the
count is exact whatever sends the requests (our modules, ``ansible.builtin.uri``...). It also sums,
per route, the time Kuzzle took to answer, which splits a run's wall time into "in Kuzzle" and
"everything else" (requests are sequential in the benchmarks, so the sums add up).

Transparency: the proxy keeps client connections alive (HTTP/1.1) unless Kuzzle asks to close.
Kuzzle 2.x answers every HTTP request with ``Connection: close``; the proxy passes that on and
closes the client connection too, so clients open exactly as many connections as they would
without it.

Standalone use: ``python3 counting_proxy.py --port 7600 --upstream http://127.0.0.1:7512``
(prints the counts on Ctrl-C). The benchmark runner imports it and runs it in a thread.
"""

import argparse
import http.client
import http.server
import threading
import time
import urllib.parse

# Statuses with which Kuzzle refuses a request before running it (too many requests, overloaded): counted apart, as
# "<route> (refused <status>)", since a client may send such a write again without writing twice.
REFUSED = (429, 503)
# Hop-by-hop headers (RFC 9110 section 7.6.1) are never forwarded; Host and Content-Length are set anew.
HOP_BY_HOP = frozenset(('connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection',
                        'te', 'trailer', 'transfer-encoding', 'upgrade', 'host', 'content-length'))


def route_of(method, path):
    """``GET /profiles/{id}``: the request's route with ids replaced, to group counts by action."""
    segments = urllib.parse.urlsplit(path).path.strip('/').split('/')
    kept = []
    for position, segment in enumerate(segments):
        if position == 0 or segment.startswith('_') or (position and segments[position - 1] == '_login'):
            kept.append(segment)
        else:
            kept.append('{id}')
    return '%s /%s' % (method, '/'.join(kept))


class Stats:
    """Thread-safe counters: requests and upstream seconds, per route."""

    def __init__(self):
        self._lock = threading.Lock()
        self._routes = {}

    def add(self, route, seconds):
        with self._lock:
            count, total = self._routes.get(route, (0, 0.0))
            self._routes[route] = (count + 1, total + seconds)

    def snapshot(self):
        """dict route -> (requests, seconds spent waiting for Kuzzle)."""
        with self._lock:
            return dict(self._routes)

    @staticmethod
    def since(before, after):
        """The per-route difference of two snapshots (routes with no new request are left out)."""
        delta = {}
        for route, (count, seconds) in after.items():
            old_count, old_seconds = before.get(route, (0, 0.0))
            if count > old_count:
                delta[route] = (count - old_count, seconds - old_seconds)
        return delta


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'  # keep-alive with clients
    server_version = 'counting-proxy'

    def setup(self):
        super().setup()
        # One upstream connection per client connection: http.client reopens it by itself when
        # Kuzzle closed it (always, for Kuzzle 2.x).
        self.upstream = None

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        pass  # silent: thousands of requests per benchmark run

    def _read_body(self):
        if 'chunked' in self.headers.get('Transfer-Encoding', '').lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b';')[0], 16)
                if not size:
                    while self.rfile.readline() not in (b'\r\n', b'\n', b''):
                        pass  # trailers
                    return b''.join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get('Content-Length') or 0)
        return self.rfile.read(length) if length else None

    def _forward(self):
        server = self.server
        body = self._read_body()
        headers = dict((k, v) for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP)
        if self.upstream is None:
            self.upstream = http.client.HTTPConnection(server.upstream_host, server.upstream_port, timeout=server.timeout)
        started = time.perf_counter()
        route = route_of(self.command, self.path)
        try:
            self.upstream.request(self.command, self.path, body=body, headers=headers)
            response = self.upstream.getresponse()
            payload = response.read()
            if response.status in REFUSED:
                route += ' (refused %d)' % response.status
        except (OSError, http.client.HTTPException) as exc:
            self.upstream.close()
            self.upstream = None
            self.send_error(502, 'counting proxy: upstream failed: %s' % exc)
            return
        finally:
            server.stats.add(route, time.perf_counter() - started)
        self.send_response_only(response.status, response.reason)
        for key, value in response.getheaders():
            if key.lower() not in HOP_BY_HOP:
                self.send_header(key, value)
        if self.command != 'HEAD' or payload:
            self.send_header('Content-Length', str(len(payload)))
        if response.will_close:
            self.send_header('Connection', 'close')
            self.close_connection = True
        self.end_headers()
        if self.command != 'HEAD':
            self.wfile.write(payload)
        self.wfile.flush()

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _forward

    def finish(self):
        if self.upstream is not None:
            self.upstream.close()
        super().finish()


class CountingProxy(http.server.ThreadingHTTPServer):
    """``CountingProxy(upstream_url).start()``; ``.url``, ``.stats``; ``.stop()``."""

    daemon_threads = True

    def __init__(self, upstream_url, port=0, timeout=120):
        parts = urllib.parse.urlsplit(upstream_url)
        if parts.scheme != 'http' or not parts.hostname:
            raise ValueError('upstream must be an http:// URL, got %r' % upstream_url)
        self.upstream_host = parts.hostname
        self.upstream_port = parts.port or 80
        self.timeout = timeout
        self.stats = Stats()
        self._thread = None
        super().__init__(('127.0.0.1', port), _Handler)
        self.url = 'http://127.0.0.1:%d' % self.server_address[1]

    def start(self):
        self._thread = threading.Thread(target=self.serve_forever, name='counting-proxy', daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self.shutdown()
        self.server_close()
        self._thread.join(timeout=10)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--port', type=int, required=True, help='port to listen on, on 127.0.0.1')
    parser.add_argument('--upstream', required=True, help='Kuzzle URL, for example http://127.0.0.1:7512')
    args = parser.parse_args()
    proxy = CountingProxy(args.upstream, args.port)
    print('counting proxy on %s -> %s' % (proxy.url, args.upstream), flush=True)
    try:
        proxy.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        proxy.server_close()
        for route, (count, seconds) in sorted(proxy.stats.snapshot().items()):
            print('%6d  %8.3f s  %s' % (count, seconds, route))


if __name__ == '__main__':
    main()
