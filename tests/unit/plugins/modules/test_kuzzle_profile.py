# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""kuzzle_profile's requests and decisions, against Kuzzle 2.x and 1.x answers mocked at the transport.

The behaviour against a real Kuzzle is tested in tests/integration; these tests pin the exact
requests (count, verbs, bodies) and the Kuzzle 1.x shapes we cannot run here.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


import pytest
import responses

from ansible_collections.community.kuzzle.plugins.module_utils import _objects
from ansible_collections.community.kuzzle.plugins.modules import kuzzle_profile
from ansible_collections.community.kuzzle.tests.unit.plugins.modules.utils import URL, body_of, calls, envelope, kuzzle_error

PROFILE = URL + '/profiles/p1'
STORED = {'policies': [{'roleId': 'reader'}], 'rateLimit': 7, 'tags': ['t'],
          'optimizedPolicies': [{'roleId': 'reader', 'restrictedTo': {}}],
          '_kuzzle_info': {'author': None, 'createdAt': 1, 'updatedAt': None, 'updater': None}}
NOT_FOUND = kuzzle_error('security.profile.not_found', 404, 'Profile "p1" not found.')
# A small server:publicApi answer: what the rights review reads when the policies change.
PUBLIC_API = {'document': {'get': {'http': [{'verb': 'GET', 'path': '/:index/:collection/:_id'}]},
                           'create': {'http': [{'verb': 'POST', 'path': '/:index/:collection/_create'}]}},
              'security': {'createUser': {'http': [{'verb': 'POST', 'path': '/users/_create'}]}}}


def public_api(kuzzle_http, v1=False):
    kuzzle_http.add(responses.GET, URL + '/_publicApi', json=envelope(PUBLIC_API, action='publicApi', controller='server', v1=v1))


def roles_found(**controllers):
    return envelope({'hits': [{'_id': i, '_source': {'controllers': c}} for i, c in sorted(controllers.items())]}, action='mGetRoles')


READER = {'document': {'actions': {'get': True}}}
WRITER = {'document': {'actions': {'create': True}}}


def test_unchanged_profile_costs_one_get(run_module, kuzzle_http):
    kuzzle_http.add(responses.GET, PROFILE, json=envelope({'_id': 'p1', '_source': STORED}))
    failed, result = run_module(kuzzle_profile.main, dict(name='p1', token='tok', policies=[{'role_id': 'reader'}]))
    assert not failed and result['changed'] is False
    assert result['profile'] == {'policies': [{'roleId': 'reader'}], 'rateLimit': 7, 'tags': ['t']}
    assert calls(kuzzle_http) == [('GET', '/profiles/p1')]
    assert kuzzle_http.calls[0].request.headers['Authorization'] == 'Bearer tok'


def test_credentials_cost_one_login(run_module, kuzzle_http):
    kuzzle_http.add(responses.POST, URL + '/_login/local', json=envelope({'jwt': 'kauth-jwt', '_id': 'admin'}, action='login'))
    kuzzle_http.add(responses.GET, PROFILE, json=envelope({'_id': 'p1', '_source': STORED}))
    failed, result = run_module(kuzzle_profile.main, dict(name='p1', username='admin', password='secret-pw',
                                                          policies=[{'role_id': 'reader'}]))
    assert not failed and result['changed'] is False
    assert calls(kuzzle_http) == [('POST', '/_login/local?expiresIn=5m'), ('GET', '/profiles/p1')]
    assert body_of(kuzzle_http.calls[0]) == {'username': 'admin', 'password': 'secret-pw'}


def test_create_checks_roles_then_creates(run_module, kuzzle_http):
    kuzzle_http.add(responses.GET, PROFILE, json=NOT_FOUND, status=404)
    kuzzle_http.add(responses.POST, URL + '/roles/_mGet', json=roles_found(a=READER, b={}))
    public_api(kuzzle_http)
    created = {'policies': [{'roleId': 'a'}, {'roleId': 'b'}], 'rateLimit': 0, '_kuzzle_info': {}, 'optimizedPolicies': []}
    kuzzle_http.add(responses.POST, PROFILE + '/_create', json=envelope({'_id': 'p1', '_source': created}, action='createProfile'))
    failed, result = run_module(kuzzle_profile.main, dict(name='p1', policies=[{'role_id': 'b'}, {'role_id': 'a'}]), diff=True)
    assert not failed, result
    assert calls(kuzzle_http) == [('GET', '/profiles/p1'), ('POST', '/roles/_mGet'), ('GET', '/_publicApi'),
                                  ('POST', '/profiles/p1/_create?refresh=wait_for')]
    assert body_of(kuzzle_http.calls[1]) == {'ids': ['a', 'b']}
    assert body_of(kuzzle_http.calls[3]) == {'policies': [{'roleId': 'b'}, {'roleId': 'a'}]}  # written in the task's order
    assert result['rights'] == {'p1': {'granted': [{'controller': 'document', 'action': 'get', 'index': '*', 'collection': '*'}],
                                       'revoked': [], 'unrestricted': []}}
    assert result['msg'] == 'profile p1 created with roles a, b; rights of p1: +1 right, -0'
    assert result['diff']['prepared'] == 'rights of p1: +1 right, -0\n  + on any collection of any index: document:get\n'
    assert result['changed'] is True
    assert result['profile'] == {'policies': [{'roleId': 'a'}, {'roleId': 'b'}], 'rateLimit': 0}
    assert result['diff']['before'] == {} and result['diff']['after'] == {'policies': [{'roleId': 'a'}, {'roleId': 'b'}], 'rateLimit': 0}


def test_check_mode_reads_and_verifies_but_never_writes(run_module, kuzzle_http):
    kuzzle_http.add(responses.GET, PROFILE, json=envelope({'_id': 'p1', '_source': STORED}))
    kuzzle_http.add(responses.POST, URL + '/roles/_mGet', json=roles_found(reader=READER, writer=WRITER))
    public_api(kuzzle_http)
    failed, result = run_module(kuzzle_profile.main, dict(name='p1', policies=[{'role_id': 'writer'}], strict=False), check=True)
    assert not failed and result['changed'] is True
    # one mGet checks the new role and reads the roles of both sides, one read of the action list
    assert calls(kuzzle_http) == [('GET', '/profiles/p1'), ('POST', '/roles/_mGet'), ('GET', '/_publicApi')]
    assert body_of(kuzzle_http.calls[1]) == {'ids': ['writer', 'reader']}
    assert result['profile'] == {'policies': [{'roleId': 'writer'}], 'rateLimit': 7, 'tags': ['t']}
    assert result['msg'] == 'profile p1: role writer added; role reader removed; rights of p1: +1 right, -1'
    assert result['rights']['p1']['revoked'] == [{'controller': 'document', 'action': 'get', 'index': '*', 'collection': '*'}]


def test_update_sends_only_changed_keys_with_flags(run_module, kuzzle_http):
    kuzzle_http.add(responses.GET, PROFILE, json=envelope({'_id': 'p1', '_source': STORED}))
    kuzzle_http.add(responses.POST, URL + '/roles/_mGet', json=roles_found(reader=READER))
    kuzzle_http.add(responses.GET, URL + '/shop/_exists', json=envelope(True, action='exists', controller='index'))
    kuzzle_http.add(responses.GET, URL + '/shop/carts/_exists', json=envelope(True, action='exists', controller='collection'))
    public_api(kuzzle_http)
    updated = dict(STORED, policies=[{'roleId': 'reader', 'restrictedTo': [{'index': 'shop', 'collections': ['carts']}]}])
    kuzzle_http.add(responses.PUT, PROFILE + '/_update', json=envelope({'_id': 'p1', '_source': updated}, action='updateProfile'))
    failed, result = run_module(kuzzle_profile.main, dict(
        name='p1', strict=True, refresh='false', rate_limit=7,
        policies=[{'role_id': 'reader', 'restricted_to': [{'index': 'shop', 'collections': ['carts']}]}]))
    assert not failed, result
    # the profile already uses every role the task names: the mGet only reads it for the rights review
    assert calls(kuzzle_http) == [('GET', '/profiles/p1'), ('POST', '/roles/_mGet'), ('GET', '/shop/_exists'),
                                  ('GET', '/shop/carts/_exists'), ('GET', '/_publicApi'),
                                  ('PUT', '/profiles/p1/_update?refresh=false&strict')]
    assert body_of(kuzzle_http.calls[1]) == {'ids': ['reader']}
    assert body_of(kuzzle_http.calls[-1]) == {'policies': updated['policies']}
    assert result['rights'] == {'p1': {'granted': [], 'revoked': [
        {'controller': 'document', 'action': 'get', 'index': '*', 'collection': '*'}], 'unrestricted': []}}


@pytest.mark.parametrize('check', [True, False])
def test_strict_with_a_missing_index_is_refused_before_anything_is_written(run_module, kuzzle_http, check):
    kuzzle_http.add(responses.GET, PROFILE, json=envelope({'_id': 'p1', '_source': STORED}))
    kuzzle_http.add(responses.POST, URL + '/roles/_mGet', json=roles_found(reader=READER))
    kuzzle_http.add(responses.GET, URL + '/shop/_exists', json=envelope(False, action='exists', controller='index'))
    failed, result = run_module(kuzzle_profile.main, dict(
        name='p1', strict=True, policies=[{'role_id': 'reader', 'restricted_to': [{'index': 'shop'}]}]), check=check)
    assert failed and result['changed'] is False
    assert result['msg'] == ('Nothing written: profile "p1": Kuzzle would refuse it (412 services.storage.unknown_index): '
                             'index "shop" does not exist (strict is set)')
    assert (result['error_id'], result['status']) == ('services.storage.unknown_index', 412)
    assert calls(kuzzle_http) == [('GET', '/profiles/p1'), ('POST', '/roles/_mGet'), ('GET', '/shop/_exists')]


def test_unknown_role_stops_before_the_write(run_module, kuzzle_http):
    kuzzle_http.add(responses.GET, PROFILE, json=NOT_FOUND, status=404)
    kuzzle_http.add(responses.POST, URL + '/roles/_mGet', status=404,
                    json=kuzzle_error('security.role.not_found', 404, 'Role "ghost" not found.', action='mGetRoles'))
    # Elasticsearch confirms: the role is missing, not only unknown to one node of a cluster
    kuzzle_http.add(responses.POST, URL + '/roles/_search?from=0&size=1000', json=envelope({'hits': [], 'total': 0}, action='searchRoles'))
    failed, result = run_module(kuzzle_profile.main, dict(name='p1', policies=[{'role_id': 'ghost'}]))
    assert failed
    assert result['msg'] == 'Could not create profile "p1": Kuzzle answered 404 security.role.not_found: Role "ghost" not found.'
    assert result['error_id'] == 'security.role.not_found' and result['status'] == 404
    assert calls(kuzzle_http) == [('GET', '/profiles/p1'), ('POST', '/roles/_mGet'), ('POST', '/roles/_search?from=0&size=1000')]
    assert body_of(kuzzle_http.calls[2]) == {'query': {'ids': {'values': ['ghost']}}}


def test_a_role_a_cluster_node_does_not_know_yet_is_waited_for(run_module, kuzzle_http, monkeypatch):
    """A role written through another node of a cluster a moment ago: this node's cache says it is not found, in the
    role check and in the write, until the writer's invalidation arrives (tests/kuzzle/README.md, cross-node)."""
    waits = []
    monkeypatch.setattr(_objects.time, 'sleep', waits.append)
    not_found = kuzzle_error('security.role.not_found', 404, 'Role "fresh" not found.', action='mGetRoles')
    kuzzle_http.add(responses.GET, PROFILE, json=NOT_FOUND, status=404)
    kuzzle_http.add(responses.POST, URL + '/roles/_mGet', status=404, json=not_found)
    kuzzle_http.add(responses.POST, URL + '/roles/_search?from=0&size=1000', json=envelope(
        {'hits': [{'_id': 'fresh', '_source': {'controllers': {}}}], 'total': 1}, action='searchRoles'))
    kuzzle_http.add(responses.POST, URL + '/roles/_mGet', status=404, json=not_found)
    kuzzle_http.add(responses.POST, URL + '/roles/_mGet', json=envelope({'hits': [], 'total': 1}, action='mGetRoles'))
    public_api(kuzzle_http)
    kuzzle_http.add(responses.POST, PROFILE + '/_create', status=404, json=dict(not_found, action='createProfile'))
    created = {'policies': [{'roleId': 'fresh'}], 'rateLimit': 0}
    kuzzle_http.add(responses.POST, PROFILE + '/_create', json=envelope({'_id': 'p1', '_source': created}, action='createProfile'))
    failed, result = run_module(kuzzle_profile.main, dict(name='p1', policies=[{'role_id': 'fresh'}]))
    assert not failed and result['changed'] is True, result
    assert [c[1].split('?')[0] for c in calls(kuzzle_http)] == ['/profiles/p1', '/roles/_mGet', '/roles/_search', '/roles/_mGet',
                                                                '/roles/_mGet', '/_publicApi', '/profiles/p1/_create',
                                                                '/profiles/p1/_create']
    assert waits == [_objects.ROLE_CACHE_WAITS[0]] * 2


def test_a_role_that_stays_unknown_fails_after_two_waits(run_module, kuzzle_http, monkeypatch):
    waits = []
    monkeypatch.setattr(_objects.time, 'sleep', waits.append)
    kuzzle_http.add(responses.GET, PROFILE, json=envelope({'_id': 'p1', '_source': STORED}))
    not_found = kuzzle_error('security.role.not_found', 404, 'Role "reader" not found.', action='updateProfile')
    for dummy in range(3):
        kuzzle_http.add(responses.PUT, PROFILE + '/_update', status=404, json=not_found)
    failed, result = run_module(kuzzle_profile.main, dict(name='p1', policies=[{'role_id': 'reader'}], rate_limit=5))
    assert failed and result['error_id'] == 'security.role.not_found' and result['changed'] is False
    assert waits == list(_objects.ROLE_CACHE_WAITS) and len(kuzzle_http.calls) == 4


def test_a_404_that_is_not_profile_not_found_fails(run_module, kuzzle_http):
    kuzzle_http.add(responses.GET, PROFILE, status=404, json=kuzzle_error(
        'network.http.url_not_found', 404, 'API URL not found: /profiles/p1.', action=None))
    failed, result = run_module(kuzzle_profile.main, dict(name='p1', policies=[{'role_id': 'a'}]))
    assert failed and result['error_id'] == 'network.http.url_not_found'
    assert len(kuzzle_http.calls) == 1


def test_bare_protocol_error_is_read(run_module, kuzzle_http):
    kuzzle_http.add(responses.GET, PROFILE, status=400, json={
        'status': 400, 'id': 'network.http.unsupported_content', 'code': 1, 'message': 'Unsupported content type', 'props': []})
    failed, result = run_module(kuzzle_profile.main, dict(name='p1', policies=[{'role_id': 'a'}]))
    assert failed
    assert result['msg'] == 'Could not read profile "p1": Kuzzle answered 400 network.http.unsupported_content: Unsupported content type'


def test_delete_refuses_when_users_have_the_profile(run_module, kuzzle_http):
    kuzzle_http.add(responses.GET, PROFILE, json=envelope({'_id': 'p1', '_source': STORED}))
    kuzzle_http.add(responses.POST, URL + '/users/_search?from=0&size=10', json=envelope(
        {'hits': [{'_id': 'u1', '_source': {}}], 'total': 1}, action='searchUsers'))
    failed, result = run_module(kuzzle_profile.main, dict(name='p1', state='absent'))
    assert failed and result['error_id'] == 'security.profile.in_use' and result['status'] == 412
    assert result['msg'] == ('Nothing written: profile "p1": Kuzzle would refuse it (412 security.profile.in_use): '
                             '1 user(s) still have this profile (u1); set on_assigned_users=remove to take it away from them')
    assert body_of(kuzzle_http.calls[1]) == {'query': {'terms': {'profileIds': ['p1']}}}
    assert 'DELETE' not in [c.request.method for c in kuzzle_http.calls]


def test_delete_with_remove(run_module, kuzzle_http):
    kuzzle_http.add(responses.GET, PROFILE, json=envelope({'_id': 'p1', '_source': STORED}))
    kuzzle_http.add(responses.POST, URL + '/users/_search?from=0&size=10', json=envelope({'hits': [{'_id': 'u1', '_source': {}}], 'total': 1}))
    kuzzle_http.add(responses.POST, URL + '/roles/_mGet', json=roles_found(reader=READER))
    public_api(kuzzle_http)
    kuzzle_http.add(responses.DELETE, PROFILE + '?refresh=wait_for&onAssignedUsers=remove', json=envelope({'_id': 'p1'}))
    failed, result = run_module(kuzzle_profile.main, dict(name='p1', state='absent', on_assigned_users='remove'), diff=True)
    assert not failed, result
    assert result['changed'] is True and result['profile'] == {}
    assert result['diff']['after'] == {}
    assert calls(kuzzle_http)[-1] == ('DELETE', '/profiles/p1?refresh=wait_for&onAssignedUsers=remove')
    assert result['rights']['p1']['revoked'] == [{'controller': 'document', 'action': 'get', 'index': '*', 'collection': '*'}]
    assert result['diff']['prepared'] == 'rights of p1: +0 rights, -1\n  - on any collection of any index: document:get\n'


# --- Kuzzle 1.x (answers in its envelope, utils.envelope(v1=True)): same routes, no rate limit ----------

STORED_V1 = {'policies': [{'roleId': 'reader', 'restrictedTo': [{'index': 'i', 'collections': ['b', 'a']}]}]}


def v1_profile():
    return envelope({'_id': 'p1', '_source': STORED_V1, '_meta': {'author': None, 'createdAt': 1}}, v1=True)


def test_v1_profile_compares_without_rate_limit(run_module, kuzzle_http):
    kuzzle_http.add(responses.GET, PROFILE, json=v1_profile())
    failed, result = run_module(kuzzle_profile.main, dict(name='p1', policies=[
        {'role_id': 'reader', 'restricted_to': [{'index': 'i', 'collections': ['a', 'b']}]}]), diff=True)
    assert not failed and result['changed'] is False
    assert result['diff']['before']['rateLimit'] == 0


def test_v1_update_does_not_send_v2_options(run_module, kuzzle_http):
    kuzzle_http.add(responses.GET, PROFILE, json=v1_profile())
    kuzzle_http.add(responses.POST, URL + '/roles/_mGet', json=envelope({'hits': [{'_id': 'writer'}]}, action='mGetRoles', v1=True))
    public_api(kuzzle_http, v1=True)
    kuzzle_http.add(responses.PUT, PROFILE + '/_update', json=envelope(
        {'_id': 'p1', '_source': {'policies': [{'roleId': 'writer'}]}, '_meta': {}}, action='updateProfile', v1=True))
    failed, result = run_module(kuzzle_profile.main, dict(name='p1', policies=[{'role_id': 'writer'}]))
    assert not failed, result
    assert body_of(kuzzle_http.calls[-1]) == {'policies': [{'roleId': 'writer'}]}
    assert result['profile'] == {'policies': [{'roleId': 'writer'}]}


def test_v1_refuses_rate_limit_before_writing(run_module, kuzzle_http):
    kuzzle_http.add(responses.GET, PROFILE, json=v1_profile())
    failed, result = run_module(kuzzle_profile.main, dict(name='p1', policies=[{'role_id': 'reader'}], rate_limit=5))
    assert failed and 'rate_limit needs Kuzzle 2.x' in result['msg']
    assert len(kuzzle_http.calls) == 1


def test_v1_before_error_ids_not_found_means_absent(run_module, kuzzle_http):
    kuzzle_http.add(responses.GET, PROFILE, status=404, json=kuzzle_error(None, 404, 'Unable to find profile with id "p1"', v1=True))
    kuzzle_http.add(responses.POST, URL + '/roles/_mGet', json=envelope({'hits': [{'_id': 'reader'}]}, action='mGetRoles', v1=True))
    public_api(kuzzle_http, v1=True)
    kuzzle_http.add(responses.POST, PROFILE + '/_create', json=envelope(
        {'_id': 'p1', '_source': {'policies': [{'roleId': 'reader'}]}, '_meta': {}}, action='createProfile', v1=True))
    failed, result = run_module(kuzzle_profile.main, dict(name='p1', policies=[{'role_id': 'reader'}]))
    assert not failed, result
    assert result['changed'] is True
    assert body_of(kuzzle_http.calls[-1]) == {'policies': [{'roleId': 'reader'}]}


def test_v1_other_404_without_id_is_not_absence(run_module, kuzzle_http):
    kuzzle_http.add(responses.GET, PROFILE, status=404, json=kuzzle_error(None, 404, 'API URL not found', action=None, v1=True))
    failed, result = run_module(kuzzle_profile.main, dict(name='p1', policies=[{'role_id': 'reader'}]))
    assert failed and 'API URL not found' in result['msg']


def test_only_a_rate_limit_change_costs_no_rights_request(run_module, kuzzle_http):
    kuzzle_http.add(responses.GET, PROFILE, json=envelope({'_id': 'p1', '_source': STORED}))
    kuzzle_http.add(responses.PUT, PROFILE + '/_update', json=envelope({'_id': 'p1', '_source': dict(STORED, rateLimit=9)},
                                                                       action='updateProfile'))
    failed, result = run_module(kuzzle_profile.main, dict(name='p1', rate_limit=9))
    assert not failed and result['changed'] is True
    assert result['rights'] == {} and result['msg'] == 'profile p1: rate limit 7 -> 9'
    assert calls(kuzzle_http) == [('GET', '/profiles/p1'), ('PUT', '/profiles/p1/_update?refresh=wait_for')]


def test_unchanged_profile_reports_no_rights_change(run_module, kuzzle_http):
    kuzzle_http.add(responses.GET, PROFILE, json=envelope({'_id': 'p1', '_source': STORED}))
    failed, result = run_module(kuzzle_profile.main, dict(name='p1', policies=[{'role_id': 'reader'}]), check=True)
    assert not failed and result['rights'] == {} and len(kuzzle_http.calls) == 1


def test_rights_a_restriction_does_not_limit_are_warned_in_check_mode(run_module, kuzzle_http, warnings):
    kuzzle_http.add(responses.GET, PROFILE, json=envelope({'_id': 'p1', '_source': STORED}))
    kuzzle_http.add(responses.POST, URL + '/roles/_mGet', json=roles_found(reader=READER, admin={'*': {'actions': {'*': True}}}))
    public_api(kuzzle_http)
    failed, result = run_module(kuzzle_profile.main, dict(name='p1', policies=[
        {'role_id': 'reader'}, {'role_id': 'admin', 'restricted_to': [{'index': 'logs'}]}]), check=True, diff=True)
    assert not failed
    entry = {'controller': 'security', 'action': 'createUser', 'index': None, 'collection': None}
    assert result['rights']['p1']['unrestricted'] == [entry] and entry in result['rights']['p1']['granted']
    assert result['msg'].endswith('rights of p1: +2 rights, -0 (1 not limited by restrictedTo)')
    assert result['diff']['prepared'].splitlines() == [
        'rights of p1: +2 rights, -0 (1 not limited by restrictedTo)',
        '  + without an index: security:createUser',
        '  + on any collection of logs: document:create',
        '  ! without an index: security:createUser']
    assert warnings == ['profile "p1" gains 1 right that its restrictedTo does not limit (actions that take no index pass any '
                        'restriction, and index-level actions act on the whole index even when the restriction names '
                        'collections): without an index: security:createUser']


def test_rights_are_left_out_with_a_warning_when_the_action_list_cannot_be_read(run_module, kuzzle_http, warnings):
    kuzzle_http.add(responses.GET, PROFILE, json=envelope({'_id': 'p1', '_source': STORED}))
    kuzzle_http.add(responses.POST, URL + '/roles/_mGet', json=roles_found(reader=READER, writer=WRITER))
    kuzzle_http.add(responses.GET, URL + '/_publicApi', status=403, json=kuzzle_error(
        'security.rights.forbidden', 403, 'Forbidden action.', action='publicApi'))
    failed, result = run_module(kuzzle_profile.main, dict(name='p1', policies=[{'role_id': 'writer'}]), check=True)
    assert not failed and 'rights' not in result
    assert warnings == ['rights were not computed, because server:publicApi could not be read at %s' % URL]
