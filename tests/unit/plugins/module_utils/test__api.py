# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The action table: every row well formed, routes filled and encoded, read/write deciding the retries,
and the capabilities that differ between Kuzzle versions."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import string

import pytest
import responses
from responses import registries

from ansible_collections.community.kuzzle.plugins.module_utils import _api, _client
from ansible_collections.community.kuzzle.plugins.module_utils._client import KuzzleClient, KuzzleError

BASE = 'http://kuzzle.test:7512'


def envelope(result, action='getProfile', v1=False):
    body = {'action': action, 'controller': 'security', 'error': None, 'requestId': 'r', 'result': result,
            'status': 200, 'volatile': None}
    body.update({'index': None, 'collection': None} if v1 else {'headers': {}})
    return body


@pytest.fixture
def rsps(monkeypatch):
    monkeypatch.setattr(_client, 'BACKOFF_FACTOR', 0)
    with responses.RequestsMock(registry=registries.OrderedRegistry) as mock:
        yield mock


@pytest.mark.parametrize('name', sorted(_api.ACTIONS))
def test_every_row_is_well_formed(name):
    method, route, read, doing = _api.ACTIONS[name]
    assert re.match(r'^[a-z]+:[a-z][A-Za-z]+$', name)
    assert method in ('GET', 'POST', 'PUT', 'DELETE') and read in (_api.READ, _api.WRITE)
    assert route.startswith('/') and '//' not in route
    params = [part[1:] for part in route.split('/') if part.startswith(':')]
    assert len(set(params)) == len(params)
    # the doing text names only params of the route, so a default message can always be written
    assert set(field for dummy, field, dummy2, dummy3 in string.Formatter().parse(doing) if field) <= set(params)
    assert method != 'GET' or read, 'a GET only reads'
    if name in _api.ROUTES_1X:
        assert sorted(part[1:] for part in _api.ROUTES_1X[name].split('/') if part.startswith(':')) == sorted(params)


def test_object_actions_and_capabilities_name_known_things():
    for actions in _api.OBJECT_ACTIONS.values():
        assert set(actions.values()) <= set(_api.ACTIONS)
    assert set(_api.ROUTES_1X) <= set(_api.ACTIONS)
    assert all(isinstance(major, int) for major in _api.CAPABILITIES.values())


def test_request_fills_the_route_and_the_doing_text():
    assert _api.request('security:getProfile', {'_id': 'a/b'}) == ('GET', ['profiles', 'a/b'], True, 'read profile "a/b"')
    assert _api.request('security:validateCredentials', {'strategy': 'local', '_id': 'u1'}) == (
        'POST', ['credentials', 'local', 'u1', '_validate'], True, 'check the local credentials of user "u1"')
    assert _api.request('security:createProfile', {'_id': 'p'})[2] is False
    assert _api.request('auth:getCurrentUser') == ('GET', ['_me'], True, 'read the user this task authenticates as')
    assert _api.request('auth:getCurrentUser', major_version=1)[1] == ['users', '_me']
    with pytest.raises(KeyError):
        _api.request('security:getProfile', {})


def test_capabilities_follow_the_major_version():
    assert _api.supported('strict', 2) and _api.supported('strict', None)  # 2.x until an answer says otherwise
    assert not _api.supported('strict', 1)
    assert [name for name in sorted(_api.CAPABILITIES) if _api.supported(name, 1)] == []


def test_act_sends_the_row_with_encoded_params_query_and_body(rsps):
    rsps.add('PUT', BASE + '/profiles/a%2Fb%20c/_update?refresh=false&strict', json=envelope({'_id': 'a/b c'}, 'updateProfile'))
    client = KuzzleClient(BASE)
    assert client.act('security:updateProfile', _id='a/b c', body={'rateLimit': 1},
                      query={'refresh': 'false', 'strict': True, 'force': False}) == {'_id': 'a/b c'}
    assert rsps.calls[0].request.body == b'{"rateLimit": 1}'


def test_act_failure_says_the_rows_doing_unless_given(rsps):
    error = {'id': 'security.role.not_found', 'status': 404, 'message': 'Role "r" not found.'}
    for dummy in range(2):
        rsps.add('POST', BASE + '/roles/_mGet', status=404, json=dict(envelope(None, 'mGetRoles'), status=404, error=error))
    client = KuzzleClient(BASE)
    with pytest.raises(KuzzleError) as info:
        client.act('security:mGetRoles', body={'ids': ['r']})
    assert str(info.value) == 'Could not read roles: Kuzzle answered 404 security.role.not_found: Role "r" not found.'
    with pytest.raises(KuzzleError) as info:
        client.act('security:mGetRoles', body={'ids': ['r']}, doing='create profile "p"')
    assert str(info.value).startswith('Could not create profile "p": Kuzzle answered 404')


def test_read_rows_are_sent_again_after_a_502_write_rows_are_not(rsps):
    rsps.add('POST', BASE + '/profiles/_search', status=502, body='<html>bad gateway</html>')
    rsps.add('POST', BASE + '/profiles/_search', json=envelope({'hits': [], 'total': 0}, 'searchProfiles'))
    rsps.add('POST', BASE + '/profiles/p/_create', status=502, body='<html>bad gateway</html>')
    client = KuzzleClient(BASE)
    assert client.act('security:searchProfiles', body={}) == {'hits': [], 'total': 0}
    with pytest.raises(KuzzleError) as info:
        client.act('security:createProfile', _id='p', body={'policies': []})
    assert info.value.status == 502
    assert client.request_count == 3


def test_supports_and_the_1x_route_come_from_the_first_answer(rsps):
    rsps.add('GET', BASE + '/profiles/p', json=envelope({'_id': 'p', '_source': {}}, v1=True))
    rsps.add('GET', BASE + '/users/_me', json=envelope({'_id': 'admin'}, 'getCurrentUser', v1=True))
    client = KuzzleClient(BASE)
    assert client.supports('api_keys')
    client.act('security:getProfile', _id='p')
    assert not client.supports('api_keys') and not client.supports('security_refresh')
    assert client.act('auth:getCurrentUser') == {'_id': 'admin'}
    assert client.request_count == 2
