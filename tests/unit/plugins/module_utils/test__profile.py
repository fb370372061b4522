# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Normalise / compare / plan / diff / summary of profiles, with hypothesis properties."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import random

import pytest
from hypothesis import given, settings, strategies as st

from ansible_collections.community.kuzzle.plugins.module_utils import _profile as P, _rights as R
from ansible_collections.community.kuzzle.plugins.module_utils._report import changed_keys, stored_view

NAMES = st.sampled_from(['a', 'b', 'c', 'shop', 'logs', 'x-1'])
RESTRICTION = st.fixed_dictionaries(
    {'index': NAMES},
    optional={'collections': st.one_of(st.none(), st.lists(NAMES, max_size=4))},
)
POLICY = st.fixed_dictionaries(
    {'roleId': st.sampled_from(['admin', 'reader', 'writer', 'auditor'])},
    optional={'restrictedTo': st.one_of(st.none(), st.lists(RESTRICTION, max_size=3))},
)
POLICIES = st.lists(POLICY, min_size=1, max_size=5)
SOURCE = st.fixed_dictionaries(
    {'policies': POLICIES},
    optional={
        'rateLimit': st.one_of(st.none(), st.integers(min_value=0, max_value=500)),
        'tags': st.lists(NAMES, max_size=2),
        '_kuzzle_info': st.just({'author': None, 'createdAt': 1, 'updatedAt': None, 'updater': None}),
        'optimizedPolicies': st.just([{'roleId': 'reader', 'restrictedTo': {}}]),
    },
)


def shuffled(policies, rnd):
    """Same rights, other order, duplicated collections and restrictions."""
    result = []
    for policy in policies:
        policy = copy.deepcopy(policy)
        restricted_to = policy.get('restrictedTo')
        if restricted_to:
            for restriction in restricted_to:
                if restriction.get('collections'):
                    restriction['collections'] = restriction['collections'] + restriction['collections'][:1]
                    rnd.shuffle(restriction['collections'])
            restricted_to.append(copy.deepcopy(restricted_to[0]))
            rnd.shuffle(restricted_to)
        result.append(policy)
    rnd.shuffle(result)
    return result


def kuzzle_update(source, body):
    """What Kuzzle's updateProfile stores: a shallow top-level merge (tests/contract/test_profiles.py::test_update_profile_is_a_shallow_merge)."""
    stored = copy.deepcopy(source)
    stored.update(copy.deepcopy(body))
    return stored


@settings(max_examples=300)
@given(POLICIES, st.randoms(use_true_random=False))
def test_any_reordering_or_duplication_compares_equal(policies, rnd):
    assert P.normalize_policies(shuffled(policies, rnd)) == P.normalize_policies(policies)


@settings(max_examples=300)
@given(POLICIES)
def test_normalising_twice_changes_nothing(policies):
    once = P.normalize_policies(policies)
    assert P.normalize_policies(once) == once


@settings(max_examples=300)
@given(SOURCE, POLICIES, st.booleans(), st.one_of(st.none(), st.integers(min_value=0, max_value=500)))
def test_applying_the_desired_state_then_comparing_again_gives_no_change(source, policies, purge, rate_limit):
    before = P.normalize_profile(source)
    after = P.desired_profile(before, policies, purge, rate_limit)
    stored = kuzzle_update(source, changed_keys(before, after))
    assert P.normalize_profile(stored) == after
    assert P.desired_profile(P.normalize_profile(stored), policies, purge, rate_limit) == after
    # the check-mode prediction is what Kuzzle stores
    assert P.normalize_profile(P.predict_stored(source, changed_keys(before, after))) == after


@settings(max_examples=200)
@given(SOURCE, POLICIES)
def test_merge_keeps_unlisted_roles_and_replaces_listed_ones(source, policies):
    before = P.normalize_profile(source)
    after = P.desired_profile(before, policies, purge_policies=False)
    listed = set(p['roleId'] for p in policies)
    by_role = dict((p['roleId'], p) for p in after['policies'])
    for policy in before['policies']:
        if policy['roleId'] not in listed:
            assert by_role[policy['roleId']] == policy
    for policy in P.normalize_policies(policies):
        assert by_role[policy['roleId']] == policy


def test_server_keys_are_ignored_and_tags_are_a_set():
    stored = {
        'policies': [{'roleId': 'reader'}],
        'optimizedPolicies': [{'roleId': 'reader', 'restrictedTo': {}}],
        '_kuzzle_info': {'author': None, 'createdAt': 1700000000000, 'updatedAt': None, 'updater': None},
        'tags': ['moderators', 'auditors', 'moderators'],
    }
    assert P.normalize_profile(stored) == {'policies': [{'roleId': 'reader'}], 'rateLimit': 0, 'tags': ['auditors', 'moderators']}
    assert P.normalize_profile(dict(stored, tags=[])) == P.normalize_profile(dict(stored, tags=None)) == {
        'policies': [{'roleId': 'reader'}], 'rateLimit': 0}
    assert stored_view(stored) == {'policies': [{'roleId': 'reader'}], 'tags': ['moderators', 'auditors', 'moderators']}


def test_tags_omitted_are_kept_empty_removes_them_and_updates_send_them():
    before = P.normalize_profile({'policies': [{'roleId': 'reader'}], 'tags': ['b', 'a']})
    assert P.desired_profile(before, None) == before
    assert P.desired_profile(before, None, tags=['a', 'b', 'a']) == before
    removed = P.desired_profile(before, None, tags=[])
    assert removed == {'policies': [{'roleId': 'reader'}], 'rateLimit': 0}
    assert P.write_body(before, removed, False) == {'tags': []}  # updateProfile merges: an absent key would keep them
    added = P.desired_profile(before, None, tags=['c'])
    assert P.write_body(before, added, False) == {'tags': ['c']}
    assert P.summarize('p', before, added) == 'profile p: tag c added; tags a, b removed'
    assert P.write_body({}, P.desired_profile({}, [{'roleId': 'r'}], tags=['x']), False) == {'policies': [{'roleId': 'r'}], 'tags': ['x']}
    assert P.definition_problems({'policies': [{'roleId': 'r'}], 'tags': 'x'}) == ['tags must be a list of non-empty strings']


@pytest.mark.parametrize('restricted_to', [None, [], 'absent'])
def test_no_restriction_has_one_form(restricted_to):
    policy = {'roleId': 'r'}
    if restricted_to != 'absent':
        policy['restrictedTo'] = restricted_to
    assert P.normalize_policies([policy]) == [{'roleId': 'r'}]


def test_merging_follows_kuzzle_rights_semantics():
    policies = [
        {'roleId': 'w', 'restrictedTo': [{'index': 'shop', 'collections': ['carts']}]},
        {'roleId': 'w', 'restrictedTo': [{'index': 'shop', 'collections': ['orders', 'carts']}, {'index': 'logs'}]},
        {'roleId': 'w', 'restrictedTo': [{'index': 'logs', 'collections': ['app']}]},
        {'roleId': 'r', 'restrictedTo': [{'index': 'shop'}]},
        {'roleId': 'r'},
        {'roleId': 'e', 'restrictedTo': [{'index': 'i', 'collections': []}]},
    ]
    assert P.normalize_policies(policies) == [
        {'roleId': 'e', 'restrictedTo': [{'index': 'i'}]},
        {'roleId': 'r'},
        {'roleId': 'w', 'restrictedTo': [{'index': 'logs'}, {'index': 'shop', 'collections': ['carts', 'orders']}]},
    ]


def test_missing_rate_limit_is_zero_and_absent_profile_is_empty():
    assert P.normalize_profile({'policies': [{'roleId': 'anonymous'}]})['rateLimit'] == 0
    assert P.normalize_profile({'policies': [{'roleId': 'a'}], 'rateLimit': None})['rateLimit'] == 0
    assert P.normalize_profile(None) == {}


def test_rate_limit_omitted_keeps_the_stored_one():
    before = P.normalize_profile({'policies': [{'roleId': 'a'}], 'rateLimit': 42})
    assert P.desired_profile(before, [{'roleId': 'b'}])['rateLimit'] == 42
    assert P.desired_profile({}, [{'roleId': 'b'}])['rateLimit'] == 0


def test_policies_from_params_converts_the_module_shape():
    params = [
        {'role_id': 'w', 'restricted_to': [{'index': 'shop', 'collections': ['c']}, {'index': 'logs', 'collections': None}]},
        {'role_id': 'r', 'restricted_to': None},
    ]
    assert P.policies_from_params(params) == [
        {'roleId': 'w', 'restrictedTo': [{'index': 'shop', 'collections': ['c']}, {'index': 'logs'}]},
        {'roleId': 'r'},
    ]
    assert P.policies_from_params(None) is None


def test_problems_are_reported_before_any_request():
    problems = P.policies_problems([
        {'roleId': ''},
        {'roleId': 'a', 'restrictedTo': [{'index': ' '}, {'index': 'i', 'collections': ['ok', '']}]},
        {'roleId': 'a'},
    ])
    assert problems == [
        'policies[0]: role_id must be a non-empty string',
        'policies[1].restricted_to[0]: index must be a non-empty string',
        'policies[1].restricted_to[1]: collections must be non-empty strings',
        'policies[2]: role "a" is listed twice; list each role once and put all its restrictions in restricted_to',
    ]
    assert P.policies_problems([{'roleId': 'a', 'restrictedTo': [{'index': 'i', 'collections': ['c']}]}]) == []


def test_new_role_ids_and_restrictions():
    before = {'policies': [{'roleId': 'a'}], 'rateLimit': 0}
    after = {'policies': [{'roleId': 'a'}, {'roleId': 'b', 'restrictedTo': [
        {'index': 'i', 'collections': ['c2', 'c1']}, {'index': 'j'}]}], 'rateLimit': 0}
    assert P.new_role_ids(before, after) == ['b']
    assert P.new_role_ids({}, after) == ['a', 'b']
    assert P.restrictions(after) == [('i', 'c1'), ('i', 'c2'), ('j', None)]


@pytest.mark.parametrize('before, after, expected', [
    ({}, {'policies': [{'roleId': 'a'}, {'roleId': 'b'}], 'rateLimit': 0}, 'profile p created with roles a, b'),
    ({}, {'policies': [{'roleId': 'a'}], 'rateLimit': 9}, 'profile p created with role a, rate limit 9'),
    ({'policies': [{'roleId': 'a'}], 'rateLimit': 0}, {}, 'profile p deleted'),
    ({}, {}, 'profile p is absent'),
    ({'policies': [{'roleId': 'a'}], 'rateLimit': 0}, {'policies': [{'roleId': 'a'}], 'rateLimit': 0}, 'profile p unchanged'),
    (
        {'policies': [{'roleId': 'reader'}, {'roleId': 'w', 'restrictedTo': [{'index': 'shop', 'collections': ['orders']}]}], 'rateLimit': 0},
        {'policies': [{'roleId': 'w', 'restrictedTo': [{'index': 'shop', 'collections': ['carts', 'orders']}]},
                      {'roleId': 'writer'}], 'rateLimit': 10},
        'profile p: role writer added; role reader removed; role w: index shop: collection carts added; rate limit 0 -> 10',
    ),
    (
        {'policies': [{'roleId': 'w', 'restrictedTo': [{'index': 'a', 'collections': ['x', 'y']}, {'index': 'b'}]}], 'rateLimit': 0},
        {'policies': [{'roleId': 'w', 'restrictedTo': [{'index': 'a', 'collections': ['z']}, {'index': 'c'}]}], 'rateLimit': 0},
        'profile p: role w: index a: collection z added; role w: index a: collections x, y removed; '
        'role w: index b removed; role w: index c added',
    ),
    (
        {'policies': [{'roleId': 'w', 'restrictedTo': [{'index': 'a', 'collections': ['x']}]}], 'rateLimit': 0},
        {'policies': [{'roleId': 'w', 'restrictedTo': [{'index': 'a'}]}], 'rateLimit': 0},
        'profile p: role w: index a: all collections',
    ),
    (
        {'policies': [{'roleId': 'w', 'restrictedTo': [{'index': 'a'}]}], 'rateLimit': 0},
        {'policies': [{'roleId': 'w'}], 'rateLimit': 0},
        'profile p: role w: all indexes instead of indexes a',
    ),
])
def test_summary(before, after, expected):
    assert P.summarize('p', before, after) == expected


def test_predict_stored_merges_like_kuzzle_and_defaults_rate_limit_on_create():
    source = {'policies': [{'roleId': 'a'}], 'rateLimit': 3, 'tags': ['t'], '_kuzzle_info': {}}
    assert P.predict_stored(source, {'policies': [{'roleId': 'b'}]}) == {'policies': [{'roleId': 'b'}], 'rateLimit': 3, 'tags': ['t']}
    assert P.predict_stored(None, {'policies': [{'roleId': 'b'}]}) == {'policies': [{'roleId': 'b'}], 'rateLimit': 0}


def test_shuffled_helper_really_shuffles():
    # guards the property test above against a helper that returns its input unchanged
    policies = [{'roleId': r, 'restrictedTo': [{'index': 'i', 'collections': ['c1', 'c2']}]} for r in 'abcdefgh']
    assert shuffled(policies, random.Random(1)) != policies


def test_an_index_listed_twice_in_one_policy_keeps_only_its_collections():
    """Kuzzle compiles one policy's restrictions per index and merges their collections: the whole index is
    only granted when no entry of it names a collection (tests/contract/test_rights_property.py::
    test_fact_one_index_listed_twice_in_a_policy_keeps_only_the_collections)."""
    policy = {'roleId': 'r', 'restrictedTo': [{'index': 'shop'}, {'index': 'shop', 'collections': ['orders']}]}
    assert P.normalize_policies([policy]) == [{'roleId': 'r', 'restrictedTo': [{'index': 'shop', 'collections': ['orders']}]}]
    # across policies, rights are a union: the whole index wins
    assert P.normalize_policies([policy, {'roleId': 'r', 'restrictedTo': [{'index': 'shop'}]}]) == [
        {'roleId': 'r', 'restrictedTo': [{'index': 'shop'}]}]


@pytest.mark.parametrize('restricted_to', [[{'index': ''}], [{'index': ''}, {'index': None}]])
def test_a_restriction_without_any_index_restricts_nothing(restricted_to):
    assert P.normalize_policies([{'roleId': 'r', 'restrictedTo': restricted_to}]) == [{'roleId': 'r'}]


ROUTES = {'document': {'get': {'http': [{'verb': 'GET', 'path': '/:index/:collection/:_id'}]}},
          'collection': {'list': {'http': [{'verb': 'GET', 'path': '/:index/_list'}]}},
          'security': {'createUser': {'http': [{'verb': 'POST', 'path': '/users/_create'}]}}}
ROLES = {'admin': {'*': {'actions': {'*': True}}}, 'reader': {'document': {'actions': {'get': True}}},
         'writer': {'collection': {'actions': {'*': True}}}, 'auditor': {'security': {'actions': {'createUser': True}}}}


@settings(max_examples=300)
@given(POLICIES)
def test_normalised_policies_grant_exactly_the_rights_kuzzle_enforces_for_the_stored_ones(policies):
    scopes = R.action_scopes(ROUTES)
    assert R.profile_rights(P.normalize_policies(policies), ROLES, scopes) == R.profile_rights(policies, ROLES, scopes)
