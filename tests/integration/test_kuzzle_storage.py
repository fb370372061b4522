# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""community.kuzzle.kuzzle_storage and kuzzle_storage_info through real ansible-playbook runs against a real Kuzzle:
the admin:loadMappings shape, round trips, refusals before any write (write log), check mode."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

STORAGE = 'community.kuzzle.kuzzle_storage'
INFO = 'community.kuzzle.kuzzle_storage_info'


def task(title, module=STORAGE, **options):
    return {'name': title, module: options}


def definition(prefix):
    """A storage definition of two indexes of this test's own, in admin:loadMappings' shape, plus an empty index."""
    return {
        prefix + '-shop': {
            'orders': {'dynamic': 'strict', '_meta': {'owner': 'shop'}, 'properties': {
                'ref': {'type': 'keyword'}, 'total': {'type': 'float'},
                'customer': {'properties': {'name': {'type': 'text', 'fields': {'raw': {'type': 'keyword'}}},
                                            'since': {'type': 'date', 'format': 'yyyy-MM-dd'}}},
                'lines': {'type': 'nested', 'properties': {'sku': {'type': 'keyword'}, 'qty': {'type': 'integer'}}}}},
            'carts': {},
        },
        prefix + '-logs': {'events': {'dynamic': 'true', 'properties': {'at': {'type': 'date'}}}},
        prefix + '-empty': {},
    }


def prefix_of(uid):
    return uid.lower()[-6:]


def test_apply_then_again_then_export_applies_unchanged(playbooks, kuzzle, uid):
    prefix = prefix_of(uid)
    wanted = definition(prefix)
    mark = kuzzle.mark()
    check = playbooks.run([task('apply', indexes=wanted)], check=True, diff=True)
    assert check.rc == 0, check.output
    assert check.result('apply')['msg'] == 'indexes: 3 created; collections: 3 created'
    assert kuzzle.writes_since(mark) == []

    run = playbooks.run([task('apply', indexes=wanted), task('again', indexes=wanted),
                         dict(task('export', module=INFO, indexes=sorted(wanted) + [prefix + '-none']), register='exported'),
                         task('apply the export', indexes='{{ exported.indexes }}')], diff=True)
    assert run.rc == 0, run.output
    applied = run.result('apply')
    assert applied['msg'] == check.result('apply')['msg']
    assert applied['operations'] == check.result('apply')['operations']
    assert applied['diff'] == check.result('apply')['diff']
    assert run.result('again')['changed'] is False
    assert run.result('again')['msg'] == 'indexes: 3 unchanged; collections: 3 unchanged'
    exported = run.result('export')
    assert exported['missing'] == [prefix + '-none']
    assert exported['indexes'][prefix + '-empty'] == {}
    assert exported['indexes'][prefix + '-shop']['carts'] == {'dynamic': 'false'}
    assert exported['indexes'][prefix + '-shop']['orders'] == wanted[prefix + '-shop']['orders']  # already in stored form
    assert exported['indexes'][prefix + '-logs']['events'] == wanted[prefix + '-logs']['events']
    assert run.result('apply the export')['changed'] is False

    # export -> apply to indexes that do not exist (an empty Kuzzle, as far as they go) -> export: identical
    renamed = dict((name.replace(prefix, prefix + 'x'), collections) for name, collections in exported['indexes'].items())
    copy = playbooks.run([task('apply to empty', indexes=renamed),
                          dict(task('export the copy', module=INFO, indexes=sorted(renamed)), register='copy')])
    assert copy.rc == 0, copy.output
    assert copy.result('apply to empty')['msg'] == 'indexes: 3 created; collections: 3 created'
    assert copy.result('export the copy')['indexes'] == renamed

    mark = kuzzle.mark()
    again = playbooks.run([task('everything again', indexes=wanted), task('the copy again', indexes=renamed)])
    assert again.rc == 0, again.output
    assert not again.result('everything again')['changed'] and not again.result('the copy again')['changed']
    assert kuzzle.writes_since(mark) == []


def test_an_export_with_settings_applies_unchanged_and_copies_to_an_empty_kuzzle(playbooks, kuzzle, fresh_kuzzle,
                                                                                 make_playbooks, tmp_path, uid):
    prefix = prefix_of(uid)
    analysis = {'analyzer': {'folded': {'type': 'custom', 'tokenizer': 'standard', 'filter': ['lowercase', 'asciifolding']}}}
    wanted = {prefix + '-tuned': {
        'articles': {'mappings': {'dynamic': 'false', 'properties': {'title': {'type': 'text', 'analyzer': 'folded'}}},
                     'settings': {'number_of_shards': 2, 'number_of_replicas': 0, 'refresh_interval': '5s', 'analysis': analysis}},
        'plain': {'dynamic': 'strict'}}}
    run = playbooks.run([task('apply', indexes=wanted),
                         dict(task('export', module=INFO, indexes=sorted(wanted), settings=True), register='exported')])
    assert run.rc == 0, run.output
    exported = run.result('export')['indexes']
    assert exported[prefix + '-tuned'] == {
        'articles': {'mappings': wanted[prefix + '-tuned']['articles']['mappings'],
                     'settings': {'number_of_shards': '2', 'number_of_replicas': '0', 'refresh_interval': '5s', 'analysis': analysis}},
        'plain': {'mappings': {'dynamic': 'strict'}, 'settings': {'number_of_shards': '1', 'number_of_replicas': '1'}}}
    mark = kuzzle.mark()
    same = playbooks.run([task('apply the export', indexes=exported)])
    assert same.rc == 0 and same.result('apply the export')['changed'] is False, same.output
    assert kuzzle.writes_since(mark) == []

    # a Kuzzle of this file's own, with nothing in it yet (anonymous may do everything there)
    (tmp_path / 'empty').mkdir()
    empty = make_playbooks(tmp_path / 'empty', fresh_kuzzle)
    copy = empty.run([task('apply to empty', indexes=exported),
                      dict(task('export the copy', module=INFO, settings=True), register='copy'),
                      task('apply again', indexes=exported)],
                     module_defaults={'group/community.kuzzle.kuzzle': {'url': fresh_kuzzle.url}})
    assert copy.rc == 0, copy.output
    assert copy.result('apply to empty')['msg'] == 'indexes: 1 created; collections: 2 created'
    assert copy.result('export the copy')['indexes'] == exported
    assert copy.result('apply again')['changed'] is False


def test_a_load_mappings_file_applies_unchanged(playbooks, admin, kuzzle, uid):
    prefix = prefix_of(uid)
    body = definition(prefix)
    del body[prefix + '-empty']  # admin:loadMappings creates no index without collections
    status, answer = admin.api('POST', '/admin/_loadMappings', body=body, query={'refresh': 'wait_for'})
    assert status == 200, answer
    mark = kuzzle.mark()
    run = playbooks.run([task('same file', indexes=body)])
    assert run.rc == 0, run.output
    assert run.result('same file')['changed'] is False
    assert kuzzle.writes_since(mark) == []


def test_every_refusal_is_listed_and_nothing_is_written(playbooks, admin, kuzzle, uid):
    prefix = prefix_of(uid)
    wanted = definition(prefix)
    status, answer = admin.api('POST', '/admin/_loadMappings', body={prefix + '-shop': wanted[prefix + '-shop']})
    assert status == 200, answer
    changed = definition(prefix)
    changed[prefix + '-shop']['orders']['properties']['total'] = {'type': 'keyword'}
    changed[prefix + '-shop']['orders']['properties']['lines']['properties']['qty'] = {'type': 'long'}
    changed[prefix + '-shop']['carts'] = {'settings': {'number_of_shards': 2}}
    mark = kuzzle.mark()
    run = playbooks.run([dict(task('refused', indexes=changed), ignore_errors=True),
                         dict(task('refused in check mode', indexes=changed), ignore_errors=True, check_mode=True)])
    for name in ('refused', 'refused in check mode'):
        result = run.clean_failure(
            name, 'Nothing written: collection %s-shop/carts: Kuzzle would refuse it (400 services.storage.unexpected_bad_request): '
            'number_of_shards is 1 and the task asks 2' % prefix,
            'collection %s-shop/orders: Kuzzle would refuse it' % prefix,
            'field lines.qty is stored as integer and the task asks long',
            'field total is stored as float and the task asks keyword')
        assert result['error_id'] == 'services.storage.unexpected_bad_request'
    assert kuzzle.writes_since(mark) == []  # not even the new indexes
    status, answer = admin.api('GET', '/%s-logs/_exists' % prefix)
    assert answer['result'] is False
