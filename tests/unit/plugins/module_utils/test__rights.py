# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Effective rights: one test per rule of Kuzzle's enforcement, then hypothesis properties.

The rules were read in Kuzzle 2.56's source and are checked against a real Kuzzle by
tests/contract/test_rights_property.py; these tests pin each of them in isolation.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from ansible_collections.community.kuzzle.plugins.module_utils import _rights as R


def route(verb, path):
    return {'verb': verb, 'path': path, 'url': path}


# A small server:publicApi answer in Kuzzle's shape, with one action of every kind.
PUBLIC_API = {
    'document': {
        'get': {'http': [route('GET', '/:index/:collection/:_id')]},
        'create': {'http': [route('POST', '/:index/:collection/_create')]},
        'delete': {'http': [route('DELETE', '/:index/:collection/:_id')]},
        'search': {'http': [route('GET', '/:index/:collection/_search'), route('POST', '/:index/:collection/_search')]},
    },
    'collection': {'list': {'http': [route('GET', '/:index/_list')]}},
    'index': {
        'delete': {'http': [route('DELETE', '/:index')]},
        'list': {'http': [route('GET', '/_list')]},
        'mDelete': {'http': [route('DELETE', '/_mDelete')]},
    },
    'security': {
        'createUser': {'http': [route('POST', '/users/_create'), route('POST', '/users/:_id/_create')]},
        'refresh': {'http': [route('POST', '/_security/:collection/_refresh')]},
    },
    'realtime': {
        'subscribe': {'action': 'subscribe', 'controller': 'realtime'},
        'join': {'action': 'join', 'controller': 'realtime'},
        'list': {'http': [route('GET', '/_listSubscriptions')]},
    },
    'ms': {'get': {'http': [route('GET', '/ms/:_id')]}},
    'memoryStorage': {'get': {'http': [route('GET', '/ms/:_id')]}},
}
SCOPES = R.action_scopes(PUBLIC_API)
ALL_TRUE = {'*': {'actions': {'*': True}}}


def role(**controllers):
    """A role's controllers from keyword arguments: role(document={'get': True})."""
    return dict((name, {'actions': actions}) for name, actions in controllers.items())


def rights(policies, **roles):
    return R.profile_rights(policies, roles, SCOPES)


def entries(dicts):
    return set((d['controller'], d['action'], d['index'], d['collection']) for d in dicts)


# ------------------------------------------------------------------ the action list

def test_scopes_come_from_the_route_arguments():
    assert SCOPES[('document', 'get')] == R.COLLECTION
    assert SCOPES[('collection', 'list')] == R.INDEX
    assert SCOPES[('index', 'delete')] == R.INDEX
    assert SCOPES[('index', 'list')] == R.NO_INDEX
    assert SCOPES[('security', 'createUser')] == R.NO_INDEX


def test_a_collection_without_an_index_is_no_index():
    # Restrictions look at the index first: security:refresh's :collection does not make it scoped.
    assert SCOPES[('security', 'refresh')] == R.NO_INDEX


def test_actions_without_routes_use_the_fallback_table():
    assert SCOPES[('realtime', 'subscribe')] == R.COLLECTION
    assert SCOPES[('realtime', 'join')] == R.NO_INDEX


def test_a_route_without_the_argument_decides_the_scope():
    scopes = R.action_scopes({'c': {
        'a': {'http': [route('GET', '/:index/:collection/x'), route('GET', '/x')]},
        'b': {'http': [route('GET', '/:index/:collection/x'), route('GET', '/:index/y')]},
        'c': {'http': [route('GET', '/:indexes/x')]},
    }})
    assert scopes == {('c', 'a'): R.NO_INDEX, ('c', 'b'): R.INDEX, ('c', 'c'): R.NO_INDEX}


# ------------------------------------------------------------------ roles

def test_an_unlisted_controller_without_wildcard_is_denied():
    assert not R.role_allows(role(document={'get': True}), 'security', 'createUser')


def test_the_wildcard_controller_covers_unlisted_controllers():
    assert R.role_allows(ALL_TRUE, 'security', 'createUser')


def test_a_listed_controller_replaces_the_wildcard_controller():
    controllers = dict(ALL_TRUE, **role(document={'get': True}))
    assert R.role_allows(controllers, 'document', 'get')
    assert not R.role_allows(controllers, 'document', 'create')
    assert R.role_allows(controllers, 'index', 'delete')


def test_the_wildcard_action_covers_unlisted_actions():
    assert R.role_allows(role(document={'*': True}), 'document', 'delete')


def test_an_explicit_false_beats_the_wildcard_action():
    controllers = role(document={'*': True, 'delete': False})
    assert not R.role_allows(controllers, 'document', 'delete')
    assert R.role_allows(controllers, 'document', 'get')


def test_an_explicit_true_beats_a_false_wildcard_action():
    assert R.role_allows(role(document={'*': False, 'get': True}), 'document', 'get')


def test_a_wildcard_controller_set_to_false_allows_nothing():
    assert not R.role_allows({'*': {'actions': {'*': False}}}, 'document', 'get')


def test_only_true_allows():
    assert not R.role_allows(role(document={'get': 'true'}), 'document', 'get')
    assert not R.role_allows({'document': {}}, 'document', 'get')


@pytest.mark.parametrize('listed', ['ms', 'memoryStorage'])
@pytest.mark.parametrize('asked', ['ms', 'memoryStorage'])
def test_ms_and_memory_storage_are_one_controller(listed, asked):
    assert R.role_allows({listed: {'actions': {'get': True}}}, asked, 'get')


def test_the_ms_entry_wins_over_memory_storage():
    controllers = role(ms={'get': False}, memoryStorage={'get': True})
    assert not R.role_allows(controllers, 'memoryStorage', 'get')
    assert not R.role_allows(controllers, 'ms', 'get')


# ------------------------------------------------------------------ restrictions

@pytest.mark.parametrize('restricted_to', [None, [], [{'index': ''}], [{'index': '', 'collections': ['x']}]])
def test_no_restriction_left_means_everything(restricted_to):
    assert R.compile_restrictions(restricted_to) is None
    result = rights([{'roleId': 'r', 'restrictedTo': restricted_to}], r=role(document={'get': True}))
    assert result.allowed == {('document', 'get', '*', '*')}


def test_an_empty_index_is_dropped_from_a_restriction():
    assert R.compile_restrictions([{'index': ''}, {'index': 'a'}]) == {'a': frozenset()}


def test_an_index_without_collections_covers_the_whole_index():
    for restriction in ({'index': 'a'}, {'index': 'a', 'collections': []}, {'index': 'a', 'collections': None}):
        result = rights([{'roleId': 'r', 'restrictedTo': [restriction]}], r=role(document={'get': True}))
        assert result.allowed == {('document', 'get', 'a', '*')}


def test_listed_collections_are_exact():
    result = rights([{'roleId': 'r', 'restrictedTo': [{'index': 'a', 'collections': ['y', 'x', 'x']}]}],
                    r=role(document={'get': True}))
    assert result.allowed == {('document', 'get', 'a', 'x'), ('document', 'get', 'a', 'y')}
    assert R.allows(result, SCOPES, 'document', 'get', 'a', 'x')
    assert not R.allows(result, SCOPES, 'document', 'get', 'a', 'z')
    assert not R.allows(result, SCOPES, 'document', 'get', 'b', 'x')


def test_entries_of_one_index_in_one_policy_merge_their_collections():
    # Kuzzle merges them into one list: the whole-index entry does not widen it.
    policy = {'roleId': 'r', 'restrictedTo': [{'index': 'a'}, {'index': 'a', 'collections': ['x']}]}
    assert R.compile_restrictions(policy['restrictedTo']) == {'a': frozenset(['x'])}
    assert rights([policy], r=role(document={'get': True})).allowed == {('document', 'get', 'a', 'x')}


def test_policies_are_a_union():
    policies = [{'roleId': 'r', 'restrictedTo': [{'index': 'a'}]},
                {'roleId': 'r', 'restrictedTo': [{'index': 'a', 'collections': ['x']}]}]
    assert rights(policies, r=role(document={'get': True})).allowed == {('document', 'get', 'a', '*')}


def test_a_false_in_one_role_does_not_deny_what_another_policy_allows():
    policies = [{'roleId': 'deny'}, {'roleId': 'allow', 'restrictedTo': [{'index': 'a'}]}]
    result = rights(policies, deny=role(document={'*': True, 'get': False}), allow=role(document={'get': True}))
    assert ('document', 'get', 'a', '*') in result.allowed
    assert ('document', 'get', '*', '*') not in result.allowed


def test_roles_and_restrictions_pair_per_policy():
    policies = [{'roleId': 'reader'}, {'roleId': 'writer', 'restrictedTo': [{'index': 'a'}]}]
    result = rights(policies, reader=role(document={'get': True}), writer=role(document={'create': True}))
    assert R.allows(result, SCOPES, 'document', 'get', 'b', 'x')
    assert not R.allows(result, SCOPES, 'document', 'create', 'b', 'x')
    assert R.allows(result, SCOPES, 'document', 'create', 'a', 'x')


def test_actions_without_an_index_pass_any_restriction():
    result = rights([{'roleId': 'r', 'restrictedTo': [{'index': 'logs'}]}], r=ALL_TRUE)
    assert ('security', 'createUser', None, None) in result.allowed
    assert ('security', 'createUser', None, None) in result.unrestricted
    assert ('ms', 'get', None, None) in result.unrestricted


def test_index_level_actions_pass_a_restriction_naming_collections():
    result = rights([{'roleId': 'r', 'restrictedTo': [{'index': 'shop', 'collections': ['orders']}]}], r=ALL_TRUE)
    assert ('index', 'delete', 'shop', None) in result.allowed
    assert ('index', 'delete', 'shop', None) in result.unrestricted
    assert ('collection', 'list', 'shop', None) in result.unrestricted
    assert ('index', 'delete', 'other', None) not in result.allowed
    assert ('document', 'get', 'shop', 'orders') not in result.unrestricted


def test_index_level_actions_on_a_whole_index_are_limited():
    result = rights([{'roleId': 'r', 'restrictedTo': [{'index': 'shop'}]}], r=ALL_TRUE)
    assert ('index', 'delete', 'shop', None) in result.allowed
    assert ('index', 'delete', 'shop', None) not in result.unrestricted


def test_actions_checked_per_index_by_their_controller_are_not_unrestricted():
    result = rights([{'roleId': 'r', 'restrictedTo': [{'index': 'logs'}]}], r=ALL_TRUE)
    assert ('index', 'mDelete', None, None) in result.allowed
    assert ('index', 'mDelete', None, None) not in result.unrestricted
    assert ('realtime', 'list', None, None) not in result.unrestricted


def test_an_unrestricted_policy_makes_the_same_grant_limited():
    result = rights([{'roleId': 'r', 'restrictedTo': [{'index': 'logs'}]}, {'roleId': 'admin'}],
                    r=ALL_TRUE, admin=role(security={'createUser': True}))
    assert ('security', 'createUser', None, None) not in result.unrestricted
    assert ('index', 'list', None, None) in result.unrestricted


def test_no_policy_is_the_default_role():
    assert rights([], default=role(security={'createUser': True})).allowed == {('security', 'createUser', None, None)}


def test_an_unknown_role_is_an_error():
    with pytest.raises(R.UnknownRoleError, match='role nope'):
        rights([{'roleId': 'nope'}])


def test_controllers_missing_from_the_api_give_nothing():
    assert rights([{'roleId': 'r'}], r=role(plugin={'*': True})).allowed == frozenset()


def test_a_user_has_the_union_of_its_profiles():
    roles = {'reader': role(document={'get': True}), 'writer': role(document={'create': True})}
    user = R.user_rights([[{'roleId': 'reader'}], [{'roleId': 'writer', 'restrictedTo': [{'index': 'a'}]}]], roles, SCOPES)
    assert user.allowed == {('document', 'get', '*', '*'), ('document', 'create', 'a', '*')}


# ------------------------------------------------------------------ raw requests, any shape

def test_a_raw_request_without_an_index_passes_restrictions():
    policies = [{'roleId': 'r', 'restrictedTo': [{'index': 'a', 'collections': ['x']}]}]
    roles = {'r': role(document={'get': True})}
    assert R.request_allowed(policies, roles, 'document', 'get', None, 'y')
    assert not R.request_allowed(policies, roles, 'document', 'get', 'a', 'y')


def test_a_raw_request_with_an_index_but_no_collection_passes_a_collection_list():
    policies = [{'roleId': 'r', 'restrictedTo': [{'index': 'a', 'collections': ['x']}]}]
    roles = {'r': role(document={'get': True})}
    assert R.request_allowed(policies, roles, 'document', 'get', 'a')
    assert not R.request_allowed(policies, roles, 'document', 'get', 'b')


def test_a_raw_request_with_an_index_is_restricted_even_for_an_action_without_one():
    policies = [{'roleId': 'r', 'restrictedTo': [{'index': 'a'}]}]
    assert not R.request_allowed(policies, {'r': ALL_TRUE}, 'security', 'createUser', 'b')
    assert R.request_allowed(policies, {'r': ALL_TRUE}, 'security', 'createUser')


def test_allows_reads_a_missing_index_or_collection_as_every_one():
    result = rights([{'roleId': 'r', 'restrictedTo': [{'index': 'a'}]}], r=role(document={'get': True}))
    assert R.allows(result, SCOPES, 'document', 'get', 'a')
    assert not R.allows(result, SCOPES, 'document', 'get')
    assert not R.allows(result, SCOPES, 'document', 'nope', 'a', 'x')


# ------------------------------------------------------------------ changes and reports

def test_adding_a_collection_grants_its_entries():
    before = rights([{'roleId': 'w', 'restrictedTo': [{'index': 'shop', 'collections': ['carts']}]}], w=role(document={'create': True}))
    after = rights([{'roleId': 'w', 'restrictedTo': [{'index': 'shop', 'collections': ['carts', 'orders']}]}],
                   w=role(document={'create': True}))
    change = R.rights_change(before, after)
    assert change == {'granted': [{'controller': 'document', 'action': 'create', 'index': 'shop', 'collection': 'orders'}],
                      'revoked': [], 'unrestricted': []}
    assert R.summary('editor', change) == 'editor: +1 right, -0'


def test_widening_to_the_whole_index_revokes_nothing():
    policy = {'roleId': 'w', 'restrictedTo': [{'index': 'shop', 'collections': ['carts']}]}
    change = R.rights_change(rights([policy], w=role(document={'get': True})),
                             rights([{'roleId': 'w', 'restrictedTo': [{'index': 'shop'}]}], w=role(document={'get': True})))
    assert entries(change['granted']) == {('document', 'get', 'shop', '*')} and change['revoked'] == []


def test_narrowing_from_everything_revokes_the_wildcard_entry():
    change = R.rights_change(rights([{'roleId': 'w'}], w=role(document={'get': True})),
                             rights([{'roleId': 'w', 'restrictedTo': [{'index': 'shop'}]}], w=role(document={'get': True})))
    assert change['granted'] == [] and entries(change['revoked']) == {('document', 'get', '*', '*')}


def test_a_role_change_grants_and_revokes_actions_under_the_same_restrictions():
    policies = [{'roleId': 'w', 'restrictedTo': [{'index': 'shop'}]}]
    change = R.rights_change(rights(policies, w=role(document={'get': True, 'create': True})),
                             rights(policies, w=role(document={'get': True, 'delete': True})))
    assert entries(change['granted']) == {('document', 'delete', 'shop', '*')}
    assert entries(change['revoked']) == {('document', 'create', 'shop', '*')}
    assert R.summary('editor', change) == 'editor: +1 right, -1'


def test_a_new_unrestricted_grant_is_reported():
    change = R.rights_change(None, rights([{'roleId': 'r', 'restrictedTo': [{'index': 'logs'}]}], r=role(security={'createUser': True})))
    assert change['unrestricted'] == [{'controller': 'security', 'action': 'createUser', 'index': None, 'collection': None}]
    assert R.summary('ops', change) == 'ops: +1 right, -0 (1 not limited by restrictedTo)'


def test_a_deleted_profile_revokes_everything():
    change = R.rights_change(rights([{'roleId': 'r'}], r=role(document={'get': True})), None)
    assert entries(change['revoked']) == {('document', 'get', '*', '*')} and R.is_empty(R.rights_change(None, None))


def test_results_are_sorted_dicts_with_nulls():
    listed = R.as_dicts([('document', 'get', 'a', 'x'), ('security', 'createUser', None, None), ('document', 'get', '*', None)])
    assert [tuple(d.values()) for d in listed] == [
        ('document', 'get', '*', None), ('document', 'get', 'a', 'x'), ('security', 'createUser', None, None)]


def test_render_groups_by_target_and_names_whole_controllers():
    before = rights([{'roleId': 'r', 'restrictedTo': [{'index': 'shop', 'collections': ['orders']}]}], r=role(document={'get': True}))
    after = rights([{'roleId': 'r', 'restrictedTo': [{'index': 'shop', 'collections': ['orders']}]}], r=ALL_TRUE)
    text = R.render_change('profile editor', R.rights_change(before, after), SCOPES)
    assert text.splitlines() == [
        'rights of profile editor: +14 rights, -0 (8 not limited by restrictedTo)',
        '  + without an index: index:{list,mDelete}, memoryStorage:get, ms:get, realtime:{join,list}, security:*',
        '  + on index shop: collection:list, index:delete',
        '  + on shop/orders: document:{create,delete,search}, realtime:subscribe',
        '  ! without an index: index:list, memoryStorage:get, ms:get, realtime:join, security:*',
        '  ! on index shop: collection:list, index:delete',
    ]


def test_render_names_the_targets():
    change = {'granted': R.as_dicts([('document', 'get', '*', '*'), ('index', 'delete', '*', None), ('document', 'get', 'a', '*')]),
              'revoked': [], 'unrestricted': []}
    assert R.render_change('p', change, SCOPES).splitlines()[1:] == [
        '  + on any index: index:delete',
        '  + on any collection of any index: document:get',
        '  + on any collection of a: document:get',
    ]


# ------------------------------------------------------------------ properties

INDEXES = ['a', 'b', '']
COLLECTIONS = ['x', 'y']
PROBE_INDEXES = ['a', 'b', 'fresh']
PROBE_COLLECTIONS = ['x', 'y', 'fresh']
ACTIONS = sorted(SCOPES)

ACTION_RIGHTS = st.dictionaries(st.sampled_from(['get', 'create', 'delete', 'search', 'list', 'createUser', 'subscribe', '*']),
                                st.booleans(), min_size=1, max_size=4)
CONTROLLERS = st.dictionaries(
    st.sampled_from(['document', 'index', 'collection', 'security', 'realtime', 'ms', 'memoryStorage', '*']),
    st.fixed_dictionaries({'actions': ACTION_RIGHTS}), min_size=1, max_size=4)
RESTRICTION = st.fixed_dictionaries({'index': st.sampled_from(INDEXES)},
                                    optional={'collections': st.one_of(st.none(), st.lists(st.sampled_from(COLLECTIONS), max_size=2))})
POLICY = st.fixed_dictionaries({'roleId': st.sampled_from(['r1', 'r2', 'r3'])},
                               optional={'restrictedTo': st.one_of(st.none(), st.lists(RESTRICTION, max_size=3))})
POLICIES = st.lists(POLICY, max_size=3)
ROLES = st.fixed_dictionaries({'r1': CONTROLLERS, 'r2': CONTROLLERS, 'r3': CONTROLLERS, 'default': CONTROLLERS})


def probes():
    """Every request shaped as its action's routes send it, over the names in use plus a fresh one."""
    for controller, action in ACTIONS:
        scope = SCOPES[(controller, action)]
        if scope == R.NO_INDEX:
            yield controller, action, None, None
        for index in PROBE_INDEXES if scope != R.NO_INDEX else ():
            for collection in PROBE_COLLECTIONS if scope == R.COLLECTION else [None]:
                yield controller, action, index, collection


PROBES = list(probes())


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(POLICIES, ROLES)
def test_the_rights_set_decides_as_kuzzle_does(policies, roles):
    result = R.profile_rights(policies, roles, SCOPES)
    for probe in PROBES:
        assert R.allows(result, SCOPES, *probe) == R.request_allowed(policies, roles, *probe), probe


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(POLICIES, ROLES)
def test_rights_sets_are_minimal_and_unrestricted_entries_are_allowed(policies, roles):
    result = R.profile_rights(policies, roles, SCOPES)
    for entry in result.allowed:
        assert not R.covers(result.allowed - {entry}, entry)
    assert all(R.covers(result.allowed, entry) for entry in result.unrestricted)
    assert all(entry[2] is None or entry[3] is None for entry in result.unrestricted)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(POLICIES, POLICIES, ROLES, ROLES)
def test_a_change_grants_exactly_what_became_allowed(before_policies, after_policies, before_roles, after_roles):
    before = R.profile_rights(before_policies, before_roles, SCOPES)
    after = R.profile_rights(after_policies, after_roles, SCOPES)
    change = R.rights_change(before, after)
    granted, revoked = entries(change['granted']), entries(change['revoked'])
    for probe in PROBES:
        was, now = R.allows(before, SCOPES, *probe), R.allows(after, SCOPES, *probe)
        entry = R.probe_entry(SCOPES, *probe)
        if now and not was:
            assert R.covers(granted, entry), probe
        if not now:
            assert not R.covers(granted, entry), probe
        if was and not now:
            assert R.covers(revoked, entry), probe
        if not was:
            assert not R.covers(revoked, entry), probe
    # Every granted entry holds a request that was denied before ('fresh' stands for any other name).
    for entry in granted:
        controller, action, index, collection = entry
        probe = (controller, action, 'fresh' if index == '*' else index, 'fresh' if collection == '*' else collection)
        assert R.allows(after, SCOPES, *probe) and not R.allows(before, SCOPES, *probe)
    for entry in revoked:
        controller, action, index, collection = entry
        probe = (controller, action, 'fresh' if index == '*' else index, 'fresh' if collection == '*' else collection)
        assert R.allows(before, SCOPES, *probe) and not R.allows(after, SCOPES, *probe)
    assert R.is_empty(R.rights_change(after, after))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(POLICIES, POLICIES, ROLES)
def test_a_user_is_allowed_what_one_of_its_profiles_is(first, second, roles):
    user = R.user_rights([first, second], roles, SCOPES)
    one, two = R.profile_rights(first, roles, SCOPES), R.profile_rights(second, roles, SCOPES)
    for probe in PROBES:
        assert R.allows(user, SCOPES, *probe) == (R.allows(one, SCOPES, *probe) or R.allows(two, SCOPES, *probe))


# ------------------------------------------------------------------ reviewing a change (kuzzle_profile, kuzzle_role, kuzzle_security)

def test_profiles_changes_lists_only_the_profiles_whose_rights_change():
    roles_before = {'r': role(document={'get': True}), 'w': role(document={'create': True})}
    roles_after = dict(roles_before, r=role(document={'get': True, 'search': True}))
    before = {'same': [{'roleId': 'w'}], 'uses-r': [{'roleId': 'r', 'restrictedTo': [{'index': 'shop'}]}], 'gone': [{'roleId': 'w'}]}
    after = {'same': [{'roleId': 'w'}], 'uses-r': before['uses-r'], 'new': [{'roleId': 'ghost'}, {'roleId': 'w'}]}
    changes = R.profiles_changes(before, after, roles_before, roles_after, SCOPES)
    assert sorted(changes) == ['gone', 'new', 'uses-r']
    assert changes['uses-r']['granted'] == [R.entry_dict(('document', 'search', 'shop', '*'))]
    assert changes['gone']['revoked'] == [R.entry_dict(('document', 'create', '*', '*'))]
    # a role the roles given do not hold grants nothing
    assert changes['new']['granted'] == [R.entry_dict(('document', 'create', '*', '*'))]


def test_review_summary_section_and_warnings():
    roles = {'a': ALL_TRUE}
    changes = R.profiles_changes({}, dict(('p%d' % i, [{'roleId': 'a', 'restrictedTo': [{'index': 'logs'}]}]) for i in range(7)),
                                 roles, roles, SCOPES)
    words, section, warnings = R.review(changes, SCOPES)
    assert words.startswith('rights of p0: +')
    assert words.endswith('; p4: +%d rights, -0 (6 not limited by restrictedTo); and 2 more profiles' % len(changes['p4']['granted']))
    assert section.count('rights of p') == 7 and '  ! without an index: ' in section
    assert len(warnings) == 7
    assert warnings[0].startswith('profile "p0" gains 6 rights that its restrictedTo does not limit')
    assert R.review({}, SCOPES) == (None, None, [])


def test_expectation_problems_name_unknown_actions_and_collections_without_index():
    items = [{'controller': 'document', 'action': 'get', 'index': 'i', 'collection': 'c'},
             {'controller': 'document', 'action': 'gte', 'index': None, 'collection': None},
             {'controller': 'document', 'action': 'get', 'index': None, 'collection': 'c'}]
    assert R.expectation_problems([('expect_denied', items)], SCOPES) == [
        'expect_denied[1]: Kuzzle has no action document:gte', 'expect_denied[2]: a collection needs its index']
    assert R.request_words('security', 'createUser') == 'security:createUser without an index'
    assert R.request_words('index', 'delete', 'shop') == 'index:delete on index shop'
