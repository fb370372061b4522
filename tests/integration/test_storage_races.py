# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Several hosts of one play (forks) converging the same indexes and collections on one Kuzzle at the same time:
a host that loses the race (it read "absent", another host wrote first) is ``ok``, never failed.

Kuzzle 2.56 refuses index:create of an index that exists with 412 services.storage.index_already_exists and
index:delete or collection:delete of what is gone with 412 services.storage.unknown_index / unknown_collection;
two collection:create of one collection both succeed (the second updates it). kuzzle_storage reads every index
first then creates them one by one, so that a host starting a moment later finds some absent that another host
creates before it does: the loser's answers are then Kuzzle's 412, not a guess of this test. Requests that pass
Kuzzle's checks at the same moment may both succeed (both hosts then report a change): the tests ask for at least one
change per object, and for no failure."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

pytestmark = pytest.mark.kuzzle_load  # the newest cell of the integration matrix only (scripts/test-all)

HOSTS = ['host%d' % i for i in range(1, 5)]
INDEXES = 6


def failures(run):
    """(host, task, item, msg) of every failed task or loop item."""
    found = []
    for record in run.results:
        if record['status'] == 'failed':
            items = [i for i in record['result'].get('results') or [record['result']] if i.get('failed')]
            found.extend((record['host'], record['task'], i.get('item'), i.get('msg')) for i in items)
    return found


def per_item(run, task):
    """{item: [changed of each host]} of a looped task (each host's results of its items)."""
    found = {}
    for record in run.results:
        if record['task'] == task and record['status'] == 'ok':
            for item in record['result'].get('results') or [record['result']]:
                found.setdefault(item.get('item'), []).append(bool(item.get('changed')))
    return found


def hosts_of(run, task):
    return dict((r['host'], r['result']) for r in run.results if r['task'] == task)


def test_four_hosts_create_then_delete_the_same_storage_at_once(playbooks, admin, uid):
    prefix = uid.lower()
    names = ['%s-%02d' % (prefix, n) for n in range(INDEXES)]
    definition = dict((name + '-s', {}) for name in names)  # indexes without collections: index:create each
    definition[prefix + '-shop'] = {'orders': {'properties': {'ref': {'type': 'keyword'}}}, 'carts': {}}
    common = {'delegate_to': 'localhost', 'ignore_errors': True}  # every task runs on every host: all failures show
    tasks = [
        dict(common, name='storage', **{'community.kuzzle.kuzzle_storage': {'indexes': definition}}),
        dict(common, name='index', loop=names, **{'community.kuzzle.kuzzle_index': {'name': '{{ item }}'}}),
        dict(common, name='collection', loop=names, **{'community.kuzzle.kuzzle_collection': {
            'index': '{{ item }}', 'name': 'items', 'mappings': {'properties': {'n': {'type': 'long'}}},
            'settings': {'number_of_replicas': 0}}}),
        dict(common, name='collection absent', loop=names, **{'community.kuzzle.kuzzle_collection': {
            'index': '{{ item }}', 'name': 'items', 'state': 'absent'}}),
        dict(common, name='index absent', loop=names, **{'community.kuzzle.kuzzle_index': {
            'name': '{{ item }}', 'state': 'absent'}}),
    ]
    run = playbooks.run(tasks, hosts=HOSTS, forks=len(HOSTS), timeout=600)
    assert failures(run) == [] and run.rc == 0, '\n'.join(str(failure) for failure in failures(run)) + run.output

    # every index without collections was created, by one host at least; the others say it was there
    storage = hosts_of(run, 'storage')
    assert sorted(storage) == HOSTS
    created = set(op['index'] for result in storage.values() for op in result['operations'] if 'collection' not in op)
    assert sorted(created) == sorted(name + '-s' for name in names)
    for result in storage.values():
        counts = result['counts']['indexes']
        assert counts['created'] + counts['unchanged'] == INDEXES + 1, result['msg']
    for task in ('index', 'collection', 'collection absent', 'index absent'):
        changes = per_item(run, task)
        assert sorted(changes) == names, (task, changes)
        assert all(len(hosts) == len(HOSTS) and sum(hosts) >= 1 for hosts in changes.values()), (task, changes)
    raced = [r['result']['msg'] for r in run.results if 'meanwhile' in str(r['result'].get('msg'))]
    raced += [i['msg'] for r in run.results for i in r['result'].get('results') or () if 'meanwhile' in i.get('msg', '')]
    print('%d results said another client did it meanwhile' % len(raced))  # how often the race was lost (-s)
    status, body = admin.api('GET', '/_list')
    assert status == 200 and not set(names) & set(body['result']['indexes'])
    assert set(definition) <= set(body['result']['indexes'])
    status, body = admin.api('GET', '/%s-shop/_list' % prefix)
    assert status == 200 and sorted(c['name'] for c in body['result']['collections']) == ['carts', 'orders']
