# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""profile_to_params: a stored profile as kuzzle_profile's options, which keep it as it is (hypothesis)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from hypothesis import given, settings, strategies as st

from ansible_collections.community.kuzzle.plugins.module_utils import _profile as P

NAMES = st.sampled_from(['a', 'b', 'shop', 'logs', 'x-1'])
RESTRICTION = st.fixed_dictionaries(
    {'index': NAMES},
    optional={'collections': st.one_of(st.none(), st.lists(NAMES, max_size=4))},
)
# Stored policies as Kuzzle returns them: verbatim, so roles may repeat, restrictions may be null or
# empty, collections may repeat or be empty.
POLICY = st.fixed_dictionaries(
    {'roleId': st.sampled_from(['admin', 'reader', 'writer', 'auditor'])},
    optional={'restrictedTo': st.one_of(st.none(), st.lists(RESTRICTION, max_size=3))},
)
SOURCE = st.fixed_dictionaries(
    {'policies': st.lists(POLICY, min_size=1, max_size=6)},
    optional={
        'rateLimit': st.integers(min_value=0, max_value=500),
        'tags': st.lists(NAMES, max_size=2),
        '_kuzzle_info': st.just({'author': None, 'createdAt': 1, 'updatedAt': None, 'updater': None}),
        'optimizedPolicies': st.just([{'roleId': 'reader', 'restrictedTo': {}}]),
    },
)
INPUT_KEYS = {'policy': {'role_id', 'restricted_to'}, 'restriction': {'index', 'collections'}}


def as_argspec_gives(params_policies):
    """What kuzzle_profile's argument spec hands the module: every suboption present, None when omitted."""
    return [{'role_id': p['role_id'],
             'restricted_to': None if 'restricted_to' not in p else [
                 {'index': r['index'], 'collections': r.get('collections')} for r in p['restricted_to']]}
            for p in params_policies]


@settings(max_examples=400)
@given(SOURCE)
def test_params_normalise_equal_to_the_stored_profile(source):
    params = P.profile_to_params('p', source)
    assert P.normalize_policies(P.policies_from_params(params['policies'])) == P.normalize_policies(source['policies'])
    assert P.normalize_policies(P.policies_from_params(as_argspec_gives(params['policies']))) == P.normalize_policies(source['policies'])


@settings(max_examples=400)
@given(SOURCE)
def test_kuzzle_profile_given_the_params_changes_nothing(source):
    """The decision kuzzle_profile makes: desired == stored, so changed is false."""
    params = P.profile_to_params('p', source)
    before = P.normalize_profile(source)
    policies = P.policies_from_params(as_argspec_gives(params['policies']))
    assert P.policies_problems(policies) == []  # e.g. a role listed twice would be refused
    assert P.desired_profile(before, policies, True, params.get('rate_limit'), params.get('tags')) == before


@settings(max_examples=200)
@given(SOURCE)
def test_params_have_only_the_input_shape_and_no_nulls(source):
    params = P.profile_to_params('p', source)
    expected = {'name', 'policies'} | ({'rate_limit'} if 'rateLimit' in source else set())
    assert set(params) == expected | ({'tags'} if [t for t in source.get('tags') or () if isinstance(t, str)] else set())
    for policy in params['policies']:
        assert set(policy) <= INPUT_KEYS['policy']
        for restriction in policy.get('restricted_to', ()):
            assert set(restriction) <= INPUT_KEYS['restriction']
            assert restriction.get('collections', ['x'])  # never null, never empty
    # the output of the output is the output: canonical already
    again = {'policies': P.policies_from_params(params['policies'])}
    if 'rate_limit' in params:
        again['rateLimit'] = params['rate_limit']
    if 'tags' in params:
        again['tags'] = params['tags']
    assert P.profile_to_params('p', again) == params


def test_a_stored_profile_with_repetitions_gives_one_policy_per_role():
    source = {
        'policies': [
            {'roleId': 'writer', 'restrictedTo': [{'index': 'shop', 'collections': ['products', 'carts', 'carts']}]},
            {'roleId': 'reader', 'restrictedTo': None},
            {'roleId': 'writer', 'restrictedTo': [{'index': 'logs', 'collections': []}]},
        ],
        'rateLimit': 5, 'tags': ['t'], 'optimizedPolicies': [], '_kuzzle_info': {},
    }
    assert P.profile_to_params('editor', source) == {
        'name': 'editor',
        'policies': [
            {'role_id': 'reader'},
            {'role_id': 'writer', 'restricted_to': [{'index': 'logs'}, {'index': 'shop', 'collections': ['carts', 'products']}]},
        ],
        'rate_limit': 5,
        'tags': ['t'],
    }


def test_kuzzle_1x_profiles_have_no_rate_limit():
    assert P.profile_to_params('p', {'policies': [{'roleId': 'r'}]}) == {'name': 'p', 'policies': [{'role_id': 'r'}]}


def test_the_result_does_not_share_lists_with_the_source():
    source = {'policies': [{'roleId': 'r', 'restrictedTo': [{'index': 'i', 'collections': ['c']}]}], 'rateLimit': 0}
    params = P.profile_to_params('p', source)
    params['policies'][0]['restricted_to'][0]['collections'].append('d')
    assert source['policies'][0]['restrictedTo'][0]['collections'] == ['c']
