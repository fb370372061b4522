"""The load balancer of ``serve --nodes N``: an HTTP proxy on 127.0.0.1 that sends each request to the next node.

Round robin per request, not per connection: a client that keeps its connection alive (requests'
Session, ansible's open_url) still sees consecutive requests answered by different nodes, which
is the worst case a real load balancer can produce. Bodies are read whole and forwarded with a
Content-Length; hop-by-hop headers are dropped; the answer gains ``X-Harness-Node: <index>`` (Kuzzle
2.56's own ``X-Kuzzle-Node`` header says ``undefined``). A node that cannot be reached is answered with a
502 naming it (never retried on another node: a test must see it). Standard library only.
"""

import http.client
import itertools
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOP_BY_HOP = {'connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection',
              'te', 'trailer', 'transfer-encoding', 'upgrade'}
TIMEOUT = 120


class _Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'  # keep-alive with the client, like a real load balancer
    proxy = None  # set on the subclass bound to one RoundRobinProxy

    def _body(self):
        if 'chunked' in self.headers.get('Transfer-Encoding', '').lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b';', 1)[0].strip() or b'0', 16)
                if size == 0:
                    while self.rfile.readline() not in (b'\r\n', b'\n', b''):
                        pass  # trailers
                    return b''.join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get('Content-Length') or 0)
        return self.rfile.read(length) if length else None

    def _forward(self):
        body = self._body()
        index, (host, port) = self.proxy.next_node()
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP and k.lower() != 'content-length'}
        if body is not None:
            headers['Content-Length'] = str(len(body))
        connection = http.client.HTTPConnection(host, port, timeout=TIMEOUT)
        try:
            connection.request(self.command, self.path, body=body, headers=headers)
            answer = connection.getresponse()
            payload = answer.read()
            status, reason, answer_headers = answer.status, answer.reason, answer.getheaders()
        except OSError as exc:
            payload = (f'{{"status": 502, "error": {{"id": "harness.proxy.node_unreachable", '
                       f'"message": "serve\'s proxy cannot reach node {index} ({host}:{port}): {exc}"}}}}').encode()
            status, reason, answer_headers = 502, 'Bad Gateway', [('Content-Type', 'application/json')]
        finally:
            connection.close()
        self.send_response(status, reason)
        self.send_header('X-Harness-Node', str(index))  # which node answered, as a load balancer's X-Served-By
        for key, value in answer_headers:
            if key.lower() not in HOP_BY_HOP and key.lower() != 'content-length':
                self.send_header(key, value)
        self.send_header('Content-Length', str(len(payload)))
        self.end_headers()
        if self.command != 'HEAD':
            self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _forward

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        pass  # quiet: serve's stderr is for the harness's own messages


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128


class RoundRobinProxy:
    """``RoundRobinProxy(port, [(host, port), ...]).start()``; ``stop()``."""

    def __init__(self, port, nodes, host='127.0.0.1'):
        self.nodes = list(nodes)
        self._turn = itertools.count()
        self._lock = threading.Lock()
        handler = type('BoundHandler', (_Handler,), {'proxy': self})
        self.server = _Server((host, port), handler)
        self.url = f'http://{host}:{self.server.server_address[1]}'
        self._thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), name='rr-proxy', daemon=True)

    def next_node(self):
        with self._lock:
            index = next(self._turn) % len(self.nodes)
        return index, self.nodes[index]

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        self._thread.join()
