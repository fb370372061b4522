# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The plan of kuzzle_security: what to write, in which order, and what it leaves; hypothesis properties."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

from hypothesis import given, settings, strategies as st

from ansible_collections.community.kuzzle.plugins.module_utils import _bulk

ROLE_IDS = st.sampled_from(['admin', 'default', 'anonymous', 'reader', 'writer', 'ops'])
PROFILE_IDS = st.sampled_from(['admin', 'default', 'anonymous', 'editor', 'auditor', 'p1', 'p2'])
CONTROLLERS = st.dictionaries(st.sampled_from(['document', 'index', 'auth', '*']),
                              st.fixed_dictionaries({'actions': st.dictionaries(st.sampled_from(['get', 'search', 'login', '*']),
                                                                                st.booleans(), min_size=1)}),
                              min_size=1)
ROLE = st.fixed_dictionaries({'controllers': CONTROLLERS})
RESTRICTION = st.fixed_dictionaries({'index': st.sampled_from(['shop', 'logs'])},
                                    optional={'collections': st.lists(st.sampled_from(['a', 'b', 'c']), max_size=3)})
POLICY = st.fixed_dictionaries({'roleId': ROLE_IDS}, optional={'restrictedTo': st.lists(RESTRICTION, max_size=2)})
PROFILE = st.fixed_dictionaries({'policies': st.lists(POLICY, min_size=1, max_size=3)},
                                optional={'rateLimit': st.integers(min_value=0, max_value=100)})
DEFINITION = st.fixed_dictionaries({}, optional={
    'roles': st.dictionaries(ROLE_IDS, ROLE, max_size=4),
    'profiles': st.dictionaries(PROFILE_IDS, PROFILE, max_size=4),
})
STORED = st.fixed_dictionaries({
    'roles': st.dictionaries(ROLE_IDS, ROLE, max_size=4),
    'profiles': st.dictionaries(PROFILE_IDS, st.fixed_dictionaries(
        {'policies': st.lists(POLICY, min_size=1, max_size=3), 'rateLimit': st.integers(min_value=0, max_value=100)},
        optional={'tags': st.just(['t'])}), max_size=4),
})


def apply_like_kuzzle(stored, operations):
    """What Kuzzle stores after the writes: createX stores the body (rateLimit 0 by default for a profile),
    updateProfile merges top-level keys, updateRole replaces the role, deleteX removes it."""
    stored = copy.deepcopy(stored)
    for op in operations:
        objects = stored.setdefault(op.kind, {})
        if op.action == 'delete':
            del objects[op.id]
        elif op.action == 'create':
            objects[op.id] = dict(copy.deepcopy(op.body))
            if op.kind == 'profiles':
                objects[op.id].setdefault('rateLimit', 0)
        elif op.kind == 'profiles':
            objects[op.id].update(copy.deepcopy(op.body))
        else:
            objects[op.id] = copy.deepcopy(op.body)
    return stored


def readable(definition, stored, purge):
    """What kuzzle_security reads: every object of a purged kind, else the listed ones."""
    return dict((kind, dict((i, s) for i, s in stored.get(kind, {}).items() if purge or i in definition[kind]))
                for kind in definition)


@settings(max_examples=300, deadline=None)
@given(DEFINITION, STORED, st.booleans())
def test_applying_the_plan_then_planning_again_gives_nothing_to_do(definition, stored, purge):
    operations, unused = _bulk.plan(definition, readable(definition, stored, purge), purge)
    after = apply_like_kuzzle(stored, operations)
    again, unchanged = _bulk.plan(definition, readable(definition, after, purge), purge)
    assert again == []
    assert unchanged == dict((kind, len(definition[kind])) for kind in definition)


@settings(max_examples=200, deadline=None)
@given(DEFINITION, STORED)
def test_purge_deletes_exactly_the_unlisted_unreserved_objects_of_given_kinds(definition, stored):
    operations, unused = _bulk.plan(definition, readable(definition, stored, True), True)
    deleted = set((op.kind, op.id) for op in operations if op.action == 'delete')
    expected = set((kind, i) for kind in definition for i in stored[kind]
                   if i not in definition[kind] and i not in _bulk.ADAPTERS[kind].reserved)
    assert deleted == expected


@settings(max_examples=200, deadline=None)
@given(DEFINITION, STORED, st.booleans())
def test_order_roles_then_profiles_then_deletions_in_reverse(definition, stored, purge):
    operations, unused = _bulk.plan(definition, readable(definition, stored, purge), purge)
    rank = {('roles', False): 0, ('profiles', False): 1, ('users', False): 2,
            ('users', True): 3, ('profiles', True): 4, ('roles', True): 5}
    ranks = [rank[(op.kind, op.action == 'delete')] for op in operations]
    assert ranks == sorted(ranks)


def test_plan_details_and_summary():
    stored = {'profiles': {
        'same': {'policies': [{'roleId': 'r'}], 'rateLimit': 0, '_kuzzle_info': {}},
        'old': {'policies': [{'roleId': 'r'}], 'rateLimit': 7, 'tags': ['kept']},
        'gone': {'policies': [{'roleId': 'r'}]},
        'admin': {'policies': [{'roleId': 'admin'}]},
    }}
    definition = {'profiles': {
        'same': {'policies': [{'roleId': 'r', 'restrictedTo': []}]},
        'old': {'policies': [{'roleId': 'w'}]},
        'new': {'policies': [{'roleId': 'r'}], 'rateLimit': 5},
    }}
    operations, unchanged = _bulk.plan(definition, stored, purge=True)
    assert [(op.action, op.id, op.body) for op in operations] == [
        ('create', 'new', {'policies': [{'roleId': 'r'}], 'rateLimit': 5}),
        ('update', 'old', {'policies': [{'roleId': 'w'}]}),
        ('delete', 'gone', None),
    ]
    counted = _bulk.counts(operations, unchanged)
    assert counted == {'profiles': {'created': 1, 'updated': 1, 'deleted': 1, 'unchanged': 1}}
    assert _bulk.summary(counted) == '1 profiles created, 1 updated, 1 deleted, 1 unchanged'
    assert operations[2].describe() == 'delete profile "gone"'


def test_role_update_keeps_unmanaged_keys_because_kuzzle_replaces_the_role():
    stored = {'roles': {'r': {'controllers': {'document': {'actions': {'get': True}}}, 'description': 'keep me'}}}
    definition = {'roles': {'r': {'controllers': {'document': {'actions': {'get': True, 'search': True}}}}}}
    operations, unused = _bulk.plan(definition, stored, purge=False)
    assert operations[0].body == {'controllers': {'document': {'actions': {'get': True, 'search': True}}}, 'description': 'keep me'}


def test_definition_problems_are_named_per_object():
    problems = _bulk.definition_problems({
        'profiles': {'p': {'policies': [{'roleId': 'r', 'foo': 1}], 'rateLimit': -1}, 'anonymous': {'policies': [{'roleId': 'r'}]}},
        'roles': {'r': {'controllers': {}}, 'anonymous': {'controllers': {'auth': {'actions': {'login': False}}}}},
    })
    assert problems[0].startswith('role "anonymous": the anonymous role must allow auth:login')
    assert 'role "r": controllers must be a non-empty dict' in problems[1]
    assert problems[2] == 'profile "anonymous": the anonymous profile must keep the role "anonymous" (Kuzzle refuses it otherwise)'
    assert problems[3:] == ['profile "p": rateLimit must be an integer, 0 or more',
                            'profile "p": policies[0]: key "foo" is not allowed (only roleId and restrictedTo)']


def test_references_that_will_not_resolve():
    definition = {'roles': {'r': {'controllers': {'*': {'actions': {'*': True}}}}},
                  'profiles': {'p': {'policies': [{'roleId': 'r'}, {'roleId': 'gone'}, {'roleId': 'elsewhere'}]}}}
    current = {'roles': {'gone': {'controllers': {}}}, 'profiles': {}}
    operations, unused = _bulk.plan(definition, current, purge=True)
    state = _bulk.final_state(definition, current, operations)
    assert sorted(state['roles']) == ['r']
    dangling, to_check = _bulk.unresolved_references(state, True, operations)
    assert dangling == {'roles': {'elsewhere': [('profiles', 'p')], 'gone': [('profiles', 'p')]}}
    assert to_check == {}
    # without purge, roles the definition does not list may exist in Kuzzle: to be checked there
    operations, unused = _bulk.plan(definition, {'roles': {}, 'profiles': {}}, purge=False)
    state = _bulk.final_state(definition, {'roles': {}, 'profiles': {}}, operations)
    assert _bulk.unresolved_references(state, False, operations) == ({}, {'roles': {'gone', 'elsewhere'}})
    # an object that stays as it is needs no check: Kuzzle stored it with its references
    assert _bulk.unresolved_references(state, False, []) == ({}, {})
    assert _bulk.deleted_ids(operations) == {}


def test_final_state_reuses_the_canonical_forms_the_plan_made():
    """What plan() compared is what final_state() would make again: the same state either way, and only the kinds
    whose canonical form does not depend on the definition's body (not users: their content keys) are reused."""
    definition = {'roles': {'r': {'controllers': {'document': {'actions': {'get': True}}}}},
                  'profiles': {'p': {'policies': [{'roleId': 'r', 'restrictedTo': [{'index': 'i', 'collections': ['b', 'a']}]}]},
                               'q': {'policies': [{'roleId': 'r'}]}},
                  'users': {'u': {'content': {'profileIds': ['p'], 'name': 'x'}}}}
    current = {'roles': {'r': {'controllers': {'document': {'actions': {'get': True}}}}, 'old': {'controllers': {}}},
               'profiles': {'p': {'policies': [{'roleId': 'r', 'restrictedTo': [{'index': 'i', 'collections': ['a', 'b']}]}], 'rateLimit': 0}},
               'users': {'u': {'profileIds': ['p'], 'name': 'y', 'other': 1}, 'v': {'profileIds': ['q']}}}
    canonical = {}
    operations, unused = _bulk.plan(definition, current, purge=True, canonical=canonical)
    assert sorted(canonical) == ['profiles', 'roles'] and sorted(canonical['profiles']) == ['p'] and sorted(canonical['roles']) == ['r']
    assert _bulk.final_state(definition, current, operations, canonical=canonical) == _bulk.final_state(definition, current, operations)


def test_purge_excluded_names_the_stored_objects_a_pattern_or_id_keeps():
    role = {'controllers': {'document': {'actions': {'get': True}}}}
    definition = {'roles': {'mine': role}, 'users': {}}
    current = {'roles': dict((name, role) for name in ('mine', 'dm-admin', 'dm-tenant', 'other', 'DM-upper')),
               'users': {'plugin-user': {'profileIds': ['default']}, 'bob': {'profileIds': ['default']}}}
    exclude = {'roles': ['dm-*', 'mine', 'missing'], 'users': ['plugin-user'], 'profiles': ['x*']}
    assert _bulk.purge_excluded(definition, current, exclude) == {'roles': ['dm-admin', 'dm-tenant'], 'users': ['plugin-user']}
    assert _bulk.purge_excluded(definition, current, {'roles': None}) == {}
    assert _bulk.purge_excluded(definition, current, None) == {}
    keep = _bulk.purge_excluded(definition, current, exclude)
    operations, dummy = _bulk.plan(definition, current, True, keep=keep)
    deleted = [(op.kind, op.id) for op in operations if op.action == 'delete']
    assert deleted == [('users', 'bob'), ('roles', 'DM-upper'), ('roles', 'other')]


def test_kourou_files_are_unwrapped_and_empty_credentials_are_not_managed():
    roles = {'type': 'roles', 'content': {'r': {'controllers': {}}}}
    assert _bulk.as_loaded('roles', roles) == ({'r': {'controllers': {}}}, None)
    objects, problem = _bulk.as_loaded('profiles', roles)
    assert problem == 'profiles is a kourou export of roles ({"type": "roles", "content": ...}): give it as roles'
    assert _bulk.as_loaded('roles', {'type': 'roles', 'content': []})[1].endswith('must be a dict of roles by id')
    users = {'type': 'users', 'content': {'a': {'content': {'profileIds': ['x']}, 'credentials': {}},
                                          'b': {'content': {'profileIds': ['x']}, 'credentials': None},
                                          'c': {'content': {'profileIds': ['x']}, 'credentials': {'local': {'username': 'c'}}}}}
    loaded, problem = _bulk.as_loaded('users', users)
    assert problem is None
    assert loaded == {'a': {'content': {'profileIds': ['x']}}, 'b': {'content': {'profileIds': ['x']}},
                      'c': {'content': {'profileIds': ['x']}, 'credentials': {'local': {'username': 'c'}}}}
    # a definition that only looks alike stays as it is: a role body is a dict
    plain = {'type': {'controllers': {}}, 'content': {'controllers': {}}}
    assert _bulk.as_loaded('roles', plain) == (plain, None)


def test_profiles_are_written_in_the_order_given():
    body = {'policies': [{'roleId': 'b'}, {'roleId': 'a', 'restrictedTo': [{'index': 'z'}, {'index': 'y', 'collections': ['2', '1']}]}]}
    before = {}
    after = _bulk.ProfileAdapter.desired(before, body)
    assert after['policies'][0]['roleId'] == 'a'  # compared in canonical order
    assert _bulk.ProfileAdapter.write_body(None, before, after, body)['policies'] == body['policies']  # written as given


def test_plan_summary_counts_then_cut_ids_per_kind_and_action():
    operations = ([_bulk.Operation('profiles', 'p%03d' % i, 'update', {'a': 1}, {'a': 2}) for i in range(25)]
                  + [_bulk.Operation('users', 'u1', 'create', {}, {'x': 1}), _bulk.Operation('users', 'old', 'delete', {'x': 1}, {})])
    counted = _bulk.counts(operations, {'roles': 4, 'profiles': 100, 'users': 0})
    text = _bulk.plan_summary(operations, counted, shown=3)
    assert text == ('kuzzle_security plan: 0 roles created, 0 updated, 0 deleted, 4 unchanged; '
                    '0 profiles created, 25 updated, 0 deleted, 100 unchanged; 1 users created, 0 updated, 1 deleted, 0 unchanged\n'
                    '  profiles to update (25): "p000", "p001", "p002" ... and 22 more\n'
                    '  users to create (1): "u1"\n'
                    '  users to delete (1): "old"\n')
    # its size does not grow with the plan: one line per kind and action, whatever the number of objects
    many = [_bulk.Operation('profiles', 'p%05d' % i, 'create', {}, {'a': 1}) for i in range(20000)]
    assert len(_bulk.plan_summary(many, _bulk.counts(many, {'profiles': 0}))) < 400
