# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Reading one, several or all security objects, against mocked Kuzzle answers."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest
import responses

from ansible_collections.community.kuzzle.plugins.module_utils import _objects
from ansible_collections.community.kuzzle.plugins.module_utils._client import KuzzleClient, KuzzleError

URL = 'http://kuzzle.test:7512'


def answer(result, status=200, error=None, action='searchRoles'):
    return {'action': action, 'controller': 'security', 'error': error, 'headers': {}, 'node': 'n',
            'requestId': 'r', 'result': result, 'status': status, 'volatile': None}


def hits(start, count):
    return [{'_id': 'r%04d' % i, '_source': {'controllers': {}}} for i in range(start, start + count)]


@pytest.fixture
def mocked():
    with responses.RequestsMock() as rsps:
        yield rsps


def test_search_pages_until_total(mocked, monkeypatch):
    monkeypatch.setattr(_objects, 'PAGE_SIZE', 2)
    for start, count in ((0, 2), (2, 2), (4, 1)):
        mocked.add(responses.POST, URL + '/roles/_search?from=%d&size=2' % start, json=answer({'hits': hits(start, count), 'total': 5}))
    total, found = _objects.search(KuzzleClient(URL), 'roles')
    assert total == 5 and [h['_id'] for h in found] == ['r0000', 'r0001', 'r0002', 'r0003', 'r0004']
    assert json.loads(mocked.calls[0].request.body) == {}


def test_search_with_a_limit_asks_for_no_more(mocked):
    mocked.add(responses.POST, URL + '/users/_search?from=0&size=3',
               json=answer({'hits': hits(0, 3), 'total': {'value': 40, 'relation': 'eq'}}, action='searchUsers'))
    total, found = _objects.search(KuzzleClient(URL), 'users', {'terms': {'profileIds': ['p']}}, limit=3)
    assert total == 40 and len(found) == 3
    assert json.loads(mocked.calls[0].request.body) == {'query': {'terms': {'profileIds': ['p']}}}


def sorted_body(after=None, query=None):
    body = dict({'query': query} if query else {}, sort=[{'_id': 'asc'}])
    return dict(body, search_after=[after]) if after else body


def test_roles_past_the_fetch_limit_are_read_in_pages_sorted_by_id(mocked, monkeypatch):
    """searchRoles has no scroll: past the fetch limit the search starts again sorted by _id, each page asked for
    after the last _id of the one before (search_after, from 0), until the total is read."""
    monkeypatch.setattr(_objects, 'PAGE_SIZE', 2)
    monkeypatch.setattr(_objects, 'FETCH_LIMIT', 3)
    mocked.add(responses.POST, URL + '/roles/_search?from=0&size=2', json=answer({'hits': hits(0, 2), 'total': 5}))
    for start, count in ((0, 2), (2, 2), (4, 1)):
        mocked.add(responses.POST, URL + '/roles/_search?from=0&size=2', json=answer({'hits': hits(start, count), 'total': 5}))
    total, found = _objects.search(KuzzleClient(URL), 'roles', {'terms': {'tags': ['t']}}, doing='list roles')
    assert total == 5 and [h['_id'] for h in found] == ['r%04d' % i for i in range(5)]
    assert [json.loads(call.request.body) for call in mocked.calls[1:]] == [
        sorted_body(None, {'terms': {'tags': ['t']}}), sorted_body('r0001', {'terms': {'tags': ['t']}}),
        sorted_body('r0003', {'terms': {'tags': ['t']}})]


@pytest.mark.parametrize('pages, reason', [
    ([(0, 2), (2, 0)], 'the roles sorted by _id ended after 2 of their 5 hits'),
    ([(0, 2), (0, 2)], 'Kuzzle did not page the roles sorted by _id (its page after "r0001" starts with "r0000")'),
])
def test_sorted_pages_that_do_not_add_up_fail(mocked, monkeypatch, pages, reason):
    monkeypatch.setattr(_objects, 'PAGE_SIZE', 2)
    monkeypatch.setattr(_objects, 'FETCH_LIMIT', 3)
    mocked.add(responses.POST, URL + '/roles/_search?from=0&size=2', json=answer({'hits': hits(0, 2), 'total': 5}))
    for start, count in pages:
        mocked.add(responses.POST, URL + '/roles/_search?from=0&size=2', json=answer({'hits': hits(start, count), 'total': 5}))
    with pytest.raises(KuzzleError) as info:
        _objects.search(KuzzleClient(URL), 'roles', doing='list roles')
    assert str(info.value) == 'Could not list roles: ' + reason


def test_roles_past_the_fetch_limit_fail_clearly_where_kuzzle_refuses_the_sort(mocked, monkeypatch):
    """Elasticsearch 8 refuses to sort on _id by default (indices.id_field_data.enabled): say what and why,
    never return a silent subset."""
    monkeypatch.setattr(_objects, 'PAGE_SIZE', 2)
    monkeypatch.setattr(_objects, 'FETCH_LIMIT', 3)
    mocked.add(responses.POST, URL + '/roles/_search?from=0&size=2', json=answer({'hits': hits(0, 2), 'total': 9}))
    error = {'id': 'services.storage.unexpected_bad_request', 'status': 400, 'message': 'Fielddata access on the _id field is disallowed'}
    mocked.add(responses.POST, URL + '/roles/_search?from=0&size=2', status=400, json=answer(None, 400, error))
    with pytest.raises(_objects.FetchLimitExceeded) as info:
        _objects.search(KuzzleClient(URL), 'roles', doing='list roles')
    assert str(info.value) == (
        'Could not list roles: more than 3 roles match: Kuzzle does not page further with from/size (limits.documentsFetchCount), '
        'has no scroll for them, and refused to sort them by _id (Kuzzle answered 400 services.storage.unexpected_bad_request: '
        'Fielddata access on the _id field is disallowed)')


def test_roles_past_the_fetch_limit_of_kuzzle_1_fail_at_the_first_page(mocked, monkeypatch):
    """Kuzzle 1.x's searchRoles ignores its body: it cannot page sorted either."""
    monkeypatch.setattr(_objects, 'PAGE_SIZE', 2)
    monkeypatch.setattr(_objects, 'FETCH_LIMIT', 3)
    one = {'status': 200, 'error': None, 'controller': 'security', 'action': 'searchRoles', 'result': {'hits': hits(0, 2), 'total': 9}}
    mocked.add(responses.POST, URL + '/roles/_search?from=0&size=2', json=one)
    with pytest.raises(_objects.FetchLimitExceeded) as info:
        _objects.search(KuzzleClient(URL), 'roles', doing='list roles')
    assert str(info.value).startswith('Could not list roles: more than 3 roles match')
    assert len(mocked.calls) == 1


def test_read_many_uses_an_ids_query_and_skips_missing(mocked):
    mocked.add(responses.POST, URL + '/profiles/_search?from=0&size=1000',
               json=answer({'hits': [{'_id': 'a', '_source': {'policies': []}}], 'total': 1}, action='searchProfiles'))
    assert _objects.read_many(KuzzleClient(URL), 'profiles', ['a', 'missing', 'a']) == {'a': {'policies': []}}
    assert json.loads(mocked.calls[0].request.body) == {'query': {'ids': {'values': ['a', 'missing']}}}


@pytest.mark.parametrize('error, expected', [
    ({'id': 'security.role.not_found', 'status': 404, 'message': 'Role "x" not found.'}, None),
    ({'id': 'network.http.url_not_found', 'status': 404, 'message': 'API URL not found'}, KuzzleError),
])
def test_read_object_absent_only_on_kuzzle_not_found(mocked, error, expected):
    mocked.add(responses.GET, URL + '/roles/x', status=404, json=answer(None, 404, error, action='getRole'))
    if expected is None:
        assert _objects.read_object(KuzzleClient(URL), 'roles', 'x') is None
    else:
        with pytest.raises(expected):
            _objects.read_object(KuzzleClient(URL), 'roles', 'x')


# --- credentials, strategies, API keys ------------------------------------------------------------

def no_credentials(action, message):
    """passport-local's 412 for missing credentials: a plugin error without id."""
    return answer(None, status=412, error={'message': message, 'status': 412}, action=action)


def test_read_username(mocked):
    mocked.add(responses.GET, URL + '/credentials/local/u1', json=answer({'username': 'bob', 'kuid': 'u1'}, action='getCredentials'))
    mocked.add(responses.GET, URL + '/credentials/local/u2', status=412,
               json=no_credentials('getCredentials', 'No credentials found for user "u2".'))
    client = KuzzleClient(URL)
    assert _objects.read_username(client, 'u1') == 'bob'
    assert _objects.read_username(client, 'u2') is None


@pytest.mark.parametrize('status, error', [
    (412, {'id': 'services.storage.unknown_index', 'message': 'x', 'status': 412}),   # a 412 with an id is something else
    (403, {'id': 'security.rights.forbidden', 'message': 'no', 'status': 403}),
])
def test_read_username_other_errors_fail(mocked, status, error):
    mocked.add(responses.GET, URL + '/credentials/local/u1', status=status, json=answer(None, status, error, action='getCredentials'))
    with pytest.raises(KuzzleError) as info:
        _objects.read_username(KuzzleClient(URL), 'u1')
    assert str(info.value).startswith('Could not read the local credentials of user "u1"')


def test_read_username_refuses_an_answer_without_username(mocked):
    # what GET /credentials/local/_fields answers: the fields of the strategy, another action
    mocked.add(responses.GET, URL + '/credentials/local/_fields', json=answer(['username', 'password'], action='getCredentialFields'))
    with pytest.raises(KuzzleError) as info:
        _objects.read_username(KuzzleClient(URL), '_fields')
    assert 'unexpected answer to security:getCredentials: expected an object, got a list: ["username", "password"]' in str(info.value)
    mocked.add(responses.GET, URL + '/credentials/local/u2', json=answer({'kuid': 'u2'}, action='getCredentials'))
    with pytest.raises(KuzzleError) as info:
        _objects.read_username(KuzzleClient(URL), 'u2')
    assert 'no username' in str(info.value)


def test_username_owner(mocked):
    mocked.add(responses.GET, URL + '/credentials/local/bob/_byId', json=answer({'username': 'bob', 'kuid': 'u1'}, action='getCredentialsById'))
    mocked.add(responses.GET, URL + '/credentials/local/nob/_byId', status=412,
               json=no_credentials('getCredentialsById', 'No credentials found for username "nob".'))
    client = KuzzleClient(URL)
    assert _objects.username_owner(client, 'bob') == 'u1'
    assert _objects.username_owner(client, 'nob') is None


def test_all_usernames_pages_the_credentials_search(mocked, monkeypatch):
    monkeypatch.setattr(_objects, 'PAGE_SIZE', 2)
    mocked.add(responses.POST, URL + '/credentials/local/users/_search?from=0&size=2', json=answer(
        {'hits': [{'username': 'a', 'kuid': 'u1'}, {'username': 'b', 'kuid': 'u2'}], 'total': 3}, action='searchUsersByCredentials'))
    mocked.add(responses.POST, URL + '/credentials/local/users/_search?from=2&size=2', json=answer(
        {'hits': [{'username': 'c', 'kuid': 'u3'}], 'total': 3}, action='searchUsersByCredentials'))
    assert _objects.all_usernames(KuzzleClient(URL)) == {'u1': 'a', 'u2': 'b', 'u3': 'c'}


def credentials(pairs, total):
    return answer({'hits': [{'username': u, 'kuid': k} for k, u in pairs], 'total': total}, action='searchUsersByCredentials')


def test_local_usernames_searches_the_usernames_then_reads_the_few_others_one_by_one(mocked, monkeypatch):
    """The credentials Kuzzle holds are not listed: the usernames asked for are searched (one request per PAGE_SIZE of
    them), and the few users not found that way read their own credentials."""
    monkeypatch.setattr(_objects, 'PAGE_SIZE', 2)
    search = URL + '/credentials/local/users/_search?from=0&size=2'
    mocked.add(responses.POST, search, json=credentials([('u1', 'a'), ('u2', 'b')], 2))
    mocked.add(responses.POST, search, json=credentials([('u7', 'c')], 1))
    mocked.add(responses.GET, URL + '/credentials/local/u3', json=answer({'username': 'old-u3', 'kuid': 'u3'}, action='getCredentials'))
    mocked.add(responses.GET, URL + '/credentials/local/u4', status=412,
               json=no_credentials('getCredentials', 'No credentials found for user "u4".'))
    found = _objects.local_usernames(KuzzleClient(URL), ['u1', 'u3', 'u4'], ['a', 'b', 'c', None, 'a'])
    assert found == {'u1': 'a', 'u2': 'b', 'u7': 'c', 'u3': 'old-u3'}
    assert [json.loads(c.request.body) for c in mocked.calls[:2]] == [
        {'query': {'terms': {'username': ['a', 'b']}}}, {'query': {'terms': {'username': ['c']}}}]
    assert len(mocked.calls) == 4


def test_local_usernames_lists_every_credential_when_many_users_are_left(mocked, monkeypatch):
    monkeypatch.setattr(_objects, 'FEW_CREDENTIALS_READS', 1)
    mocked.add(responses.POST, URL + '/credentials/local/users/_search?from=0&size=1000',
               json=credentials([('u1', 'a'), ('u2', 'b'), ('u3', 'c')], 3))
    assert _objects.local_usernames(KuzzleClient(URL), ['u1', 'u2'], []) == {'u1': 'a', 'u2': 'b', 'u3': 'c'}
    assert len(mocked.calls) == 1 and json.loads(mocked.calls[0].request.body) == {}


def test_local_usernames_past_the_fetch_limit_reads_the_others_one_by_one(mocked, monkeypatch):
    """The credentials search has no scroll: past Kuzzle's fetch limit, listing them fails at its first page."""
    monkeypatch.setattr(_objects, 'PAGE_SIZE', 2)
    monkeypatch.setattr(_objects, 'FETCH_LIMIT', 3)
    monkeypatch.setattr(_objects, 'FEW_CREDENTIALS_READS', 1)
    mocked.add(responses.POST, URL + '/credentials/local/users/_search?from=0&size=2', json=credentials([('u1', 'a'), ('u2', 'b')], 9))
    for kuid in ('u1', 'u2'):
        mocked.add(responses.GET, URL + '/credentials/local/' + kuid, json=answer({'username': kuid + '-name', 'kuid': kuid}, action='getCredentials'))
    assert _objects.local_usernames(KuzzleClient(URL), ['u1', 'u2'], []) == {'u1': 'u1-name', 'u2': 'u2-name'}
    assert _objects.every_username(KuzzleClient(URL), ['u1']) == {'u1': 'u1-name'}


def scrolled(start, count, total, scroll_id, action='searchUsers'):
    return answer({'hits': [{'_id': 'u%04d' % i, '_source': {}} for i in range(start, start + count)], 'total': total,
                   'scrollId': scroll_id}, action=action)


def test_search_past_the_fetch_limit_starts_again_with_a_scroll(mocked, monkeypatch):
    """Users and profiles: the first page says more match than Kuzzle pages through; the search starts again with a
    scroll and reads every page of it, whatever their number."""
    monkeypatch.setattr(_objects, 'PAGE_SIZE', 2)
    monkeypatch.setattr(_objects, 'FETCH_LIMIT', 3)
    mocked.add(responses.POST, URL + '/users/_search?from=0&size=2', json=scrolled(0, 2, 5, None))
    mocked.add(responses.POST, URL + '/users/_search?scroll=30s&size=2', json=scrolled(0, 2, 5, 's1'))
    mocked.add(responses.GET, URL + '/users/_scroll/s1?scroll=30s', json=scrolled(2, 2, 5, 's2', 'scrollUsers'))
    mocked.add(responses.GET, URL + '/users/_scroll/s2?scroll=30s', json=scrolled(4, 1, 5, 's3', 'scrollUsers'))
    total, found = _objects.search(KuzzleClient(URL), 'users', {'terms': {'profileIds': ['p']}})
    assert total == 5 and [h['_id'] for h in found] == ['u%04d' % i for i in range(5)]
    assert json.loads(mocked.calls[1].request.body) == {'query': {'terms': {'profileIds': ['p']}}}
    assert len(mocked.calls) == 4  # no request after the last hit


def test_a_scroll_that_ends_early_fails(mocked, monkeypatch):
    monkeypatch.setattr(_objects, 'PAGE_SIZE', 2)
    monkeypatch.setattr(_objects, 'FETCH_LIMIT', 3)
    mocked.add(responses.POST, URL + '/profiles/_search?from=0&size=2', json=scrolled(0, 2, 5, None, 'searchProfiles'))
    mocked.add(responses.POST, URL + '/profiles/_search?scroll=30s&size=2', json=scrolled(0, 2, 5, 's1', 'searchProfiles'))
    mocked.add(responses.GET, URL + '/profiles/_scroll/s1?scroll=30s', json=scrolled(0, 0, 5, 's1', 'scrollProfiles'))
    with pytest.raises(KuzzleError) as info:
        _objects.search(KuzzleClient(URL), 'profiles', doing='read profiles')
    assert str(info.value) == 'Could not read profiles: the scroll ended after 2 of its 5 hits'


def test_roles_and_credentials_past_the_fetch_limit_fail_at_the_first_page(mocked, monkeypatch):
    monkeypatch.setattr(_objects, 'PAGE_SIZE', 2)
    monkeypatch.setattr(_objects, 'FETCH_LIMIT', 3)
    mocked.add(responses.POST, URL + '/credentials/local/users/_search?from=0&size=2', json=credentials([('u1', 'a'), ('u2', 'b')], 4))
    with pytest.raises(_objects.FetchLimitExceeded) as info:
        _objects.all_usernames(KuzzleClient(URL), doing='list usernames')
    assert str(info.value) == ('Could not list usernames: more than 3 users match: Kuzzle does not page further '
                               '(limits.documentsFetchCount) and has no scroll for them')
    assert len(mocked.calls) == 1


def test_user_strategies(mocked):
    mocked.add(responses.GET, URL + '/users/u1/_strategies', json=answer({'strategies': ['oauth', 'local'], 'total': 2}))
    assert _objects.user_strategies(KuzzleClient(URL), 'u1') == ['local', 'oauth']


def test_count_api_keys_reads_pages_until_a_short_one(mocked, monkeypatch):
    # Kuzzle's searchApiKeys answers the page's length as its total
    monkeypatch.setattr(_objects, 'PAGE_SIZE', 2)
    keys = [{'_id': 'k%d' % i, '_source': {'description': 'd'}} for i in range(5)]
    for start in (0, 2, 4):
        page = keys[start:start + 2]
        mocked.add(responses.POST, URL + '/users/u1/api-keys/_search?from=%d&size=2' % start,
                   json=answer({'hits': page, 'total': len(page)}, action='searchApiKeys'))
    assert _objects.count_api_keys(KuzzleClient(URL), 'u1') == 5
    assert len(mocked.calls) == 3


def test_count_api_keys_an_exact_page_costs_one_more_request(mocked, monkeypatch):
    monkeypatch.setattr(_objects, 'PAGE_SIZE', 2)
    mocked.add(responses.POST, URL + '/users/u1/api-keys/_search?from=0&size=2',
               json=answer({'hits': [{'_id': 'a', '_source': {}}, {'_id': 'b', '_source': {}}], 'total': 2}, action='searchApiKeys'))
    mocked.add(responses.POST, URL + '/users/u1/api-keys/_search?from=2&size=2',
               json=answer({'hits': [], 'total': 0}, action='searchApiKeys'))
    assert _objects.count_api_keys(KuzzleClient(URL), 'u1') == 2


def test_read_selection_one_several_all(mocked):
    client = KuzzleClient(URL)
    mocked.add(responses.GET, URL + '/users/u1', json=answer({'_id': 'u1', '_source': {'profileIds': ['a']}}, action='getUser'))
    assert _objects.read_selection(client, 'users', name='u1') == ({'u1': {'profileIds': ['a']}}, ['u1'])
    mocked.add(responses.POST, URL + '/users/_search?from=0&size=1000', json=answer(
        {'hits': [{'_id': 'u2', '_source': {'profileIds': ['b']}}], 'total': 1}, action='searchUsers'))
    found, order = _objects.read_selection(client, 'users', names=['u3', 'u2', 'u3'])
    assert found == {'u2': {'profileIds': ['b']}} and order == ['u3', 'u2']
    assert json.loads(mocked.calls[-1].request.body) == {'query': {'ids': {'values': ['u3', 'u2']}}}
    found, order = _objects.read_selection(client, 'users', names=[])
    assert found == {} and order == [] and len(mocked.calls) == 2
    mocked.add(responses.POST, URL + '/users/_search?from=0&size=1000', json=answer(
        {'hits': [{'_id': 'z', '_source': {}}, {'_id': 'a', '_source': {}}], 'total': 2}, action='searchUsers'))
    found, order = _objects.read_selection(client, 'users')
    assert order == ['a', 'z'] and json.loads(mocked.calls[-1].request.body) == {}


def test_require_all_is_one_mget_and_nothing_for_no_ids(mocked):
    client = KuzzleClient(URL)
    _objects.require_all(client, 'profiles', [], doing='create user "u"')
    assert not mocked.calls
    mocked.add(responses.POST, URL + '/profiles/_mGet', status=404, json=answer(None, 404, {
        'id': 'security.profile.not_found', 'message': 'Profile "b" not found.', 'status': 404}, action='mGetProfiles'))
    with pytest.raises(KuzzleError) as info:
        _objects.require_all(client, 'profiles', ('a', 'b'), doing='create user "u"')
    assert str(info.value) == 'Could not create user "u": Kuzzle answered 404 security.profile.not_found: Profile "b" not found.'
    assert json.loads(mocked.calls[0].request.body) == {'ids': ['a', 'b']}


def test_require_all_reads_more_roles_in_the_same_mget(mocked):
    client = KuzzleClient(URL)
    mocked.add(responses.POST, URL + '/roles/_mGet', json=answer(
        {'hits': [{'_id': 'new', '_source': {'controllers': {}}}, {'_id': 'old', '_source': {'controllers': {'*': {}}}}]},
        action='mGetRoles'))
    found = _objects.require_all(client, 'roles', ['new'], doing='update profile "p"', read=['old', 'new'])
    assert found == {'new': {'controllers': {}}, 'old': {'controllers': {'*': {}}}}
    assert len(mocked.calls) == 1 and json.loads(mocked.calls[0].request.body) == {'ids': ['new', 'old']}


def test_require_all_tolerates_a_missing_role_it_only_reads(mocked):
    client = KuzzleClient(URL)
    mocked.add(responses.POST, URL + '/roles/_mGet', status=404, json=answer(None, 404, {
        'id': 'security.role.not_found', 'message': 'Role "gone" not found.', 'status': 404}, action='mGetRoles'))
    mocked.add(responses.POST, URL + '/roles/_search?from=0&size=1000', json=answer(
        {'hits': [{'_id': 'kept', '_source': {'controllers': {}}}], 'total': 1}, action='searchRoles'))
    assert _objects.require_all(client, 'roles', [], doing='delete profile "p"', read=['kept', 'gone']) == {
        'kept': {'controllers': {}}}
    assert len(mocked.calls) == 2
