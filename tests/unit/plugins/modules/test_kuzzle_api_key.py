# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""kuzzle_api_key's requests and decisions, against Kuzzle answers mocked at the transport.

The answers have the shapes a real Kuzzle 2.56 gave (searchApiKeys hits without the token,
total = the hits of the page; createApiKey with the token in _source).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import time

import pytest
import responses


from ansible_collections.community.kuzzle.plugins.module_utils import _objects
from ansible_collections.community.kuzzle.plugins.modules import kuzzle_api_key
from ansible_collections.community.kuzzle.tests.unit.plugins.modules.utils import URL, body_of, calls, envelope, kuzzle_error, methods

TOKEN = 'kapikey-eyJhbGciOiJIUzI1NiJ9.eyJfaWQiOiJjaSJ9.c2lnbmF0dXJlLW9mLXRoZS1rZXk'
SEARCH = URL + '/users/ci/api-keys/_search?from=0&size=1000'
CREATE = URL + '/users/ci/api-keys/_create'
DAY = 86400000


def stored(key_id, description, ttl=-1, expires_at=None, user='ci'):
    if expires_at is None:
        expires_at = -1 if ttl == -1 else int(time.time() * 1000) + ttl
    return {'_id': key_id, '_source': {'description': description, 'expiresAt': expires_at, 'ttl': ttl,
                                       'userId': user, 'fingerprint': 'f' * 64}}


def search_answer(*hits):
    return envelope({'hits': list(hits), 'total': len(hits)}, action='searchApiKeys')


def created(key_id, description, ttl=-1):
    hit = stored(key_id, description, ttl)
    hit['_source'].update(token=TOKEN, _kuzzle_info={'author': 'admin', 'createdAt': 1, 'updatedAt': None, 'updater': None})
    return envelope(hit, action='createApiKey')


USER = envelope({'_id': 'ci', '_source': {'profileIds': ['default']}}, action='getUser')


def test_create_by_description(run_module, kuzzle_http, warnings):
    kuzzle_http.add(responses.POST, SEARCH, json=search_answer(stored('other', 'CI deployments 2')))
    kuzzle_http.add(responses.GET, URL + '/users/ci', json=USER)
    kuzzle_http.add(responses.POST, CREATE + '?refresh=wait_for&expiresIn=90d', json=created('k1', 'CI deployments', 90 * DAY))
    failed, result = run_module(kuzzle_api_key.main, dict(user='ci', description='CI deployments', expires_in='90d', token='admin-tok'),
                                diff=True)
    assert not failed, result
    assert calls(kuzzle_http) == [('POST', '/users/ci/api-keys/_search?from=0&size=1000'), ('GET', '/users/ci'),
                                  ('POST', '/users/ci/api-keys/_create?refresh=wait_for&expiresIn=90d')]
    # searchApiKeys takes the query itself as its body
    assert body_of(kuzzle_http.calls[0]) == {'match': {'description': {
        'query': 'CI deployments', 'operator': 'and', 'zero_terms_query': 'all'}}}
    assert body_of(kuzzle_http.calls[2]) == {'description': 'CI deployments'}
    assert result['changed'] is True
    assert result['api_key']['token'] == TOKEN
    assert result['api_key']['id'] == 'k1' and result['api_key']['ttl'] == 90 * DAY and result['api_key']['user'] == 'ci'
    assert set(result['api_key']) == {'id', 'user', 'description', 'expires_at', 'ttl', 'token'}
    assert result['msg'] == 'API key "CI deployments" of user ci created'
    assert result['diff']['before'] == {}
    assert result['diff']['after'] == {'user': 'ci', 'description': 'CI deployments', 'ttl': 90 * DAY}
    assert TOKEN not in json.dumps(dict((k, v) for k, v in result.items() if k != 'api_key'))
    assert warnings == [kuzzle_api_key.TOKEN_WARNING]


def test_no_warning_when_the_task_has_no_log(run_module, kuzzle_http, warnings):
    kuzzle_http.add(responses.POST, SEARCH, json=search_answer())
    kuzzle_http.add(responses.GET, URL + '/users/ci', json=USER)
    kuzzle_http.add(responses.POST, CREATE + '?refresh=wait_for', json=created('k1', 'd'))
    failed, result = run_module(kuzzle_api_key.main, dict(user='ci', description='d', _ansible_no_log=True))
    assert not failed and result['api_key']['token'] == TOKEN
    assert warnings == []


def test_an_existing_key_costs_one_search_and_returns_no_token(run_module, kuzzle_http, warnings):
    kuzzle_http.add(responses.POST, SEARCH, json=search_answer(stored('k1', 'CI deployments', DAY)))
    failed, result = run_module(kuzzle_api_key.main, dict(user='ci', description='CI deployments', expires_in='24h'), diff=True)
    assert not failed, result
    assert result['changed'] is False
    assert result['msg'] == 'API key "CI deployments" of user ci unchanged'
    assert 'token' not in result['api_key'] and result['api_key']['id'] == 'k1'
    assert result['diff']['before'] == result['diff']['after']
    assert len(kuzzle_http.calls) == 1 and warnings == []


def test_by_id(run_module, kuzzle_http):
    kuzzle_http.add(responses.POST, SEARCH, json=search_answer(stored('fixed', 'nightly')))
    failed, result = run_module(kuzzle_api_key.main, dict(user='ci', id='fixed'))
    assert not failed and result['changed'] is False
    assert body_of(kuzzle_http.calls[0]) == {'ids': {'values': ['fixed']}}
    assert result['msg'] == 'API key "fixed" of user ci unchanged'


def test_create_with_a_fixed_id(run_module, kuzzle_http):
    kuzzle_http.add(responses.POST, SEARCH, json=search_answer())
    kuzzle_http.add(responses.GET, URL + '/users/ci', json=USER)
    kuzzle_http.add(responses.POST, CREATE + '?refresh=false&expiresIn=3600000&_id=my%20key', json=created('my key', 'd', 3600000))
    failed, result = run_module(kuzzle_api_key.main, dict(user='ci', id='my key', description='d', expires_in=3600000, refresh='false'))
    assert not failed, result
    assert calls(kuzzle_http)[-1] == ('POST', '/users/ci/api-keys/_create?refresh=false&expiresIn=3600000&_id=my%20key')


def test_create_by_id_needs_a_description(run_module, kuzzle_http):
    kuzzle_http.add(responses.POST, SEARCH, json=search_answer())
    failed, result = run_module(kuzzle_api_key.main, dict(user='ci', id='fixed'))
    assert failed and result['msg'] == 'API key "fixed" of user ci does not exist, and description is required to create it'
    assert len(kuzzle_http.calls) == 1


def test_several_keys_with_the_description_fail_and_are_listed(run_module, kuzzle_http):
    kuzzle_http.add(responses.POST, SEARCH, json=search_answer(stored('b', 'deploy'), stored('a', 'deploy'), stored('c', 'deploy 2')))
    for state in ('present', 'absent'):
        failed, result = run_module(kuzzle_api_key.main, dict(user='ci', description='deploy', state=state))
        assert failed
        assert result['msg'] == ('2 API keys of user ci have the description "deploy" (ids a, b): '
                                 'set id to say which one is meant, or delete the others')
    assert [c.request.method for c in kuzzle_http.calls] == ['POST', 'POST']


def test_pages_go_on_until_a_short_page(run_module, kuzzle_http, monkeypatch):
    monkeypatch.setattr(_objects, 'PAGE_SIZE', 2)
    kuzzle_http.add(responses.POST, URL + '/users/ci/api-keys/_search?from=0&size=2',
                    json=search_answer(stored('a', 'deploy x'), stored('b', 'x deploy')))
    kuzzle_http.add(responses.POST, URL + '/users/ci/api-keys/_search?from=2&size=2', json=search_answer(stored('c', 'deploy')))
    failed, result = run_module(kuzzle_api_key.main, dict(user='ci', description='deploy'))
    assert not failed and result['changed'] is False and result['api_key']['id'] == 'c'
    assert len(kuzzle_http.calls) == 2


def test_another_lifetime_fails_without_writing(run_module, kuzzle_http):
    kuzzle_http.add(responses.POST, SEARCH, json=search_answer(stored('k1', 'd', DAY)))
    for check in (True, False):
        failed, result = run_module(kuzzle_api_key.main, dict(user='ci', description='d', expires_in='2d'), check=check)
        assert failed
        assert result['msg'] == (
            'API key "d" of user ci is not the key this task describes: its lifetime is 1d, not 2d. '
            'Kuzzle cannot change an API key: set recreate=true to delete it and create a new one (with a new token), '
            'or delete it with state=absent')
    assert [c.request.method for c in kuzzle_http.calls] == ['POST', 'POST']


def test_another_description_by_id_with_recreate(run_module, kuzzle_http):
    kuzzle_http.add(responses.POST, SEARCH, json=search_answer(stored('fixed', 'old', DAY)))
    kuzzle_http.add(responses.DELETE, URL + '/users/ci/api-keys/fixed?refresh=wait_for', json=envelope({'_id': 'fixed'}, action='deleteApiKey'))
    kuzzle_http.add(responses.GET, URL + '/users/ci', json=USER)
    kuzzle_http.add(responses.POST, CREATE + '?refresh=wait_for&expiresIn=86400000&_id=fixed', json=created('fixed', 'new', DAY))
    failed, result = run_module(kuzzle_api_key.main, dict(user='ci', id='fixed', description='new', recreate=True), diff=True)
    assert not failed, result
    assert methods(kuzzle_http) == ['POST', 'DELETE', 'GET', 'POST']
    assert body_of(kuzzle_http.calls[-1]) == {'description': 'new'}
    assert result['changed'] is True and result['api_key']['token'] == TOKEN
    assert result['msg'] == 'API key "fixed" of user ci deleted and created again (its description is "old", not "new")'
    assert result['diff']['before'] == {'id': 'fixed', 'user': 'ci', 'description': 'old', 'ttl': DAY}
    assert result['diff']['after'] == {'id': 'fixed', 'user': 'ci', 'description': 'new', 'ttl': DAY}


def test_an_expired_key_is_recreated_with_its_lifetime(run_module, kuzzle_http):
    kuzzle_http.add(responses.POST, SEARCH, json=search_answer(stored('k1', 'd', 3600000, expires_at=1000)))
    failed, result = run_module(kuzzle_api_key.main, dict(user='ci', description='d'))
    assert failed and 'it expired on 1970-01-01T00:00:01Z' in result['msg']
    kuzzle_http.add(responses.DELETE, URL + '/users/ci/api-keys/k1?refresh=wait_for', json=envelope({'_id': 'k1'}))
    kuzzle_http.add(responses.GET, URL + '/users/ci', json=USER)
    kuzzle_http.add(responses.POST, CREATE + '?refresh=wait_for&expiresIn=3600000', json=created('k2', 'd', 3600000))
    failed, result = run_module(kuzzle_api_key.main, dict(user='ci', description='d', recreate=True))
    assert not failed and result['changed'] is True and result['api_key']['id'] == 'k2'


def test_recreate_in_check_mode_writes_nothing(run_module, kuzzle_http):
    kuzzle_http.add(responses.POST, SEARCH, json=search_answer(stored('k1', 'd', DAY)))
    kuzzle_http.add(responses.GET, URL + '/users/ci', json=USER)
    failed, result = run_module(kuzzle_api_key.main, dict(user='ci', description='d', expires_in=-1, recreate=True), check=True)
    assert not failed and result['changed'] is True
    assert methods(kuzzle_http) == ['POST', 'GET']
    assert result['api_key'] == {'id': None, 'user': 'ci', 'description': 'd', 'expires_at': None, 'ttl': -1}


def test_check_mode_create_reads_only_and_has_no_token(run_module, kuzzle_http, warnings):
    kuzzle_http.add(responses.POST, SEARCH, json=search_answer())
    kuzzle_http.add(responses.GET, URL + '/users/ci', json=USER)
    failed, result = run_module(kuzzle_api_key.main, dict(user='ci', description='d', id='fixed', expires_in='1h'), check=True, diff=True)
    assert not failed and result['changed'] is True
    assert result['api_key'] == {'id': 'fixed', 'user': 'ci', 'description': 'd', 'expires_at': None, 'ttl': 3600000}
    assert result['msg'] == 'API key "fixed" of user ci created'
    assert methods(kuzzle_http) == ['POST', 'GET']
    assert warnings == []


def test_an_unknown_user_fails_in_check_mode_too(run_module, kuzzle_http):
    kuzzle_http.add(responses.POST, URL + '/users/ghost/api-keys/_search?from=0&size=1000', json=search_answer())
    kuzzle_http.add(responses.GET, URL + '/users/ghost', status=404,
                    json=kuzzle_error('security.user.not_found', 404, 'User "ghost" not found.', action='getUser'))
    for check in (True, False):
        failed, result = run_module(kuzzle_api_key.main, dict(user='ghost', description='d'), check=check)
        assert failed
        assert result['msg'] == ('Could not create API key "d" of user ghost: Kuzzle answered 404 security.user.not_found: '
                                 'User "ghost" not found.')
        assert result['error_id'] == 'security.user.not_found' and result['status'] == 404
    assert 'POST' not in [c.request.method for c in kuzzle_http.calls if '_create' in c.request.url]


def test_a_refused_creation_fails_cleanly(run_module, kuzzle_http):
    kuzzle_http.add(responses.POST, SEARCH, json=search_answer())
    kuzzle_http.add(responses.GET, URL + '/users/ci', json=USER)
    kuzzle_http.add(responses.POST, CREATE + '?refresh=wait_for&_id=taken', status=400, json=kuzzle_error(
        'services.storage.document_already_exists', 400, 'Document already exists.', action='createApiKey'))
    failed, result = run_module(kuzzle_api_key.main, dict(user='ci', id='taken', description='d', token='admin-secret'))
    assert failed
    assert result['msg'] == ('Could not create API key "taken" of user ci: Kuzzle answered 400 '
                             'services.storage.document_already_exists: Document already exists.')
    assert 'admin-secret' not in json.dumps(result)


def test_absent_deletes_the_key(run_module, kuzzle_http):
    kuzzle_http.add(responses.POST, SEARCH, json=search_answer(stored('k1', 'd', DAY)))
    kuzzle_http.add(responses.DELETE, URL + '/users/ci/api-keys/k1?refresh=wait_for', json=envelope({'_id': 'k1'}, action='deleteApiKey'))
    failed, result = run_module(kuzzle_api_key.main, dict(user='ci', description='d', state='absent'), check=True, diff=True)
    assert not failed and result['changed'] is True and result['api_key'] == {}
    assert methods(kuzzle_http) == ['POST']
    assert result['diff']['before'] == {'user': 'ci', 'description': 'd', 'ttl': DAY} and result['diff']['after'] == {}
    failed, result = run_module(kuzzle_api_key.main, dict(user='ci', description='d', state='absent'))
    assert not failed and result['changed'] is True
    assert result['msg'] == 'API key "d" of user ci deleted'
    assert calls(kuzzle_http)[-1] == ('DELETE', '/users/ci/api-keys/k1?refresh=wait_for')


def test_absent_when_there_is_no_such_key(run_module, kuzzle_http):
    kuzzle_http.add(responses.POST, SEARCH, json=search_answer(stored('k1', 'other')))
    failed, result = run_module(kuzzle_api_key.main, dict(user='ci', description='d', state='absent'))
    assert not failed and result['changed'] is False and result['api_key'] == {}
    assert result['msg'] == 'API key "d" of user ci is absent'
    assert len(kuzzle_http.calls) == 1


@pytest.mark.parametrize('args, fragment', [
    (dict(user='ci'), 'description is required when id is not given'),
    (dict(user='ci', description=''), 'description must be a non-empty string'),
    (dict(user='ci', id=' ', description='d'), 'id must be a non-empty string'),
    (dict(user='_search', description='d'), 'cannot be used'),
    (dict(user='ci', description='d', expires_in='soon'), 'expires_in: "soon" is not a duration Kuzzle understands'),
    (dict(user='ci', description='d', expires_in=0), 'expires_in: "0" is zero'),
    (dict(user='ci', description='d', expires_in='-5s'), 'expires_in: "-5s" is negative'),
    (dict(user='ci', description='d', expires_in=True), 'expires_in: a duration cannot be a boolean'),
    (dict(user='ci', description='d', state='gone'), 'state'),
])
def test_invalid_tasks_fail_before_any_request(run_module, kuzzle_http, args, fragment):
    failed, result = run_module(kuzzle_api_key.main, args)
    assert failed and fragment in result['msg'], result['msg']
    assert len(kuzzle_http.calls) == 0


def test_an_answer_without_token_fails(run_module, kuzzle_http):
    kuzzle_http.add(responses.POST, SEARCH, json=search_answer())
    kuzzle_http.add(responses.GET, URL + '/users/ci', json=USER)
    answer = created('k9', 'd')
    del answer['result']['_source']['token']
    kuzzle_http.add(responses.POST, CREATE + '?refresh=wait_for', json=answer)
    failed, result = run_module(kuzzle_api_key.main, dict(user='ci', description='d'))
    assert failed and 'created key k9 but returned no token' in result['msg']
