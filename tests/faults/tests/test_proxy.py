# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The fault proxy itself, in front of a small local upstream (no Kuzzle needed): each action does what it says,
to the client and to the upstream, and the proxy leaves nothing listening."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from certs import make_certificates  # noqa: E402 pylint: disable=wrong-import-position,import-error
from proxy import FaultProxy  # noqa: E402 pylint: disable=wrong-import-position,import-error

ENVELOPE = {'requestId': 'r1', 'status': 200, 'error': None, 'controller': 'security', 'action': 'getProfile',
            'headers': {}, 'volatile': None, 'result': {'_id': 'p1', '_source': {'policies': [{'roleId': 'default'}]}}}


class Upstream(ThreadingHTTPServer):
    """Answers every request with ENVELOPE, and remembers what it received."""
    daemon_threads = True

    def __init__(self):
        self.received = []
        super(Upstream, self).__init__(('127.0.0.1', 0), UpstreamHandler)

    @property
    def url(self):
        return 'http://127.0.0.1:%d' % self.server_address[1]


class UpstreamHandler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def do_GET(self):  # noqa: N802 pylint: disable=invalid-name
        length = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(length) if length else b''
        self.server.received.append((self.command, self.path, body, self.headers.get('Authorization')))
        data = json.dumps(ENVELOPE).encode()
        self.send_response(200)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(data)))
        self.send_header('Connection', 'close')
        self.end_headers()
        self.wfile.write(data)
        self.close_connection = True

    do_POST = do_PUT = do_DELETE = do_GET

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        pass


@pytest.fixture
def upstream():
    server = Upstream()
    thread = threading.Thread(target=server.serve_forever, kwargs={'poll_interval': 0.1}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def proxy(upstream):  # pylint: disable=redefined-outer-name
    with FaultProxy(upstream.url) as started:
        yield started


def test_untouched_requests_are_forwarded_with_method_path_body_and_headers(proxy, upstream):  # pylint: disable=redefined-outer-name
    answer = requests.put(proxy.url + '/profiles/p1?refresh=wait_for', json={'policies': []}, headers={'Authorization': 'Bearer t'}, timeout=5)
    assert answer.status_code == 200 and answer.json() == ENVELOPE
    assert upstream.received == [('PUT', '/profiles/p1?refresh=wait_for', b'{"policies": []}', 'Bearer t')]
    proxy.wait_idle()
    assert proxy.log == [dict(method='PUT', path='/profiles/p1?refresh=wait_for', action='pass', forwarded=True, upstream_status=200,
                              sent=proxy.log[0]['sent'], client_gone=False, note=None)]
    assert proxy.log[0]['sent'] > len(json.dumps(ENVELOPE))


def test_rules_match_method_path_and_count(proxy, upstream):  # pylint: disable=redefined-outer-name
    proxy.add('status', method='PUT', path='^/profiles/', times=2, status=503)
    statuses = [requests.request(m, proxy.url + p, timeout=5).status_code
                for m, p in (('GET', '/profiles/a'), ('PUT', '/roles/a'), ('PUT', '/profiles/a'), ('PUT', '/profiles/b'), ('PUT', '/profiles/c'))]
    assert statuses == [200, 200, 503, 503, 200]
    assert [e['action'] for e in proxy.log] == ['pass', 'pass', 'status', 'status', 'pass']
    assert [r[1] for r in upstream.received] == ['/profiles/a', '/roles/a', '/profiles/c']  # refusals never reached it
    assert len(proxy.entries(action='status', path='^/profiles/')) == 2


def test_status_after_forwarding_reaches_the_upstream(proxy, upstream):  # pylint: disable=redefined-outer-name
    proxy.add('status', forward=True, status=502)
    assert requests.post(proxy.url + '/x', json={}, timeout=5).status_code == 502
    assert len(upstream.received) == 1 and proxy.log[0]['forwarded'] is True


@pytest.mark.parametrize('action, reaches_upstream', [('reset_before', False), ('reset_after', True)])
def test_resets(proxy, upstream, action, reaches_upstream):  # pylint: disable=redefined-outer-name
    proxy.add(action)
    with pytest.raises(requests.exceptions.ConnectionError) as failure:
        requests.post(proxy.url + '/x', json={}, timeout=5)
    assert 'reset' in str(failure.value).lower() or 'aborted' in str(failure.value).lower()
    assert len(upstream.received) == int(reaches_upstream)
    assert proxy.log[0]['forwarded'] is reaches_upstream


@pytest.mark.parametrize('action', ['reset_mid_body', 'truncate'])
def test_answers_cut_in_the_body(proxy, upstream, action):  # pylint: disable=redefined-outer-name
    proxy.add(action, keep=10)
    with pytest.raises((requests.exceptions.ChunkedEncodingError, requests.exceptions.ConnectionError)):
        requests.get(proxy.url + '/profiles/p1', timeout=5)
    assert len(upstream.received) == 1
    entry = proxy.log[0]
    assert entry['forwarded'] is True and entry['upstream_status'] == 200


def test_a_truncated_body_is_short_of_its_content_length(proxy):  # pylint: disable=redefined-outer-name
    proxy.add('truncate', keep=10)
    raw = _raw_get(proxy.port, '/profiles/p1')
    head, body = raw.split(b'\r\n\r\n', 1)
    length = int([line.split(b':')[1] for line in head.split(b'\r\n') if line.lower().startswith(b'content-length')][0])
    assert body == json.dumps(ENVELOPE).encode()[:10] and length == len(json.dumps(ENVELOPE))


def test_trickle_sends_everything_slowly_and_a_read_timeout_never_fires(proxy):  # pylint: disable=redefined-outer-name
    proxy.add('trickle', chunk=40, interval=0.1)
    started = time.monotonic()
    answer = requests.get(proxy.url + '/profiles/p1', timeout=1)  # each chunk comes well within 1 s
    elapsed = time.monotonic() - started
    assert answer.json() == ENVELOPE
    chunks = -(-proxy.log[0]['sent'] // 40)
    assert elapsed >= (chunks - 1) * 0.1


def test_stop_cuts_a_trickle_at_once(upstream):  # pylint: disable=redefined-outer-name
    proxy = FaultProxy(upstream.url).start()
    proxy.add('trickle', interval=5)
    client = threading.Thread(target=_quiet_get, args=(proxy.url + '/x',), daemon=True)
    client.start()
    time.sleep(0.5)
    started = time.monotonic()
    proxy.stop()
    client.join(10)
    assert not client.is_alive() and time.monotonic() - started < 5
    with pytest.raises(OSError):
        socket.create_connection(('127.0.0.1', proxy.port), timeout=1).close()


@pytest.mark.parametrize('action, params, expected', [
    ('result', {'value': 'a string'}, dict(ENVELOPE, result='a string')),
    ('result', {'value': [1, 2]}, dict(ENVELOPE, result=[1, 2])),
    ('body', {'body': '<html>gateway</html>'}, None),
])
def test_wrong_shaped_answers(proxy, action, params, expected):  # pylint: disable=redefined-outer-name
    proxy.add(action, **params)
    answer = requests.get(proxy.url + '/profiles/p1', timeout=5)
    assert answer.status_code == 200
    if expected is None:
        assert answer.text == params['body']
    else:
        assert answer.json() == expected


def test_delay_then_forward(proxy):  # pylint: disable=redefined-outer-name
    proxy.add('pass', delay=0.6)
    started = time.monotonic()
    assert requests.get(proxy.url + '/x', timeout=5).status_code == 200
    assert time.monotonic() - started >= 0.6


def test_a_hook_runs_after_kuzzle_answered_and_before_the_client_gets_the_answer(proxy, upstream):  # pylint: disable=redefined-outer-name
    seen = []

    def hook(entry, status, headers, body):
        seen.append((entry['path'], status, json.loads(body), len(upstream.received), proxy.log[0]['sent']))

    proxy.add('pass', path='^/_login/', hook=hook)
    assert requests.post(proxy.url + '/_login/local', json={}, timeout=5).json() == ENVELOPE
    assert seen == [('/_login/local', 200, ENVELOPE, 1, 0)]


def test_an_unreachable_upstream_is_a_502():
    with FaultProxy('http://127.0.0.1:9') as proxy:
        answer = requests.get(proxy.url + '/x', timeout=5)
    assert answer.status_code == 502
    assert proxy.log[0]['note'].startswith('upstream failed')


@pytest.fixture(scope='module')
def certificates(tmp_path_factory):
    return make_certificates(tmp_path_factory.mktemp('certs'))


def test_tls_with_a_ca(upstream, certificates):  # pylint: disable=redefined-outer-name
    tls = {'cert': certificates['server_cert'], 'key': certificates['server_key']}
    with FaultProxy(upstream.url, tls=tls) as proxy:
        assert proxy.url.startswith('https://127.0.0.1:')
        assert requests.get(proxy.url + '/x', verify=certificates['ca'], timeout=5).json() == ENVELOPE
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(proxy.url + '/x', verify=certificates['other_ca'], timeout=5)
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(proxy.url + '/x', timeout=5)  # the system's authorities do not know the test CA


def test_tls_self_signed(upstream, certificates):  # pylint: disable=redefined-outer-name
    tls = {'cert': certificates['self_signed_cert'], 'key': certificates['self_signed_key']}
    with FaultProxy(upstream.url, tls=tls) as proxy:
        assert requests.get(proxy.url + '/x', verify=False, timeout=5).status_code == 200
        assert requests.get(proxy.url + '/x', verify=certificates['self_signed_cert'], timeout=5).status_code == 200
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(proxy.url + '/x', verify=certificates['ca'], timeout=5)


def test_mutual_tls(upstream, certificates):  # pylint: disable=redefined-outer-name
    tls = {'cert': certificates['server_cert'], 'key': certificates['server_key'], 'client_ca': certificates['ca']}
    with FaultProxy(upstream.url, tls=tls) as proxy:
        with pytest.raises((requests.exceptions.SSLError, requests.exceptions.ConnectionError)):
            requests.get(proxy.url + '/x', verify=certificates['ca'], timeout=5)
        answer = requests.get(proxy.url + '/x', verify=certificates['ca'], timeout=5,
                              cert=(certificates['client_cert'], certificates['client_key']))
        assert answer.status_code == 200
        assert requests.get(proxy.url + '/x', verify=certificates['ca'], timeout=5, cert=certificates['client_combined']).status_code == 200
    assert [e['action'] for e in proxy.log] == ['tls_refused', 'pass', 'pass']
    assert len(upstream.received) == 2


def test_tls_reset_mid_body(upstream, certificates):  # pylint: disable=redefined-outer-name
    tls = {'cert': certificates['server_cert'], 'key': certificates['server_key']}
    with FaultProxy(upstream.url, tls=tls) as proxy:
        proxy.add('reset_mid_body', keep=5)
        with pytest.raises((requests.exceptions.ChunkedEncodingError, requests.exceptions.ConnectionError)):
            requests.get(proxy.url + '/x', verify=certificates['ca'], timeout=5)
    assert len(upstream.received) == 1


def _raw_get(port, path):
    with socket.create_connection(('127.0.0.1', port), timeout=5) as sock:
        sock.sendall(('GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' % path).encode())
        data = b''
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return data
            data += chunk


def _quiet_get(url):
    try:
        requests.get(url, timeout=30)
    except requests.exceptions.RequestException:
        pass
