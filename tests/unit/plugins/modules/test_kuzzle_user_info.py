# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""kuzzle_user_info's requests and output, against Kuzzle answers mocked at the transport; its output
given back to kuzzle_user changes nothing."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import responses

from ansible_collections.community.kuzzle.plugins.modules import kuzzle_user, kuzzle_user_info
from ansible_collections.community.kuzzle.tests.unit.plugins.modules.utils import URL, calls, envelope, kuzzle_error

INFO = {'author': None, 'createdAt': 1, 'updatedAt': None, 'updater': None}
ALICE = {'profileIds': ['reader', 'editor'], 'fullname': 'Alice', 'address': {'city': 'A'}, '_kuzzle_info': INFO}
BOT = {'profileIds': ['ingest'], '_kuzzle_info': INFO}
ALICE_PARAMS = {'name': 'alice', 'profile_ids': ['editor', 'reader'], 'content': {'fullname': 'Alice', 'address': {'city': 'A'}},
                'credentials': {'username': 'alice.l'}}
BOT_PARAMS = {'name': 'bot', 'profile_ids': ['ingest'], 'content': {}}


def no_credentials(kuid):
    return envelope(None, 412, {'message': 'No credentials found for user "%s".' % kuid, 'status': 412}, action='getCredentials')


def test_one_user_with_its_username(run_module, kuzzle_http):
    kuzzle_http.add(responses.GET, URL + '/users/alice', json=envelope({'_id': 'alice', '_source': ALICE}, action='getUser'))
    kuzzle_http.add(responses.GET, URL + '/credentials/local/alice', json=envelope({'username': 'alice.l', 'kuid': 'alice'}, action='getCredentials'))
    failed, result = run_module(kuzzle_user_info.main, dict(name='alice'), check=True)
    assert not failed and result['changed'] is False
    assert result['users'] == [ALICE_PARAMS] and result['missing'] == []
    assert result['msg'] == '1 user found'
    assert calls(kuzzle_http) == [('GET', '/users/alice'), ('GET', '/credentials/local/alice')]


def test_several_users_in_the_order_asked_with_missing_ones(run_module, kuzzle_http):
    kuzzle_http.add(responses.POST, URL + '/users/_search?from=0&size=1000', json=envelope(
        {'hits': [{'_id': 'alice', '_source': ALICE}, {'_id': 'bot', '_source': BOT}], 'total': 2}, action='searchUsers'))
    kuzzle_http.add(responses.GET, URL + '/credentials/local/bot', status=412, json=no_credentials('bot'))
    kuzzle_http.add(responses.GET, URL + '/credentials/local/alice', json=envelope({'username': 'alice.l', 'kuid': 'alice'}, action='getCredentials'))
    failed, result = run_module(kuzzle_user_info.main, dict(names=['bot', 'ghost', 'alice', 'bot']))
    assert not failed, result
    assert result['users'] == [BOT_PARAMS, ALICE_PARAMS]
    assert result['missing'] == ['ghost']
    assert result['msg'] == '2 users found, 1 missing: ghost'
    assert json.loads(kuzzle_http.calls[0].request.body) == {'query': {'ids': {'values': ['bot', 'ghost', 'alice']}}}
    assert [c.request.url.replace(URL, '') for c in kuzzle_http.calls][1:] == ['/credentials/local/bot', '/credentials/local/alice']


def test_every_user_with_one_search_of_the_credentials(run_module, kuzzle_http):
    kuzzle_http.add(responses.POST, URL + '/users/_search?from=0&size=1000', json=envelope(
        {'hits': [{'_id': 'bot', '_source': BOT}, {'_id': 'alice', '_source': ALICE}], 'total': 2}, action='searchUsers'))
    kuzzle_http.add(responses.POST, URL + '/credentials/local/users/_search?from=0&size=1000', json=envelope(
        {'hits': [{'username': 'alice.l', 'kuid': 'alice'}, {'username': 'gone', 'kuid': 'deleted-user'}], 'total': 2},
        action='searchUsersByCredentials'))
    failed, result = run_module(kuzzle_user_info.main, dict())
    assert not failed, result
    assert result['users'] == [ALICE_PARAMS, BOT_PARAMS]  # sorted by kuid
    assert len(kuzzle_http.calls) == 2


def test_no_user_found_reads_no_credentials(run_module, kuzzle_http):
    kuzzle_http.add(responses.GET, URL + '/users/ghost', status=404, json=kuzzle_error('security.user.not_found', 404, 'nope', action='getUser'))
    failed, result = run_module(kuzzle_user_info.main, dict(name='ghost'))
    assert not failed and result['users'] == [] and result['missing'] == ['ghost']
    assert len(kuzzle_http.calls) == 1


def test_a_user_whose_credentials_kuzzle_cannot_route_has_none_in_the_output(run_module, kuzzle_http):
    kuzzle_http.add(responses.GET, URL + '/users/_fields', json=envelope({'_id': '_fields', '_source': BOT}, action='getUser'))
    failed, result = run_module(kuzzle_user_info.main, dict(name='_fields'))
    assert not failed and result['users'] == [dict(BOT_PARAMS, name='_fields')]
    assert len(kuzzle_http.calls) == 1


def test_invalid_names_fail_before_any_request(run_module, kuzzle_http):
    failed, result = run_module(kuzzle_user_info.main, dict(names=['ok', '_search']))
    assert failed and 'cannot be used' in result['msg'] and not kuzzle_http.calls
    failed, result = run_module(kuzzle_user_info.main, dict(name='a', names=['b']))
    assert failed and 'mutually exclusive' in result['msg']


def test_the_output_given_to_kuzzle_user_changes_nothing(run_module, kuzzle_http):
    kuzzle_http.add(responses.GET, URL + '/users/alice', json=envelope({'_id': 'alice', '_source': ALICE}, action='getUser'))
    kuzzle_http.add(responses.GET, URL + '/credentials/local/alice', json=envelope({'username': 'alice.l', 'kuid': 'alice'}, action='getCredentials'))
    failed, info = run_module(kuzzle_user_info.main, dict(name='alice'))
    assert not failed
    count = len(kuzzle_http.calls)
    failed, result = run_module(kuzzle_user.main, info['users'][0], diff=True)
    assert not failed and result['changed'] is False, result
    assert result['diff']['before'] == result['diff']['after']
    assert [c.request.method for c in kuzzle_http.calls[count:]] == ['GET', 'GET']
