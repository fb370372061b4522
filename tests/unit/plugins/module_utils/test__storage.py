# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Names, settings, the admin:loadMappings shape, collection before/after and summaries."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
from hypothesis import given, settings, strategies as st

from ansible_collections.community.kuzzle.plugins.module_utils import _mapping as M
from ansible_collections.community.kuzzle.plugins.module_utils import _storage as S

# What collection:getSettings answers (tests/contract/test_storage_settings.py)
SETTINGS_RESULT = {'creation_date': '1796098201071', 'number_of_replicas': '1', 'number_of_shards': '1',
                   'provided_name': '&shop.orders', 'uuid': 'fe6e6298724c4ff4a5dac5', 'version': {'created': '7172699'},
                   'routing': {'allocation': {'include': {'_tier_preference': 'data_content'}}},
                   'analysis': {'analyzer': {'folded': {'type': 'custom', 'filter': ['lowercase', 'asciifolding']}}}}
MAPPING_RESULT = {'dynamic': 'strict', 'properties': {'name': {'type': 'keyword'}}}


@pytest.mark.parametrize('kind, name, problem', [
    ('index', 'shop', None), ('index', 'x-1_2', None), ('collection', 'orders', None),
    ('index', 'Shop', 'index "Shop": names must be lowercase'),
    ('index', 'a.b', 'index "a.b": \'.\' is not allowed'),
    ('collection', 'a b%', 'collection "a b%": \' \', \'%\' are not allowed'),
    ('index', '_all', 'index "_all" is not a valid name'),
    ('index', 'x' * 127, 'index "%s": names are at most 126 bytes' % ('x' * 127)),
    ('collection', '_kuzzle_keep', 'collection "_kuzzle_keep" is reserved by Kuzzle'),
    ('index', '', 'index names must be non-empty strings'),
    ('collection', 3, 'collection names must be non-empty strings'),
])
def test_names(kind, name, problem):
    assert S.name_problems(kind, name) == ([problem] if problem else [])


def test_settings_are_flat_strings_without_the_index_prefix():
    assert S.flatten_settings({'index': {'number_of_replicas': 0, 'blocks': {'write': False}},
                               'index.refresh_interval': '1s', 'analysis': {'filter': {'f': {'stopwords': ['a', 1]}}},
                               'max_result_window': 1.5}) == {
        'number_of_replicas': '0', 'blocks.write': 'false', 'refresh_interval': '1s',
        'analysis.filter.f.stopwords': ['a', '1'], 'max_result_window': '1.5'}
    assert S.stored_settings(SETTINGS_RESULT)['routing.allocation.include._tier_preference'] == 'data_content'


SETTING_TREES = st.recursive(st.one_of(st.integers(0, 9), st.booleans(), st.sampled_from(['1s', 'x'])),
                             lambda children: st.dictionaries(st.sampled_from(['a', 'b', 'c']), children, min_size=1,
                                                              max_size=2), max_leaves=6)


@settings(max_examples=200)
@given(st.dictionaries(st.sampled_from(['analysis', 'blocks', 'number_of_replicas']), SETTING_TREES, max_size=3))
def test_nested_dotted_and_prefixed_settings_are_one_form(tree):
    flat = S.flatten_settings(tree)
    assert S.flatten_settings({'index': tree}) == flat
    assert S.flatten_settings(dict(('index.' + key, value) for key, value in flat.items())) == flat
    assert S.settings_body(flat, flat) is None


@pytest.mark.parametrize('key, kind', [
    ('number_of_shards', 'final'), ('sort.field', 'final'), ('uuid', 'private'), ('version.created', 'private'),
    ('analysis.analyzer.x.type', 'static'), ('codec', 'static'), ('number_of_replicas', 'dynamic'),
    ('refresh_interval', 'dynamic'), ('routing.allocation.include._tier_preference', 'dynamic'),
])
def test_setting_kinds(key, kind):
    assert S.setting_kind(key) == kind


def test_settings_problems_and_refusals():
    assert S.settings_problems({'number_of_replicas': 1, 'analysis': {}}) == []
    assert S.settings_problems([]) == ['settings must be a dict of index settings']
    assert S.settings_problems({'index': {'uuid': 'x', 'refresh_interval': None}}) == [
        'settings: refresh_interval has no value (to reset a setting, give its default value)',
        'settings: uuid is set by Elasticsearch itself and cannot be given']
    stored = S.stored_settings(SETTINGS_RESULT)
    assert S.settings_refusals(stored, {'number_of_shards': '1', 'number_of_replicas': '3'}, 'collection shop/orders') == []
    assert S.settings_refusals(stored, {'number_of_shards': '2'}, 'collection shop/orders') == [
        'collection shop/orders: number_of_shards is 1 and the task asks 2: it is fixed when the collection is created; '
        'create a new collection with it and reindex the documents into it']


def test_zero_replicas_take_a_second_write():
    assert S.creation_settings({'number_of_replicas': '0', 'refresh_interval': '2s'}) == (
        {'refresh_interval': '2s'}, {'number_of_replicas': '0'})
    assert S.creation_settings({'number_of_replicas': '2'}) == ({'number_of_replicas': '2'}, {})


def test_settings_body_sends_only_what_differs():
    assert S.settings_body({'number_of_replicas': '1', 'refresh_interval': '1s'},
                           {'number_of_replicas': '2', 'refresh_interval': '1s'}) == {'number_of_replicas': '2'}


LOAD_MAPPINGS = {'shop': {'orders': {'dynamic': 'strict', 'properties': {'ref': {'type': 'keyword'}}}, 'carts': {}},
                 'logs': {}}


def test_the_load_mappings_shape_and_the_import_shape():
    assert S.definition_problems(LOAD_MAPPINGS) == []
    assert S.normalize_definition(LOAD_MAPPINGS) == {
        'shop': {'orders': {'mappings': LOAD_MAPPINGS['shop']['orders'], 'settings': None},
                 'carts': {'mappings': {}, 'settings': None}},
        'logs': {}}
    imported = {'shop': {'orders': {'mappings': {'dynamic': 'false'}, 'settings': {'number_of_replicas': 0}},
                         'carts': {'settings': {'refresh_interval': '1s'}}}}
    assert S.definition_problems(imported) == []
    assert S.normalize_definition(imported) == {
        'shop': {'orders': {'mappings': {'dynamic': 'false'}, 'settings': {'number_of_replicas': 0}},
                 'carts': {'mappings': {}, 'settings': {'refresh_interval': '1s'}}}}


@pytest.mark.parametrize('definition, problem', [
    ([], 'definition must be a dict of indexes'),
    ({'Shop': {}}, 'definition: index "Shop": names must be lowercase'),
    ({'shop': []}, 'definition.shop must be a dict of collections'),
    ({'shop': {'_kuzzle_keep': {}}}, 'definition.shop: collection "_kuzzle_keep" is reserved by Kuzzle'),
    ({'shop': {'c': 'keyword'}}, 'definition.shop.c must be a mapping'),
    ({'shop': {'c': {'mappings': {}, 'properties': {}}}}, 'definition.shop.c mixes a bare mapping with mappings/settings'),
    ({'shop': {'c': {'properties': {'a': {'type': 'keyword'}}, 'dynamc': 'false'}}},
     'definition.shop.c: key "dynamc" is not a mapping key'),
    ({'shop': {'c': {'mappings': {'foo': 1}}}}, 'definition.shop.c.mappings: key "foo" is not a mapping key'),
    ({'shop': {'c': {'settings': {'uuid': 'x'}}}}, 'definition.shop.c.settings: uuid is set by Elasticsearch itself'),
])
def test_definition_problems(definition, problem):
    problems = S.definition_problems(definition)
    assert len(problems) == 1 and problems[0].startswith(problem), problems


def test_an_export_is_the_load_mappings_shape_and_applies_as_no_change():
    result = {'dynamic': 'false', 'properties': {'_kuzzle_info': {'properties': {}}, 'a': {'type': 'keyword'}}}
    exported = S.export_collection(result)
    assert exported == {'dynamic': 'false', 'properties': {'a': {'type': 'keyword'}}}
    assert S.export_collection({'dynamic': 'false', 'properties': {}}) == {'dynamic': 'false'}
    definition = {'shop': {'orders': exported}}
    assert S.definition_problems(definition) == []
    task = S.normalize_definition(definition)['shop']['orders']
    before = S.collection_before(result)
    assert S.collection_after(before, M.desired_mapping(task['mappings'])) == (before, [])


def test_a_new_collection():
    after, refusals = S.collection_after({}, M.desired_mapping(MAPPING_RESULT), {'number_of_replicas': '0'},
                                         {'fields': {'name': {'type': 'string'}}})
    assert refusals == []
    assert after == {'mappings': MAPPING_RESULT, 'settings': {'number_of_replicas': '0'},
                     'specifications': {'fields': {'name': {'type': 'string'}}}}
    assert S.summarize_collection('shop/orders', {}, after) == (
        'collection shop/orders created with field name; dynamic strict; setting number_of_replicas; '
        'validation specifications')
    assert S.summarize_collection('shop/orders', {}, {'mappings': {'properties': {}}}) == 'collection shop/orders created'


def test_an_existing_collection():
    before = S.collection_before(MAPPING_RESULT, SETTINGS_RESULT, ('number_of_replicas', 'refresh_interval'), None)
    assert before == {'mappings': MAPPING_RESULT, 'settings': {'number_of_replicas': '1', 'refresh_interval': None}}
    desired = M.desired_mapping({'properties': {'qty': {'type': 'integer'}}})
    after, refusals = S.collection_after(before, desired, {'number_of_replicas': '2', 'refresh_interval': '5s'},
                                         where='collection shop/orders')
    assert refusals == []
    assert S.summarize_collection('shop/orders', before, after) == (
        'collection shop/orders: field qty added; setting number_of_replicas: 1 -> 2; setting refresh_interval: unset -> 5s')
    assert S.settings_body(before['settings'], after['settings']) == {'number_of_replicas': '2', 'refresh_interval': '5s'}
    same, _refusals = S.collection_after(before, M.desired_mapping(MAPPING_RESULT), {'number_of_replicas': '1'})
    assert S.summarize_collection('shop/orders', dict(before, settings={'number_of_replicas': '1'}), same) == (
        'collection shop/orders unchanged')


def test_refusals_of_an_existing_collection_come_together():
    before = S.collection_before(MAPPING_RESULT, SETTINGS_RESULT, ('number_of_shards',))
    after, refusals = S.collection_after(before, M.desired_mapping({'properties': {'name': {'type': 'long'}}}),
                                         {'number_of_shards': '3'}, where='collection shop/orders')
    assert [r.split(':')[1].strip() for r in refusals] == [
        'field name is stored as keyword and the task asks long', 'number_of_shards is 1 and the task asks 3']
    assert after['mappings'] == MAPPING_RESULT


def test_specifications_are_replaced_whole():
    before = S.collection_before(MAPPING_RESULT, specifications={'strict': True})
    after = S.collection_after(before, {}, specifications={'strict': False})[0]
    assert S.summarize_collection('s/o', before, after) == 'collection s/o: validation specifications replaced'


@pytest.mark.parametrize('existed, wanted, collections, words', [
    (False, True, (), 'index shop created'), (True, True, (), 'index shop present'), (False, False, (), 'index shop absent'),
    (True, False, ('b', 'a'), 'index shop deleted, with collections a, b and their documents'),
    (True, False, (), 'index shop deleted'),
])
def test_index_summaries(existed, wanted, collections, words):
    assert S.summarize_index('shop', existed, wanted, collections) == words


def test_deleted_and_absent_collections():
    assert S.summarize_collection('s/o', {'mappings': {}}, {}) == 'collection s/o deleted, with its documents'
    assert S.summarize_collection('s/o', {}, {}) == 'collection s/o is absent'


def test_exported_settings_are_those_a_definition_can_give_and_apply_as_no_change():
    stored = {'number_of_shards': '2', 'number_of_replicas': '0', 'refresh_interval': '5s', 'uuid': 'u1',
              'creation_date': '1700000000000', 'provided_name': '&shop.orders', 'version': {'created': '7172699'},
              'routing': {'allocation': {'include': {'_tier_preference': 'data_content'}}},
              'analysis': {'analyzer': {'folded': {'type': 'custom', 'tokenizer': 'standard',
                                                   'filter': ['lowercase', 'asciifolding']}}}}
    exported = S.export_settings(stored)
    assert exported == {'number_of_shards': '2', 'number_of_replicas': '0', 'refresh_interval': '5s',
                        'analysis': stored['analysis']}
    definition = {'shop': {'orders': {'mappings': {'dynamic': 'false'}, 'settings': exported}}}
    assert S.definition_problems(definition) == []
    task = S.normalize_definition(definition)['shop']['orders']
    flat = S.flatten_settings(task['settings'])
    before = S.collection_before({'dynamic': 'false', 'properties': {}}, stored, sorted(flat))
    assert S.collection_after(before, M.desired_mapping(task['mappings']), flat) == (before, [])
    assert S.export_settings(None) == {}
