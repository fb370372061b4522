# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""kuzzle_server_info's requests and results, against Kuzzle answers mocked at the transport."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest
import requests
import responses

from ansible_collections.community.kuzzle.plugins.modules import kuzzle_server_info
from ansible_collections.community.kuzzle.tests.unit.plugins.modules.utils import URL, calls, envelope, kuzzle_error

PASSWORD = 'S3cr3t-admin-pw'
JWT = 'kauth-eyJhbGciOiJIUzI1NiJ9.eyJfaWQiOiJhZG1pbiJ9.c2lnbmF0dXJl'
EVERYTHING = [{'controller': '*', 'action': '*', 'index': '*', 'collection': '*', 'value': 'allowed'}]
RESTRICTED = [{'controller': 'auth', 'action': 'login', 'index': '*', 'collection': '*', 'value': 'allowed'}]
HEALTH = {'status': 'green', 'services': {'internalCache': 'green', 'memoryStorage': 'green', 'storageEngine': 'green'}}
INFO = {'serverInfo': {'kuzzle': {'version': '2.56.0', 'api': {'routes': {}}}, 'services': {}}}


def unauthorized(action):
    return kuzzle_error('security.rights.unauthorized', 401, 'Unauthorized: authentication required to execute the action '
                        '"server:%s".' % action, action=action)


def ready(mocked, status=200):
    mocked.add(responses.GET, URL + '/_ready', status=status, json=envelope(None, status=status, action=None, controller=None))


def fresh_kuzzle(mocked):
    mocked.add(responses.GET, URL + '/_adminExists', json=envelope({'exists': False}, action='adminExists', controller='server'))
    mocked.add(responses.GET, URL + '/_me/_rights', json=envelope({'hits': EVERYTHING, 'total': 1}, action='getMyRights', controller='auth'))
    mocked.add(responses.GET, URL + '/_healthCheck', json=envelope(HEALTH, action='healthCheck', controller='server'))
    mocked.add(responses.GET, URL + '/_serverInfo', json=envelope(INFO, action='info', controller='server'))


def test_a_fresh_kuzzle_tells_everything_to_anonymous(run_module, kuzzle_http):
    ready(kuzzle_http)
    fresh_kuzzle(kuzzle_http)
    failed, result = run_module(kuzzle_server_info.main, dict(username='admin', password=PASSWORD), check=True)
    assert not failed, result
    assert calls(kuzzle_http) == [('GET', '/_ready'), ('GET', '/_adminExists'), ('GET', '/_me/_rights'),
                                  ('GET', '/_healthCheck'), ('GET', '/_serverInfo')]  # no login: anonymous may ask all
    assert all('Authorization' not in call.request.headers for call in kuzzle_http.calls)
    assert result == {'changed': False, 'ready': True, 'seen': 'GET /_ready answered 200', 'looks': 1, 'health': HEALTH,
                      'version': '2.56.0', 'admin_exists': False, 'default_rights_restricted': False,
                      'msg': 'Kuzzle 2.56.0 is ready; no administrator yet; anonymous may call every action'}


def restricted_kuzzle(mocked):
    for path, action in (('/_adminExists', 'adminExists'), ('/_healthCheck', 'healthCheck'), ('/_serverInfo', 'info')):
        mocked.add(responses.GET, URL + path, status=401, json=unauthorized(action))
    mocked.add(responses.GET, URL + '/_me/_rights', json=envelope({'hits': RESTRICTED, 'total': 1}, action='getMyRights', controller='auth'))


def test_a_restricted_kuzzle_without_credentials_gives_nulls(run_module, kuzzle_http):
    ready(kuzzle_http)
    restricted_kuzzle(kuzzle_http)
    failed, result = run_module(kuzzle_server_info.main, {})
    assert not failed, result
    assert (result['admin_exists'], result['health'], result['version'], result['default_rights_restricted']) == (None, None, None, True)
    assert result['msg'] == 'Kuzzle is ready; default rights restricted'


def test_a_restricted_kuzzle_is_asked_again_as_the_tasks_user(run_module, kuzzle_http):
    ready(kuzzle_http)
    kuzzle_http.add(responses.GET, URL + '/_adminExists', status=401, json=unauthorized('adminExists'))
    kuzzle_http.add(responses.POST, URL + '/_login/local?expiresIn=5m', json=envelope(
        {'_id': 'admin', 'jwt': JWT, 'expiresAt': 1, 'ttl': 1}, action='login', controller='auth'))
    kuzzle_http.add(responses.GET, URL + '/_adminExists', json=envelope({'exists': True}, action='adminExists', controller='server'))
    kuzzle_http.add(responses.GET, URL + '/_me/_rights', json=envelope({'hits': RESTRICTED, 'total': 1}, action='getMyRights', controller='auth'))
    kuzzle_http.add(responses.GET, URL + '/_healthCheck', status=401, json=unauthorized('healthCheck'))
    kuzzle_http.add(responses.GET, URL + '/_healthCheck', json=envelope(HEALTH, action='healthCheck', controller='server'))
    kuzzle_http.add(responses.GET, URL + '/_serverInfo', status=401, json=unauthorized('info'))
    kuzzle_http.add(responses.GET, URL + '/_serverInfo', json=envelope(INFO, action='info', controller='server'))
    failed, result = run_module(kuzzle_server_info.main, dict(username='admin', password=PASSWORD))
    assert not failed, result
    assert calls(kuzzle_http)[:4] == [('GET', '/_ready'), ('GET', '/_adminExists'), ('POST', '/_login/local?expiresIn=5m'),
                                      ('GET', '/_adminExists')]
    assert kuzzle_http.calls[3].request.headers['Authorization'] == 'Bearer ' + JWT
    assert 'Authorization' not in kuzzle_http.calls[4].request.headers  # anonymous's own rights
    assert (result['admin_exists'], result['health'], result['version'], result['default_rights_restricted']) == (True, HEALTH, '2.56.0', True)


def test_a_wrong_password_fails_cleanly(run_module, kuzzle_http):
    ready(kuzzle_http)
    kuzzle_http.add(responses.GET, URL + '/_adminExists', status=401, json=unauthorized('adminExists'))
    kuzzle_http.add(responses.POST, URL + '/_login/local?expiresIn=5m', status=401, json=kuzzle_error(
        'plugin.strategy.missing_user', 401, 'wrong username or password', action='login'))
    failed, result = run_module(kuzzle_server_info.main, dict(username='admin', password=PASSWORD))
    assert failed and result['error_id'] == 'plugin.strategy.missing_user'
    assert PASSWORD not in json.dumps(result)


def test_one_look_at_a_kuzzle_that_is_not_ready_does_not_fail(run_module, kuzzle_http):
    ready(kuzzle_http, 503)
    failed, result = run_module(kuzzle_server_info.main, {})
    assert not failed
    assert calls(kuzzle_http) == [('GET', '/_ready')]  # not retried: one look
    assert result['ready'] is False and result['looks'] == 1
    assert result['msg'] == 'Kuzzle at %s is not ready: GET /_ready answered 503: Kuzzle is starting, stopping or overloaded' % URL


def test_a_red_service_is_reported(run_module, kuzzle_http):
    ready(kuzzle_http)
    fresh_kuzzle(kuzzle_http)
    kuzzle_http.replace(responses.GET, URL + '/_healthCheck', status=503, json=kuzzle_error(
        'core.fatal.service_unavailable', 503, 'Service unavailable: storage down', action='healthCheck'))
    failed, result = run_module(kuzzle_server_info.main, dict(retries=0))
    assert not failed, result
    assert result['health'] == {'status': 'red', 'message': 'Kuzzle answered 503 core.fatal.service_unavailable: Service unavailable: storage down'}


class FakeTime:
    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def fake_time(monkeypatch):
    fake = FakeTime()
    monkeypatch.setattr(kuzzle_server_info.time, 'monotonic', fake.monotonic)
    monkeypatch.setattr(kuzzle_server_info.time, 'sleep', fake.sleep)
    return fake


def test_waits_through_refusals_and_503_until_ready(run_module, kuzzle_http, fake_time):
    kuzzle_http.add(responses.GET, URL + '/_ready', body=requests.exceptions.ConnectionError('Connection refused'))
    ready(kuzzle_http, 503)
    ready(kuzzle_http)
    fresh_kuzzle(kuzzle_http)
    failed, result = run_module(kuzzle_server_info.main, dict(wait_timeout=60))
    assert not failed, result
    assert result['looks'] == 3 and result['ready'] is True
    assert fake_time.sleeps == [1.0, 1.0]


def test_fails_after_the_wait_naming_the_url_and_what_was_seen(run_module, kuzzle_http, fake_time):
    for dummy in range(4):
        kuzzle_http.add(responses.GET, URL + '/_ready', body=requests.exceptions.ConnectionError('Connection refused'))
    failed, result = run_module(kuzzle_server_info.main, dict(wait_timeout=3))
    assert failed
    assert result['msg'].startswith('Kuzzle at %s is not ready after 3 s (4 looks); last seen: ' % URL)
    assert result['msg'].endswith('Connection refused')
    assert result['ready'] is False and result['changed'] is False
    assert calls(kuzzle_http) == [('GET', '/_ready')] * 4


@pytest.mark.parametrize('args, fragment', [
    (dict(wait_timeout=-1), 'wait_timeout must be 0'),
    (dict(url='ftp://x'), 'does not start with http'),
])
def test_invalid_tasks_fail_before_any_request(run_module, kuzzle_http, args, fragment):
    failed, result = run_module(kuzzle_server_info.main, args)
    assert failed and fragment in result['msg']
    assert len(kuzzle_http.calls) == 0
