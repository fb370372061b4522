# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Several hosts of one play (forks) converging the same security definition on one Kuzzle at the same time: every
host is ``ok``. Kuzzle 2.56 creates a role, profile or user with Elasticsearch's create, which only one of the racing
requests wins; the others are refused (services.storage.document_already_exists, security.user.already_exists), and
the module reads the object again: the definition's, it counts as unchanged. So each object is created by exactly
one host, and the hosts' counts add up."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import secrets

import pytest

pytestmark = pytest.mark.kuzzle_load  # the newest cell of the integration matrix only (scripts/test-all)

HOSTS = ['host%d' % i for i in range(1, 5)]
OBJECTS = 3


def definition(uid, passwords):
    roles = dict(('%s-r%d' % (uid, n), {'controllers': {'document': {'actions': {'get': True, 'search': n % 2 == 0}}}})
                 for n in range(OBJECTS))
    profiles = dict(('%s-p%d' % (uid, n), {'policies': [{'roleId': '%s-r%d' % (uid, n)}], 'rateLimit': 10 + n})
                    for n in range(OBJECTS))
    users = dict(('%s-u%d' % (uid, n), {'content': {'profileIds': ['%s-p%d' % (uid, n)], 'team': 'n%d' % n},
                                        'credentials': {'local': {'username': '%s-u%d' % (uid, n), 'password': passwords[n]}}})
                 for n in range(OBJECTS))
    return {'roles': roles, 'profiles': profiles, 'users': users}


def failures(run):
    return [(r['host'], r['task'], r['result'].get('msg')) for r in run.results if r['status'] == 'failed']


def test_four_hosts_converge_the_same_new_definition_at_once(playbooks, admin, kuzzle, uid):
    passwords = ['pw-%s-%d' % (secrets.token_hex(8), n) for n in range(OBJECTS)]
    wanted = definition(uid.lower(), passwords)
    task = {'name': 'converge', 'delegate_to': 'localhost', 'ignore_errors': True, 'community.kuzzle.kuzzle_security': wanted}
    run = playbooks.run([task], hosts=HOSTS, forks=len(HOSTS), timeout=600)
    assert failures(run) == [] and run.rc == 0, '\n'.join(str(f) for f in failures(run)) + run.output
    results = dict((r['host'], r['result']) for r in run.results if r['task'] == 'converge')
    assert sorted(results) == HOSTS
    for kind in ('roles', 'profiles', 'users'):
        # Elasticsearch's create lets one request win: each object is created by one host, found as asked by the others
        assert sum(result['counts'][kind]['created'] for result in results.values()) == OBJECTS, [r['msg'] for r in results.values()]
        for result in results.values():
            assert result['counts'][kind]['created'] + result['counts'][kind]['unchanged'] == OBJECTS, result['msg']
            assert result['counts'][kind]['updated'] == result['counts'][kind]['deleted'] == 0
    lost = [r['msg'] for r in results.values() if 'meanwhile' in r['msg']]
    assert lost, 'no host lost a race: the test did not test it'
    for result in results.values():
        assert not any(p in str(result) for p in passwords)

    # Kuzzle holds the definition: a run writes nothing, and each user logs in with its password
    mark = kuzzle.mark()
    again = playbooks.run([dict(task, ignore_errors=False)])
    assert again.rc == 0, again.output
    result = again.result('converge')
    assert result['changed'] is False and result['operations'] == [], result['msg']
    assert kuzzle.writes_since(mark) == []
    for n, password in enumerate(passwords):
        status, body = kuzzle.api('POST', '/_login/local', body={'username': '%s-u%d' % (uid.lower(), n), 'password': password}, token='')
        assert status == 200, body
    assert admin.profile('%s-p1' % uid.lower())['rateLimit'] == 11

    # then the four hosts delete the same objects at once with the single-object modules: every host is ok
    ids = dict((kind, sorted(wanted[kind])) for kind in wanted)
    common = {'delegate_to': 'localhost', 'ignore_errors': True}
    tasks = [dict(common, name='%s absent' % module, loop=ids[kind], **{'community.kuzzle.kuzzle_' + module: {
        'name': '{{ item }}', 'state': 'absent'}}) for module, kind in (('user', 'users'), ('profile', 'profiles'), ('role', 'roles'))]
    gone = playbooks.run(tasks, hosts=HOSTS, forks=len(HOSTS), timeout=600)
    assert failures(gone) == [] and gone.rc == 0, '\n'.join(str(f) for f in failures(gone)) + gone.output
    for module, kind in (('user', 'users'), ('profile', 'profiles'), ('role', 'roles')):
        changes = {}
        for record in gone.results:
            if record['task'] == '%s absent' % module:
                assert not any(item.get('failed') for item in record['result']['results']), record
                for item in record['result']['results']:
                    changes.setdefault(item['item'], []).append(bool(item['changed']))
        assert sorted(changes) == ids[kind] and all(len(c) == len(HOSTS) and any(c) for c in changes.values()), changes
        assert all(admin.read(kind, object_id) is None for object_id in ids[kind])
