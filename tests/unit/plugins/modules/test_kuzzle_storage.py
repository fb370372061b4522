# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""kuzzle_storage and kuzzle_storage_info: the exact requests and decisions, against Kuzzle answers mocked at the
transport (shapes from tests/contract/test_storage_*.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import responses

from ansible_collections.community.kuzzle.plugins.modules import kuzzle_storage, kuzzle_storage_info
from ansible_collections.community.kuzzle.tests.unit.plugins.modules.utils import URL, body_of, calls, envelope, kuzzle_error

ORDERS = {'dynamic': 'strict', 'properties': {'ref': {'type': 'keyword'}}}


def answer(result, action, controller='collection'):
    return envelope(result, action=action, controller=controller)


def add_indexes(mocked, names):
    mocked.add(responses.GET, URL + '/_list', json=answer({'indexes': names}, 'list', 'index'))


def add_collections(mocked, index, names):
    mocked.add(responses.GET, '%s/%s/_list' % (URL, index), json=answer(
        {'collections': [{'name': name, 'type': 'stored'} for name in names], 'type': 'all'}, 'list'))


def add_mapping(mocked, index, collection, mapping):
    mocked.add(responses.GET, '%s/%s/%s/_mapping' % (URL, index, collection), json=answer(
        dict(mapping, properties=dict(mapping.get('properties', {}), _kuzzle_info={'properties': {}})), 'getMapping'))


def test_unchanged_costs_one_read_per_index_and_per_collection(run_module, kuzzle_http):
    add_indexes(kuzzle_http, ['shop', 'other'])
    add_collections(kuzzle_http, 'shop', ['orders', 'carts', 'unlisted'])
    add_mapping(kuzzle_http, 'shop', 'orders', dict(ORDERS, properties={'ref': {'type': 'keyword'}, 'more': {'type': 'long'}}))
    add_mapping(kuzzle_http, 'shop', 'carts', {'dynamic': 'false'})
    failed, result = run_module(kuzzle_storage.main, dict(indexes={'shop': {'orders': ORDERS, 'carts': {}}}), diff=True)
    assert not failed, result
    assert calls(kuzzle_http) == [('GET', '/_list'), ('GET', '/shop/_list'), ('GET', '/shop/carts/_mapping'),
                                  ('GET', '/shop/orders/_mapping')]
    assert (result['changed'], result['operations'], result['diff']) == (False, [], [])
    assert result['msg'] == 'indexes: 1 unchanged; collections: 2 unchanged'


def test_creates_and_updates_only_what_differs(run_module, kuzzle_http):
    add_indexes(kuzzle_http, ['shop'])
    add_collections(kuzzle_http, 'shop', ['orders', 'carts'])
    add_mapping(kuzzle_http, 'shop', 'orders', ORDERS)
    add_mapping(kuzzle_http, 'shop', 'carts', {'dynamic': 'false'})
    kuzzle_http.add(responses.GET, URL + '/shop/carts/_settings', json=answer({'number_of_replicas': '1'}, 'getSettings'))
    kuzzle_http.add(responses.POST, URL + '/shop/orders', json=answer(None, 'update'))
    kuzzle_http.add(responses.PUT, URL + '/shop/logs', json=answer({'acknowledged': True}, 'create'))
    kuzzle_http.add(responses.PUT, URL + '/logs/events', json=answer({'acknowledged': True}, 'create'))
    kuzzle_http.add(responses.POST, URL + '/archive/_create', json=answer(None, 'create', 'index'))
    definition = {'shop': {'orders': {'properties': {'total': {'type': 'float'}}},
                           'carts': {'settings': {'number_of_replicas': 1}},  # the {mappings, settings} shape
                           'logs': None},
                  'logs': {'events': {'_meta': {'v': 1}}},
                  'archive': {}}
    for check in (True, False):
        kuzzle_http.calls.reset()
        failed, result = run_module(kuzzle_storage.main, dict(indexes=definition), check=check, diff=True)
        assert not failed, result
        assert result['msg'] == 'indexes: 2 created, 1 unchanged; collections: 2 created, 1 updated, 1 unchanged'
        assert result['operations'] == [
            {'index': 'archive', 'action': 'create', 'msg': 'index archive created'},
            {'index': 'logs', 'collection': 'events', 'action': 'create',
             'msg': 'collection logs/events created; index logs created'},
            {'index': 'shop', 'collection': 'logs', 'action': 'create', 'msg': 'collection shop/logs created'},
            {'index': 'shop', 'collection': 'orders', 'action': 'update', 'msg': 'collection shop/orders: field total added'}]
        assert [d['before_header'] for d in result['diff']] == [
            'index archive (absent)', 'collection logs/events (absent)', 'collection shop/logs (absent)',
            'collection shop/orders (stored in Kuzzle)']
        reads = [('GET', '/_list'), ('GET', '/shop/_list'), ('GET', '/shop/carts/_mapping'), ('GET', '/shop/carts/_settings'),
                 ('GET', '/shop/orders/_mapping')]
        writes = [('POST', '/archive/_create'), ('PUT', '/logs/events'), ('PUT', '/shop/logs'), ('POST', '/shop/orders')]
        assert calls(kuzzle_http) == reads + ([] if check else writes)
    assert body_of(kuzzle_http.calls[-1]) == {'mappings': {'properties': {'total': {'type': 'float'}}}}
    assert body_of(kuzzle_http.calls[-3]) == {'mappings': {'_meta': {'v': 1}}}


def test_every_refusal_is_listed_before_any_write(run_module, kuzzle_http):
    add_indexes(kuzzle_http, ['shop'])
    add_collections(kuzzle_http, 'shop', ['orders', 'carts'])
    add_mapping(kuzzle_http, 'shop', 'orders', ORDERS)
    add_mapping(kuzzle_http, 'shop', 'carts', {'properties': {'n': {'type': 'long'}}})
    failed, result = run_module(kuzzle_storage.main, dict(indexes={'new': {'c': {}}, 'shop': {
        'orders': {'properties': {'ref': {'type': 'long'}}}, 'carts': {'properties': {'n': {'type': 'text'}}}}}))
    assert failed
    assert result['msg'] == (
        'Nothing written: collection shop/carts: Kuzzle would refuse it (400 services.storage.unexpected_bad_request): '
        'field n is stored as long and the task asks text: Elasticsearch cannot change this on an existing field: create a '
        'new collection with the new mapping and reindex the documents into it; collection shop/orders: Kuzzle would '
        'refuse it (400 services.storage.unexpected_bad_request): field ref is stored as keyword and the task asks long: '
        'Elasticsearch cannot change this on an existing field: create a new collection with the new mapping and reindex '
        'the documents into it')
    assert (result['error_id'], result['status']) == ('services.storage.unexpected_bad_request', 400)
    assert all(method == 'GET' for method, _path in calls(kuzzle_http))


def test_an_invalid_definition_fails_before_any_request(run_module, kuzzle_http):
    failed, result = run_module(kuzzle_storage.main, dict(indexes={'Shop': {'c': {'properties': {'a': 'keyword'}}}, 'kuzzle': {}}))
    assert failed and result['msg'].startswith('Invalid storage definition: indexes: index "Shop": names must be lowercase')
    assert 'indexes.Shop.c.properties.a must be a dict' in result['msg']
    assert "\"kuzzle\" is Kuzzle's own internal index" in result['msg']
    assert not kuzzle_http.calls


def test_a_failed_write_says_what_was_applied(run_module, kuzzle_http):
    add_indexes(kuzzle_http, [])
    kuzzle_http.add(responses.PUT, URL + '/a/c', json=answer({'acknowledged': True}, 'create'))
    kuzzle_http.add(responses.PUT, URL + '/b/c', status=400, json=kuzzle_error(
        'services.storage.unexpected_bad_request', 400, 'No handler for type [strin] declared on field [x]', action='create'))
    failed, result = run_module(kuzzle_storage.main, dict(indexes={'a': {'c': {}}, 'b': {'c': {'properties': {'x': {'type': 'strin'}}}}}))
    assert failed and result['changed'] is True
    assert result['applied'] == [{'index': 'a', 'collection': 'c', 'action': 'create', 'msg': 'collection a/c created; index a created'}]
    assert result['msg'] == ('Could not create collection "c" of index "b": Kuzzle answered 400 services.storage.unexpected_bad_request: '
                             'No handler for type [strin] declared on field [x]')


def test_an_index_another_client_created_meanwhile_is_not_a_change(run_module, kuzzle_http):
    # forks of one play converging one definition: the loser's index:create gets Kuzzle's 412
    add_indexes(kuzzle_http, [])
    kuzzle_http.add(responses.POST, URL + '/archive/_create', status=412, json=kuzzle_error(
        'services.storage.index_already_exists', 412, 'A public index named "archive" already exists', action='create'))
    kuzzle_http.add(responses.POST, URL + '/logs/_create', json=answer(None, 'create', 'index'))
    failed, result = run_module(kuzzle_storage.main, dict(indexes={'archive': {}, 'logs': {}}), diff=True)
    assert not failed, result
    assert result['changed'] is True and result['msg'] == 'indexes: 1 created, 1 unchanged; collections: none'
    assert result['operations'] == [{'index': 'logs', 'action': 'create', 'msg': 'index logs created'}]
    assert [d['before_header'] for d in result['diff']] == ['index logs (absent)']
    kuzzle_http.calls.reset()
    kuzzle_http.replace(responses.POST, URL + '/logs/_create', status=412, json=kuzzle_error(
        'services.storage.index_already_exists', 412, 'A public index named "logs" already exists', action='create'))
    failed, result = run_module(kuzzle_storage.main, dict(indexes={'archive': {}, 'logs': {}}), diff=True)
    assert not failed and result['changed'] is False and result['operations'] == [] and result['diff'] == [], result
    assert result['msg'] == 'indexes: 2 unchanged; collections: none'


def test_info_exports_the_load_mappings_shape(run_module, kuzzle_http):
    add_indexes(kuzzle_http, ['shop', 'empty'])
    add_collections(kuzzle_http, 'empty', [])
    add_collections(kuzzle_http, 'shop', ['orders', 'carts'])
    add_mapping(kuzzle_http, 'shop', 'carts', {'dynamic': 'false'})
    add_mapping(kuzzle_http, 'shop', 'orders', dict(ORDERS, _meta={'v': 1}))
    failed, result = run_module(kuzzle_storage_info.main, {})
    assert not failed, result
    assert result['indexes'] == {'empty': {}, 'shop': {'carts': {'dynamic': 'false'}, 'orders': dict(ORDERS, _meta={'v': 1})}}
    assert (result['missing'], result['msg'], result['changed']) == ([], '2 indexes, 2 collections', False)
    kuzzle_http.calls.reset()
    failed, result = run_module(kuzzle_storage_info.main, dict(indexes=['nope', 'empty', 'empty']))
    assert not failed and result['indexes'] == {'empty': {}} and result['missing'] == ['nope']
    assert result['msg'] == '1 index, 0 collections, 1 missing: nope'
    assert calls(kuzzle_http) == [('GET', '/_list'), ('GET', '/empty/_list')]


def test_info_exports_settings_when_asked(run_module, kuzzle_http):
    add_indexes(kuzzle_http, ['shop'])
    add_collections(kuzzle_http, 'shop', ['carts'])
    add_mapping(kuzzle_http, 'shop', 'carts', {'dynamic': 'false'})
    kuzzle_http.add(responses.GET, URL + '/shop/carts/_settings', json=answer(
        {'number_of_shards': '1', 'number_of_replicas': '1', 'uuid': 'x', 'provided_name': '&shop.carts',
         'routing': {'allocation': {'include': {'_tier_preference': 'data_content'}}}}, 'getSettings'))
    failed, result = run_module(kuzzle_storage_info.main, dict(settings=True))
    assert not failed, result
    assert result['indexes'] == {'shop': {'carts': {'mappings': {'dynamic': 'false'},
                                                    'settings': {'number_of_shards': '1', 'number_of_replicas': '1'}}}}
    assert calls(kuzzle_http)[-1] == ('GET', '/shop/carts/_settings')
