# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks / desired form / merge plan / write body / summary of collection mappings.

The hypothesis properties use the test server's model of Elasticsearch 7.17's mapping rules
(tests/kuzzle/es_mapping.py, written separately and pinned by its own tests) as the oracle:
what the module sends, merged the way Elasticsearch merges it, must give exactly the ``after``
the module predicted, and a change the module refuses must be one Elasticsearch refuses.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import os
import sys

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from ansible_collections.community.kuzzle.plugins.module_utils import _mapping as M

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', 'kuzzle'))
import es_errors  # noqa: E402 pylint: disable=wrong-import-position,import-error
import es_mapping  # noqa: E402 pylint: disable=wrong-import-position,import-error

NAMES = st.sampled_from(['a', 'b', 'c'])
LEAF_PARAMS = {
    'keyword': {'ignore_above': st.sampled_from([10, 256, '256']), 'index': st.booleans(), 'doc_values': st.booleans(),
                'null_value': st.just('none'), 'norms': st.booleans(), 'eager_global_ordinals': st.booleans()},
    'text': {'analyzer': st.sampled_from(['standard', 'english']), 'fielddata': st.booleans(), 'norms': st.booleans(),
             'index_phrases': st.booleans()},
    'long': {'coerce': st.sampled_from([True, False, 'false']), 'ignore_malformed': st.booleans(), 'index': st.booleans(),
             'null_value': st.just(0)},
    'date': {'format': st.sampled_from(['yyyy', 'strict_date_optional_time||epoch_millis']), 'ignore_malformed': st.booleans()},
    'boolean': {'store': st.booleans(), 'meta': st.just({'unit': 'none'})},
}


@st.composite
def leaf(draw, multi_field=False):
    ftype = draw(st.sampled_from(sorted(LEAF_PARAMS)))
    params = LEAF_PARAMS[ftype]
    node = {'type': ftype}
    for key in draw(st.lists(st.sampled_from(sorted(params)), max_size=3, unique=True)):
        node[key] = draw(params[key])
    if not multi_field and ftype in ('text', 'keyword') and draw(st.booleans()):
        node['fields'] = draw(st.dictionaries(st.sampled_from(['raw', 'en']), leaf(multi_field=True), max_size=2))
    if draw(st.integers(0, 5)) == 0:
        node['copy_to'] = draw(st.sampled_from(['all', ['all', 'other']]))
    return node


def obj(children):
    @st.composite
    def build(draw):
        kind = draw(st.sampled_from(['object', 'object', 'nested', None]))
        node = {'properties': draw(st.dictionaries(NAMES, children, max_size=3))}
        if kind:
            node['type'] = kind
        if kind == 'nested' and draw(st.integers(0, 3)) == 0:
            # Kuzzle refuses the flag next to properties
            node = {'type': 'nested', 'include_in_parent': draw(st.booleans())}
        if draw(st.booleans()):
            node['dynamic'] = draw(st.sampled_from([True, 'false', 'strict']))
        return node
    return build()


FIELD = st.recursive(leaf(), obj, max_leaves=6)
MAPPING = st.fixed_dictionaries({'properties': st.dictionaries(NAMES, FIELD, max_size=3)}, optional={
    'dynamic': st.sampled_from([True, False, 'true', 'false', 'strict']),
    '_meta': st.sampled_from([{'v': 1}, {'v': 2, 'owner': 'shop'}]),
})


def es_stored(mapping):
    """What getMapping answers for a collection created with ``mapping`` (the stand-in's model)."""
    return M.stored_mapping(es_mapping.render(es_mapping.parse(mapping)))


def es_merge(stored, body):
    """``stored`` after Elasticsearch merges ``body`` into it, or None when it refuses it."""
    try:
        return M.stored_mapping(es_mapping.merge(stored, es_mapping.parse(body)))
    except es_errors.EsError:
        return None


def field_paths(properties, prefix=''):
    paths = set()
    for name, field in properties.items():
        paths.add(prefix + name)
        paths |= field_paths(field.get('properties') or {}, prefix + name + '.')
        paths |= set('%s%s.fields.%s' % (prefix, name, sub) for sub in field.get('fields') or {})
    return paths


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(MAPPING, MAPPING)
def test_what_is_sent_gives_the_predicted_mapping(stored_task, task):
    assert M.mapping_problems(task) == []
    before = es_stored(stored_task)
    after, refusals = M.plan(before, M.desired_mapping(task))
    if refusals:
        # refused before any write: and Elasticsearch would refuse the task's mapping too
        assert es_merge(before, task) is None
        return
    body = M.update_body(before, after)
    assert (body is None) == (after == before)
    merged = before if body is None else es_merge(before, body)
    assert merged == after
    # applying it again changes nothing, and nothing stored was lost
    assert M.plan(after, M.desired_mapping(task)) == (after, [])
    assert field_paths(before['properties']) <= field_paths(after['properties'])


@settings(max_examples=150)
@given(MAPPING)
def test_an_export_applied_again_changes_nothing(task):
    stored = es_stored(task)
    exported = copy.deepcopy(stored)
    assert M.mapping_problems(exported) == []
    assert M.plan(stored, M.desired_mapping(exported)) == (stored, [])
    # and applied to an empty collection gives the same stored mapping
    assert M.plan({}, M.desired_mapping(exported))[0] == stored
    # Elasticsearch reads its own stored form back as the same mapping
    assert es_merge(M.stored_mapping({}), exported) == stored


@settings(max_examples=150)
@given(MAPPING)
def test_a_new_collection_gets_what_elasticsearch_stores(task):
    after, refusals = M.plan({}, M.desired_mapping(task))
    assert refusals == []
    assert after == dict(es_stored(task))


STORED = M.stored_mapping({
    'dynamic': 'false', '_meta': {'owner': 'shop'},
    'properties': {
        '_kuzzle_info': {'properties': {'author': {'type': 'keyword'}}},
        'name': {'type': 'text', 'fields': {'raw': {'type': 'keyword', 'ignore_above': 256}}},
        'price': {'type': 'float'},
        'flags': {'type': 'keyword', 'index': False},
        'address': {'properties': {'city': {'type': 'keyword'}}},
        'lines': {'type': 'nested', 'include_in_parent': True, 'properties': {'n': {'type': 'long'}}},
    }})


def plan(task):
    return M.plan(STORED, M.desired_mapping(task))


def test_stored_form_drops_kuzzle_meta_and_keeps_properties():
    assert '_kuzzle_info' not in STORED['properties']
    assert M.stored_mapping({'dynamic': 'false'}) == {'dynamic': 'false', 'properties': {}}
    assert M.stored_mapping({'dynamic': 'strict', '_meta': None, 'properties': None}) == {'dynamic': 'strict', 'properties': {}}


def test_a_subset_of_the_stored_fields_is_no_change():
    for task in ({}, {'properties': {'price': {'type': 'float'}}},
                 {'properties': {'name': {'type': 'text'}}},  # its multi-field and parameters not named: kept
                 {'properties': {'name': {'type': 'text', 'fields': {'raw': {'type': 'keyword'}}}}},
                 {'properties': {'flags': {'type': 'keyword', 'index': 'false', 'doc_values': True}}},  # a default
                 {'properties': {'address': {'type': 'object', 'properties': {}}}},
                 {'dynamic': False, '_meta': {'owner': 'shop'}},
                 {'properties': {'address.city': {'type': 'keyword'}}}):
        assert plan(task) == (STORED, []), task
        assert M.update_body(STORED, plan(task)[0]) is None


def test_dynamic_and_meta_only_when_given():
    after, refusals = plan({'dynamic': 'strict'})
    assert refusals == [] and after['dynamic'] == 'strict' and after['_meta'] == {'owner': 'shop'}
    assert M.update_body(STORED, after) == {'dynamic': 'strict'}
    after = plan({'_meta': {'team': 'a'}})[0]
    assert after['_meta'] == {'team': 'a'}  # replaced whole, as Elasticsearch does
    assert M.changes(STORED, after) == ['_meta replaced']


def test_additions_are_sent_alone():
    after, refusals = plan({'properties': {'qty': {'type': 'integer'}, 'address': {'properties': {'zip': {'type': 'keyword'}}},
                                           'name': {'type': 'text', 'fields': {'en': {'type': 'text', 'analyzer': 'english'}}}}})
    assert refusals == []
    assert M.update_body(STORED, after) == {'properties': {
        'address': {'type': 'object', 'properties': {'zip': {'type': 'keyword'}}},
        # a changed field is sent whole: its other multi-field and its parameters stay as stored
        'name': {'type': 'text', 'fields': {'raw': {'type': 'keyword', 'ignore_above': 256},
                                            'en': {'type': 'text', 'analyzer': 'english'}}},
        'qty': {'type': 'integer'}}}
    assert M.changes(STORED, after) == ['field qty added', 'field address.zip added', 'field name: multi-field en added']


def test_a_nested_object_is_sent_with_its_flags():
    after = plan({'properties': {'lines': {'type': 'nested', 'include_in_parent': True, 'dynamic': 'strict'}}})[0]
    assert M.update_body(STORED, after) == {'properties': {'lines': {'type': 'nested', 'include_in_parent': True,
                                                                     'dynamic': 'strict'}}}
    # Elasticsearch needs the flag in an update, and Kuzzle refuses it next to properties
    assert plan({'properties': {'lines': {'type': 'nested', 'properties': {'m': {'type': 'keyword'}}}}})[1] == [
        'field lines: Kuzzle cannot add or change properties of a nested field with include_in_parent']


@pytest.mark.parametrize('task, message', [
    ({'properties': {'price': {'type': 'keyword'}}}, 'field price is stored as float and the task asks keyword'),
    ({'properties': {'name': {'type': 'text', 'fields': {'raw': {'type': 'long'}}}}},
     'field name.raw is stored as keyword and the task asks long'),
    ({'properties': {'address': {'type': 'keyword'}}}, 'field address is stored as object and the task asks keyword'),
    ({'properties': {'address': {'type': 'nested'}}}, 'field address is stored as object and the task asks nested'),
    ({'properties': {'address': {'properties': {'city': {'type': 'date'}}}}},
     'field address.city is stored as keyword and the task asks date'),
    ({'properties': {'flags': {'type': 'keyword', 'index': True}}}, 'field flags: index is false and the task asks true'),
    ({'properties': {'lines': {'type': 'nested', 'include_in_parent': False}}},
     'field lines: include_in_parent is true and the task asks false'),
])
def test_refusals_name_the_field_and_both_definitions(task, message):
    after, refusals = plan(task)
    assert refusals == [message + ': ' + M.REINDEX_ADVICE]
    assert after == STORED  # the refused field is left as stored


def test_every_refusal_is_reported_at_once():
    refusals = plan({'properties': {'price': {'type': 'long'}, 'flags': {'type': 'text'}}})[1]
    assert [r.split(':')[0] for r in refusals] == ['field flags is stored as keyword and the task asks text',
                                                   'field price is stored as float and the task asks long']


def test_updateable_parameters_change_and_others_do_not():
    raw = {'type': 'keyword', 'ignore_above': 512}
    after, refusals = plan({'properties': {'name': {'type': 'text', 'fielddata': True, 'fields': {'raw': raw}}}})
    assert refusals == []
    assert after['properties']['name'] == {'type': 'text', 'fielddata': True,
                                           'fields': {'raw': {'type': 'keyword', 'ignore_above': 512}}}
    assert M.changes(STORED, after) == ['field name: fielddata, fields.raw changed']
    assert plan({'properties': {'name': {'type': 'text', 'analyzer': 'english'}}})[1]  # analyzer cannot change


@pytest.mark.parametrize('task, problem', [
    ([], 'mappings must be a dict'),
    ({'mappings': {}}, 'mappings: key "mappings" is not a mapping key'),
    ({'dynamic': 'yes'}, "mappings: dynamic must be true, false or \"strict\" (Kuzzle refuses 'yes')"),
    ({'dynamic': 'runtime'}, 'mappings: dynamic must be true, false or "strict"'),
    ({'properties': {'a': 'keyword'}}, 'mappings.properties.a must be a dict with a type'),
    ({'properties': {'a': {'index': False}}}, 'mappings.properties.a has no type'),
    ({'properties': {'o': {'properties': {}, 'enabled': False}}}, 'mappings.properties.o: key "enabled" is refused by Kuzzle'),
    ({'properties': {'o': {'properties': {}, '_meta': {}}}}, 'mappings.properties.o: key "_meta" is not a parameter of an object'),
    ({'properties': {'o': {'type': 'keyword', 'properties': {}}}}, 'mappings.properties.o: a field of type keyword cannot'),
    ({'properties': {'t': {'type': 'text', 'fields': {'s': {'properties': {}}}}}},
     'mappings.properties.t.fields.s: a multi-field cannot be an object'),
    ({'properties': {'k': {'type': 'keyword', 'ignore_above': 'many'}}}, 'mappings.properties.k: ignore_above must be an integer'),
    ({'properties': {'dynamic': {'type': 'keyword'}}}, 'mappings.properties.dynamic: Kuzzle cannot map a field named "dynamic"'),
    ({'properties': {'_kuzzle_info': {'type': 'keyword'}}}, "mappings.properties: _kuzzle_info is Kuzzle's own field"),
])
def test_problems(task, problem):
    problems = M.mapping_problems(task)
    assert len(problems) == 1 and problems[0].startswith(problem), problems


def test_desired_form_coerces_like_elasticsearch():
    given = {'type': 'keyword', 'ignore_above': '64', 'index': 'false', 'copy_to': 'all'}
    coerced = {'type': 'keyword', 'ignore_above': 64, 'index': False, 'copy_to': ['all']}
    assert M.desired_mapping({'dynamic': True, 'properties': {'a.b': given}}) == {
        'dynamic': 'true', 'properties': {'a': {'type': 'object', 'properties': {'b': coerced}}}}
