# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""kuzzle_first_admin's requests and results, against Kuzzle answers mocked at the transport."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest
import responses

from ansible_collections.community.kuzzle.plugins.modules import kuzzle_first_admin
from ansible_collections.community.kuzzle.tests.unit.plugins.modules.utils import URL, calls, envelope, kuzzle_error

PASSWORD = 'S3cr3t-admin-pw'
JWT = 'kauth-eyJhbGciOiJIUzI1NiJ9.eyJfaWQiOiJhZG1pbiJ9.c2lnbmF0dXJl'
TASK = dict(name='admin', username='ada', password=PASSWORD)
LOGIN = URL + '/_login/local?expiresIn=5m'


def exists(mocked, value, status=200):
    if status == 401:
        mocked.add(responses.GET, URL + '/_adminExists', status=401, json=kuzzle_error(
            'security.rights.unauthorized', 401, 'Unauthorized: authentication required', action='adminExists'))
    else:
        mocked.add(responses.GET, URL + '/_adminExists', json=envelope({'exists': value}, action='adminExists', controller='server'))


def login(mocked):
    mocked.add(responses.POST, LOGIN, json=envelope({'_id': 'admin', 'jwt': JWT, 'expiresAt': 1, 'ttl': 1}, action='login', controller='auth'))


def created(mocked, query='?reset'):
    mocked.add(responses.POST, URL + '/_createFirstAdmin/admin' + query, json=envelope(
        {'_id': 'admin', '_source': {'profileIds': ['admin']}}, action='createFirstAdmin'))


def test_creates_the_first_admin_anonymously_and_restricts_the_rights(run_module, kuzzle_http):
    exists(kuzzle_http, False)
    created(kuzzle_http)
    failed, result = run_module(kuzzle_first_admin.main, dict(TASK, content={'fullName': 'Ada'}), diff=True)
    assert not failed, result
    assert calls(kuzzle_http) == [('GET', '/_adminExists'), ('POST', '/_createFirstAdmin/admin?reset')]  # never a login
    assert all('Authorization' not in call.request.headers for call in kuzzle_http.calls)
    assert json.loads(kuzzle_http.calls[1].request.body) == {
        'content': {'fullName': 'Ada'}, 'credentials': {'local': {'username': 'ada', 'password': PASSWORD}}}
    view = {'kuid': 'admin', 'profileIds': ['admin'], 'username': 'ada', 'default_rights_restricted': True, 'content': {'fullName': 'Ada'}}
    assert result['changed'] is True and result['admin'] == view
    assert result['msg'] == 'created the first administrator "admin" (local username ada); the default rights are restricted'
    assert result['diff']['before'] == {} and result['diff']['after'] == view
    assert PASSWORD not in json.dumps(result)


def test_without_restriction_no_reset_flag(run_module, kuzzle_http):
    exists(kuzzle_http, False)
    created(kuzzle_http, query='')
    failed, result = run_module(kuzzle_first_admin.main, dict(TASK, restrict_default_rights=False))
    assert not failed, result
    assert calls(kuzzle_http)[1] == ('POST', '/_createFirstAdmin/admin')
    assert result['msg'].endswith('the default rights are left as they are')


def test_check_mode_only_asks(run_module, kuzzle_http):
    exists(kuzzle_http, False)
    failed, result = run_module(kuzzle_first_admin.main, dict(TASK), check=True)
    assert not failed and result['changed'] is True
    assert result['msg'].startswith('would have created the first administrator "admin"')
    assert calls(kuzzle_http) == [('GET', '/_adminExists')]


def test_an_existing_admin_is_left_alone(run_module, kuzzle_http):
    exists(kuzzle_http, True)
    failed, result = run_module(kuzzle_first_admin.main, dict(TASK))
    assert not failed and result == {'changed': False, 'msg': kuzzle_first_admin.EXISTS_MSG}
    assert calls(kuzzle_http) == [('GET', '/_adminExists')]


def test_restricted_anonymous_asks_as_the_tasks_user(run_module, kuzzle_http):
    exists(kuzzle_http, None, status=401)
    login(kuzzle_http)
    exists(kuzzle_http, True)
    failed, result = run_module(kuzzle_first_admin.main, dict(TASK))
    assert not failed and result['changed'] is False
    assert calls(kuzzle_http) == [('GET', '/_adminExists'), ('POST', '/_login/local?expiresIn=5m'), ('GET', '/_adminExists')]
    assert kuzzle_http.calls[2].request.headers['Authorization'] == 'Bearer ' + JWT


def test_restricted_anonymous_and_a_wrong_password_fail_clearly(run_module, kuzzle_http):
    exists(kuzzle_http, None, status=401)
    kuzzle_http.add(responses.POST, LOGIN, status=401, json=kuzzle_error(
        'plugin.strategy.missing_user', 401, 'wrong username or password', action='login'))
    failed, result = run_module(kuzzle_first_admin.main, dict(TASK))
    assert failed and result['error_id'] == 'plugin.strategy.missing_user'
    assert 'anonymous may not ask whether an administrator exists' in result['msg']
    assert PASSWORD not in json.dumps(result)


@pytest.mark.parametrize('refusal', [
    (412, 'api.process.admin_exists', 'An administrator already exists'),
    (401, 'security.rights.unauthorized', 'authentication required'),  # the winner restricted anonymous's rights
    (400, 'services.storage.document_already_exists', 'Document already exists.'),  # both passed Kuzzle's check at once
])
def test_losing_the_race_is_ok(run_module, kuzzle_http, refusal):
    exists(kuzzle_http, False)
    kuzzle_http.add(responses.POST, URL + '/_createFirstAdmin/admin?reset', status=refusal[0], json=kuzzle_error(
        refusal[1], refusal[0], refusal[2], action='createFirstAdmin'))
    if refusal[0] == 401:
        exists(kuzzle_http, None, status=401)
        login(kuzzle_http)
    exists(kuzzle_http, True)
    failed, result = run_module(kuzzle_first_admin.main, dict(TASK))
    assert not failed, result
    assert result['changed'] is False and result['msg'].startswith('another task created the first administrator meanwhile')


def test_a_refused_creation_fails_with_kuzzles_error_and_no_password(run_module, kuzzle_http):
    exists(kuzzle_http, False)
    kuzzle_http.add(responses.POST, URL + '/_createFirstAdmin/admin?reset', status=412, json=kuzzle_error(
        'security.credentials.database_inconsistency', 412, 'username "ada" taken, password %s' % PASSWORD, action='createFirstAdmin'))
    exists(kuzzle_http, False)  # no administrator after it: the task's own failure
    failed, result = run_module(kuzzle_first_admin.main, dict(TASK))
    assert failed and result['changed'] is False
    assert result['error_id'] == 'security.credentials.database_inconsistency' and result['status'] == 412
    assert result['msg'].startswith('Could not create the first administrator "admin": Kuzzle answered 412')
    assert PASSWORD not in json.dumps(result)
    assert calls(kuzzle_http)[-1] == ('GET', '/_adminExists')


@pytest.mark.parametrize('args, fragment', [
    (dict(TASK, password=''), 'password must be a non-empty string'),
    (dict(name='admin', token='tok'), 'not with a token'),
    (dict(TASK, content={'profileIds': ['x']}), 'content.profileIds cannot be given'),
    (dict(TASK, auth_strategy='ldap'), 'auth_strategy must be local'),
    (dict(username='ada', password=PASSWORD), 'missing required arguments: name'),
])
def test_invalid_tasks_fail_before_any_request(run_module, kuzzle_http, args, fragment):
    failed, result = run_module(kuzzle_first_admin.main, args)
    assert failed and fragment in result['msg'], result['msg']
    assert len(kuzzle_http.calls) == 0
    assert PASSWORD not in json.dumps(result)
