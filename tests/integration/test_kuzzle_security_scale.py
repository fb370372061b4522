# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""kuzzle_security at Kuzzle's own limits, on a Kuzzle of its own (purge reads every object of a kind, so these
tests cannot share the session's Kuzzle): more users than Kuzzle pages through, concurrent writes, purge in
mDelete chunks (issue 15)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import secrets
import time
import urllib.parse

import pytest

from kuzzle_install import logs_dir  # pylint: disable=import-error
from pytest_kuzzle import KuzzleServer, start_serve, stop_serve  # pylint: disable=import-error

pytestmark = pytest.mark.kuzzle_load  # the newest cell of the integration matrix only (scripts/test-all)

FETCH_LIMIT = 10000  # limits.documentsFetchCount, Kuzzle's default: searches page no further than this
WRITE_LIMIT = 200    # limits.documentsWriteCount, Kuzzle's default: ids per mDelete request
USER_CHUNK = 25      # users per mDeleteUsers request (plugins/module_utils/_bulk_write.py): each costs Kuzzle far more


def converge(**options):
    return {'name': 'converge', 'community.kuzzle.kuzzle_security': options}


@pytest.fixture(scope='module')
def own_kuzzle(tmp_path_factory):
    """A fresh Kuzzle with its first administrator: (server, module_defaults that connect to it as that admin)."""
    proc, url, write_log = start_serve(str(tmp_path_factory.mktemp('scale-kuzzle')))
    try:
        server = KuzzleServer(url, write_log)
        password = 'pw-' + secrets.token_hex(8)
        status, body = server.api('POST', '/_createFirstAdmin/scale-admin', query={'reset': None},
                                  body={'credentials': {'local': {'username': 'scale-admin', 'password': password}}})
        assert status == 200, body
        server.token = server.login('scale-admin', password)
        yield server, {'group/community.kuzzle.kuzzle': {'url': url, 'username': 'scale-admin', 'password': password}}
    finally:
        stop_serve(proc)


class MDeleteLog:
    """The mDelete* requests Kuzzle logged ("deleted the following <kind>: ids") since this object was made: Kuzzle's
    own log counts requests, where the write log only sees one delete per object."""

    def __init__(self, server):
        self.path = os.path.join(logs_dir(), 'kuzzle-%d.log' % urllib.parse.urlsplit(server.url).port)
        with open(self.path, 'rb') as handle:
            self.start = handle.seek(0, os.SEEK_END)

    def sizes(self, kind):
        """How many ids each mDelete* of ``kind`` carried, in the order Kuzzle answered them."""
        said = 'deleted the following %s: ' % kind
        with open(self.path, 'rb') as handle:
            handle.seek(self.start)
            messages = [json.loads(line).get('msg', '') for line in handle.read().decode('utf-8').splitlines() if said in line]
        return [len(message.split(said, 1)[1].split(', ')) for message in messages]

    def wait_sizes(self, kind, total, seconds=5):
        """sizes(kind) once they add up to ``total`` ids (Kuzzle's logger may write a moment after it answers)."""
        deadline = time.monotonic() + seconds
        while sum(self.sizes(kind)) < total and time.monotonic() < deadline:
            time.sleep(0.1)
        return self.sizes(kind)


def load(server, **securities):
    status, body = server.api('POST', '/admin/_loadSecurities', body=securities, query={'refresh': 'wait_for', 'onExistingUsers': 'overwrite'})
    assert status == 200, body


def count(server, kind, query=None):
    status, body = server.api('POST', '/%s/_search' % kind, body={'query': query} if query else {}, query={'size': 0})
    assert status == 200, body
    return body['result']['total']


def test_concurrent_creates_updates_and_chunked_deletes_converge(playbooks, own_kuzzle):
    server, target = own_kuzzle
    roles = dict(('r%02d' % i, {'controllers': {'document': {'actions': {'get': True, 'search': i % 2 == 0}}}}) for i in range(12))
    # roles r10 and r11 are used by no profile: they can be purged
    profiles = dict(('p%03d' % i, {'policies': [{'roleId': 'r%02d' % (i % 10)}], 'rateLimit': i}) for i in range(250))
    users = dict(('u%03d' % i, {'content': {'profileIds': ['p%03d' % (i % 20)], 'n': i}}) for i in range(60))  # kept profiles
    for kuid in ('u000', 'u001', 'u002', 'u003'):
        users[kuid]['credentials'] = {'local': {'username': kuid, 'password': 'pw-%s-123' % kuid}}
    first = playbooks.run([converge(roles=roles, profiles=profiles, users=users, purge=True, parallel_writes=8)], module_defaults=target)
    assert first.rc == 0, first.output
    # the task's own admin is kept, and the reserved roles and profiles
    # the counts, then the rights review's summary (issue 13)
    assert first.result('converge')['msg'].startswith('12 roles created, 0 updated, 0 deleted, 0 unchanged; '
                                                      '250 profiles created, 0 updated, 0 deleted, 0 unchanged; '
                                                      '60 users created, 0 updated, 0 deleted, 0 unchanged; rights of p000: ')
    assert server.login('u003', 'pw-u003-123')

    # a tenth changed, 30 users and 230 profiles (more than one mDelete) gone, 2 roles gone
    for i in range(0, 12, 3):
        roles['r%02d' % i]['controllers']['document']['actions']['create'] = True
    for i in range(0, 20, 10):
        profiles['p%03d' % i]['rateLimit'] = 1000 + i
    for i in range(10, 20):
        users['u%03d' % i]['content']['n'] = -i
    for i in range(30, 60):
        del users['u%03d' % i]
    for i in range(20, 250):
        del profiles['p%03d' % i]
    del roles['r10'], roles['r11']
    mark = server.mark()
    second = playbooks.run([converge(roles=roles, profiles=profiles, users=users, purge=True, parallel_writes=8)],
                           module_defaults=target, diff=True)
    assert second.rc == 0, second.output
    result = second.result('converge')
    assert result['counts'] == {'roles': {'created': 0, 'updated': 4, 'deleted': 2, 'unchanged': 6},
                                'profiles': {'created': 0, 'updated': 2, 'deleted': 230, 'unchanged': 18},
                                'users': {'created': 0, 'updated': 10, 'deleted': 30, 'unchanged': 20}}
    summary = result['diff'][0]['prepared'].splitlines()
    assert summary[0].startswith('kuzzle_security plan: ') and result['msg'].startswith(summary[0][len('kuzzle_security plan: '):])
    assert summary[4] == '  profiles to delete (230): %s ... and 210 more' % ', '.join('"p%03d"' % i for i in range(20, 40))
    assert len(result['diff']) == 1 + 4 + 2 + 2 + 230 + 10 + 30
    deleted = [w for w in server.writes_since(mark) if w['method'] == 'delete' and w['index'] == '%kuzzle.profiles']
    assert len(deleted) == 230
    assert count(server, 'profiles', {'ids': {'values': ['p%03d' % i for i in range(250)]}}) == 20
    assert count(server, 'users', {'ids': {'values': ['u%03d' % i for i in range(60)]}}) == 30
    status, body = server.api('GET', '/users/u015')
    assert body['result']['_source']['n'] == -15

    again = playbooks.run([converge(roles=roles, profiles=profiles, users=users, purge=True, parallel_writes=8)], module_defaults=target)
    assert again.rc == 0, again.output
    assert again.result('converge')['changed'] is False


def seed_past_the_limit(server, kind, body):
    """Load FETCH_LIMIT + 300 objects of ``kind`` ('big00000'...: ``body(i)`` each), 1,000 at a time; the first
    FETCH_LIMIT of them, as a definition to converge to."""
    total = FETCH_LIMIT + 300
    seeded = dict(('big%05d' % i, body(i)) for i in range(total))
    names = sorted(seeded)
    for start in range(0, total, 1000):
        load(server, **{kind: dict((name, seeded[name]) for name in names[start:start + 1000])})
    return dict((name, value) for name, value in seeded.items() if int(name[3:]) < FETCH_LIMIT)


def converge_past_the_limit(playbooks, server, target, kind, wanted, kept, reserved, chunks, then=()):
    """Converge ``wanted`` (10 of the seeded changed, 5 created, the ``kept`` ones) with purge: 300 purged in mDelete
    requests of ``chunks`` ids each (one delete each in the write log), every count right; then again (with the
    ``then`` tasks): nothing to do. The second run."""
    assert count(server, kind) == FETCH_LIMIT + 300 + len(kept) + reserved
    mark, requests = server.mark(), MDeleteLog(server)
    run = playbooks.run([converge(**{kind: wanted, 'purge': True})], module_defaults=target, timeout=900)
    assert run.rc == 0, run.output
    result = run.result('converge')
    assert result['counts'] == {kind: {'created': 5, 'updated': 10, 'deleted': 300, 'unchanged': FETCH_LIMIT - 10 + len(kept)}}
    assert len([w for w in server.writes_since(mark) if w['method'] == 'delete' and w['index'] == '%kuzzle.' + kind]) == 300
    assert requests.wait_sizes(kind, 300) == chunks
    assert count(server, kind) == FETCH_LIMIT + 5 + len(kept) + reserved
    assert server.api('GET', '/%s/big%05d' % (kind, FETCH_LIMIT + 1))[0] == 404
    assert server.api('GET', '/%s/big%05d' % (kind, FETCH_LIMIT - 1))[0] == 200
    again = playbooks.run([converge(**{kind: wanted, 'purge': True})] + list(then), module_defaults=target, timeout=900)
    assert again.rc == 0, again.output
    assert again.result('converge')['changed'] is False
    return again


def test_more_users_than_kuzzle_pages_through_converge(playbooks, own_kuzzle):
    """FETCH_LIMIT + 300 users: read with a scroll (a from/size search stops at 10,000), 300 purged in twelve mDeleteUsers
    of USER_CHUNK users (not two of WRITE_LIMIT, as roles and profiles), some updated and created; then nothing to do."""
    server, target = own_kuzzle
    # every user this Kuzzle holds before is kept (the first test's; the admin's own is never purged)
    status, body = server.api('POST', '/users/_search', body={}, query={'size': 1000})
    assert status == 200, body
    others = dict((hit['_id'], {'content': {'profileIds': hit['_source']['profileIds']}}) for hit in body['result']['hits']
                  if hit['_id'] not in ('scale-admin', '-1'))
    wanted = seed_past_the_limit(server, 'users', lambda i: {'content': {'profileIds': ['default'], 'n': i}})
    for i in range(0, FETCH_LIMIT, 1000):
        wanted['big%05d' % i]['content']['n'] = -i - 1
    wanted.update(('new%02d' % i, {'content': {'profileIds': ['default']}}) for i in range(5))
    wanted.update(others)
    converge_past_the_limit(playbooks, server, target, 'users', wanted, others, reserved=1,  # the admin
                            chunks=[USER_CHUNK] * (300 // USER_CHUNK))


def test_more_roles_than_kuzzle_pages_through_converge(playbooks, own_kuzzle):
    """FETCH_LIMIT + 300 roles: searchRoles has no scroll, so past its from/size window the roles are read sorted by
    _id, each page after the last _id of the one before (search_after); 300 purged in two mDelete requests, some
    updated and created; then nothing to do, and kuzzle_role_info lists every role."""
    server, target = own_kuzzle
    # every role this Kuzzle holds before is kept (the first test's, used by its profiles); the reserved ones are never purged
    status, body = server.api('POST', '/roles/_search', body={}, query={'size': 1000})
    assert status == 200, body
    others = dict((hit['_id'], dict({'controllers': hit['_source']['controllers']}, **(
        {'tags': hit['_source']['tags']} if hit['_source'].get('tags') else {})))
        for hit in body['result']['hits'] if hit['_id'] not in ('admin', 'default', 'anonymous'))
    wanted = seed_past_the_limit(server, 'roles', lambda i: {'controllers': {'document': {'actions': {'get': True}}}})
    for i in range(0, FETCH_LIMIT, 1000):
        wanted['big%05d' % i] = {'controllers': {'document': {'actions': {'get': True, 'search': True}}}}
    wanted.update(('new%02d' % i, {'controllers': {'auth': {'actions': {'getCurrentUser': True}}}}) for i in range(5))
    wanted.update(others)
    again = converge_past_the_limit(playbooks, server, target, 'roles', wanted, others, reserved=3,  # admin, default, anonymous
                                    chunks=[WRITE_LIMIT, 300 - WRITE_LIMIT], then=[{'name': 'every role', 'community.kuzzle.kuzzle_role_info': {}}])
    assert server.api('GET', '/roles/big01000')[1]['result']['_source']['controllers']['document']['actions']['search'] is True
    assert len(again.result('every role')['roles']) == FETCH_LIMIT + 5 + len(others) + 3
