# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""kuzzle_rights_info's requests and decisions, against Kuzzle answers mocked at the transport.

The behaviour against a real Kuzzle is tested in tests/integration/test_kuzzle_rights_info.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import responses

from ansible_collections.community.kuzzle.plugins.modules import kuzzle_rights_info
from ansible_collections.community.kuzzle.tests.unit.plugins.modules.utils import URL, body_of, calls, envelope, kuzzle_error

ON_DOCUMENTS = {'http': [{'verb': 'GET', 'path': '/:index/:collection/:_id'}]}
PUBLIC_API = {'document': {'get': ON_DOCUMENTS, 'delete': ON_DOCUMENTS},
              'security': {'createUser': {'http': [{'verb': 'POST', 'path': '/users/_create'}]}}}
ADMIN = {'*': {'actions': {'*': True}}}
READER = {'document': {'actions': {'get': True}}}


def entry(controller, action, index=None, collection=None):
    return {'controller': controller, 'action': action, 'index': index, 'collection': collection}


def add_roles(mocked, **roles):
    mocked.add(responses.POST, URL + '/roles/_mGet', json=envelope(
        {'hits': [{'_id': i, '_source': {'controllers': c}} for i, c in sorted(roles.items())]}, action='mGetRoles'))
    mocked.add(responses.GET, URL + '/_publicApi', json=envelope(PUBLIC_API, action='publicApi', controller='server'))


def test_a_profile_s_rights_and_what_its_restrictions_do_not_limit(run_module, kuzzle_http):
    policies = [{'roleId': 'reader'}, {'roleId': 'admin', 'restrictedTo': [{'index': 'logs', 'collections': ['app']}]}]
    kuzzle_http.add(responses.GET, URL + '/profiles/p', json=envelope({'_id': 'p', '_source': {'policies': policies}}))
    add_roles(kuzzle_http, reader=READER, admin=ADMIN)
    failed, result = run_module(kuzzle_rights_info.main, dict(profile='p'), check=True)
    assert not failed, result
    assert calls(kuzzle_http) == [('GET', '/profiles/p'), ('POST', '/roles/_mGet'), ('GET', '/_publicApi')]
    assert body_of(kuzzle_http.calls[1]) == {'ids': ['admin', 'reader']}
    assert result['rights'] == [entry('document', 'delete', 'logs', 'app'), entry('document', 'get', '*', '*'),
                                entry('security', 'createUser')]
    assert result['unrestricted'] == [entry('security', 'createUser')]
    assert result['msg'] == 'profile p: 3 rights (1 not limited by restrictedTo)'
    assert result['changed'] is False and 'checks' not in result


def test_expectations_on_a_role_are_computed_and_every_mismatch_is_listed(run_module, kuzzle_http):
    kuzzle_http.add(responses.GET, URL + '/roles/r', json=envelope({'_id': 'r', '_source': {'controllers': READER}}, action='getRole'))
    kuzzle_http.add(responses.GET, URL + '/_publicApi', json=envelope(PUBLIC_API, action='publicApi', controller='server'))
    failed, result = run_module(kuzzle_rights_info.main, dict(
        role='r', expect_allowed=[{'controller': 'document', 'action': 'get', 'index': 'shop', 'collection': 'orders'},
                                  {'controller': 'document', 'action': 'delete', 'index': 'shop'}],
        expect_denied=[{'controller': 'security', 'action': 'createUser'}, {'controller': 'document', 'action': 'get'}]))
    assert failed
    assert result['msg'] == ('role r: 1 right; 2 of 4 expectations do not hold: document:delete on index shop is denied, '
                             'expected allowed; document:get without an index is allowed, expected denied')
    assert [c['allowed'] for c in result['checks']] == [True, False, False, True]
    assert result['rights'] == [entry('document', 'get', '*', '*')]
    assert len(kuzzle_http.calls) == 2


def test_a_user_s_expectations_are_kuzzle_s_own_decisions(run_module, kuzzle_http):
    kuzzle_http.add(responses.GET, URL + '/users/u', json=envelope({'_id': 'u', '_source': {'profileIds': ['p']}}, action='getUser'))
    kuzzle_http.add(responses.POST, URL + '/profiles/_mGet', json=envelope(
        {'hits': [{'_id': 'p', '_source': {'policies': [{'roleId': 'reader'}]}}]}, action='mGetProfiles'))
    add_roles(kuzzle_http, reader=READER)
    kuzzle_http.add(responses.POST, URL + '/_checkRights/u', json=envelope({'allowed': True}, action='checkRights'))
    kuzzle_http.add(responses.POST, URL + '/_checkRights/u', json=envelope({'allowed': False}, action='checkRights'))
    failed, result = run_module(kuzzle_rights_info.main, dict(
        user='u', expect_allowed=[{'controller': 'document', 'action': 'get', 'index': 'shop', 'collection': 'orders'}],
        expect_denied=[{'controller': 'security', 'action': 'createUser'}]), check=True)
    assert not failed, result
    assert result['msg'] == 'user u: 1 right; 2 expectations hold'
    assert [c[1] for c in calls(kuzzle_http)] == ['/users/u', '/profiles/_mGet', '/roles/_mGet', '/_publicApi',
                                                  '/_checkRights/u', '/_checkRights/u']
    assert body_of(kuzzle_http.calls[4]) == {'controller': 'document', 'action': 'get', 'index': 'shop', 'collection': 'orders'}
    assert body_of(kuzzle_http.calls[5]) == {'controller': 'security', 'action': 'createUser'}


def test_exactly_one_subject(run_module, kuzzle_http):
    failed, result = run_module(kuzzle_rights_info.main, dict(user='u', role='r'))
    assert failed and 'mutually exclusive' in result['msg']
    failed, result = run_module(kuzzle_rights_info.main, dict())
    assert failed and 'one of the following is required' in result['msg']
    assert not kuzzle_http.calls


def test_an_unknown_action_or_a_missing_subject_fails(run_module, kuzzle_http):
    kuzzle_http.add(responses.GET, URL + '/roles/r', json=envelope({'_id': 'r', '_source': {'controllers': READER}}, action='getRole'))
    kuzzle_http.add(responses.GET, URL + '/_publicApi', json=envelope(PUBLIC_API, action='publicApi', controller='server'))
    failed, result = run_module(kuzzle_rights_info.main, dict(role='r', expect_denied=[
        {'controller': 'document', 'action': 'gte'}, {'controller': 'document', 'action': 'get', 'collection': 'c'}]))
    assert failed and result['msg'] == ('Invalid task: expect_denied[0]: Kuzzle has no action document:gte; '
                                        'expect_denied[1]: a collection needs its index')
    kuzzle_http.add(responses.GET, URL + '/profiles/gone', status=404, json=kuzzle_error(
        'security.profile.not_found', 404, 'Profile "gone" not found.'))
    failed, result = run_module(kuzzle_rights_info.main, dict(profile='gone'))
    assert failed and result['msg'] == 'profile "gone" does not exist'
