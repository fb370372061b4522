# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""kuzzle_collection, kuzzle_index and kuzzle_user_mapping: the exact requests and decisions, against Kuzzle answers mocked at the transport
(shapes from tests/contract/test_storage_*.py). The behaviour against a real Kuzzle is in tests/integration."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
import responses

from ansible_collections.community.kuzzle.plugins.module_utils import _collections
from ansible_collections.community.kuzzle.plugins.modules import kuzzle_collection, kuzzle_index, kuzzle_user_mapping
from ansible_collections.community.kuzzle.tests.unit.plugins.modules.utils import URL, body_of, calls, envelope, kuzzle_error

COLL = URL + '/shop/orders'
STORED = {'dynamic': 'strict', 'properties': {'ref': {'type': 'keyword'}, 'price': {'type': 'float'},
                                              '_kuzzle_info': {'properties': {'author': {'type': 'keyword'}}}}}
MAPPINGS = {'dynamic': 'strict', 'properties': {'ref': {'type': 'keyword'}}}
UNKNOWN_COLLECTION = kuzzle_error('services.storage.unknown_collection', 412, 'Collection "orders" does not exist',
                                  action='getMapping')


def answer(result, action, controller='collection'):
    return envelope(result, action=action, controller=controller)


def add_mapping(mocked, stored=None):
    mocked.add(responses.GET, COLL + '/_mapping', json=answer(stored or STORED, 'getMapping'))


def task(**options):
    args = dict(index='shop', name='orders', token='tok')
    args.update(options)
    return args


def test_unchanged_costs_one_read(run_module, kuzzle_http):
    add_mapping(kuzzle_http)
    failed, result = run_module(kuzzle_collection.main, task(mappings=MAPPINGS), diff=True)
    assert not failed, result
    assert (result['changed'], result['msg'], result['requests']) == (False, 'collection shop/orders unchanged', [])
    assert calls(kuzzle_http) == [('GET', '/shop/orders/_mapping')]
    assert result['diff']['before'] == result['diff']['after'] == result['collection']
    assert '_kuzzle_info' not in result['collection']['mappings']['properties']


def test_an_added_field_sends_only_that_field(run_module, kuzzle_http):
    add_mapping(kuzzle_http)
    kuzzle_http.add(responses.POST, COLL, json=answer(None, 'update'))
    wanted = {'properties': {'ref': {'type': 'keyword'}, 'name': {'type': 'text', 'fields': {'raw': {'type': 'keyword'}}}}}
    failed, result = run_module(kuzzle_collection.main, task(mappings=wanted))
    assert not failed, result
    assert calls(kuzzle_http) == [('GET', '/shop/orders/_mapping'), ('POST', '/shop/orders')]
    assert body_of(kuzzle_http.calls[1]) == {'mappings': {'properties': {
        'name': {'type': 'text', 'fields': {'raw': {'type': 'keyword'}}}}}}
    assert result['msg'] == 'collection shop/orders: field name added'
    assert result['requests'] == ['collection:update']
    assert sorted(result['collection']['mappings']['properties']) == ['name', 'price', 'ref']


@pytest.mark.parametrize('check', [True, False])
def test_a_retype_is_refused_before_any_write(run_module, kuzzle_http, check):
    add_mapping(kuzzle_http)
    wanted = {'properties': {'price': {'type': 'keyword'}, 'new': {'type': 'long'}}}
    failed, result = run_module(kuzzle_collection.main, task(mappings=wanted), check=check)
    assert failed
    assert calls(kuzzle_http) == [('GET', '/shop/orders/_mapping')]
    assert result['msg'] == (
        'Nothing written: collection shop/orders: Kuzzle would refuse it (400 services.storage.unexpected_bad_request): '
        'field price is stored as float and the task asks keyword: Elasticsearch cannot change this on an existing '
        'field: create a new collection with the new mapping and reindex the documents into it')
    assert (result['error_id'], result['status'], result['changed']) == ('services.storage.unexpected_bad_request', 400, False)


def test_a_new_collection_in_a_new_index_with_zero_replicas(run_module, kuzzle_http):
    kuzzle_http.add(responses.GET, COLL + '/_mapping', json=UNKNOWN_COLLECTION, status=412)
    kuzzle_http.add(responses.GET, URL + '/shop/_exists', json=answer(False, 'exists', 'index'))
    kuzzle_http.add(responses.PUT, COLL, json=answer({'acknowledged': True}, 'create'))
    kuzzle_http.add(responses.POST, COLL, json=answer(None, 'update'))
    failed, result = run_module(kuzzle_collection.main, task(mappings=MAPPINGS, settings={
        'number_of_replicas': 0, 'index': {'refresh_interval': '2s'}}), diff=True)
    assert not failed, result
    assert calls(kuzzle_http) == [('GET', '/shop/orders/_mapping'), ('GET', '/shop/_exists'), ('PUT', '/shop/orders'),
                                  ('POST', '/shop/orders')]
    assert body_of(kuzzle_http.calls[2]) == {'mappings': MAPPINGS, 'settings': {'refresh_interval': '2s'}}
    assert body_of(kuzzle_http.calls[3]) == {'settings': {'number_of_replicas': '0'}}
    assert result['msg'] == ('collection shop/orders created with field ref; dynamic strict; settings number_of_replicas, '
                             'refresh_interval; index shop created')
    assert result['diff']['before'] == {} and result['diff']['before_header'] == 'collection shop/orders (absent)'
    assert result['requests'] == ['collection:create', 'collection:update']


def test_a_cluster_node_that_does_not_know_the_new_collection_yet_is_waited_for(run_module, kuzzle_http, monkeypatch):
    """The update after the creation reaches a node of a cluster that has not learnt of the collection yet
    (tests/cluster/test_cross_node_storage.py): sent again once it does, twice at most."""
    waits = []
    monkeypatch.setattr(_collections.time, 'sleep', waits.append)
    kuzzle_http.add(responses.GET, COLL + '/_mapping', json=UNKNOWN_COLLECTION, status=412)
    kuzzle_http.add(responses.GET, URL + '/shop/_exists', json=answer(True, 'exists', 'index'))
    kuzzle_http.add(responses.PUT, COLL, json=answer({'acknowledged': True}, 'create'))
    kuzzle_http.add(responses.POST, COLL, json=dict(UNKNOWN_COLLECTION, action='update'), status=412)
    kuzzle_http.add(responses.POST, COLL, json=answer(None, 'update'))
    failed, result = run_module(kuzzle_collection.main, task(mappings=MAPPINGS, settings={'number_of_replicas': 0}))
    assert not failed, result
    assert calls(kuzzle_http)[2:] == [('PUT', '/shop/orders'), ('POST', '/shop/orders'), ('POST', '/shop/orders')]
    assert waits == [_collections.NEW_COLLECTION_WAITS[0]]
    assert result['requests'] == ['collection:create', 'collection:update']


def test_a_new_collection_that_stays_unknown_fails_after_two_waits(run_module, kuzzle_http, monkeypatch):
    waits = []
    monkeypatch.setattr(_collections.time, 'sleep', waits.append)
    kuzzle_http.add(responses.GET, COLL + '/_mapping', json=UNKNOWN_COLLECTION, status=412)
    kuzzle_http.add(responses.GET, URL + '/shop/_exists', json=answer(True, 'exists', 'index'))
    kuzzle_http.add(responses.PUT, COLL, json=answer({'acknowledged': True}, 'create'))
    for dummy in range(3):
        kuzzle_http.add(responses.POST, COLL, json=dict(UNKNOWN_COLLECTION, action='update'), status=412)
    failed, result = run_module(kuzzle_collection.main, task(mappings=MAPPINGS, settings={'number_of_replicas': 0}))
    assert failed and result['error_id'] == 'services.storage.unknown_collection' and result['changed'] is True
    assert waits == list(_collections.NEW_COLLECTION_WAITS) and len(kuzzle_http.calls) == 6


def test_an_update_of_an_existing_collection_is_not_sent_again(run_module, kuzzle_http, monkeypatch):
    """Only what follows the task's own creation is waited for: a collection deleted meanwhile fails at once."""
    waits = []
    monkeypatch.setattr(_collections.time, 'sleep', waits.append)
    add_mapping(kuzzle_http)
    kuzzle_http.add(responses.POST, COLL, json=dict(UNKNOWN_COLLECTION, action='update'), status=412)
    failed, result = run_module(kuzzle_collection.main, task(mappings={'properties': {'new': {'type': 'long'}}}))
    assert failed and result['error_id'] == 'services.storage.unknown_collection'
    assert waits == [] and len(kuzzle_http.calls) == 2


def test_check_mode_of_a_new_collection_reads_only(run_module, kuzzle_http):
    kuzzle_http.add(responses.GET, COLL + '/_mapping', json=UNKNOWN_COLLECTION, status=412)
    kuzzle_http.add(responses.GET, URL + '/shop/_exists', json=answer(True, 'exists', 'index'))
    failed, result = run_module(kuzzle_collection.main, task(mappings=MAPPINGS), check=True)
    assert not failed and result['changed'] is True
    assert result['msg'] == 'collection shop/orders created with field ref; dynamic strict'
    assert calls(kuzzle_http) == [('GET', '/shop/orders/_mapping'), ('GET', '/shop/_exists')]


def test_create_index_false_refuses_a_missing_index(run_module, kuzzle_http):
    kuzzle_http.add(responses.GET, COLL + '/_mapping', json=UNKNOWN_COLLECTION, status=412)
    kuzzle_http.add(responses.GET, URL + '/shop/_exists', json=answer(False, 'exists', 'index'))
    failed, result = run_module(kuzzle_collection.main, task(mappings=MAPPINGS, create_index=False))
    assert failed and result['msg'].startswith('Nothing written: collection shop/orders: index "shop" does not exist')
    assert [c[0] for c in calls(kuzzle_http)] == ['GET', 'GET']


def test_settings_are_read_and_only_what_differs_is_written(run_module, kuzzle_http):
    add_mapping(kuzzle_http)
    kuzzle_http.add(responses.GET, COLL + '/_settings', json=answer(
        {'number_of_shards': '1', 'number_of_replicas': '1', 'refresh_interval': '1s', 'uuid': 'x'}, 'getSettings'))
    kuzzle_http.add(responses.POST, COLL, json=answer(None, 'update'))
    failed, result = run_module(kuzzle_collection.main, task(settings={'number_of_replicas': 2, 'refresh_interval': '1s'}))
    assert not failed, result
    assert calls(kuzzle_http) == [('GET', '/shop/orders/_mapping'), ('GET', '/shop/orders/_settings'), ('POST', '/shop/orders')]
    assert body_of(kuzzle_http.calls[2]) == {'settings': {'number_of_replicas': '2'}}
    assert result['msg'] == 'collection shop/orders: setting number_of_replicas: 1 -> 2'


def test_a_final_setting_is_refused(run_module, kuzzle_http):
    add_mapping(kuzzle_http)
    kuzzle_http.add(responses.GET, COLL + '/_settings', json=answer({'number_of_shards': '1'}, 'getSettings'))
    failed, result = run_module(kuzzle_collection.main, task(settings={'number_of_shards': 2}))
    assert failed and 'number_of_shards is 1 and the task asks 2' in result['msg']
    assert len(kuzzle_http.calls) == 2


def test_specifications_are_checked_then_replaced(run_module, kuzzle_http):
    spec = {'strict': True, 'fields': {'price': {'type': 'numeric'}}}
    add_mapping(kuzzle_http)
    kuzzle_http.add(responses.GET, COLL + '/_specifications', json=kuzzle_error(
        'validation.assert.not_found', 404, 'No specifications', action='getSpecifications'), status=404)
    kuzzle_http.add(responses.POST, COLL + '/_validateSpecifications', json=answer({'valid': True}, 'validateSpecifications'))
    kuzzle_http.add(responses.PUT, COLL + '/_specifications', json=answer(spec, 'updateSpecifications'))
    failed, result = run_module(kuzzle_collection.main, task(specifications=spec))
    assert not failed, result
    assert calls(kuzzle_http) == [('GET', '/shop/orders/_mapping'), ('GET', '/shop/orders/_specifications'),
                                  ('POST', '/shop/orders/_validateSpecifications'), ('PUT', '/shop/orders/_specifications')]
    assert body_of(kuzzle_http.calls[3]) == spec
    assert result['msg'] == 'collection shop/orders: validation specifications set'


def test_invalid_specifications_are_refused_in_check_mode(run_module, kuzzle_http):
    add_mapping(kuzzle_http)
    kuzzle_http.add(responses.GET, COLL + '/_specifications', json=answer(
        {'index': 'shop', 'collection': 'orders', 'validation': {'strict': True}}, 'getSpecifications'))
    kuzzle_http.add(responses.POST, COLL + '/_validateSpecifications', json=answer(
        {'valid': False, 'description': 'Some errors', 'details': ['In "shop.orders.price": unknown type "nope".']},
        'validateSpecifications'))
    failed, result = run_module(kuzzle_collection.main, task(specifications={'fields': {'price': {'type': 'nope'}}}), check=True)
    assert failed and result['error_id'] == 'validation.assert.invalid_specifications'
    assert result['msg'].endswith('In "shop.orders.price": unknown type "nope".')


def test_empty_specifications_remove_them(run_module, kuzzle_http):
    add_mapping(kuzzle_http)
    kuzzle_http.add(responses.GET, COLL + '/_specifications', json=answer(
        {'index': 'shop', 'collection': 'orders', 'validation': {'strict': True}}, 'getSpecifications'))
    kuzzle_http.add(responses.DELETE, COLL + '/_specifications', json=answer({'acknowledged': True}, 'deleteSpecifications'))
    failed, result = run_module(kuzzle_collection.main, task(specifications={}))
    assert not failed, result
    assert calls(kuzzle_http)[-1] == ('DELETE', '/shop/orders/_specifications')
    assert result['msg'] == 'collection shop/orders: validation specifications removed'


def test_absent_deletes_and_says_the_documents_go(run_module, kuzzle_http):
    add_mapping(kuzzle_http)
    kuzzle_http.add(responses.DELETE, COLL, json=answer(None, 'delete'))
    failed, result = run_module(kuzzle_collection.main, task(state='absent'), diff=True)
    assert not failed, result
    assert calls(kuzzle_http) == [('GET', '/shop/orders/_mapping'), ('DELETE', '/shop/orders')]
    assert result['msg'] == 'collection shop/orders deleted, with its documents'
    assert result['diff']['after'] == {} and result['collection'] == {}


def test_absent_and_already_absent(run_module, kuzzle_http):
    kuzzle_http.add(responses.GET, COLL + '/_mapping', json=kuzzle_error(
        'services.storage.unknown_index', 412, 'no index', action='getMapping'), status=412)
    failed, result = run_module(kuzzle_collection.main, task(state='absent'))
    assert not failed and result['changed'] is False and result['msg'] == 'collection shop/orders is absent'


def test_a_collection_another_client_deleted_meanwhile_is_ok(run_module, kuzzle_http):
    add_mapping(kuzzle_http)
    kuzzle_http.add(responses.DELETE, COLL, status=412, json=kuzzle_error(
        'services.storage.unknown_collection', 412, 'Collection "orders" does not exist', action='delete'))
    failed, result = run_module(kuzzle_collection.main, task(state='absent'), diff=True)
    assert not failed and result['changed'] is False, result
    assert result['msg'] == 'collection shop/orders absent (deleted by another client meanwhile)'
    assert result['requests'] == [] and result['diff']['before'] == result['diff']['after'] == {}


@pytest.mark.parametrize('options, problem', [
    (dict(index='Shop'), 'index "Shop": names must be lowercase'),
    (dict(mappings={'properties': {'a': {'type': 'keyword'}}, 'dynamc': 'false'}), 'key "dynamc" is not a mapping key'),
    (dict(settings={'uuid': 'x'}), 'uuid is set by Elasticsearch itself'),
    (dict(state='absent', mappings={}), 'state=absent deletes the collection: mappings cannot be given with it'),
])
def test_invalid_tasks_fail_before_any_request(run_module, kuzzle_http, options, problem):
    failed, result = run_module(kuzzle_collection.main, task(**options))
    assert failed and problem in result['msg'], result['msg']
    assert not kuzzle_http.calls


def test_a_write_refused_by_kuzzle_says_what_was_written(run_module, kuzzle_http):
    add_mapping(kuzzle_http)
    kuzzle_http.add(responses.GET, COLL + '/_settings', json=answer({'number_of_replicas': '1'}, 'getSettings'))
    kuzzle_http.add(responses.POST, COLL, json=answer(None, 'update'))
    kuzzle_http.add(responses.POST, COLL, status=400, json=kuzzle_error(
        'services.storage.unexpected_bad_request', 400, 'No handler for type [strin] declared on field [x]', action='update'))
    failed, result = run_module(kuzzle_collection.main, task(settings={'number_of_replicas': 2},
                                                             mappings={'properties': {'x': {'type': 'strin'}}}))
    assert failed and result['requests'] == ['collection:update'] and result['changed'] is True
    assert 'No handler for type [strin]' in result['msg']


# -- kuzzle_index --------------------------------------------------------------------------------

def test_index_created_then_unchanged(run_module, kuzzle_http):
    kuzzle_http.add(responses.GET, URL + '/shop/_exists', json=answer(False, 'exists', 'index'))
    kuzzle_http.add(responses.POST, URL + '/shop/_create', json=answer(None, 'create', 'index'))
    failed, result = run_module(kuzzle_index.main, dict(name='shop'))
    assert not failed and result['changed'] is True and result['msg'] == 'index shop created'
    assert calls(kuzzle_http) == [('GET', '/shop/_exists'), ('POST', '/shop/_create')]
    kuzzle_http.calls.reset()
    kuzzle_http.replace(responses.GET, URL + '/shop/_exists', json=answer(True, 'exists', 'index'))
    kuzzle_http.add(responses.GET, URL + '/shop/_list', json=answer(
        {'collections': [{'name': 'b', 'type': 'stored'}, {'name': 'rt', 'type': 'realtime'}, {'name': 'a', 'type': 'stored'}],
         'type': 'all'}, 'list'))
    failed, result = run_module(kuzzle_index.main, dict(name='shop'))
    assert not failed and result['changed'] is False and result['index'] == {'collections': ['a', 'b']}
    assert calls(kuzzle_http) == [('GET', '/shop/_exists'), ('GET', '/shop/_list')]


def test_index_deleted_names_its_collections(run_module, kuzzle_http):
    kuzzle_http.add(responses.GET, URL + '/shop/_exists', json=answer(True, 'exists', 'index'))
    kuzzle_http.add(responses.GET, URL + '/shop/_list', json=answer({'collections': [{'name': 'orders', 'type': 'stored'}]}, 'list'))
    for check in (True, False):
        kuzzle_http.calls.reset()
        kuzzle_http.add(responses.DELETE, URL + '/shop', json=answer({'acknowledged': True}, 'delete', 'index'))
        failed, result = run_module(kuzzle_index.main, dict(name='shop', state='absent'), check=check, diff=True)
        assert not failed and result['changed'] is True
        assert result['msg'] == 'index shop deleted, with collection orders and their documents'
        assert result['diff']['before'] == {'collections': ['orders']} and result['diff']['after'] == {}
        assert [c[0] for c in calls(kuzzle_http)] == ['GET', 'GET'] + ([] if check else ['DELETE'])


def test_an_index_another_client_created_meanwhile_is_ok(run_module, kuzzle_http):
    # the race of several forks creating one index: the loser's index:create is refused with Kuzzle's 412
    kuzzle_http.add(responses.GET, URL + '/shop/_exists', json=answer(False, 'exists', 'index'))
    kuzzle_http.add(responses.POST, URL + '/shop/_create', status=412, json=kuzzle_error(
        'services.storage.index_already_exists', 412, 'A public index named "shop" already exists', action='create'))
    kuzzle_http.add(responses.GET, URL + '/shop/_list', json=answer({'collections': [{'name': 'orders', 'type': 'stored'}]}, 'list'))
    failed, result = run_module(kuzzle_index.main, dict(name='shop'), diff=True)
    assert not failed, result
    assert result['changed'] is False and result['msg'] == 'index shop present (created by another client meanwhile)'
    assert result['index'] == {'collections': ['orders']} and result['diff']['before'] == result['diff']['after']
    assert calls(kuzzle_http) == [('GET', '/shop/_exists'), ('POST', '/shop/_create'), ('GET', '/shop/_list')]


def test_an_index_another_client_deleted_meanwhile_is_ok(run_module, kuzzle_http):
    kuzzle_http.add(responses.GET, URL + '/shop/_exists', json=answer(True, 'exists', 'index'))
    kuzzle_http.add(responses.GET, URL + '/shop/_list', json=answer({'collections': []}, 'list'))
    kuzzle_http.add(responses.DELETE, URL + '/shop', status=412, json=kuzzle_error(
        'services.storage.unknown_index', 412, 'Index "shop" does not exist', action='delete'))
    failed, result = run_module(kuzzle_index.main, dict(name='shop', state='absent'))
    assert not failed and result['changed'] is False, result
    assert result['msg'] == 'index shop absent (deleted by another client meanwhile)'


def test_an_index_whose_collection_vanished_under_the_deletion_is_deleted_again(run_module, kuzzle_http):
    # Elasticsearch's index_not_found for one collection (another client deleting it): one more index:delete decides
    kuzzle_http.add(responses.GET, URL + '/shop/_exists', json=answer(True, 'exists', 'index'))
    kuzzle_http.add(responses.GET, URL + '/shop/_list', json=answer({'collections': [{'name': 'orders', 'type': 'stored'}]}, 'list'))
    kuzzle_http.add(responses.DELETE, URL + '/shop', status=412, json=kuzzle_error(
        'services.storage.unknown_collection', 412, 'The collection "shop":"orders" does not exist.', action='delete'))
    kuzzle_http.add(responses.DELETE, URL + '/shop', json=answer({'acknowledged': True}, 'delete', 'index'))
    failed, result = run_module(kuzzle_index.main, dict(name='shop', state='absent'))
    assert not failed and result['changed'] is True, result
    assert [c[0] for c in calls(kuzzle_http)] == ['GET', 'GET', 'DELETE', 'DELETE']


def test_other_refusals_of_index_create_still_fail(run_module, kuzzle_http):
    kuzzle_http.add(responses.GET, URL + '/shop/_exists', json=answer(False, 'exists', 'index'))
    kuzzle_http.add(responses.POST, URL + '/shop/_create', status=403, json=kuzzle_error(
        'security.rights.forbidden', 403, 'Forbidden action [shop/null/index/create]', action='create'))
    failed, result = run_module(kuzzle_index.main, dict(name='shop'))
    assert failed and result['error_id'] == 'security.rights.forbidden', result


def test_the_internal_index_is_refused(run_module, kuzzle_http):
    failed, result = run_module(kuzzle_index.main, dict(name='kuzzle'))
    assert failed and "Kuzzle's own internal index" in result['msg'] and not kuzzle_http.calls


# -- kuzzle_user_mapping -------------------------------------------------------------------------

USERS_MAPPING = URL + '/users/_mapping'


def add_user_mapping(mocked):
    mocked.add(responses.GET, USERS_MAPPING, json=answer({'mapping': {
        'profileIds': {'type': 'keyword'}, 'name': {'type': 'text'},
        '_kuzzle_info': {'properties': {'author': {'type': 'keyword'}}}}}, 'getUserMapping', 'security'))


def test_user_mapping_unchanged_then_a_field_added(run_module, kuzzle_http):
    add_user_mapping(kuzzle_http)
    failed, result = run_module(kuzzle_user_mapping.main, dict(properties={'name': {'type': 'text'}}), diff=True)
    assert not failed and result['changed'] is False and result['msg'] == 'users mapping unchanged'
    assert result['properties'] == {'profileIds': {'type': 'keyword'}, 'name': {'type': 'text'}}
    assert calls(kuzzle_http) == [('GET', '/users/_mapping')]
    kuzzle_http.calls.reset()
    kuzzle_http.add(responses.PUT, USERS_MAPPING, json=answer({'dynamic': 'false', 'properties': {}}, 'updateUserMapping', 'security'))
    failed, result = run_module(kuzzle_user_mapping.main, dict(properties={'email': {'type': 'keyword'}, 'name': {'type': 'text'}}),
                                diff=True)
    assert not failed and result['changed'] is True and result['msg'] == 'users mapping: field email added'
    assert calls(kuzzle_http) == [('GET', '/users/_mapping'), ('PUT', '/users/_mapping')]
    assert body_of(kuzzle_http.calls[1]) == {'properties': {'email': {'type': 'keyword'}}}
    assert result['diff']['before_header'] == 'users mapping (stored in Kuzzle)'


@pytest.mark.parametrize('check', [True, False])
def test_user_mapping_retype_refused(run_module, kuzzle_http, check):
    add_user_mapping(kuzzle_http)
    failed, result = run_module(kuzzle_user_mapping.main, dict(properties={'profileIds': {'type': 'text'}}), check=check)
    assert failed and result['msg'].startswith(
        'Nothing written: users mapping: Kuzzle would refuse it (400 services.storage.unexpected_bad_request): '
        'field profileIds is stored as keyword and the task asks text')
    assert calls(kuzzle_http) == [('GET', '/users/_mapping')]


def test_user_mapping_check_mode_reads_only(run_module, kuzzle_http):
    add_user_mapping(kuzzle_http)
    failed, result = run_module(kuzzle_user_mapping.main, dict(properties={'email': {'type': 'keyword'}}), check=True)
    assert not failed and result['changed'] is True
    assert calls(kuzzle_http) == [('GET', '/users/_mapping')]


def test_user_mapping_bad_field_before_any_request(run_module, kuzzle_http):
    failed, result = run_module(kuzzle_user_mapping.main, dict(properties={'email': 'keyword'}))
    assert failed and "the users' mapping.properties.email must be a dict" in result['msg']
    assert not kuzzle_http.calls


def test_several_refused_fields_give_the_advice_once(run_module, kuzzle_http):
    add_mapping(kuzzle_http)
    kuzzle_http.add(responses.GET, COLL + '/_settings', json=answer({'number_of_shards': '1'}, 'getSettings'))
    wanted = {'properties': {'price': {'type': 'keyword'}, 'ref': {'type': 'long'}}}
    failed, result = run_module(kuzzle_collection.main, task(mappings=wanted, settings={'number_of_shards': 2}))
    assert failed and result['msg'] == (
        'Nothing written: collection shop/orders: Kuzzle would refuse it (400 services.storage.unexpected_bad_request): '
        'field price is stored as float and the task asks keyword; field ref is stored as keyword and the task asks long: '
        'Elasticsearch cannot change these on existing fields: create a new collection with the new mapping and reindex the '
        'documents into it; number_of_shards is 1 and the task asks 2: it is fixed when the collection is created; create a '
        'new collection with it and reindex the documents into it')
