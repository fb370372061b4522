# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""kuzzle_security's requests: how few it sends, in which order, and that passwords stay out of results."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import responses

from ansible_collections.community.kuzzle.plugins.modules import kuzzle_security
from ansible_collections.community.kuzzle.tests.unit.plugins.modules.utils import URL, calls, envelope

PROFILES = dict(('p%03d' % i, {'policies': [{'roleId': 'reader'}], 'rateLimit': i}) for i in range(250))


def hits(definition):
    return [{'_id': i, '_source': dict(body, _kuzzle_info={})} for i, body in definition.items()]


def test_an_unchanged_definition_costs_one_search_plus_login(run_module, kuzzle_http):
    kuzzle_http.add(responses.POST, URL + '/_login/local', json=envelope({'jwt': 'kauth-x'}, action='login'))
    kuzzle_http.add(responses.POST, URL + '/profiles/_search?from=0&size=1000',
                    json=envelope({'hits': hits(PROFILES), 'total': 250}, action='searchProfiles'))
    failed, result = run_module(kuzzle_security.main, dict(profiles=PROFILES, username='admin', password='pw'))
    assert not failed, result
    assert result['changed'] is False
    assert result['msg'] == '0 profiles created, 0 updated, 0 deleted, 250 unchanged'
    # nothing to write, so nothing to check: Kuzzle stored these profiles with roles that exist
    assert calls(kuzzle_http) == [('POST', '/_login/local?expiresIn=5m'), ('POST', '/profiles/_search?from=0&size=1000')]
    assert json.loads(kuzzle_http.calls[1].request.body)['query']['ids']['values'] == sorted(PROFILES)


def test_writes_in_order_then_one_refresh_per_kind_and_check_mode_writes_nothing(run_module, kuzzle_http):
    definition = {'roles': {'reader': {'controllers': {'document': {'actions': {'get': True}}}}},
                  'profiles': {'p1': {'policies': [{'roleId': 'reader'}]}}}
    kuzzle_http.add(responses.POST, URL + '/roles/_search?from=0&size=1000', json=envelope({'hits': [], 'total': 0}))
    kuzzle_http.add(responses.POST, URL + '/profiles/_search?from=0&size=1000', json=envelope({'hits': [], 'total': 0}))
    kuzzle_http.add(responses.GET, URL + '/_publicApi', json=envelope({'document': {'get': {}, 'search': {}}}, action='publicApi'))
    for write in ('/roles/reader/_create?refresh=false', '/_security/roles/_refresh', '/profiles/p1/_create?refresh=false',
                  '/_security/profiles/_refresh'):
        kuzzle_http.add(responses.POST, URL + write, json=envelope({'_id': 'x', '_source': {}}))
    for check in (True, False):
        failed, result = run_module(kuzzle_security.main, dict(definition, token='t'), check=check, diff=True)
        assert not failed, result
        assert result['operations'] == [{'kind': 'roles', 'id': 'reader', 'action': 'create'},
                                        {'kind': 'profiles', 'id': 'p1', 'action': 'create'}]
        assert result['diff'][0] == {'prepared': 'kuzzle_security plan: 1 roles created, 0 updated, 0 deleted, 0 unchanged; '
                                                 '1 profiles created, 0 updated, 0 deleted, 0 unchanged\n'
                                                 '  roles to create (1): "reader"\n  profiles to create (1): "p1"\n'}
        assert [d['before_header'] for d in result['diff'][1:]] == ['role reader (absent)', 'profile p1 (absent)']
        # the new profile's rights, from the role the definition creates: no more request (the action list was read once)
        assert result['rights'] == {'p1': {'granted': [{'controller': 'document', 'action': 'get', 'index': None, 'collection': None}],
                                           'revoked': [], 'unrestricted': []}}
        assert result['diff'][-1]['prepared'] == 'rights of p1: +1 right, -0\n  + without an index: document:get\n'
    assert [c[1] for c in calls(kuzzle_http)].count('/_publicApi') == 2  # once per run: the role check and the rights share it
    writes = [c for c in calls(kuzzle_http) if c[0] != 'GET' and '_search' not in c[1]]
    # the check run wrote nothing; the real run wrote in order, without waiting for each refresh
    assert writes == [('POST', '/roles/reader/_create?refresh=false'), ('POST', '/_security/roles/_refresh'),
                      ('POST', '/profiles/p1/_create?refresh=false'), ('POST', '/_security/profiles/_refresh')]


def test_passwords_are_masked_in_results_and_only_sent_when_creating(run_module, kuzzle_http):
    users = {'ann': {'content': {'profileIds': ['default']}, 'credentials': {'local': {'username': 'ann', 'password': 'S3cret-ann'}}}}
    kuzzle_http.add(responses.POST, URL + '/users/_search?from=0&size=1000', json=envelope({'hits': [], 'total': 0}))
    kuzzle_http.add(responses.POST, URL + '/credentials/local/users/_search?from=0&size=1000',
                    json=envelope({'hits': [], 'total': 0}, action='searchUsersByCredentials'))
    kuzzle_http.add(responses.POST, URL + '/profiles/_search?from=0&size=1000',
                    json=envelope({'hits': [{'_id': 'default', '_source': {'policies': [{'roleId': 'default'}]}}], 'total': 1}))
    kuzzle_http.add(responses.POST, URL + '/users/ann/_create?refresh=false', json=envelope({'_id': 'ann', '_source': {}}))
    kuzzle_http.add(responses.POST, URL + '/_security/users/_refresh', json=envelope(None))
    failed, result = run_module(kuzzle_security.main, dict(users=users, token='t'), diff=True)
    assert not failed, result
    assert 'S3cret-ann' not in json.dumps(result)
    assert result['diff'][1]['after']['credentials'] == {'local': {'username': 'ann', 'password': '(set)'}}
    create = [c for c in kuzzle_http.calls if c.request.url.endswith('/users/ann/_create?refresh=false')][0]
    assert json.loads(create.request.body)['credentials'] == {'local': {'username': 'ann', 'password': 'S3cret-ann'}}


def test_nothing_to_converge_and_invalid_bodies_fail_before_any_request(run_module, kuzzle_http):
    failed, result = run_module(kuzzle_security.main, dict(token='t'))
    assert failed and 'give at least one of roles, profiles or users' in result['msg']
    profiles = {'_search': {'policies': [{'roleId': 'r'}]}, 'ok': {'policies': 'reader'}}
    failed, result = run_module(kuzzle_security.main, dict(token='t', profiles=profiles))
    assert failed
    assert 'profile id "_search" cannot be used' in result['msg']
    assert 'profile "ok": policies must be a non-empty list' in result['msg']
    assert len(kuzzle_http.calls) == 0


def test_kuzzle_1_replaces_roles_and_waits_on_each_write_instead_of_refreshing(run_module, kuzzle_http):
    stored = {'_id': 'reader', '_source': {'controllers': {'document': {'actions': {'get': True, 'search': True}}}}}
    kuzzle_http.add(responses.POST, URL + '/roles/_search?from=0&size=1000', json=envelope({'hits': [stored], 'total': 1}, v1=True))
    kuzzle_http.add(responses.POST, URL + '/profiles/_search?from=0&size=1000', json=envelope({'hits': [], 'total': 0}, v1=True))
    kuzzle_http.add(responses.PUT, URL + '/roles/reader?refresh=wait_for', json=envelope({'_id': 'reader', '_source': {}}, v1=True))
    failed, result = run_module(kuzzle_security.main, dict(token='t', force=True, roles={
        'reader': {'controllers': {'document': {'actions': {'get': True}}}}}))
    assert not failed, result
    # no publicApi check, no force, no security:refresh on 1.x; the role is replaced (1.x's updateRole merges);
    # the rights review looks for the profiles that use the role, and finds none
    assert calls(kuzzle_http) == [('POST', '/roles/_search?from=0&size=1000'), ('POST', '/profiles/_search?from=0&size=1000'),
                                  ('PUT', '/roles/reader?refresh=wait_for')]
    assert result['rights'] == {}


def test_refusals_it_predicts_say_so_and_give_the_first_error_id(run_module, kuzzle_http):
    roles = {'r1': {'controllers': {'document': {'actions': {'gte': True}}}}}
    stored_roles = [{'_id': 'r1', '_source': {'controllers': {'document': {'actions': {'get': True}}}}},
                    {'_id': 'old', '_source': {'controllers': {'document': {'actions': {'get': True}}}}}]
    kuzzle_http.add(responses.POST, URL + '/roles/_search?from=0&size=1000', json=envelope({'hits': stored_roles, 'total': 2}))
    kuzzle_http.add(responses.POST, URL + '/profiles/_search?from=0&size=10', json=envelope(
        {'hits': [{'_id': 'editors', '_source': {}}], 'total': 1}, action='searchProfiles'))
    kuzzle_http.add(responses.GET, URL + '/_publicApi', json=envelope({'document': {'get': {}}}, action='publicApi'))
    failed, result = run_module(kuzzle_security.main, dict(token='t', roles=roles, purge=True), check=True)
    assert failed and result['changed'] is False
    assert result['msg'] == ('Nothing written: the deletion of roles "old": Kuzzle would refuse it (412 security.role.in_use): '
                             '1 profiles still use them (editors); '
                             'role "r1": Kuzzle would refuse it (400 security.role.unknown_action): '
                             'controller "document" has no action "gte"; did you mean "get"?')
    assert (result['error_id'], result['status']) == ('security.role.in_use', 412)
    assert json.loads(kuzzle_http.calls[1].request.body) == {'query': {'terms': {'policies.roleId': ['old']}}}
    assert 'PUT' not in [c.request.method for c in kuzzle_http.calls]


def test_a_write_whose_answer_was_lost_is_listed_apart_from_the_applied_ones(run_module, kuzzle_http):
    """A 502 of a gateway after a profile write: Kuzzle may have applied it, so it is not retried, goes in unknown
    (not applied), and the task says changed with outcome unknown."""
    definition = {'profiles': {'pa': {'policies': [{'roleId': 'reader'}]}, 'pb': {'policies': [{'roleId': 'reader'}]}}}
    kuzzle_http.add(responses.POST, URL + '/profiles/_search?from=0&size=1000', json=envelope({'hits': [], 'total': 0}))
    kuzzle_http.add(responses.POST, URL + '/roles/_search?from=0&size=1000',
                    json=envelope({'hits': [{'_id': 'reader', '_source': {'controllers': {}}}], 'total': 1}))
    kuzzle_http.add(responses.GET, URL + '/_publicApi', json=envelope({'document': {'get': {}}}, action='publicApi'))
    kuzzle_http.add(responses.POST, URL + '/profiles/pa/_create?refresh=false', json=envelope({'_id': 'pa', '_source': {}}))
    kuzzle_http.add(responses.POST, URL + '/profiles/pb/_create?refresh=false', status=502, body='<html>Bad Gateway</html>')
    failed, result = run_module(kuzzle_security.main, dict(definition, token='t'))
    assert failed and result['changed'] is True and result['outcome'] == 'unknown'
    # the rights review uses the role the reference check read: no second read of it
    assert calls(kuzzle_http)[:3] == [('POST', '/profiles/_search?from=0&size=1000'), ('POST', '/roles/_search?from=0&size=1000'),
                                      ('GET', '/_publicApi')]
    assert result['applied'] == [{'kind': 'profiles', 'id': 'pa', 'action': 'create'}]
    assert result['unknown'] == [{'kind': 'profiles', 'id': 'pb', 'action': 'create'}]
    assert result['msg'].endswith('(the change may or may not have been applied)')
    assert [c for c in calls(kuzzle_http) if 'pb' in c[1]] == [('POST', '/profiles/pb/_create?refresh=false')]


def test_a_kourou_file_of_another_kind_fails_before_any_request_with_its_passwords_masked(run_module, kuzzle_http):
    secret = 'generated-pw-5a1f0c'
    users = {'type': 'users', 'content': {'jdoe': {'content': {'profileIds': ['editor']},
                                                   'credentials': {'local': {'username': 'jdoe', 'password': secret}}}}}
    failed, result = run_module(kuzzle_security.main, dict(token='tok', profiles=users, users=users))
    assert failed and len(kuzzle_http.calls) == 0
    assert result['msg'] == ('Invalid security definition: profiles is a kourou export of users ({"type": "users", "content": ...}): '
                             'give it as users')
    assert secret not in json.dumps(result)


def test_a_role_update_reports_the_rights_of_the_stored_profiles_that_use_it(run_module, kuzzle_http):
    """Profiles the definition does not list keep their policies, but gain or lose what their roles do."""
    stored_roles = [{'_id': 'writer', '_source': {'controllers': {'document': {'actions': {'create': True}}}}}]
    api = {'document': {'create': {'http': [{'verb': 'POST', 'path': '/:index/:collection/_create'}]},
                        'delete': {'http': [{'verb': 'DELETE', 'path': '/:index/:collection/:_id'}]}}}
    kuzzle_http.add(responses.POST, URL + '/roles/_search?from=0&size=1000', json=envelope({'hits': stored_roles, 'total': 1}))
    kuzzle_http.add(responses.GET, URL + '/_publicApi', json=envelope(api, action='publicApi'))
    kuzzle_http.add(responses.POST, URL + '/profiles/_search?from=0&size=1000', json=envelope({'hits': [
        {'_id': 'editor', '_source': {'policies': [{'roleId': 'writer', 'restrictedTo': [{'index': 'shop', 'collections': ['orders']}]}]}},
        {'_id': 'admin2', '_source': {'policies': [{'roleId': 'writer'}, {'roleId': 'other'}]}}], 'total': 2}))
    kuzzle_http.add(responses.POST, URL + '/roles/_mGet', json=envelope({'hits': [{'_id': 'other', '_source': {'controllers': {}}}]}))
    roles = {'writer': {'controllers': {'document': {'actions': {'create': True, 'delete': True}}}}}
    failed, result = run_module(kuzzle_security.main, dict(token='t', roles=roles), check=True, diff=True)
    assert not failed, result
    assert calls(kuzzle_http) == [('POST', '/roles/_search?from=0&size=1000'), ('GET', '/_publicApi'),
                                  ('POST', '/profiles/_search?from=0&size=1000'), ('POST', '/roles/_mGet')]
    assert json.loads(kuzzle_http.calls[2].request.body) == {'query': {'terms': {'policies.roleId': ['writer']}}}
    assert json.loads(kuzzle_http.calls[3].request.body) == {'ids': ['other']}
    delete = {'controller': 'document', 'action': 'delete'}
    assert result['rights'] == {
        'admin2': {'granted': [dict(delete, index='*', collection='*')], 'revoked': [], 'unrestricted': []},
        'editor': {'granted': [dict(delete, index='shop', collection='orders')], 'revoked': [], 'unrestricted': []}}
    assert result['msg'] == '0 roles created, 1 updated, 0 deleted, 0 unchanged; rights of admin2: +1 right, -0; editor: +1 right, -0'
    assert result['diff'][-1]['prepared'] == ('rights of admin2: +1 right, -0\n  + on any collection of any index: document:delete\n'
                                              'rights of editor: +1 right, -0\n  + on shop/orders: document:delete\n')


def test_purge_deletes_in_one_mdelete_per_write_limit_and_parallel_writes_must_be_positive(run_module, kuzzle_http):
    stored = [{'_id': i, '_source': {'policies': [{'roleId': 'default'}]}} for i in ('admin', 'old1', 'old2', 'old3')]
    kuzzle_http.add(responses.POST, URL + '/profiles/_search?from=0&size=1000', json=envelope({'hits': stored, 'total': 4}))
    kuzzle_http.add(responses.POST, URL + '/users/_search?from=0&size=10', json=envelope({'hits': [], 'total': 0}, action='searchUsers'))
    kuzzle_http.add(responses.GET, URL + '/_capabilities', json=envelope({'limits': {'documentsWriteCount': 2}}, action='capabilities'))
    kuzzle_http.add(responses.GET, URL + '/_publicApi', json=envelope({}, action='publicApi'))  # the rights review
    kuzzle_http.add(responses.POST, URL + '/roles/_mGet', json=envelope({'hits': [{'_id': 'default', '_source': {'controllers': {}}}]}))
    kuzzle_http.add(responses.POST, URL + '/profiles/_mDelete?refresh=false', json=envelope(['old1', 'old2'], action='mDeleteProfiles'))
    kuzzle_http.add(responses.POST, URL + '/profiles/_mDelete?refresh=false', json=envelope(['old3'], action='mDeleteProfiles'))
    kuzzle_http.add(responses.POST, URL + '/_security/profiles/_refresh', json=envelope(None))
    failed, result = run_module(kuzzle_security.main, dict(token='t', profiles={'admin': {'policies': [{'roleId': 'default'}]}}, purge=True))
    assert not failed, result
    assert result['msg'] == '0 profiles created, 0 updated, 3 deleted, 1 unchanged'
    assert [c for c in calls(kuzzle_http) if c[0] != 'GET' and '_search' not in c[1]] == [
        ('POST', '/roles/_mGet'),  # the rights review: the roles of the deleted profiles
        ('POST', '/profiles/_mDelete?refresh=false'), ('POST', '/profiles/_mDelete?refresh=false'), ('POST', '/_security/profiles/_refresh')]
    assert [json.loads(c.request.body)['ids'] for c in kuzzle_http.calls if '_mDelete' in c.request.url] == [['old1', 'old2'], ['old3']]

    failed, result = run_module(kuzzle_security.main, dict(token='t', profiles={}, parallel_writes=0))
    assert failed and result['msg'] == 'parallel_writes must be at least 1 (1 writes one object at a time)'


def test_unchanged_users_with_credentials_cost_one_credentials_search_whatever_kuzzle_holds(run_module, kuzzle_http):
    """The usernames of the definition are searched (one request per 1,000 of them); the credentials Kuzzle holds
    are not listed, so the requests do not grow with the users other tasks made."""
    users = dict(('u%d' % i, {'content': {'profileIds': ['default']}, 'credentials': {'local': {'username': 'u%d' % i, 'password': 'pw'}}})
                 for i in range(3))
    stored = [{'_id': kuid, '_source': {'profileIds': ['default']}} for kuid in users]
    kuzzle_http.add(responses.POST, URL + '/users/_search?from=0&size=1000', json=envelope({'hits': stored, 'total': 3}, action='searchUsers'))
    kuzzle_http.add(responses.POST, URL + '/credentials/local/users/_search?from=0&size=1000', json=envelope(
        {'hits': [{'kuid': kuid, 'username': kuid} for kuid in users], 'total': 3}, action='searchUsersByCredentials'))
    failed, result = run_module(kuzzle_security.main, dict(token='t', users=users))
    assert not failed, result
    assert result['changed'] is False
    assert calls(kuzzle_http) == [('POST', '/users/_search?from=0&size=1000'), ('POST', '/credentials/local/users/_search?from=0&size=1000')]
    assert json.loads(kuzzle_http.calls[1].request.body) == {'query': {'terms': {'username': ['u0', 'u1', 'u2']}}}


def test_objects_another_client_created_meanwhile_are_read_again_unchanged_when_as_asked_updated_otherwise(run_module, kuzzle_http):
    """Four hosts converge one definition at once: Kuzzle refuses this host's creates (the objects exist now). p1 and ann
    are as asked: unchanged, nothing written (ann's password, which cannot be read back, is left with on_create);
    p2 differs: it is updated, and the result says so."""
    definition = {'profiles': {'p1': {'policies': [{'roleId': 'default'}]}, 'p2': {'policies': [{'roleId': 'default'}]}},
                  'users': {'ann': {'content': {'profileIds': ['p1']}, 'credentials': {'local': {'username': 'ann', 'password': 'S3cret-ann'}}}}}
    for kind in ('profiles', 'users', 'roles'):
        kuzzle_http.add(responses.POST, URL + '/%s/_search?from=0&size=1000' % kind, json=envelope({'hits': [], 'total': 0}))
    kuzzle_http.replace(responses.POST, URL + '/roles/_search?from=0&size=1000', json=envelope(
        {'hits': [{'_id': 'default', '_source': {'controllers': {'*': {'actions': {'*': True}}}}}], 'total': 1}))
    kuzzle_http.add(responses.POST, URL + '/credentials/local/users/_search?from=0&size=1000',
                    json=envelope({'hits': [], 'total': 0}, action='searchUsersByCredentials'))
    exists = {'id': 'services.storage.document_already_exists', 'status': 400, 'message': 'Document already exists.'}
    for profile in ('p1', 'p2'):
        kuzzle_http.add(responses.POST, URL + '/profiles/%s/_create?refresh=false' % profile, status=400,
                        json=envelope(None, 400, exists, action='createProfile'))
    kuzzle_http.add(responses.GET, URL + '/profiles/p1', json=envelope({'_id': 'p1', '_source': {'policies': [{'roleId': 'default'}]}}))
    kuzzle_http.add(responses.GET, URL + '/profiles/p2', json=envelope({'_id': 'p2', '_source': {'policies': [{'roleId': 'anonymous'}]}}))
    kuzzle_http.add(responses.PUT, URL + '/profiles/p2/_update?refresh=false', json=envelope({'_id': 'p2', '_source': {}}))
    kuzzle_http.add(responses.POST, URL + '/users/ann/_create?refresh=false', status=412, json=envelope(None, 412, {
        'id': 'security.user.already_exists', 'status': 412, 'message': 'User ann already exists.'}, action='createUser'))
    kuzzle_http.add(responses.GET, URL + '/users/ann', json=envelope({'_id': 'ann', '_source': {'profileIds': ['p1']}}))
    kuzzle_http.add(responses.GET, URL + '/credentials/local/ann', json=envelope({'username': 'ann', 'kuid': 'ann'}))
    for kind in ('profiles', 'users'):
        kuzzle_http.add(responses.POST, URL + '/_security/%s/_refresh' % kind, json=envelope(None))
    kuzzle_http.add(responses.GET, URL + '/_publicApi', json=envelope({'document': {'get': {}}}, action='publicApi'))
    failed, result = run_module(kuzzle_security.main, dict(definition, token='kauth-unit', parallel_writes=1), diff=True)
    assert not failed, result['msg']
    assert result['changed'] is True and result['operations'] == [{'kind': 'profiles', 'id': 'p2', 'action': 'update'}]
    assert result['msg'].startswith('1 profiles created, 0 updated, 0 deleted, 0 unchanged; 0 users created, 0 updated, 0 deleted, 1 unchanged'
                                    .replace('1 profiles created, 0 updated, 0 deleted, 0', '0 profiles created, 1 updated, 0 deleted, 1')
                                    + '; 2 written by another client meanwhile; rights of ')
    assert [d.get('before_header') for d in result['diff'][1:]] == ['profile p2 (stored in Kuzzle)']
    writes = [c for c in calls(kuzzle_http) if c[0] != 'GET' and '_search' not in c[1]]
    assert writes == [('POST', '/profiles/p1/_create?refresh=false'), ('POST', '/profiles/p2/_create?refresh=false'),
                      ('PUT', '/profiles/p2/_update?refresh=false'), ('POST', '/_security/profiles/_refresh'),
                      ('POST', '/users/ann/_create?refresh=false'), ('POST', '/_security/users/_refresh')]
    assert 'S3cret-ann' not in json.dumps(result)
