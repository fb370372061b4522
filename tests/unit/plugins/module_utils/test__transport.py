# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Each try of a request ends within its timeout, whatever the server does, and answers cut short are told apart:
KuzzleClient against small real servers on 127.0.0.1 that trickle, cut or reset their answers. What the server
sent before the client went away is counted on the server's side."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import socket
import struct
import threading

import pytest

from ansible_collections.community.kuzzle.plugins.module_utils import _client, _transport
from ansible_collections.community.kuzzle.plugins.module_utils._client import KuzzleClient, KuzzleError

PROFILE = {'_id': 'p1', '_source': {'policies': [{'roleId': 'default'}]}}


def answer(result=None, action='getProfile', status=200):
    body = json.dumps({'action': action, 'controller': 'security', 'error': None, 'requestId': 'r', 'headers': {},
                       'result': PROFILE if result is None else result, 'status': status, 'volatile': None}).encode()
    head = 'HTTP/1.1 %d OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n' % (status, len(body))
    return head.encode() + body


class RawServer:
    """A server that plays one behaviour per connection, in order: ('trickle', seconds between bytes),
    ('body_then', 'reset' or 'close'), ('reset_after_request',) or ('ok',). It records, per connection, the
    request line and how many bytes of the answer it could send before the client went away."""

    def __init__(self, script):
        self.script = list(script)
        self.seen = []
        self.listener = socket.socket()
        self.listener.bind(('127.0.0.1', 0))
        self.listener.listen(8)
        self.url = 'http://127.0.0.1:%d' % self.listener.getsockname()[1]
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._accept, daemon=True)]

    def __enter__(self):
        self.threads[0].start()
        return self

    def __exit__(self, *exc_info):
        self.stop.set()
        self.listener.close()
        for thread in self.threads[1:]:
            thread.join(5)

    def _accept(self):
        while not self.stop.is_set():
            try:
                conn = self.listener.accept()[0]
            except OSError:
                return
            step = self.script.pop(0) if self.script else ('ok',)
            record = {'request': None, 'sent': 0, 'client_gone': False}
            self.seen.append(record)
            thread = threading.Thread(target=self._serve, args=(conn, step, record), daemon=True)
            self.threads.append(thread)
            thread.start()

    @staticmethod
    def _read_request(conn):
        data = b''
        while b'\r\n\r\n' not in data:
            chunk = conn.recv(4096)
            if not chunk:
                return data
            data += chunk
        head, rest = data.split(b'\r\n\r\n', 1)
        length = [int(line.split(b':')[1]) for line in head.split(b'\r\n') if line.lower().startswith(b'content-length:')]
        while length and len(rest) < length[0]:
            rest += conn.recv(4096)
        return head

    def _serve(self, conn, step, record):
        try:
            record['request'] = self._read_request(conn).split(b'\r\n')[0].decode()
            data = answer()
            if step[0] == 'trickle':
                for i in range(len(data)):
                    if self.stop.wait(step[1]):
                        break
                    conn.sendall(data[i:i + 1])
                    record['sent'] += 1
            elif step[0] == 'body_then':
                cut = data.index(b'\r\n\r\n') + 4 + 10
                conn.sendall(data[:cut])
                record['sent'] = cut
                if step[1] == 'reset':
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
            elif step[0] == 'reset_after_request':
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
            else:
                conn.sendall(data)
                record['sent'] = len(data)
        except OSError:
            record['client_gone'] = True
        finally:
            conn.close()


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch):
    monkeypatch.setattr(_client, 'BACKOFF_FACTOR', 0)


def failure(callable_, *args, **kwargs):
    with pytest.raises(KuzzleError) as info:
        callable_(*args, **kwargs)
    return info.value


def test_a_trickled_answer_is_cut_at_the_timeout_for_every_try():
    """Headers and body one byte every 0.2 s: each of the two tries is cut after about 0.6 s, a few bytes in
    (the whole answer would take more than a minute)."""
    with RawServer([('trickle', 0.2), ('trickle', 0.2)]) as server:
        client = KuzzleClient(server.url, timeout=0.6, retries=1)
        err = failure(client.call, 'GET', ['profiles', 'p1'], doing='read profile "p1"')
    assert str(err) == 'Could not read profile "p1": no complete answer from Kuzzle at %s within 0.6 s' % server.url
    assert err.outcome is None and client.request_count == 2
    assert len(server.seen) == 2 and all(seen['sent'] < 20 for seen in server.seen), server.seen


def test_a_trickled_write_is_cut_and_its_outcome_is_unknown():
    with RawServer([('trickle', 0.2)]) as server:
        client = KuzzleClient(server.url, timeout=0.6, retries=3)
        err = failure(client.call, 'PUT', ['profiles', 'p1', '_update'], body={}, doing='update profile "p1"')
    assert str(err) == ('Could not update profile "p1": no complete answer from Kuzzle at %s within 0.6 s '
                        '(the change may or may not have been applied)' % server.url)
    assert err.outcome == 'unknown' and client.request_count == 1 and len(server.seen) == 1


@pytest.mark.parametrize('how', ['reset', 'close'])
def test_a_read_cut_in_its_body_is_sent_again(how):
    """A reset, or a clean close before the Content-Length: urllib3 is done once the headers came, so the client
    tries again itself, from the same count of retries."""
    with RawServer([('body_then', how), ('ok',)]) as server:
        client = KuzzleClient(server.url, timeout=5, retries=1)
        assert client.act('security:getProfile', _id='p1') == PROFILE
    assert len(server.seen) == 2 and client.request_count == 2


@pytest.mark.parametrize('how', ['reset', 'close'])
def test_a_read_cut_every_time_fails_once_retries_are_spent(how):
    with RawServer([('body_then', how)] * 3) as server:
        client = KuzzleClient(server.url, timeout=5, retries=2)
        err = failure(client.act, 'security:getProfile', _id='p1')
    assert str(err).startswith('Could not read profile "p1": the answer of Kuzzle at %s (HTTP 200) ' % server.url)
    assert len(server.seen) == 3 and client.request_count == 3 and err.outcome is None


@pytest.mark.parametrize('how', ['reset', 'close'])
def test_a_write_cut_in_its_body_is_not_sent_again_and_its_outcome_is_unknown(how):
    with RawServer([('body_then', how), ('ok',)]) as server:
        client = KuzzleClient(server.url, timeout=5, retries=3)
        err = failure(client.act, 'security:createProfile', _id='p1', body={'policies': []})
    assert 'the change may or may not have been applied' in str(err) and err.outcome == 'unknown' and err.status == 200
    assert len(server.seen) == 1


def test_a_write_whose_connection_is_reset_after_the_request_is_not_sent_again():
    with RawServer([('reset_after_request',), ('ok',)]) as server:
        client = KuzzleClient(server.url, timeout=5, retries=3)
        err = failure(client.act, 'security:createProfile', _id='p1', body={'policies': []})
        assert str(err) == ('Could not create profile "p1": lost the connection to Kuzzle at %s: Connection reset by peer '
                            '(the change may or may not have been applied)' % server.url)
        assert err.outcome == 'unknown' and len(server.seen) == 1
        # a read meeting the same is tried again
        server.script[:] = [('reset_after_request',), ('ok',)]
        assert client.act('security:getProfile', _id='p1') == PROFILE


def test_the_watchdog_watches_only_the_requests_in_flight():
    with RawServer([('ok',)]) as server:
        client = KuzzleClient(server.url, timeout=5)
        client.call('GET', ['profiles', 'p1'])
    assert not _transport._WATCHDOG._watched
    assert _transport._current() is None


def test_attempts_cut_a_socket_registered_after_the_deadline():
    """A connection made just as the deadline passes is cut at once."""
    left, right = socket.socketpair()
    try:
        with _transport.Attempts(0.01) as attempts:
            attempts.begin(None)
            attempts.expire(float('inf'))
            attempts.watch(left)
            assert attempts.expired
            assert right.recv(1) == b''  # the other end sees the connection shut
    finally:
        left.close()
        right.close()
