# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""community.kuzzle.kuzzle_collection and kuzzle_index through real ansible-playbook runs against a real Kuzzle
(its storage is the Elasticsearch stand-in of tests/kuzzle, whose write log proves what was written)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

COLLECTION = 'community.kuzzle.kuzzle_collection'
INDEX = 'community.kuzzle.kuzzle_index'
ORDERS = {'dynamic': 'strict', '_meta': {'owner': 'shop'}, 'properties': {
    'ref': {'type': 'keyword'},
    'customer': {'properties': {'name': {'type': 'text', 'fields': {'raw': {'type': 'keyword'}}}}},
    'total': {'type': 'float'}}}


def task(title, module=COLLECTION, **options):
    return {'name': title, module: options}


def index_name(uid):
    return uid.lower()[:40]


def stored_mapping(admin, index, collection):
    status, body = admin.api('GET', '/%s/%s/_mapping' % (index, collection))
    assert status == 200, body
    return body['result']


def stored_settings(admin, index, collection):
    status, body = admin.api('GET', '/%s/%s/_settings' % (index, collection))
    assert status == 200, body
    return body['result']


def exists(admin, path):
    status, body = admin.api('GET', path + '/_exists')
    assert status == 200, body
    return body['result']


def test_create_unchanged_then_add_a_field(playbooks, admin, kuzzle, uid):
    index = index_name(uid)
    more = {'properties': {'customer': {'properties': {'email': {'type': 'keyword'}}}, 'paid': {'type': 'boolean'}}}
    run = playbooks.run([task('create', index=index, name='orders', mappings=ORDERS),
                         task('again', index=index, name='orders', mappings=ORDERS),
                         task('add fields', index=index, name='orders', mappings=more)])
    assert run.rc == 0, run.output
    created = run.result('create')
    assert created['changed'] is True
    assert created['msg'] == 'collection %s/orders created with fields customer, ref, total; dynamic strict; index %s created' % (
        index, index)
    assert run.result('again')['changed'] is False
    assert run.result('again')['msg'] == 'collection %s/orders unchanged' % index
    added = run.result('add fields')
    assert added['changed'] is True
    assert added['msg'] == 'collection %s/orders: field paid added; field customer.email added' % index
    assert added['requests'] == ['collection:update']
    stored = stored_mapping(admin, index, 'orders')
    assert stored == {'dynamic': 'strict', '_meta': {'owner': 'shop'}, 'properties': {
        'ref': {'type': 'keyword'}, 'total': {'type': 'float'}, 'paid': {'type': 'boolean'},
        'customer': {'properties': {'name': {'type': 'text', 'fields': {'raw': {'type': 'keyword'}}},
                                    'email': {'type': 'keyword'}}}}}
    assert added['collection']['mappings'] == stored

    # both tasks again: the fields they do not name are not a change, and nothing is written
    mark = kuzzle.mark()
    again = playbooks.run([task('first', index=index, name='orders', mappings=ORDERS),
                           task('second', index=index, name='orders', mappings=more)])
    assert again.rc == 0, again.output
    assert again.result('first')['changed'] is False and again.result('second')['changed'] is False
    assert kuzzle.writes_since(mark) == []


def test_a_retype_is_refused_before_any_write_in_check_mode_too(playbooks, admin, kuzzle, uid):
    index = index_name(uid)
    admin.api('PUT', '/%s/orders' % index, body={'mappings': ORDERS})
    before = stored_mapping(admin, index, 'orders')
    retype = {'properties': {'added': {'type': 'keyword'}, 'total': {'type': 'keyword'},
                             'customer': {'properties': {'name': {'type': 'text', 'fields': {'raw': {'type': 'long'}}}}}}}
    mark = kuzzle.mark()
    run = playbooks.run([
        dict(task('retype in check mode', index=index, name='orders', mappings=retype), check_mode=True, ignore_errors=True),
        dict(task('retype', index=index, name='orders', mappings=retype), ignore_errors=True)])
    for name in ('retype in check mode', 'retype'):
        result = run.clean_failure(
            name, 'Nothing written: collection %s/orders: Kuzzle would refuse it (400 services.storage.unexpected_bad_request): ' % index,
            'field customer.name.raw is stored as keyword and the task asks long',
            'field total is stored as float and the task asks keyword',
            'create a new collection with the new mapping and reindex the documents into it')
        assert result['changed'] is False and result['error_id'] == 'services.storage.unexpected_bad_request'
    assert kuzzle.writes_since(mark) == []  # not even the new field
    assert stored_mapping(admin, index, 'orders') == before


def test_check_mode_writes_nothing_and_the_real_run_does_what_it_said(playbooks, admin, kuzzle, uid):
    index = index_name(uid)
    options = dict(index=index, name='products', mappings={'properties': {'price': {'type': 'float'}}},
                   settings={'number_of_replicas': 0, 'refresh_interval': '2s'},
                   specifications={'strict': True, 'fields': {'price': {'type': 'numeric', 'mandatory': True}}})
    mark = kuzzle.mark()
    check = playbooks.run([task('create', **options)], check=True, diff=True)
    assert check.rc == 0, check.output
    predicted = check.result('create')
    assert predicted['changed'] is True
    assert predicted['msg'] == ('collection %s/products created with field price; settings number_of_replicas, refresh_interval; '
                                'validation specifications; index %s created' % (index, index))
    assert kuzzle.writes_since(mark) == []
    assert exists(admin, '/' + index) is False

    real = playbooks.run([task('create', **options)], diff=True)
    assert real.rc == 0, real.output
    done = real.result('create')
    for key in ('msg', 'diff', 'collection'):
        assert done[key] == predicted[key], key
    assert done['requests'] == ['collection:create', 'collection:update', 'collection:updateSpecifications']
    got = stored_settings(admin, index, 'products')
    assert (got['number_of_replicas'], got['refresh_interval']) == ('0', '2s')  # 0 replicas took the second write
    status, body = admin.api('GET', '/%s/products/_specifications' % index)
    assert status == 200 and body['result']['validation'] == options['specifications']

    mark = kuzzle.mark()
    again = playbooks.run([task('create', **options)], check=True)
    assert again.rc == 0 and again.result('create')['changed'] is False, again.output
    assert kuzzle.writes_since(mark) == []


def test_diff_is_readable(playbooks, admin, uid):
    index = index_name(uid)
    admin.api('PUT', '/%s/orders' % index, body={'mappings': {'properties': {'ref': {'type': 'keyword'}}}})
    run = playbooks.run([task('diff', index=index, name='orders', mappings={
        'dynamic': 'strict', 'properties': {'ref': {'type': 'keyword', 'ignore_above': 64}, 'total': {'type': 'float'}}})],
        check=True, diff=True)
    assert run.rc == 0, run.output
    result = run.result('diff')
    assert result['msg'] == 'collection %s/orders: field total added; field ref: ignore_above changed; dynamic false -> strict' % index
    assert result['diff']['before'] == {'mappings': {'dynamic': 'false', 'properties': {'ref': {'type': 'keyword'}}}}
    assert result['diff']['after'] == {'mappings': {'dynamic': 'strict', 'properties': {
        'ref': {'type': 'keyword', 'ignore_above': 64}, 'total': {'type': 'float'}}}}
    assert '+++ after: collection %s/orders (after this task)' % index in run.stdout
    assert '-        "dynamic": "false",' in run.stdout
    assert '+        "dynamic": "strict",' in run.stdout


def test_settings_then_a_field_that_uses_them(playbooks, admin, uid):
    index = index_name(uid)
    admin.api('PUT', '/%s/articles' % index, body={})
    analysis = {'analyzer': {'folded': {'type': 'custom', 'tokenizer': 'standard', 'filter': ['lowercase', 'asciifolding']}}}
    options = dict(index=index, name='articles', settings={'analysis': analysis},
                   mappings={'properties': {'title': {'type': 'text', 'analyzer': 'folded'}}})
    run = playbooks.run([task('analysed', **options), task('again', **options)])
    assert run.rc == 0, run.output
    assert run.result('analysed')['requests'] == ['collection:update', 'collection:update']
    assert run.result('again')['changed'] is False
    assert stored_settings(admin, index, 'articles')['analysis'] == analysis
    assert stored_mapping(admin, index, 'articles')['properties']['title'] == {'type': 'text', 'analyzer': 'folded'}


def test_refusals_of_the_task_and_of_the_index(playbooks, admin, kuzzle, uid):
    index = index_name(uid)
    admin.api('PUT', '/%s/orders' % index, body={})
    missing = index + '-missing'
    mark = kuzzle.mark()
    run = playbooks.run([
        dict(task('no index', index=missing, name='orders', create_index=False), ignore_errors=True),
        dict(task('shards', index=index, name='orders', settings={'number_of_shards': 3}), ignore_errors=True),
        dict(task('bad specifications', index=index, name='orders', specifications={'fields': {'price': {'type': 'nope'}}}),
             ignore_errors=True)])
    run.clean_failure('no index', 'Nothing written: collection %s/orders: index "%s" does not exist and create_index is false' % (
        missing, missing))
    run.clean_failure('shards', 'number_of_shards is 1 and the task asks 3: it is fixed when the collection is created')
    bad = run.clean_failure('bad specifications', 'Kuzzle would refuse it (400 validation.assert.invalid_specifications)',
                            'unknown type "nope"')
    assert bad['error_id'] == 'validation.assert.invalid_specifications'
    assert kuzzle.writes_since(mark) == []
    assert exists(admin, '/' + missing) is False


def test_delete_a_collection_then_its_index(playbooks, admin, kuzzle, uid):
    index = index_name(uid)
    for collection in ('orders', 'carts'):
        admin.api('PUT', '/%s/%s' % (index, collection), body={})
    mark = kuzzle.mark()
    check = playbooks.run([task('delete collection', index=index, name='orders', state='absent'),
                           task('delete index', module=INDEX, name=index, state='absent')], check=True, diff=True)
    assert check.rc == 0, check.output
    assert check.result('delete collection')['msg'] == 'collection %s/orders deleted, with its documents' % index
    assert check.result('delete index')['msg'] == 'index %s deleted, with collections carts, orders and their documents' % index
    assert check.result('delete index')['diff']['before'] == {'collections': ['carts', 'orders']}
    assert kuzzle.writes_since(mark) == []

    run = playbooks.run([task('delete collection', index=index, name='orders', state='absent'),
                         task('collection again', index=index, name='orders', state='absent'),
                         task('delete index', module=INDEX, name=index, state='absent'),
                         task('index again', module=INDEX, name=index, state='absent'),
                         task('index back', module=INDEX, name=index),
                         task('index present', module=INDEX, name=index)])
    assert run.rc == 0, run.output
    assert [run.result(name)['changed'] for name in ('delete collection', 'collection again', 'delete index', 'index again',
                                                     'index back', 'index present')] == [True, False, True, False, True, False]
    assert run.result('delete index')['msg'] == 'index %s deleted, with collection carts and their documents' % index
    assert run.result('index present')['index'] == {'collections': []}
    assert exists(admin, '/' + index) is True
    assert exists(admin, '/%s/carts' % index) is False
