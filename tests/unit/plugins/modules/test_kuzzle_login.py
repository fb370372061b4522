# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""kuzzle_login's requests and results, against Kuzzle answers mocked at the transport."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest
import responses


from ansible_collections.community.kuzzle.plugins.modules import kuzzle_login
from ansible_collections.community.kuzzle.tests.unit.plugins.modules.utils import URL, calls, envelope, kuzzle_error

JWT = 'kauth-eyJhbGciOiJIUzI1NiJ9.eyJfaWQiOiJhZG1pbiJ9.c2Vzc2lvbi1zaWduYXR1cmU'
PASSWORD = 'S3cr3t-admin-pw'
LOGIN = dict(username='admin', password=PASSWORD)
ANSWER = envelope({'_id': 'admin-kuid', 'jwt': JWT, 'expiresAt': 1795753655000, 'ttl': 1800000}, action='login', controller='auth')


@pytest.mark.parametrize('check', [False, True])
def test_logs_in_once_returns_the_token_and_never_logs_out(run_module, kuzzle_http, warnings, check):
    kuzzle_http.add(responses.POST, URL + '/_login/local?expiresIn=30m', json=ANSWER)
    failed, result = run_module(kuzzle_login.main, dict(LOGIN, expires_in='30m'), check=check)
    assert not failed, result
    assert calls(kuzzle_http) == [('POST', '/_login/local?expiresIn=30m')]  # no /_logout: the token is handed over
    request = kuzzle_http.calls[0].request
    assert json.loads(request.body) == {'username': 'admin', 'password': PASSWORD}
    assert 'Authorization' not in request.headers
    assert result == {'changed': False, 'token': JWT, 'expires_at': 1795753655000, 'ttl': 1800000, 'kuid': 'admin-kuid',
                      'msg': 'logged in as admin (kuid admin-kuid); the token expires at 2026-11-27T04:27:35Z'}
    assert warnings == [kuzzle_login.TOKEN_WARNING]


def test_without_expires_in_kuzzle_decides_and_no_log_silences_the_warning(run_module, kuzzle_http, warnings):
    kuzzle_http.add(responses.POST, URL + '/_login/ldap', json=envelope(
        {'_id': 'admin', 'jwt': JWT, 'expiresAt': -1, 'ttl': -1}, action='login', controller='auth'))
    failed, result = run_module(kuzzle_login.main, dict(LOGIN, auth_strategy='ldap', _ansible_no_log=True))
    assert not failed
    assert calls(kuzzle_http) == [('POST', '/_login/ldap')]
    assert result['msg'] == 'logged in as admin (kuid admin); the token never expires'
    assert warnings == []


def test_a_wrong_password_fails_without_showing_it(run_module, kuzzle_http):
    kuzzle_http.add(responses.POST, URL + '/_login/local', status=401, json=kuzzle_error(
        'plugin.strategy.missing_user', 401, 'wrong username or password', action='login'))
    failed, result = run_module(kuzzle_login.main, dict(LOGIN))
    assert failed
    assert result['msg'] == ('Could not log in to Kuzzle as "admin" (strategy local): Kuzzle answered 401 '
                             'plugin.strategy.missing_user: wrong username or password')
    assert result['error_id'] == 'plugin.strategy.missing_user' and result['status'] == 401
    assert PASSWORD not in json.dumps(result)


def test_a_password_echoed_by_the_server_is_masked(run_module, kuzzle_http):
    kuzzle_http.add(responses.POST, URL + '/_login/local', status=400, json=kuzzle_error(
        'api.assert.invalid_argument', 400, 'bad password %s' % PASSWORD, action='login'))
    failed, result = run_module(kuzzle_login.main, dict(LOGIN))
    assert failed and PASSWORD not in json.dumps(result) and '********' in result['msg']


def test_a_lifetime_over_kuzzles_maximum_fails_cleanly(run_module, kuzzle_http):
    kuzzle_http.add(responses.POST, URL + '/_login/local?expiresIn=1y', status=400, json=kuzzle_error(
        'security.token.ttl_exceeded', 400, 'Provided TTL is over the maximum allowed.', action='login'))
    failed, result = run_module(kuzzle_login.main, dict(LOGIN, expires_in='1y'))
    assert failed and result['error_id'] == 'security.token.ttl_exceeded'


@pytest.mark.parametrize('args, fragment', [
    (dict(), 'kuzzle_login logs in with username and password'),
    (dict(token='some-token'), 'a token is a session already'),
    (dict(LOGIN, expires_in='soon'), 'expires_in: "soon" is not a duration'),
    (dict(LOGIN, expires_in='-2h'), 'is negative'),
    (dict(username='admin'), 'parameters are required together'),
    (dict(LOGIN, state='absent'), 'username, password and expires_in do not apply'),
    (dict(token='kapikey-abc', state='absent'), 'token is an API key'),
    (dict(state='absent'), 'set token'),
])
def test_invalid_tasks_fail_before_any_request(run_module, kuzzle_http, args, fragment):
    failed, result = run_module(kuzzle_login.main, args)
    assert failed and fragment in result['msg'], result['msg']
    assert len(kuzzle_http.calls) == 0


def test_absent_logs_out_the_token(run_module, kuzzle_http):
    kuzzle_http.add(responses.POST, URL + '/_logout', json=envelope({}, action='logout', controller='auth'))
    failed, result = run_module(kuzzle_login.main, dict(token=JWT, state='absent'))
    assert not failed and result == {'changed': True, 'msg': 'logged out: the token is revoked'}
    assert calls(kuzzle_http) == [('POST', '/_logout')]
    assert kuzzle_http.calls[0].request.headers['Authorization'] == 'Bearer ' + JWT


@pytest.mark.parametrize('error_id', ['security.token.invalid', 'security.token.expired'])
def test_absent_with_a_token_already_gone_is_unchanged(run_module, kuzzle_http, error_id):
    kuzzle_http.add(responses.POST, URL + '/_logout', status=401, json=kuzzle_error(error_id, 401, 'Invalid token.', action='logout'))
    failed, result = run_module(kuzzle_login.main, dict(token=JWT, state='absent'))
    assert not failed and result == {'changed': False, 'msg': 'the token is already invalid (logged out or expired)'}


def test_absent_in_check_mode_only_checks_the_token(run_module, kuzzle_http):
    kuzzle_http.add(responses.POST, URL + '/_checkToken', json=envelope(
        {'valid': True, 'expiresAt': 1, 'kuid': 'admin'}, action='checkToken', controller='auth'))
    failed, result = run_module(kuzzle_login.main, dict(token=JWT, state='absent'), check=True)
    assert not failed and result['changed'] is True
    assert calls(kuzzle_http) == [('POST', '/_checkToken')]
    assert json.loads(kuzzle_http.calls[0].request.body) == {'token': JWT}


def test_absent_in_check_mode_with_an_invalid_token(run_module, kuzzle_http):
    kuzzle_http.add(responses.POST, URL + '/_checkToken', status=401, json=kuzzle_error(
        'security.token.invalid', 401, 'Invalid token.', action='checkToken'))
    failed, result = run_module(kuzzle_login.main, dict(token=JWT, state='absent'), check=True)
    assert not failed and result['changed'] is False


def test_absent_fails_on_other_errors_without_the_token(run_module, kuzzle_http):
    kuzzle_http.add(responses.POST, URL + '/_logout', status=403, json=kuzzle_error(
        'security.rights.forbidden', 403, 'Insufficient permissions to execute the action "auth:logout".', action='logout'))
    failed, result = run_module(kuzzle_login.main, dict(token=JWT, state='absent'))
    assert failed and result['msg'].startswith('Could not log out of Kuzzle: Kuzzle answered 403 security.rights.forbidden')
    assert JWT not in json.dumps(result)
