# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""kuzzle_user's requests and decisions, against Kuzzle 2.x and 1.x answers mocked at the transport.

The behaviour against a real Kuzzle is tested in tests/integration; these tests pin the exact
requests (count, verbs, bodies, headers) and show that the password never leaves the write body,
even when Kuzzle echoes it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest
import responses

from ansible_collections.community.kuzzle.plugins.modules import kuzzle_user
from ansible_collections.community.kuzzle.tests.unit.plugins.modules.utils import URL, body_of, calls, envelope, kuzzle_error, methods

USER = URL + '/users/u1'
CREDENTIALS = URL + '/credentials/local/u1'
PASSWORD = 'Pw-7f3a9c-secret'
STORED = {'profileIds': ['reader'], 'fullname': 'Alice', 'email': 'a@x', 'address': {'city': 'A', 'zip': '1'},
          '_kuzzle_info': {'author': None, 'createdAt': 1, 'updatedAt': None, 'updater': None}}
VIEW = dict((k, v) for k, v in STORED.items() if k != '_kuzzle_info')
NOT_FOUND = kuzzle_error('security.user.not_found', 404, 'User "u1" not found.', action='getUser')
USER_JWT = 'kauth-user-session-token-1'


def no_credentials(action, message):
    """passport-local's answer for missing credentials: 412 without an error id."""
    return envelope(None, 412, {'message': message, 'status': 412}, action=action)


def add_user(mocked, source=None, v1=False):
    mocked.add(responses.GET, USER, json=envelope({'_id': 'u1', '_source': source or STORED}, action='getUser', v1=v1))


def add_username(mocked, username='alice', v1=False):
    if username is None:
        mocked.add(responses.GET, CREDENTIALS, status=412, json=no_credentials('getCredentials', 'No credentials found for user "u1".'))
    else:
        mocked.add(responses.GET, CREDENTIALS, json=envelope({'username': username, 'kuid': 'u1'}, action='getCredentials', v1=v1))


def add_login(mocked, ok=True, error_id='plugin.strategy.missing_user', v1=False):
    url = URL + '/_login/local?expiresIn=10s'
    if ok:
        mocked.add(responses.POST, url, json=envelope({'_id': 'u1', 'jwt': USER_JWT, 'expiresAt': 1, 'ttl': 10000}, action='login', v1=v1))
        mocked.add(responses.POST, URL + '/_logout', json=envelope({}, action='logout', v1=v1))
    else:
        mocked.add(responses.POST, url, status=401, json=kuzzle_error(error_id, 401, 'wrong username or password', action='login', v1=v1))


def updated(mocked, source):
    mocked.add(responses.PUT, USER + '/_update?refresh=wait_for', json=envelope({'_id': 'u1', '_source': source}, action='updateUser'))


def leaks(result):
    return PASSWORD in json.dumps(result, default=str)


def test_unchanged_user_costs_one_get(run_module, kuzzle_http):
    add_user(kuzzle_http)
    failed, result = run_module(kuzzle_user.main, dict(name='u1', token='tok', profile_ids=['reader'],
                                                       content={'fullname': 'Alice', 'address': {'zip': '1'}}))
    assert not failed and result['changed'] is False, result
    assert result['user'] == VIEW
    assert result['msg'] == 'user u1 unchanged'
    assert calls(kuzzle_http) == [('GET', '/users/u1')]


def test_unchanged_credentials_cost_one_more_get(run_module, kuzzle_http):
    add_user(kuzzle_http)
    add_username(kuzzle_http, 'alice')
    failed, result = run_module(kuzzle_user.main, dict(name='u1', credentials={'username': 'alice', 'password': PASSWORD}))
    assert not failed and result['changed'] is False, result
    assert calls(kuzzle_http) == [('GET', '/users/u1'), ('GET', '/credentials/local/u1')]
    assert not leaks(result)


def test_create_checks_profiles_and_username_then_creates_with_credentials(run_module, kuzzle_http):
    kuzzle_http.add(responses.GET, USER, status=404, json=NOT_FOUND)
    kuzzle_http.add(responses.POST, URL + '/profiles/_mGet', json=envelope({'hits': []}, action='mGetProfiles'))
    kuzzle_http.add(responses.GET, URL + '/credentials/local/alice/_byId', status=412, json=no_credentials(
        'getCredentialsById', 'No credentials found for username "alice".'))
    created = {'profileIds': ['editor', 'reader'], 'fullname': 'Alice', '_kuzzle_info': {'createdAt': 2}}
    kuzzle_http.add(responses.POST, USER + '/_create?refresh=wait_for', json=envelope({'_id': 'u1', '_source': created}, action='createUser'))
    failed, result = run_module(kuzzle_user.main, dict(name='u1', profile_ids=['reader', 'editor', 'reader'], content={'fullname': 'Alice'},
                                                       credentials={'username': 'alice', 'password': PASSWORD}), diff=True)
    assert not failed, result
    assert calls(kuzzle_http) == [('GET', '/users/u1'), ('POST', '/profiles/_mGet'), ('GET', '/credentials/local/alice/_byId'),
                                  ('POST', '/users/u1/_create?refresh=wait_for')]
    assert body_of(kuzzle_http.calls[1]) == {'ids': ['editor', 'reader']}
    assert body_of(kuzzle_http.calls[3]) == {'content': {'fullname': 'Alice', 'profileIds': ['editor', 'reader']},
                                             'credentials': {'local': {'username': 'alice', 'password': PASSWORD}}}
    assert result['changed'] is True
    assert result['user'] == {'profileIds': ['editor', 'reader'], 'fullname': 'Alice'}
    assert result['msg'] == 'user u1 created with profiles editor, reader, content fullname, local credentials for username alice'
    assert result['diff']['before'] == {}
    assert result['diff']['after'] == {'profileIds': ['editor', 'reader'], 'content': {'fullname': 'Alice'},
                                       'credentials': {'local': {'username': 'alice', 'password': '(set)'}}}
    assert not leaks(result)


def test_check_mode_create_reads_and_verifies_but_never_writes(run_module, kuzzle_http):
    kuzzle_http.add(responses.GET, USER, status=404, json=NOT_FOUND)
    kuzzle_http.add(responses.POST, URL + '/profiles/_mGet', json=envelope({'hits': []}, action='mGetProfiles'))
    kuzzle_http.add(responses.GET, URL + '/credentials/local/alice/_byId', status=412, json=no_credentials(
        'getCredentialsById', 'No credentials found for username "alice".'))
    failed, result = run_module(kuzzle_user.main, dict(name='u1', profile_ids=['reader'],
                                                       credentials={'username': 'alice', 'password': PASSWORD}), check=True)
    assert not failed and result['changed'] is True, result
    assert methods(kuzzle_http) == ['GET', 'POST', 'GET']
    assert result['user'] == {'profileIds': ['reader']}


def test_update_sends_a_flat_body_of_changed_keys_with_merged_objects(run_module, kuzzle_http):
    add_user(kuzzle_http)
    kuzzle_http.add(responses.POST, URL + '/profiles/_mGet', json=envelope({'hits': []}, action='mGetProfiles'))
    after = dict(STORED, profileIds=['editor', 'reader'], address={'city': 'B', 'zip': '1'}, phone='5')
    updated(kuzzle_http, after)
    failed, result = run_module(kuzzle_user.main, dict(name='u1', profile_ids=['editor'], purge_profile_ids=False,
                                                       content={'fullname': 'Alice', 'address': {'city': 'B'}, 'phone': '5'}), diff=True)
    assert not failed, result
    assert calls(kuzzle_http) == [('GET', '/users/u1'), ('POST', '/profiles/_mGet'), ('PUT', '/users/u1/_update?refresh=wait_for')]
    assert body_of(kuzzle_http.calls[1]) == {'ids': ['editor']}
    assert body_of(kuzzle_http.calls[2]) == {'profileIds': ['editor', 'reader'], 'address': {'city': 'B', 'zip': '1'}, 'phone': '5'}
    assert result['msg'] == 'user u1: profile editor added; content.address changed; content.phone added'
    assert result['diff']['before'] == {'profileIds': ['reader'], 'content': {'fullname': 'Alice', 'address': {'city': 'A', 'zip': '1'}}}
    assert result['user'] == dict(VIEW, profileIds=['editor', 'reader'], address={'city': 'B', 'zip': '1'}, phone='5')


def test_check_mode_update_predicts_the_stored_user(run_module, kuzzle_http):
    add_user(kuzzle_http)
    failed, result = run_module(kuzzle_user.main, dict(name='u1', profile_ids=['reader'], content={'email': 'b@x'}), check=True)
    assert not failed and result['changed'] is True
    assert calls(kuzzle_http) == [('GET', '/users/u1')]  # no new profile: no mGetProfiles
    assert result['user'] == dict(VIEW, email='b@x')


def test_always_with_the_same_password_logs_in_and_out_and_changes_nothing(run_module, kuzzle_http):
    add_user(kuzzle_http)
    add_username(kuzzle_http, 'alice')
    add_login(kuzzle_http, ok=True)
    failed, result = run_module(kuzzle_user.main, dict(name='u1', token='admin-tok', update_password='always',
                                                       credentials={'password': PASSWORD}))
    assert not failed and result['changed'] is False, result
    assert calls(kuzzle_http) == [('GET', '/users/u1'), ('GET', '/credentials/local/u1'),
                                  ('POST', '/_login/local?expiresIn=10s'), ('POST', '/_logout')]
    login, logout = kuzzle_http.calls[2].request, kuzzle_http.calls[3].request
    assert json.loads(login.body) == {'username': 'alice', 'password': PASSWORD}
    assert 'Authorization' not in login.headers
    assert logout.headers['Authorization'] == 'Bearer ' + USER_JWT
    assert kuzzle_http.calls[1].request.headers['Authorization'] == 'Bearer admin-tok'


def test_always_with_another_password_validates_then_updates_it(run_module, kuzzle_http):
    add_user(kuzzle_http)
    add_username(kuzzle_http, 'alice')
    add_login(kuzzle_http, ok=False)
    kuzzle_http.add(responses.POST, CREDENTIALS + '/_validate', json=envelope(True, action='validateCredentials'))
    kuzzle_http.add(responses.PUT, CREDENTIALS + '/_update?refresh=wait_for', json=envelope({'username': 'alice'}, action='updateCredentials'))
    failed, result = run_module(kuzzle_user.main, dict(name='u1', update_password='always',
                                                       credentials={'username': 'alice', 'password': PASSWORD}), diff=True)
    assert not failed and result['changed'] is True, result
    assert calls(kuzzle_http) == [('GET', '/users/u1'), ('GET', '/credentials/local/u1'), ('POST', '/_login/local?expiresIn=10s'),
                                  ('POST', '/credentials/local/u1/_validate'), ('PUT', '/credentials/local/u1/_update?refresh=wait_for')]
    assert body_of(kuzzle_http.calls[3]) == {'username': 'alice', 'password': PASSWORD}
    assert body_of(kuzzle_http.calls[4]) == {'password': PASSWORD}
    assert result['msg'] == 'user u1: password changed'
    assert result['diff']['after']['credentials'] == {'local': {'username': 'alice', 'password': '(changed)'}}
    assert result['user'] == VIEW
    assert not leaks(result)


def test_always_in_check_mode_probes_but_writes_nothing(run_module, kuzzle_http):
    add_user(kuzzle_http)
    add_username(kuzzle_http, 'alice')
    add_login(kuzzle_http, ok=False)
    kuzzle_http.add(responses.POST, CREDENTIALS + '/_validate', json=envelope(True, action='validateCredentials'))
    failed, result = run_module(kuzzle_user.main, dict(name='u1', update_password='always', credentials={'password': PASSWORD}), check=True)
    assert not failed and result['changed'] is True
    assert methods(kuzzle_http)[-1] == 'POST' and 'PUT' not in methods(kuzzle_http)


def test_on_create_never_sends_the_password_of_existing_credentials(run_module, kuzzle_http):
    add_user(kuzzle_http)
    add_username(kuzzle_http, 'alice')
    failed, result = run_module(kuzzle_user.main, dict(name='u1', credentials={'username': 'alice', 'password': 'another'}))
    assert not failed and result['changed'] is False
    assert len(kuzzle_http.calls) == 2


def test_username_change_checks_the_name_is_free_then_updates(run_module, kuzzle_http):
    add_user(kuzzle_http)
    add_username(kuzzle_http, 'alice')
    kuzzle_http.add(responses.GET, URL + '/credentials/local/alice2/_byId', status=412, json=no_credentials(
        'getCredentialsById', 'No credentials found for username "alice2".'))
    kuzzle_http.add(responses.PUT, CREDENTIALS + '/_update?refresh=wait_for', json=envelope({'username': 'alice2'}, action='updateCredentials'))
    failed, result = run_module(kuzzle_user.main, dict(name='u1', credentials={'username': 'alice2', 'password': PASSWORD}))
    assert not failed and result['changed'] is True, result
    assert body_of(kuzzle_http.calls[-1]) == {'username': 'alice2'}  # on_create: the password is not sent
    assert result['msg'] == 'user u1: username alice -> alice2'


@pytest.mark.parametrize('check', [True, False])
def test_a_username_of_another_user_fails_before_any_write(run_module, kuzzle_http, check):
    add_user(kuzzle_http)
    add_username(kuzzle_http, 'alice')
    kuzzle_http.add(responses.GET, URL + '/credentials/local/bob/_byId', json=envelope({'username': 'bob', 'kuid': 'u9'}, action='getCredentialsById'))
    failed, result = run_module(kuzzle_user.main, dict(name='u1', credentials={'username': 'bob'}), check=check)
    assert failed and result['changed'] is False
    assert result['msg'] == 'Nothing written: user "u1": Kuzzle would refuse it (412): username "bob" is already used by user "u9"'
    assert result['status'] == 412 and result['error_id'] is None
    assert methods(kuzzle_http) == ['GET', 'GET', 'GET']


def test_credentials_for_a_user_without_them_are_created(run_module, kuzzle_http):
    add_user(kuzzle_http)
    add_username(kuzzle_http, None)
    kuzzle_http.add(responses.POST, CREDENTIALS + '/_validate', json=envelope(True, action='validateCredentials'))
    kuzzle_http.add(responses.POST, CREDENTIALS + '/_create?refresh=wait_for', json=envelope({'username': 'al'}, action='createCredentials'))
    failed, result = run_module(kuzzle_user.main, dict(name='u1', credentials={'username': 'al', 'password': PASSWORD}), diff=True)
    assert not failed and result['changed'] is True, result
    assert body_of(kuzzle_http.calls[-1]) == {'username': 'al', 'password': PASSWORD}
    assert result['msg'] == 'user u1: local credentials created for username al'
    assert result['diff']['before']['credentials'] == {}
    assert not leaks(result)


@pytest.mark.parametrize('credentials, missing', [
    ({'username': 'al'}, 'credentials.password is required'),
    ({'password': PASSWORD}, 'credentials.username is required'),
])
def test_new_credentials_need_username_and_password(run_module, kuzzle_http, credentials, missing):
    add_user(kuzzle_http)
    add_username(kuzzle_http, None)
    failed, result = run_module(kuzzle_user.main, dict(name='u1', credentials=credentials))
    assert failed and missing in result['msg'] and 'has no local credentials' in result['msg']
    assert len(kuzzle_http.calls) == 2


def test_kuzzle_echoing_the_password_never_shows_it(run_module, kuzzle_http):
    add_user(kuzzle_http)
    add_username(kuzzle_http, None)
    kuzzle_http.add(responses.POST, CREDENTIALS + '/_validate', status=400, json=kuzzle_error(
        'plugin.kuzzle-plugin-auth-passport-local.weak_password', 400, 'Password "%s" is too weak' % PASSWORD, action='validateCredentials'))
    failed, result = run_module(kuzzle_user.main, dict(name='u1', credentials={'username': 'al', 'password': PASSWORD}))
    assert failed and not leaks(result)
    assert result['msg'] == ('Could not update user "u1": Kuzzle answered 400 plugin.kuzzle-plugin-auth-passport-local.weak_password: '
                             'Password "********" is too weak')
    assert 'PUT' not in methods(kuzzle_http) and len(kuzzle_http.calls) == 3


def test_a_credentials_failure_after_the_user_update_says_what_was_applied(run_module, kuzzle_http):
    add_user(kuzzle_http)
    add_username(kuzzle_http, 'alice')
    kuzzle_http.add(responses.GET, URL + '/credentials/local/al2/_byId', status=412, json=no_credentials('getCredentialsById', 'none'))
    updated(kuzzle_http, dict(STORED, fullname='Z'))
    kuzzle_http.add(responses.PUT, CREDENTIALS + '/_update?refresh=wait_for', status=503, json=kuzzle_error(
        'api.process.overloaded', 503, 'overloaded %s' % PASSWORD, action='updateCredentials'))
    failed, result = run_module(kuzzle_user.main, dict(name='u1', content={'fullname': 'Z'},
                                                       credentials={'username': 'al2', 'password': PASSWORD}, retries=0))
    assert failed and result['changed'] is True
    assert result['msg'] == ('Could not update the local credentials of user "u1": Kuzzle answered 503 api.process.overloaded: '
                             'overloaded ********. Already applied: user u1: content.fullname changed')
    assert result['user'] == dict(VIEW, fullname='Z')
    assert result['error_id'] == 'api.process.overloaded'
    assert body_of(kuzzle_http.calls[-1]) == {'username': 'al2'}
    assert not leaks(result)


@pytest.mark.parametrize('check', [True, False])
def test_unknown_profile_stops_before_the_write(run_module, kuzzle_http, check):
    kuzzle_http.add(responses.GET, USER, status=404, json=NOT_FOUND)
    kuzzle_http.add(responses.POST, URL + '/profiles/_mGet', status=404, json=kuzzle_error(
        'security.profile.not_found', 404, 'Profile "ghost" not found.', action='mGetProfiles'))
    failed, result = run_module(kuzzle_user.main, dict(name='u1', profile_ids=['ghost']), check=check)
    assert failed and result['changed'] is False
    assert result['msg'] == 'Could not create user "u1": Kuzzle answered 404 security.profile.not_found: Profile "ghost" not found.'
    assert result['error_id'] == 'security.profile.not_found' and result['status'] == 404
    assert len(kuzzle_http.calls) == 2


def test_expired_password_is_the_same_password_with_a_warning(run_module, kuzzle_http, warnings):
    add_user(kuzzle_http)
    add_username(kuzzle_http, 'alice')
    add_login(kuzzle_http, ok=False, error_id='plugin.kuzzle-plugin-auth-passport-local.expired_password')
    failed, result = run_module(kuzzle_user.main, dict(name='u1', update_password='always', credentials={'password': PASSWORD}))
    assert not failed and result['changed'] is False
    assert any('has expired' in w for w in warnings)


def test_other_login_errors_fail_the_task(run_module, kuzzle_http):
    add_user(kuzzle_http)
    add_username(kuzzle_http, 'alice')
    kuzzle_http.add(responses.POST, URL + '/_login/local?expiresIn=10s', status=500, json=kuzzle_error(
        'core.fatal.unexpected_error', 500, 'boom', action='login'))
    failed, result = run_module(kuzzle_user.main, dict(name='u1', update_password='always', credentials={'password': PASSWORD}, retries=0))
    assert failed and result['msg'].startswith('Could not check the password of user "u1" by logging in as "alice"')


def test_delete_reports_what_goes_with_the_user(run_module, kuzzle_http):
    add_user(kuzzle_http)
    kuzzle_http.add(responses.GET, USER + '/_strategies', json=envelope({'strategies': ['local'], 'total': 1}, action='getUserStrategies'))
    kuzzle_http.add(responses.POST, USER + '/api-keys/_search?from=0&size=1000', json=envelope(
        {'hits': [{'_id': 'k1', '_source': {}}, {'_id': 'k2', '_source': {}}], 'total': 2}, action='searchApiKeys'))
    kuzzle_http.add(responses.DELETE, USER + '?refresh=wait_for', json=envelope({'_id': 'u1'}, action='deleteUser'))
    failed, result = run_module(kuzzle_user.main, dict(name='u1', state='absent'), diff=True)
    assert not failed, result
    assert calls(kuzzle_http) == [('GET', '/users/u1'), ('GET', '/users/u1/_strategies'),
                                  ('POST', '/users/u1/api-keys/_search?from=0&size=1000'), ('DELETE', '/users/u1?refresh=wait_for')]
    assert result['removed'] == {'credentials': ['local'], 'api_keys': 2}
    assert result['msg'] == 'user u1 deleted, with its credentials (local), 2 API keys and its authentication tokens'
    assert result['user'] == {} and result['diff']['after'] == {}
    assert result['diff']['before'] == {'profileIds': ['reader'], 'content': {
        'address': {'city': 'A', 'zip': '1'}, 'email': 'a@x', 'fullname': 'Alice'}}


def test_delete_in_check_mode_reads_the_same_and_deletes_nothing(run_module, kuzzle_http):
    add_user(kuzzle_http)
    kuzzle_http.add(responses.GET, USER + '/_strategies', json=envelope({'strategies': [], 'total': 0}, action='getUserStrategies'))
    kuzzle_http.add(responses.POST, USER + '/api-keys/_search?from=0&size=1000', json=envelope({'hits': [], 'total': 0}, action='searchApiKeys'))
    failed, result = run_module(kuzzle_user.main, dict(name='u1', state='absent'), check=True)
    assert not failed and result['changed'] is True
    assert result['msg'] == 'user u1 deleted, with 0 API keys and its authentication tokens'
    assert 'DELETE' not in methods(kuzzle_http)


def test_absent_user_stays_absent(run_module, kuzzle_http):
    kuzzle_http.add(responses.GET, USER, status=404, json=NOT_FOUND)
    failed, result = run_module(kuzzle_user.main, dict(name='u1', state='absent'))
    assert not failed and result['changed'] is False and result['msg'] == 'user u1 is absent'
    assert len(kuzzle_http.calls) == 1 and 'removed' not in result


@pytest.mark.parametrize('args, fragment', [
    (dict(name='u1', content={'profileIds': ['a']}), 'use profile_ids'),
    (dict(name='u1', content={'_kuzzle_info': {}}), 'Kuzzle sets it itself'),
    (dict(name='-1', profile_ids=['a']), 'built-in anonymous user'),
    (dict(name='anonymous', state='absent'), 'built-in anonymous user'),
    (dict(name='_me', profile_ids=['a']), 'cannot be used'),
    (dict(name='_fields', profile_ids=['a'], credentials={'username': 'x', 'password': 'y'}), 'cannot be managed'),
    (dict(name='u1', credentials={}), 'credentials needs username, password or both'),
    (dict(name='u1', credentials={'username': ' '}), 'credentials.username must not be empty'),
    (dict(name='u1', profile_ids=[]), 'Kuzzle refuses a user without profiles'),
    (dict(name='u1', credentials={'username': 'a', 'extra': 1}), 'extra'),
    (dict(name='u1', update_password='sometimes'), 'update_password'),
])
def test_malformed_input_fails_before_any_request(run_module, kuzzle_http, args, fragment):
    failed, result = run_module(kuzzle_user.main, args)
    assert failed and fragment in result['msg'], result['msg']
    assert len(kuzzle_http.calls) == 0


def test_creating_without_profile_ids_is_refused(run_module, kuzzle_http):
    kuzzle_http.add(responses.GET, USER, status=404, json=NOT_FOUND)
    failed, result = run_module(kuzzle_user.main, dict(name='u1', content={'a': 1}))
    assert failed and result['msg'] == 'user "u1" does not exist, and profile_ids is required to create it'
    assert len(kuzzle_http.calls) == 1


def test_ids_are_url_encoded(run_module, kuzzle_http):
    kuzzle_http.add(responses.GET, URL + '/users/a%2Fb%20%C3%A9', json=envelope({'_id': 'a/b é', '_source': STORED}, action='getUser'))
    failed, result = run_module(kuzzle_user.main, dict(name='a/b é', profile_ids=['reader']))
    assert not failed and result['changed'] is False


# --- Kuzzle 1.x (answers in its envelope, utils.envelope(v1=True)): same routes, no API keys --------------

def test_v1_delete_counts_no_api_keys(run_module, kuzzle_http):
    add_user(kuzzle_http, {'profileIds': ['reader'], 'fullname': 'A'}, v1=True)
    strategies = envelope({'strategies': ['local'], 'total': 1}, action='getUserStrategies', v1=True)
    kuzzle_http.add(responses.GET, USER + '/_strategies', json=strategies)
    kuzzle_http.add(responses.DELETE, USER + '?refresh=wait_for', json=envelope({'_id': 'u1'}, action='deleteUser', v1=True))
    failed, result = run_module(kuzzle_user.main, dict(name='u1', state='absent'))
    assert not failed, result
    assert result['removed'] == {'credentials': ['local']}
    assert result['msg'] == 'user u1 deleted, with its credentials (local) and its authentication tokens'
    assert 'api-keys' not in ' '.join(c.request.url for c in kuzzle_http.calls)


def test_v1_wrong_password_without_error_id_is_a_different_password(run_module, kuzzle_http):
    add_user(kuzzle_http, {'profileIds': ['reader']}, v1=True)
    add_username(kuzzle_http, 'alice', v1=True)
    add_login(kuzzle_http, ok=False, error_id=None, v1=True)
    kuzzle_http.add(responses.POST, CREDENTIALS + '/_validate', json=envelope(True, action='validateCredentials', v1=True))
    kuzzle_http.add(responses.PUT, CREDENTIALS + '/_update?refresh=wait_for', json=envelope({'username': 'alice'}, action='updateCredentials', v1=True))
    failed, result = run_module(kuzzle_user.main, dict(name='u1', update_password='always', credentials={'password': PASSWORD}))
    assert not failed and result['changed'] is True and result['msg'] == 'user u1: password changed'


def test_a_user_another_client_created_meanwhile_as_asked_is_unchanged_and_its_password_left_on_create(run_module, kuzzle_http):
    """Kuzzle refuses the createUser (security.user.already_exists): read again, the user has the content, profiles and
    username asked; its password cannot be read back and update_password=on_create leaves it: nothing more is sent."""
    kuzzle_http.add(responses.GET, USER, status=404, json=NOT_FOUND)
    kuzzle_http.add(responses.POST, URL + '/profiles/_mGet', json=envelope({'hits': []}, action='mGetProfiles'))
    kuzzle_http.add(responses.GET, URL + '/credentials/local/alice/_byId', status=412, json=no_credentials(
        'getCredentialsById', 'No credentials found for username "alice".'))
    kuzzle_http.add(responses.POST, USER + '/_create?refresh=wait_for', status=412, json=kuzzle_error(
        'security.user.already_exists', 412, 'User u1 already exists.', action='createUser'))
    add_user(kuzzle_http, {'profileIds': ['reader'], 'fullname': 'Alice', '_kuzzle_info': {}})
    add_username(kuzzle_http, 'alice')
    failed, result = run_module(kuzzle_user.main, dict(name='u1', profile_ids=['reader'], content={'fullname': 'Alice'},
                                                       credentials={'username': 'alice', 'password': PASSWORD}))
    assert not failed, result
    assert result['changed'] is False and result['user'] == {'profileIds': ['reader'], 'fullname': 'Alice'}
    assert result['msg'].endswith('(created by another client meanwhile)')
    assert calls(kuzzle_http)[3:] == [('POST', '/users/u1/_create?refresh=wait_for'), ('GET', '/users/u1'), ('GET', '/credentials/local/u1')]
    assert not leaks(result)


@pytest.mark.parametrize('strategies, status, error_id, message', [
    # the user was gone when Kuzzle looked for it
    ([], 404, 'services.storage.not_found', 'Document "u1" not found.'),
    # Kuzzle's deleteUser checks the user's strategies then removes them: another deleteUser removed them in between
    (['local'], 400, 'security.credentials.rejected', 'Credentials rejected: NotFoundError: Document "u1" not found.'),
], ids=['user', 'its credentials'])
def test_a_user_another_client_deleted_meanwhile_is_absent_without_failure(run_module, kuzzle_http, strategies, status, error_id, message):
    """Kuzzle refuses our deleteUser because another one deleted the user (or its credentials) first: read again (a
    moment later), the user is gone."""
    add_user(kuzzle_http)
    kuzzle_http.add(responses.GET, USER, status=404, json=NOT_FOUND)
    kuzzle_http.add(responses.GET, USER + '/_strategies', json=envelope({'strategies': strategies, 'total': len(strategies)}, action='getUserStrategies'))
    kuzzle_http.add(responses.POST, USER + '/api-keys/_search?from=0&size=1000', json=envelope({'hits': [], 'total': 0}, action='searchApiKeys'))
    kuzzle_http.add(responses.DELETE, USER + '?refresh=wait_for', status=status, json=kuzzle_error(error_id, status, message, action='deleteUser'))
    failed, result = run_module(kuzzle_user.main, dict(name='u1', state='absent'))
    assert not failed, result
    assert result['changed'] is False and result['msg'].endswith('(deleted by another client meanwhile)') and result['user'] == {}
    assert calls(kuzzle_http)[-2:] == [('DELETE', '/users/u1?refresh=wait_for'), ('GET', '/users/u1')]


def test_credentials_another_client_created_meanwhile_are_read_again_after_kuzzle_refuses_ours(run_module, kuzzle_http):
    """The task read the user while another client's createUser had made it but not its credentials yet: passport-local
    refuses our createCredentials (412 without an error id); read again, the user has the username asked."""
    add_user(kuzzle_http)
    add_username(kuzzle_http, None)
    kuzzle_http.add(responses.POST, CREDENTIALS + '/_validate', json=envelope(True, action='validateCredentials'))
    kuzzle_http.add(responses.POST, CREDENTIALS + '/_create?refresh=wait_for', status=412, json=envelope(None, 412, {
        'status': 412, 'message': 'A strategy already exists for user "u1".'}, action='createCredentials'))
    add_user(kuzzle_http)
    add_username(kuzzle_http, 'al')
    failed, result = run_module(kuzzle_user.main, dict(name='u1', credentials={'username': 'al', 'password': PASSWORD}))
    assert not failed, result
    assert result['changed'] is False and result['msg'] == ('user u1: local credentials created for username al '
                                                            '(updated by another client meanwhile)')
    assert calls(kuzzle_http)[-2:] == [('GET', '/users/u1'), ('GET', '/credentials/local/u1')]
    assert not leaks(result)
