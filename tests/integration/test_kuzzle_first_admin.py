# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""kuzzle_server_info and kuzzle_first_admin through real ansible-playbook runs, each against a Kuzzle of its own:
the session's Kuzzle has its admin already, and these tests start from an empty one.

The file's Kuzzle is started while a play waits for it (the tests below run in file order on it: wait, check
mode, a refused creation, the creation, then every later look); the race has a Kuzzle of its own.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import socket
import subprocess
import threading

import pytest

from kuzzle_run import HOST, free_port  # pylint: disable=import-error
from pytest_kuzzle import SERVE, KuzzleServer, start_serve, stop_serve  # pylint: disable=import-error

INFO = 'community.kuzzle.kuzzle_server_info'
FIRST_ADMIN = 'community.kuzzle.kuzzle_first_admin'
ADMIN = ('root-admin', 'root-admin-pw-4f1c9')
NOT_READY = json.dumps({'action': None, 'controller': None, 'error': None, 'headers': {}, 'requestId': 'x',
                        'result': None, 'status': 503, 'volatile': None}).encode()


def defaults(url, credentials=True):
    options = {'url': url}
    if credentials:
        options.update(username=ADMIN[0], password=ADMIN[1])
    return {'group/community.kuzzle.kuzzle': options}


def answer_not_ready_once(listener, looked):
    """Answer one request on ``listener`` with Kuzzle's 503 of /_ready, let the client close first (so the port has
    no TIME_WAIT on this side, and serve can take it), then stop listening."""
    try:
        conn, dummy = listener.accept()
        with conn:
            conn.settimeout(10)
            conn.recv(65536)
            conn.sendall(b'HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nConnection: close\r\n'
                         b'Content-Length: %d\r\n\r\n%s' % (len(NOT_READY), NOT_READY))
            try:
                while conn.recv(65536):
                    pass
            except OSError:
                pass
        looked.set()
    finally:
        listener.close()


@pytest.fixture(scope='module')
def starting(tmp_path_factory, make_playbooks):
    """A play that waits for Kuzzle (wait_timeout) while Kuzzle starts: until the play has looked once, its port
    answers 503 as a starting Kuzzle does; then serve starts a real, empty Kuzzle on it. Yields (server, run)."""
    directory = tmp_path_factory.mktemp('fresh-kuzzle')
    port = free_port()
    url = 'http://%s:%d' % (HOST, port)
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((HOST, port))
    listener.listen(1)
    looked = threading.Event()
    threading.Thread(target=answer_not_ready_once, args=(listener, looked), daemon=True).start()
    write_log = str(directory / 'writes.jsonl')
    server = KuzzleServer(url, write_log)
    playbooks = make_playbooks(directory, server)
    runs = []
    waiting = threading.Thread(target=lambda: runs.append(playbooks.run(
        [{'name': 'wait', INFO: {'wait_timeout': 240}, 'register': 'server'}], module_defaults=defaults(url, False))))
    waiting.start()
    proc = None
    try:
        assert looked.wait(180), 'the play never looked at Kuzzle'
        with open(str(directory / 'serve.stderr'), 'w') as stderr:
            proc = subprocess.Popen([SERVE, '--port', str(port), '--write-log', write_log],  # pylint: disable=consider-using-with
                                    stdout=subprocess.DEVNULL, stderr=stderr, stdin=subprocess.DEVNULL)
        waiting.join(300)
        assert runs, 'the waiting play did not end'
        yield server, runs[0], playbooks
    finally:
        if proc is not None:
            stop_serve(proc)


def test_waits_for_a_kuzzle_that_is_starting(starting):
    dummy, run, dummy2 = starting
    assert run.rc == 0, run.output
    result = run.result('wait')
    assert result['ready'] is True and result['looks'] >= 2, result  # the first look saw the 503
    assert result['seen'] == 'GET /_ready answered 200'
    assert result['version'] == '2.56.0'
    assert result['admin_exists'] is False and result['default_rights_restricted'] is False
    assert result['health']['status'] == 'green'


def first_admin(**options):
    options.setdefault('name', 'root')
    return {'name': 'first admin', FIRST_ADMIN: options}


def test_check_mode_writes_nothing(starting):
    server, dummy, playbooks = starting
    mark = server.mark()
    run = playbooks.run([first_admin()], module_defaults=defaults(server.url), check=True, diff=True)
    assert run.rc == 0, run.output
    result = run.result('first admin')
    assert result['changed'] is True and result['msg'].startswith('would have created the first administrator "root"')
    assert result['diff']['after']['profileIds'] == ['admin']
    assert server.writes_since(mark) == []
    assert server.api('GET', '/_adminExists', token='')[1]['result'] == {'exists': False}
    assert ADMIN[1] not in run.output


def test_a_refused_creation_leaves_nothing_behind(starting):
    server, dummy, playbooks = starting
    # a user that is no administrator holds the username already (anonymous may do anything on a fresh Kuzzle)
    status, body = server.api('POST', '/users/holder/_create', token='', query={'refresh': 'wait_for'}, body={
        'content': {'profileIds': ['default']}, 'credentials': {'local': {'username': 'taken', 'password': 'pw-holder-1'}}})
    assert status == 200, body
    run = playbooks.run([
        dict(first_admin(username='taken', password='another-pw-1'), ignore_errors=True),
        {'name': 'empty password', FIRST_ADMIN: {'name': 'root', 'username': 'root-admin', 'password': ''},
         'ignore_errors': True},
    ], module_defaults={'group/community.kuzzle.kuzzle': {'url': server.url}})
    # Kuzzle's local strategy refuses it with a 412 that has no error id (kuzzle-plugin-auth-passport-local)
    result = run.clean_failure('first admin', 'Could not create the first administrator "root": Kuzzle answered 412',
                               'Login "taken" is already used')
    assert result['status'] == 412
    run.clean_failure('empty password', 'password must be a non-empty string')
    # nothing half-done: no user "root", still no administrator, anonymous still unrestricted
    assert server.api('GET', '/users/root', token='')[0] == 404
    assert server.api('GET', '/_adminExists', token='')[1]['result'] == {'exists': False}
    assert 'another-pw-1' not in run.output


def test_creates_the_first_admin_then_ok_and_anonymous_loses_its_rights(starting):
    server, dummy, playbooks = starting
    run = playbooks.run([first_admin(content={'fullName': 'Root'}), dict(first_admin(), name='again'),
                         dict(first_admin(), name='again in check mode', check_mode=True)],
                        module_defaults=defaults(server.url), verbosity=3)
    assert run.rc == 0, run.output
    assert run.result('first admin')['changed'] is True
    assert run.result('first admin')['admin'] == {'kuid': 'root', 'profileIds': ['admin'], 'username': ADMIN[0],
                                                  'default_rights_restricted': True, 'content': {'fullName': 'Root'}}
    assert run.result('again')['changed'] is False and run.result('again in check mode')['changed'] is False
    assert ADMIN[1] not in run.output
    # anonymous really lost its rights: it may neither ask nor write any more
    assert server.api('GET', '/_adminExists', token='')[0] == 401
    status, body = server.api('POST', '/roles/intruder/_create', token='', body={'controllers': {}})
    assert (status, body['error']['id']) == (401, 'security.rights.unauthorized')
    token = server.login(*ADMIN)
    status, body = server.api('GET', '/users/root', token=token)
    assert status == 200 and body['result']['_source']['profileIds'] == ['admin']
    assert body['result']['_source']['fullName'] == 'Root'


def test_server_info_after_the_lock_down(starting):
    server, dummy, playbooks = starting
    mark = server.mark()
    run = playbooks.run([
        {'name': 'anonymous', INFO: {}},
        {'name': 'as the admin', INFO: {'username': ADMIN[0], 'password': ADMIN[1]}},
    ], module_defaults=defaults(server.url, False))
    assert run.rc == 0, run.output
    anonymous = run.result('anonymous')
    assert (anonymous['admin_exists'], anonymous['version'], anonymous['default_rights_restricted']) == (None, None, True)
    admin = run.result('as the admin')
    assert (admin['admin_exists'], admin['version'], admin['default_rights_restricted']) == (True, '2.56.0', True)
    assert server.writes_since(mark) == []


def test_unreachable_kuzzle_fails_naming_the_url(make_playbooks, tmp_path):
    url = 'http://%s:%d' % (HOST, free_port())
    playbooks = make_playbooks(tmp_path, KuzzleServer(url))
    run = playbooks.run([{'name': 'wait', INFO: {'wait_timeout': 2}, 'ignore_errors': True},
                         {'name': 'one look', INFO: {}}], module_defaults=defaults(url, False))
    assert run.rc == 0, run.output
    result = run.clean_failure('wait', 'Kuzzle at %s is not ready after 2 s' % url, 'cannot reach Kuzzle at %s' % url)
    assert result['ready'] is False and result['looks'] >= 2
    assert run.result('one look')['ready'] is False and run.result('one look')['looks'] == 1


def test_two_plays_racing_create_one_admin(make_playbooks, tmp_path):
    proc, url, write_log = start_serve(str(tmp_path))
    try:
        server = KuzzleServer(url, write_log)
        playbooks = make_playbooks(tmp_path, server)
        run = playbooks.run([{'name': 'first admin', FIRST_ADMIN: {'name': '{{ inventory_hostname }}'}}],
                            module_defaults=defaults(url), hosts=('racer1', 'racer2', 'racer3'), forks=3)
        assert run.rc == 0, run.output
        changed = sorted(r['host'] for r in run.results if r['result']['changed'])
        assert len(changed) == 1, run.output
        assert len(run.results) == 3 and all(r['status'] == 'ok' for r in run.results)
        token = server.login(*ADMIN)
        status, body = server.api('POST', '/users/_search', token=token, body={'query': {'terms': {'profileIds': ['admin']}}})
        assert status == 200 and [hit['_id'] for hit in body['result']['hits']] == changed
    finally:
        stop_serve(proc)
