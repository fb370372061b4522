# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""kuzzle_role's requests and decisions, against Kuzzle 2.x and 1.x answers mocked at the transport.

The behaviour against a real Kuzzle is tested in tests/integration; these tests pin the exact
requests (count, verbs, bodies, flags) and the Kuzzle 1.x shapes we cannot run here.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


import pytest
import responses


from ansible_collections.community.kuzzle.plugins.module_utils import _objects
from ansible_collections.community.kuzzle.plugins.modules import kuzzle_role
from ansible_collections.community.kuzzle.tests.unit.plugins.modules.utils import URL, body_of, calls, envelope, kuzzle_error

ROLE = URL + '/roles/r1'
CONTROLLERS = {'document': {'actions': {'get': True, 'search': True}}, 'auth': {'actions': {'login': True}}}
STORED = {'controllers': {'auth': {'actions': {'login': True}}, 'document': {'actions': {'search': True, 'get': True}}},
          '_kuzzle_info': {'author': None, 'createdAt': 1, 'updatedAt': None, 'updater': None}}
NOT_FOUND = kuzzle_error('security.role.not_found', 404, 'Role "r1" not found.', action='getRole')
ON_DOCUMENTS = {'http': [{'verb': 'GET', 'path': '/:index/:collection/:_id'}]}
PUBLIC_API = {'auth': {'login': {}, 'logout': {}},
              'document': {'get': ON_DOCUMENTS, 'search': ON_DOCUMENTS, 'create': ON_DOCUMENTS, 'delete': ON_DOCUMENTS},
              'kuzzle-plugin-auth-passport-local/password': {'reset': {}}}


SEARCH = URL + '/profiles/_search?from=0&size=1000'


def profiles_using(mocked, hits=(), v1=False):
    """The answer of the search for the profiles that use the role (the rights review)."""
    mocked.add(responses.POST, SEARCH, json=envelope({'hits': [{'_id': i, '_source': {'policies': p}} for i, p in hits],
                                                     'total': len(hits)}, action='searchProfiles', v1=v1))


def stored_role(source=None, action='getRole', v1=False):
    result = {'_id': 'r1', '_source': source or STORED}
    if v1:
        result['_meta'] = {'author': None, 'createdAt': 1}
    return envelope(result, action=action, v1=v1)


def add_public_api(mocked, api=None, v1=False):
    mocked.add(responses.GET, URL + '/_publicApi', json=envelope(api or PUBLIC_API, action='publicApi', controller='server', v1=v1))


def test_unchanged_role_costs_one_get_whatever_the_key_order(run_module, kuzzle_http):
    kuzzle_http.add(responses.GET, ROLE, json=stored_role())
    failed, result = run_module(kuzzle_role.main, dict(name='r1', token='tok', controllers=CONTROLLERS), diff=True)
    assert not failed and result['changed'] is False
    assert result['msg'] == 'role r1 unchanged'
    assert result['role'] == {'controllers': STORED['controllers']}
    assert result['diff']['before'] == result['diff']['after']
    assert calls(kuzzle_http) == [('GET', '/roles/r1')]
    assert kuzzle_http.calls[0].request.headers['Authorization'] == 'Bearer tok'


def test_credentials_cost_one_login(run_module, kuzzle_http):
    kuzzle_http.add(responses.POST, URL + '/_login/local', json=envelope({'jwt': 'kauth-jwt', '_id': 'admin'}, action='login'))
    kuzzle_http.add(responses.GET, ROLE, json=stored_role())
    failed, result = run_module(kuzzle_role.main, dict(name='r1', username='admin', password='secret-pw', controllers=CONTROLLERS))
    assert not failed and result['changed'] is False
    assert calls(kuzzle_http) == [('POST', '/_login/local?expiresIn=5m'), ('GET', '/roles/r1')]


def test_create_checks_the_api_then_creates_with_the_whole_role(run_module, kuzzle_http):
    kuzzle_http.add(responses.GET, ROLE, json=NOT_FOUND, status=404)
    add_public_api(kuzzle_http)
    created = dict(STORED)
    kuzzle_http.add(responses.POST, ROLE + '/_create', json=stored_role(created, action='createRole'))
    failed, result = run_module(kuzzle_role.main, dict(name='r1', controllers=CONTROLLERS), diff=True)
    assert not failed, result
    assert calls(kuzzle_http) == [('GET', '/roles/r1'), ('GET', '/_publicApi'), ('POST', '/roles/r1/_create?refresh=wait_for')]
    body = body_of(kuzzle_http.calls[2])
    assert body == {'controllers': CONTROLLERS}
    assert list(body['controllers']) == ['auth', 'document']  # canonical order on the wire too
    assert result['changed'] is True
    assert result['msg'] == 'role r1 created with controllers auth, document'
    assert result['role'] == {'controllers': STORED['controllers']}
    assert result['diff']['before'] == {} and result['diff']['after'] == {'controllers': {
        'auth': {'actions': {'login': True}}, 'document': {'actions': {'get': True, 'search': True}}}}
    assert result['diff']['before_header'] == 'role r1 (absent)'


def test_update_replaces_the_whole_role_and_keeps_unmanaged_keys(run_module, kuzzle_http):
    source = dict(STORED, description='for the shop')
    kuzzle_http.add(responses.GET, ROLE, json=stored_role(source))
    add_public_api(kuzzle_http)
    wanted = {'document': {'actions': {'get': True, 'create': True}}, 'auth': {'actions': {'login': True}}}
    profiles_using(kuzzle_http)
    kuzzle_http.add(responses.PUT, ROLE + '/_update', json=stored_role(
        {'controllers': wanted, 'description': 'for the shop', '_kuzzle_info': {}}, action='updateRole'))
    failed, result = run_module(kuzzle_role.main, dict(name='r1', controllers=wanted, refresh='false', force=True))
    assert not failed, result
    assert calls(kuzzle_http) == [('GET', '/roles/r1'), ('GET', '/_publicApi'), ('POST', '/profiles/_search?from=0&size=1000'),
                                  ('PUT', '/roles/r1/_update?refresh=false&force')]
    assert body_of(kuzzle_http.calls[2]) == {'query': {'terms': {'policies.roleId': ['r1']}}}
    assert result['rights'] == {}  # no profile uses the role
    assert body_of(kuzzle_http.calls[3]) == {'controllers': {'auth': {'actions': {'login': True}}, 'document': {
        'actions': {'create': True, 'get': True}}}, 'description': 'for the shop'}
    assert result['msg'] == 'role r1: controller document: action create allowed; action search removed'
    assert result['role']['description'] == 'for the shop'


def test_force_false_is_never_sent(run_module, kuzzle_http):
    kuzzle_http.add(responses.GET, ROLE, json=NOT_FOUND, status=404)
    add_public_api(kuzzle_http)
    kuzzle_http.add(responses.POST, ROLE + '/_create', json=stored_role(action='createRole'))
    failed, result = run_module(kuzzle_role.main, dict(name='r1', controllers=CONTROLLERS, force=False))
    assert not failed, result
    assert 'force' not in kuzzle_http.calls[-1].request.url


def test_check_mode_reads_and_checks_but_never_writes(run_module, kuzzle_http):
    kuzzle_http.add(responses.GET, ROLE, json=stored_role(dict(STORED, description='d')))
    add_public_api(kuzzle_http)
    wanted = {'auth': {'actions': {'login': True, 'logout': False}}}
    # two profiles use the role; the second one also has the role "other", which keeps document:get on shop
    profiles_using(kuzzle_http, [('a', [{'roleId': 'r1'}]),
                                 ('b', [{'roleId': 'other', 'restrictedTo': [{'index': 'shop'}]}, {'roleId': 'r1', 'restrictedTo': [{'index': 'shop'}]}])])
    kuzzle_http.add(responses.POST, URL + '/roles/_mGet', json=envelope(
        {'hits': [{'_id': 'other', '_source': {'controllers': {'document': {'actions': {'get': True}}}}}]}, action='mGetRoles'))
    failed, result = run_module(kuzzle_role.main, dict(name='r1', controllers=wanted), check=True, diff=True)
    assert not failed and result['changed'] is True
    assert calls(kuzzle_http) == [('GET', '/roles/r1'), ('GET', '/_publicApi'), ('POST', '/profiles/_search?from=0&size=1000'),
                                  ('POST', '/roles/_mGet')]
    assert body_of(kuzzle_http.calls[3]) == {'ids': ['other']}
    assert result['role'] == {'controllers': wanted, 'description': 'd'}

    def entries(action, index, collection):
        return [{'controller': 'document', 'action': a, 'index': index, 'collection': collection} for a in action]
    assert result['rights'] == {
        'a': {'granted': [], 'revoked': entries(['get', 'search'], '*', '*'), 'unrestricted': []},
        'b': {'granted': [], 'revoked': entries(['search'], 'shop', '*'), 'unrestricted': []}}
    assert result['msg'] == ('role r1: controller auth: action logout denied; controller document removed; '
                             'rights of a: +0 rights, -2; b: +0 rights, -1')
    assert result['diff']['prepared'] == ('rights of a: +0 rights, -2\n  - on any collection of any index: document:{get,search}\n'
                                          'rights of b: +0 rights, -1\n  - on any collection of shop: document:search\n')


def test_unknown_action_stops_before_the_write_in_check_mode_too(run_module, kuzzle_http):
    for check in (True, False):
        kuzzle_http.calls.reset()
        kuzzle_http.add(responses.GET, ROLE, json=NOT_FOUND, status=404)
        add_public_api(kuzzle_http)
        failed, result = run_module(kuzzle_role.main, dict(
            name='r1', controllers={'document': {'actions': {'gte': True}}}, force=True), check=check)
        assert failed
        assert result['msg'] == ('Nothing written: role "r1": Kuzzle would refuse it (400 security.role.unknown_action): '
                                 'controller "document" has no action "gte"; did you mean "get"?')
        assert result['error_id'] == 'security.role.unknown_action' and result['status'] == 400
        assert calls(kuzzle_http) == [('GET', '/roles/r1'), ('GET', '/_publicApi')]


def test_unknown_controller_is_refused_unless_forced(run_module, kuzzle_http):
    kuzzle_http.add(responses.GET, ROLE, json=NOT_FOUND, status=404)
    add_public_api(kuzzle_http)
    controllers = {'auth': {'actions': {'login': True}}, 'billing/invoices': {'actions': {'create': True}}}
    failed, result = run_module(kuzzle_role.main, dict(name='r1', controllers=controllers))
    assert failed and result['error_id'] == 'security.role.unknown_controller'
    assert 'no controller "billing/invoices"' in result['msg'] and 'force=true' in result['msg']
    assert [c.request.method for c in kuzzle_http.calls] == ['GET', 'GET']

    kuzzle_http.calls.reset()
    kuzzle_http.add(responses.POST, ROLE + '/_create', json=stored_role({'controllers': controllers}, action='createRole'))
    failed, result = run_module(kuzzle_role.main, dict(name='r1', controllers=controllers, force=True))
    assert not failed, result
    assert calls(kuzzle_http)[-1] == ('POST', '/roles/r1/_create?refresh=wait_for&force')


def test_kuzzle_own_refusal_is_a_clean_failure(run_module, kuzzle_http):
    # e.g. the public API could not be read: Kuzzle's own check answers
    kuzzle_http.add(responses.GET, ROLE, json=NOT_FOUND, status=404)
    kuzzle_http.add(responses.GET, URL + '/_publicApi', status=403, json=kuzzle_error(
        'security.rights.forbidden', 403, 'Forbidden action [server:publicApi]', action='publicApi'))
    kuzzle_http.add(responses.POST, ROLE + '/_create', status=400, json=kuzzle_error(
        'security.role.unknown_action', 400, "Trying to set role r1 with a non-existing action 'gte' in controller 'document'. ",
        action='createRole'))
    failed, result = run_module(kuzzle_role.main, dict(name='r1', controllers={'document': {'actions': {'gte': True}}}))
    assert failed
    assert result['msg'] == ('Could not create role "r1": Kuzzle answered 400 security.role.unknown_action: '
                             "Trying to set role r1 with a non-existing action 'gte' in controller 'document'. ")
    assert len(kuzzle_http.calls) == 3


def test_check_mode_warns_when_the_api_list_is_forbidden(run_module, kuzzle_http, warnings):
    kuzzle_http.add(responses.GET, ROLE, json=NOT_FOUND, status=404)
    kuzzle_http.add(responses.GET, URL + '/_publicApi', status=403, json=kuzzle_error(
        'security.rights.forbidden', 403, 'Forbidden', action='publicApi'))
    failed, result = run_module(kuzzle_role.main, dict(name='r1', controllers=CONTROLLERS), check=True)
    assert not failed and result['changed'] is True
    assert len(warnings) == 1 and 'were not checked' in warnings[0]


def test_other_errors_of_the_api_list_fail(run_module, kuzzle_http):
    kuzzle_http.add(responses.GET, ROLE, json=NOT_FOUND, status=404)
    kuzzle_http.add(responses.GET, URL + '/_publicApi', status=500, json=kuzzle_error('core.fatal.unexpected', 500, 'boom', action='publicApi'))
    failed, result = run_module(kuzzle_role.main, dict(name='r1', controllers=CONTROLLERS, retries=0))
    assert failed and result['msg'] == 'Could not create role "r1": Kuzzle answered 500 core.fatal.unexpected: boom'
    assert 'POST' not in [c.request.method for c in kuzzle_http.calls]


def test_delete_refuses_when_profiles_use_the_role_naming_them(run_module, kuzzle_http):
    for check in (True, False):
        kuzzle_http.calls.reset()
        kuzzle_http.add(responses.GET, ROLE, json=stored_role())
        kuzzle_http.add(responses.POST, URL + '/profiles/_search?from=0&size=10', json=envelope(
            {'hits': [{'_id': 'p%d' % i, '_source': {}} for i in range(10)], 'total': 12}, action='searchProfiles'))
        failed, result = run_module(kuzzle_role.main, dict(name='r1', state='absent'), check=check)
        assert failed and result['error_id'] == 'security.role.in_use' and result['status'] == 412
        assert result['msg'] == ('Nothing written: role "r1": Kuzzle would refuse it (412 security.role.in_use): 12 profile(s) '
                                 'still use this role (p0, p1, p2, p3, p4, p5, p6, p7, p8, p9, ...); remove the role from them first')
        assert body_of(kuzzle_http.calls[1]) == {'query': {'terms': {'policies.roleId': ['r1']}}}
        assert 'DELETE' not in [c.request.method for c in kuzzle_http.calls]


def test_delete_check_then_real_then_again(run_module, kuzzle_http):
    kuzzle_http.add(responses.GET, ROLE, json=stored_role())
    kuzzle_http.add(responses.POST, URL + '/profiles/_search?from=0&size=10', json=envelope({'hits': [], 'total': 0}))
    failed, check = run_module(kuzzle_role.main, dict(name='r1', state='absent'), check=True, diff=True)
    assert not failed and check['changed'] is True and check['role'] == {}
    assert calls(kuzzle_http) == [('GET', '/roles/r1'), ('POST', '/profiles/_search?from=0&size=10')]

    kuzzle_http.calls.reset()
    kuzzle_http.add(responses.DELETE, ROLE + '?refresh=wait_for', json=envelope({'_id': 'r1'}, action='deleteRole'))
    failed, real = run_module(kuzzle_role.main, dict(name='r1', state='absent'), diff=True)
    assert not failed and real['changed'] is True
    assert real['diff'] == check['diff'] and real['msg'] == check['msg'] == 'role r1 deleted'
    assert calls(kuzzle_http)[-1] == ('DELETE', '/roles/r1?refresh=wait_for')

    kuzzle_http.replace(responses.GET, ROLE, json=NOT_FOUND, status=404)
    kuzzle_http.calls.reset()
    failed, again = run_module(kuzzle_role.main, dict(name='r1', state='absent'))
    assert not failed and again['changed'] is False and again['msg'] == 'role r1 is absent'
    assert calls(kuzzle_http) == [('GET', '/roles/r1')]


def test_kuzzle_in_use_answer_after_the_search_is_reported(run_module, kuzzle_http):
    # a profile written with refresh=false may not be visible to the search yet: Kuzzle's own answer
    kuzzle_http.add(responses.GET, ROLE, json=stored_role())
    kuzzle_http.add(responses.POST, URL + '/profiles/_search?from=0&size=10', json=envelope({'hits': [], 'total': 0}))
    kuzzle_http.add(responses.DELETE, ROLE + '?refresh=wait_for', status=412, json=kuzzle_error(
        'security.role.in_use', 412, 'The role "r1" is still used and cannot be deleted.', action='deleteRole'))
    failed, result = run_module(kuzzle_role.main, dict(name='r1', state='absent'))
    assert failed and result['msg'] == ('Could not delete role "r1": Kuzzle answered 412 security.role.in_use: '
                                        'The role "r1" is still used and cannot be deleted.')


@pytest.mark.parametrize('args, fragment', [
    (dict(name='admin', state='absent'), 'role "admin" is reserved'),
    (dict(name='anonymous', state='absent'), 'role "anonymous" is reserved'),
    (dict(name='_search', controllers=CONTROLLERS), 'cannot be used'),
    (dict(name='r1', controllers={}), 'controllers must be a non-empty dict'),
    (dict(name='r1', controllers={'document': {'actions': {'get': 'yes'}}}), 'must be true or false'),
    (dict(name='r1', controllers={'document': {'get': True}}), 'with no other key'),
    (dict(name='anonymous', controllers={'auth': {'actions': {'logout': True}}}), 'must allow auth:login'),
    (dict(name='anonymous', controllers={'auth': {'actions': {'login': False}}, '*': {'actions': {'*': True}}}),
     'must allow auth:login'),
])
def test_invalid_tasks_fail_before_any_request(run_module, kuzzle_http, args, fragment):
    failed, result = run_module(kuzzle_role.main, args)
    assert failed and fragment in result['msg'], result['msg']
    assert result['msg'].startswith('Invalid task for role "%s": ' % args['name'])
    assert len(kuzzle_http.calls) == 0


def test_present_requires_controllers(run_module, kuzzle_http):
    failed, result = run_module(kuzzle_role.main, dict(name='r1'))
    assert failed and 'controllers' in result['msg']
    assert len(kuzzle_http.calls) == 0


def test_anonymous_keeping_login_is_accepted(run_module, kuzzle_http):
    stored = {'controllers': {'auth': {'actions': {'login': True, 'checkToken': True}}}}
    kuzzle_http.add(responses.GET, URL + '/roles/anonymous', json=envelope({'_id': 'anonymous', '_source': stored}, action='getRole'))
    failed, result = run_module(kuzzle_role.main, dict(name='anonymous', controllers=stored['controllers']))
    assert not failed and result['changed'] is False


def test_a_404_that_is_not_role_not_found_fails(run_module, kuzzle_http):
    kuzzle_http.add(responses.GET, ROLE, status=404, json=kuzzle_error('network.http.url_not_found', 404, 'API URL not found: /roles/r1.', action=None))
    failed, result = run_module(kuzzle_role.main, dict(name='r1', controllers=CONTROLLERS))
    assert failed and result['error_id'] == 'network.http.url_not_found'
    assert len(kuzzle_http.calls) == 1


def test_ids_are_url_encoded(run_module, kuzzle_http):
    kuzzle_http.add(responses.GET, URL + '/roles/a%2Fb%20c', json=envelope({'_id': 'a/b c', '_source': STORED}, action='getRole'))
    failed, result = run_module(kuzzle_role.main, dict(id='a/b c', controllers=CONTROLLERS))
    assert not failed and result['changed'] is False


# --- Kuzzle 1.x (answers in its envelope, utils.envelope(v1=True)): no controller checks, updateRole merges ---


def test_v1_update_replaces_with_create_or_replace_and_checks_nothing(run_module, kuzzle_http):
    kuzzle_http.add(responses.GET, ROLE, json=stored_role(v1=True))
    wanted = {'anything': {'actions': {'goes': True}}}
    profiles_using(kuzzle_http, v1=True)
    kuzzle_http.add(responses.PUT, ROLE, json=stored_role({'controllers': wanted}, action='createOrReplaceRole', v1=True))
    failed, result = run_module(kuzzle_role.main, dict(name='r1', controllers=wanted, force=True))
    assert not failed, result
    assert calls(kuzzle_http) == [('GET', '/roles/r1'), ('POST', '/profiles/_search?from=0&size=1000'), ('PUT', '/roles/r1?refresh=wait_for')]
    assert body_of(kuzzle_http.calls[2]) == {'controllers': wanted}
    assert result['role'] == {'controllers': wanted}


def test_v1_create(run_module, kuzzle_http):
    kuzzle_http.add(responses.GET, ROLE, status=404, json=kuzzle_error(None, 404, 'Unable to find role with id "r1"', action='getRole', v1=True))
    kuzzle_http.add(responses.POST, ROLE + '/_create', json=stored_role(action='createRole', v1=True))
    failed, result = run_module(kuzzle_role.main, dict(name='r1', controllers=CONTROLLERS))
    assert not failed and result['changed'] is True
    assert calls(kuzzle_http) == [('GET', '/roles/r1'), ('POST', '/roles/r1/_create?refresh=wait_for')]


def test_v1_in_use_is_found_among_all_profiles(run_module, kuzzle_http):
    kuzzle_http.add(responses.GET, ROLE, json=stored_role(v1=True))
    profiles = [{'_id': 'uses', '_source': {'policies': [{'roleId': 'other'}, {'roleId': 'r1'}]}},
                {'_id': 'not', '_source': {'policies': [{'roleId': 'other'}]}}]
    kuzzle_http.add(responses.POST, URL + '/profiles/_search?from=0&size=1000', json=envelope(
        {'hits': profiles, 'total': 2}, action='searchProfiles', v1=True))
    failed, result = run_module(kuzzle_role.main, dict(name='r1', state='absent'), check=True)
    assert failed and '1 profile(s) still use this role (uses)' in result['msg']
    assert body_of(kuzzle_http.calls[1]) == {}


def test_v1_delete_when_no_profile_uses_it(run_module, kuzzle_http):
    kuzzle_http.add(responses.GET, ROLE, json=stored_role(v1=True))
    kuzzle_http.add(responses.POST, URL + '/profiles/_search?from=0&size=1000', json=envelope(
        {'hits': [{'_id': 'not', '_source': {'policies': [{'roleId': 'other'}]}}], 'total': 1}, action='searchProfiles', v1=True))
    kuzzle_http.add(responses.DELETE, ROLE + '?refresh=wait_for', json=envelope({'_id': 'r1'}, action='deleteRole', v1=True))
    failed, result = run_module(kuzzle_role.main, dict(name='r1', state='absent'))
    assert not failed and result['changed'] is True


def test_field_values_reads_dotted_paths_through_lists():
    source = {'policies': [{'roleId': 'a'}, {'roleId': 'b', 'restrictedTo': [{'index': 'i'}]}, {'other': 1}], 'x': 'y'}
    assert _objects.field_values(source, 'policies.roleId') == ['a', 'b']
    assert _objects.field_values(source, 'policies.restrictedTo.index') == ['i']
    assert _objects.field_values({'profileIds': ['p1', 'p2']}, 'profileIds') == ['p1', 'p2']
    assert _objects.field_values(None, 'policies.roleId') == []
    assert _objects.field_values({'policies': 'junk'}, 'policies.roleId') == []


# -- several hosts converging the same role at once -----------------------------------------------------------

EXISTS = kuzzle_error('services.storage.document_already_exists', 400, 'Document already exists.', action='createRole')


def test_a_role_another_client_created_meanwhile_as_asked_is_unchanged_and_not_written_again(run_module, kuzzle_http):
    kuzzle_http.add(responses.GET, ROLE, json=NOT_FOUND, status=404)
    kuzzle_http.add(responses.GET, ROLE, json=stored_role())  # read again after the refusal
    add_public_api(kuzzle_http)
    kuzzle_http.add(responses.POST, ROLE + '/_create', json=EXISTS, status=400)
    failed, result = run_module(kuzzle_role.main, dict(name='r1', controllers=CONTROLLERS), diff=True)
    assert not failed, result
    assert calls(kuzzle_http) == [('GET', '/roles/r1'), ('GET', '/_publicApi'), ('POST', '/roles/r1/_create?refresh=wait_for'),
                                  ('GET', '/roles/r1')]
    assert result['changed'] is False and result['role'] == {'controllers': STORED['controllers']}
    assert result['msg'] == 'role r1 created with controllers auth, document (created by another client meanwhile)'
    assert result['diff']['before'] == result['diff']['after']


def test_a_role_another_client_created_meanwhile_differently_is_updated(run_module, kuzzle_http):
    other = {'controllers': {'auth': {'actions': {'login': True}}}, '_kuzzle_info': {}}
    kuzzle_http.add(responses.GET, ROLE, json=NOT_FOUND, status=404)
    kuzzle_http.add(responses.GET, ROLE, json=stored_role(other))
    add_public_api(kuzzle_http)
    profiles_using(kuzzle_http)
    kuzzle_http.add(responses.POST, ROLE + '/_create', json=EXISTS, status=400)
    kuzzle_http.add(responses.PUT, ROLE + '/_update', json=stored_role(STORED, action='updateRole'))
    failed, result = run_module(kuzzle_role.main, dict(name='r1', controllers=CONTROLLERS))
    assert not failed, result
    assert calls(kuzzle_http)[2:] == [('POST', '/roles/r1/_create?refresh=wait_for'), ('GET', '/roles/r1'),
                                      ('POST', '/profiles/_search?from=0&size=1000'), ('PUT', '/roles/r1/_update?refresh=wait_for')]
    assert result['changed'] is True and result['msg'] == 'role r1: controller document added: actions get, search allowed'


def test_a_role_refused_as_existing_that_is_not_there_fails_as_kuzzle_answered(run_module, kuzzle_http):
    kuzzle_http.add(responses.GET, ROLE, json=NOT_FOUND, status=404)
    add_public_api(kuzzle_http)
    kuzzle_http.add(responses.POST, ROLE + '/_create', json=EXISTS, status=400)
    failed, result = run_module(kuzzle_role.main, dict(name='r1', controllers=CONTROLLERS))
    assert failed and result['error_id'] == 'services.storage.document_already_exists' and result['changed'] is False


def test_a_role_another_client_deleted_meanwhile_is_absent_without_failure(run_module, kuzzle_http):
    kuzzle_http.add(responses.GET, ROLE, json=stored_role())
    kuzzle_http.add(responses.GET, ROLE, json=NOT_FOUND, status=404)
    kuzzle_http.add(responses.POST, URL + '/profiles/_search?from=0&size=10', json=envelope({'hits': [], 'total': 0}))
    kuzzle_http.add(responses.DELETE, ROLE + '?refresh=wait_for', status=404, json=kuzzle_error(
        'security.role.not_found', 404, 'Role "r1" not found.', action='deleteRole'))
    failed, result = run_module(kuzzle_role.main, dict(name='r1', state='absent'))
    assert not failed, result
    assert result['changed'] is False and result['msg'] == 'role r1 deleted (deleted by another client meanwhile)'
    assert calls(kuzzle_http)[-2:] == [('DELETE', '/roles/r1?refresh=wait_for'), ('GET', '/roles/r1')]
