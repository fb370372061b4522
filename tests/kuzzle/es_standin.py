"""An in-memory Elasticsearch 7 stand-in for the tests: just what Kuzzle 2 calls, over HTTP.

It is a test fixture for a component we cannot install on our build machines; users run real
Elasticsearch. What it answers, and what it cannot reproduce, is listed in README.md.

Run alone: ``python3 es_standin.py --port 9200 [--write-log FILE]``.
"""

import argparse
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, unquote, urlsplit

import es_errors
import es_store

HOST = '127.0.0.1'


def _json_body(raw):
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError as exc:
        raise es_errors.error(400, 'parse_exception', f'request body is not valid JSON: {exc}') from exc
    if not isinstance(body, dict):
        raise es_errors.error(400, 'parse_exception', 'request body must be a JSON object')
    return body


def _ndjson(raw):
    try:
        return [json.loads(line) for line in raw.decode('utf-8').splitlines() if line.strip()]
    except ValueError as exc:
        raise es_errors.error(400, 'parse_exception', f'bulk body is not NDJSON: {exc}') from exc


def _source_flag(params):
    return params.get('_source') != 'false'


class Router:
    """Maps (method, path segments) onto the store; returns (status, body)."""

    def __init__(self, store):
        self.store = store

    def dispatch(self, method, parts, params, raw):
        if not parts:
            return 200, es_store.info()
        head = parts[0]
        if head.startswith('_'):
            return self._api(method, parts, params, raw, None)
        if len(parts) == 1:
            return self._index(method, head, raw)
        return self._api(method, parts[1:], params, raw, head)

    def _index(self, method, name, raw):
        store = self.store
        if method == 'HEAD':
            return (200 if store.index_exists(name) else 404), None
        if method == 'PUT':
            return 200, store.create_index(name, _json_body(raw))
        if method == 'DELETE':
            return 200, store.delete_index(name)
        if method == 'GET':
            return 200, store.describe(name)
        return None

    def _api(self, method, parts, params, raw, index):  # pylint: disable=too-many-return-statements,too-many-branches
        store, action, rest = self.store, parts[0], parts[1:]
        if action in ('_doc', '_create', '_update', '_source') and index and len(rest) <= 1:
            return self._document(method, action, index, rest[0] if rest else None, params, raw)
        if action == '_search' and rest[:1] == ['scroll']:
            body = _json_body(raw)
            scroll_id = rest[1] if len(rest) > 1 else body.get('scroll_id', params.get('scroll_id'))
            if method == 'DELETE':
                ids = scroll_id if isinstance(scroll_id, list) else str(scroll_id or '').split(',')
                return store.clear_scroll([i for i in ids if i])
            return 200, store.scroll(scroll_id, body.get('scroll', params.get('scroll')))
        if action == '_search' and not rest:
            return 200, store.search(index, _json_body(raw), params)
        if action == '_count' and not rest:
            return 200, store.count(index, _json_body(raw), params)
        if action == '_delete_by_query' and index and method == 'POST':
            return 200, store.delete_by_query(index, _json_body(raw), params)
        if action == '_update_by_query' and index and method == 'POST':
            return 200, store.update_by_query(index, _json_body(raw), params)
        if action == '_mget':
            return 200, store.mget(index, _json_body(raw), _source_flag(params))
        if action == '_bulk' and method in ('POST', 'PUT'):
            return 200, store.bulk(index, _ndjson(raw))
        if action in ('_refresh', '_flush'):
            store.resolve(index, open_only=True)  # 404 on an unknown index, 400 on a closed one, like ES
            return 200, {'_shards': {'total': 1, 'successful': 1, 'failed': 0}}
        if action in ('_alias', '_aliases'):
            return self._alias(method, index, rest, raw)
        if action == '_mapping':
            if method == 'GET':
                return 200, store.get_mapping(index)
            return 200, store.put_mapping(index, _json_body(raw))
        if action == '_settings':
            if method == 'GET':
                return 200, store.get_settings(index)
            return 200, store.put_settings(index, _json_body(raw))
        if action == '_close' and index and method == 'POST':
            return 200, store.close_index(index)
        if action == '_open' and index and method == 'POST':
            return 200, store.open_index(index)
        if action == '_stats':
            return 200, store.stats(index)
        if index is None:
            return self._cluster(method, parts)
        return None

    def _document(self, method, action, index, doc_id, params, raw):  # pylint: disable=too-many-return-statements
        store = self.store
        if action == '_update' and method == 'POST' and doc_id:
            return store.update(index, doc_id, _json_body(raw), params.get('_source') in ('true', ''))
        if action == '_create' and method in ('PUT', 'POST') and doc_id:
            return store.put(index, doc_id, _json_body(raw), 'create')
        if action == '_source' and method == 'GET' and doc_id:
            return 200, store.get(index, doc_id)['_source']
        if action != '_doc':
            return None
        if method in ('PUT', 'POST'):
            return store.put(index, doc_id, _json_body(raw), params.get('op_type', 'index'))
        if method == 'GET' and doc_id:
            return 200, store.get(index, doc_id, _source_flag(params))
        if method == 'HEAD' and doc_id:
            try:
                store.get(index, doc_id, False)
                return 200, None
            except es_errors.EsError:
                return 404, None
        if method == 'DELETE' and doc_id:
            return store.delete(index, doc_id)
        return None

    def _alias(self, method, index, rest, raw):
        store, name = self.store, rest[0] if rest else None
        if method == 'HEAD':
            return (200 if store.alias_exists(name, index) else 404), None
        if method == 'GET':
            return 200, store.get_aliases(index, name)
        if method == 'POST' and index is None and name is None:
            return 200, store.update_aliases(_json_body(raw).get('actions', []))
        if method in ('PUT', 'POST') and index and name:
            return 200, store.update_aliases([{'add': {'index': index, 'alias': name}}])
        if method == 'DELETE' and index and name:
            return 200, store.update_aliases([{'remove': {'index': index, 'alias': name}}])
        return None

    def _cluster(self, method, parts):
        store = self.store
        if method not in ('GET', 'HEAD'):
            return None
        if parts[:2] == ['_cluster', 'health']:
            return 200, store.health()
        if parts == ['_cluster', 'stats']:
            return 200, store.cluster_stats()
        if parts[:2] == ['_cat', 'indices']:
            return 200, store.cat_indices()
        if parts[:2] == ['_cat', 'aliases']:
            return 200, store.cat_aliases(parts[2] if len(parts) > 2 else None)
        if parts[:2] == ['_cat', 'nodes']:
            return 200, es_store.CAT_NODES
        return None


class Handler(BaseHTTPRequestHandler):
    """HTTP/1.1 with keep-alive, as Kuzzle's ES client keeps its connections open."""

    protocol_version = 'HTTP/1.1'
    disable_nagle_algorithm = True  # else delayed ACKs add ~40 ms to every small answer
    router = None  # set by StandIn
    verbose = False

    def _read_body(self):
        if self.headers.get('Transfer-Encoding', '').lower() == 'chunked':
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b';')[0], 16)
                chunk = self.rfile.read(size)
                self.rfile.readline()
                if size == 0:
                    return b''.join(chunks)
                chunks.append(chunk)
        return self.rfile.read(int(self.headers.get('Content-Length') or 0))

    def _handle(self):
        url = urlsplit(self.path)
        parts = [unquote(p) for p in url.path.split('/') if p]
        params = dict(parse_qsl(url.query, keep_blank_values=True))
        raw = self._read_body()
        try:
            answer = self.router.dispatch(self.command, parts, params, raw)
            if answer is None:
                sys.stderr.write(f'es-standin: unsupported request {self.command} {self.path}\n')
                raise es_errors.unsupported(f'{self.command} {url.path}')
            status, body = answer
        except es_errors.EsError as exc:
            status, body = exc.status, exc.body
        except Exception as exc:  # pylint: disable=broad-exception-caught
            # A bug of the stand-in must reach Kuzzle as a 500, not kill the connection.
            sys.stderr.write(f'es-standin: error on {self.command} {self.path}: {exc!r}\n')
            status, body = 500, {'error': {'type': 'stand_in_exception', 'reason': repr(exc)}, 'status': 500}
        data = b'' if body is None else json.dumps(body).encode('utf-8')
        self.send_response(status)
        self.send_header('Content-Type', 'application/json; charset=UTF-8')
        self.send_header('X-elastic-product', 'Elasticsearch')
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        if self.command != 'HEAD':
            self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        if self.verbose:
            super().log_message(format, *args)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # Kuzzle opens many connections at once when it starts


class StandIn:
    """The stand-in server on 127.0.0.1 (or ``host``: serve --nodes), served from a background thread."""

    def __init__(self, port=0, write_log=None, verbose=False, host=HOST):
        self.store = es_store.Store(write_log)
        handler = type('BoundHandler', (Handler,), {'router': Router(self.store), 'verbose': verbose})
        self.server = _Server((host, port), handler)
        self.port = self.server.server_address[1]
        self.url = f'http://{host}:{self.port}'
        self._thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), name='es-standin', daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        self._thread.join()
        self.store.close()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--port', type=int, default=9200)
    parser.add_argument('--write-log', help='append one JSON line per storage write to this file')
    parser.add_argument('--verbose', action='store_true', help='log every request to stderr')
    args = parser.parse_args(argv)
    standin = StandIn(args.port, args.write_log, args.verbose)
    print(f'listening on {standin.url}', flush=True)
    try:
        standin.server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        standin.server.server_close()
        standin.store.close()


if __name__ == '__main__':
    main()
