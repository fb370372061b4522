# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""_server: the readiness wait (a fake clock: no real waiting), the rights that say anonymous is unrestricted,
and the first administrator's checks and bodies."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.community.kuzzle.plugins.module_utils import _server
from ansible_collections.community.kuzzle.plugins.module_utils._errors import KuzzleError


class Clock:
    def __init__(self, look_cost=0.0):
        self.now = 100.0
        self.look_cost = look_cost
        self.sleeps = []
        self.looks_at = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        assert seconds >= 0
        self.sleeps.append(seconds)
        self.now += seconds

    def look(self, answers):
        answers = list(answers)

        def one(time_left):
            self.looks_at.append((self.now, time_left))
            self.now += self.look_cost
            return answers.pop(0)
        return one


def test_zero_timeout_looks_once_and_never_sleeps():
    fake = Clock(look_cost=0.3)
    assert _server.wait_until_ready(fake.look([(False, 'refused')]), 0, fake.clock, fake.sleep) == (False, 'refused', 1)
    assert fake.sleeps == [] and fake.looks_at == [(100.0, 0)]


def test_looks_once_a_second_until_ready():
    fake = Clock(look_cost=0.25)
    look = fake.look([(False, 'refused'), (False, '503'), (True, '200')])
    assert _server.wait_until_ready(look, 30, fake.clock, fake.sleep) == (True, '200', 3)
    assert [at for at, dummy in fake.looks_at] == [100.0, 101.0, 102.0]  # one start per second, look time included
    assert fake.sleeps == [0.75, 0.75]
    assert [left for dummy, left in fake.looks_at] == [30, 29, 28]


def test_gives_up_at_the_deadline_with_the_last_thing_seen():
    fake = Clock(look_cost=0.1)
    look = fake.look([(False, 'refused %d' % i) for i in range(10)])
    ready, seen, looks = _server.wait_until_ready(look, 2.5, fake.clock, fake.sleep)
    assert (ready, seen, looks) == (False, 'refused 3', 4)
    assert [at for at, dummy in fake.looks_at] == [100.0, 101.0, 102.0, 102.5]  # the last look starts at the deadline
    assert fake.now == pytest.approx(102.6)


def test_a_slow_look_is_followed_at_once():
    fake = Clock(look_cost=3)
    look = fake.look([(False, 'timeout'), (True, 'ok')])
    assert _server.wait_until_ready(look, 10, fake.clock, fake.sleep)[0]
    assert fake.sleeps == [0]


@pytest.mark.parametrize('hits, unrestricted', [
    ([{'controller': '*', 'action': '*', 'index': '*', 'collection': '*', 'value': 'allowed'}], True),
    ([{'controller': '*', 'action': '*', 'index': '*', 'collection': '*', 'value': 'denied'}], False),
    ([{'controller': '*', 'action': '*', 'index': 'shop', 'collection': '*', 'value': 'allowed'}], False),
    ([{'controller': 'auth', 'action': 'login', 'index': '*', 'collection': '*', 'value': 'allowed'},
      {'controller': 'server', 'action': 'publicApi', 'index': '*', 'collection': '*', 'value': 'allowed'}], False),
    ([], False),
])
def test_anonymous_is_unrestricted_only_with_every_right_everywhere(hits, unrestricted):
    assert _server.anonymous_unrestricted(hits) is unrestricted


def test_version_and_health_are_read_from_kuzzles_answers():
    assert _server.version_of({'serverInfo': {'kuzzle': {'version': '2.56.0'}}}) == '2.56.0'
    assert _server.version_of({}) is None and _server.version_of(None) is None
    assert _server.health_of({'status': 'green', 'services': {'storageEngine': 'green'}}) == {
        'status': 'green', 'services': {'storageEngine': 'green'}}


GOOD = dict(name='admin', username='admin', password='pw', token=None, auth_strategy='local', content=None,
            restrict_default_rights=True)


@pytest.mark.parametrize('change, fragment', [
    (dict(password=''), 'password must be a non-empty string'),
    (dict(password=None, username=None), 'username must be a non-empty string'),
    (dict(username=' '), 'username must be a non-empty string'),
    (dict(token='t'), 'not with a token'),
    (dict(auth_strategy='ldap'), 'auth_strategy must be local'),
    (dict(name='_me'), 'name must be a non-empty kuid'),
    (dict(name=''), 'name must be a non-empty kuid'),
    (dict(content={'profileIds': ['x']}), 'content.profileIds cannot be given'),
])
def test_first_admin_problems(change, fragment):
    assert any(fragment in problem for problem in _server.first_admin_problems(dict(GOOD, **change)))


def test_first_admin_body_and_view():
    params = dict(GOOD, content={'fullName': 'Ada'})
    assert _server.first_admin_problems(params) == []
    assert _server.first_admin_body(params) == {'content': {'fullName': 'Ada'},
                                                'credentials': {'local': {'username': 'admin', 'password': 'pw'}}}
    view = _server.first_admin_view(params)
    assert view == {'kuid': 'admin', 'profileIds': ['admin'], 'username': 'admin', 'default_rights_restricted': True,
                    'content': {'fullName': 'Ada'}}
    assert 'pw' not in repr(view)


def test_failure_detail_drops_the_lead():
    err = KuzzleError('check whether Kuzzle is ready', reason='cannot reach Kuzzle at http://k:1: Connection refused')
    assert _server.failure_detail(err) == 'cannot reach Kuzzle at http://k:1: Connection refused'
