# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Issue 10, case 1: tasks authenticated as the same user, in parallel forks or one after the other, never break
each other. Kuzzle gives two logins of one user within the same second the same token (pinned by
tests/contract/test_token_sharing.py), so a task that logs out may end another task's session."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import sys
from urllib.parse import parse_qsl, urlsplit

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'faults'))

from proxy import FaultProxy  # noqa: E402 pylint: disable=wrong-import-position,import-error

pytestmark = pytest.mark.kuzzle_load  # the newest cell of the integration matrix only (scripts/test-all)

HOSTS = ['host%d' % i for i in range(1, 7)]
READ = {'document': {'actions': {'get': True, 'search': True}}}


def failures(run):
    """(host, task, msg) of every failed task of a run, to say what broke."""
    return [(r.get('host'), r['task'], r['result'].get('msg')) for r in run.results if r['status'] == 'failed']


def host_tasks(uid, generation):
    """The tasks each host runs, delegated to localhost, on objects of its own (uid-<host>-...); ``generation``
    changes what is written, so that every run writes."""
    definition = {
        'roles': {'PREFIX-r': {'controllers': READ}},
        'profiles': {'PREFIX-p': {'policies': [{'roleId': 'PREFIX-r'}], 'rateLimit': generation}},
        'users': {'PREFIX-u': {'content': {'profileIds': ['PREFIX-p'], 'generation': generation}}},
    }
    common = {'delegate_to': 'localhost'}
    return [
        dict(common, name='definition', **{'ansible.builtin.set_fact': {
            'prefix': '%s-{{ inventory_hostname }}' % uid,
            'definition': "{{ '%s' | replace('PREFIX', '%s-' ~ inventory_hostname) | from_json }}" % (json.dumps(definition), uid)}}),
        dict(common, name='security', **{'community.kuzzle.kuzzle_security': {
            'roles': '{{ definition.roles }}', 'profiles': '{{ definition.profiles }}', 'users': '{{ definition.users }}'}}),
        dict(common, name='role', **{'community.kuzzle.kuzzle_role': {'name': '{{ prefix }}-r2', 'controllers': READ}}),
        dict(common, name='profile', **{'community.kuzzle.kuzzle_profile': {
            'name': '{{ prefix }}-p2', 'policies': [{'role_id': '{{ prefix }}-r2'}], 'rate_limit': generation}}),
        dict(common, name='user', **{'community.kuzzle.kuzzle_user': {
            'name': '{{ prefix }}-u2', 'profile_ids': ['{{ prefix }}-p2'], 'content': {'generation': generation}}}),
        dict(common, name='read back', **{'community.kuzzle.kuzzle_profile_info': {'names': ['{{ prefix }}-p', '{{ prefix }}-p2']}}),
    ]


def test_a_play_over_six_hosts_with_six_forks_and_password_auth_converges_every_time(playbooks, admin, uid):
    for generation in range(1, 5):
        run = playbooks.run(host_tasks(uid, generation), hosts=HOSTS, forks=6)
        assert failures(run) == [] and run.rc == 0, 'run %d: %s\n%s' % (generation, failures(run), run.output)
        for host in HOSTS:
            prefix = '%s-%s' % (uid, host)
            assert admin.profile(prefix + '-p')['rateLimit'] == generation
            assert admin.profile(prefix + '-p2')['rateLimit'] == generation
            assert admin.read('users', prefix + '-u2')['generation'] == generation


def test_a_token_issued_in_the_same_second_survives_a_password_task_of_the_same_user(playbooks, admin, kuzzle, uid, tmp_path):
    """The sequential case: a token of the user (as kuzzle_login returns), then a task with that user's password that
    logs in within the same second (so Kuzzle gives it that very token) and may log out, then tasks with the token.
    The proxy makes "the same second" certain: when the task's login is answered, the test logs in as the same
    user, with the same lifetime (Kuzzle's token depends on the second and the lifetime only), before the task
    gets the answer, and keeps that token only if it is the task's."""
    token_file = tmp_path / 'token'
    shared = []

    def log_in_at_the_same_moment(entry, status, headers, body):  # pylint: disable=unused-argument
        module_token = json.loads(body)['result']['jwt']
        query = dict(parse_qsl(urlsplit(entry['path']).query))  # the task's expiresIn, if any
        answer = kuzzle.api('POST', '/_login/local', {'username': admin.username, 'password': admin.password},
                            token='', query=query)[1]
        token = answer['result']['jwt']
        token_file.write_text(token)
        shared.append(token == module_token)

    token = {'token': "{{ lookup('file', '%s') }}" % token_file, 'url': kuzzle.url}
    tasks = [
        {'name': 'password task', 'community.kuzzle.kuzzle_profile': {
            'name': uid + '-pw', 'policies': [{'role_id': 'reader'}], 'username': admin.username, 'password': admin.password}},
        {'name': 'token task', 'community.kuzzle.kuzzle_profile': dict(token, name=uid + '-tok', policies=[{'role_id': 'reader'}])},
        {'name': 'token read', 'community.kuzzle.kuzzle_profile_info': dict(token, name=uid + '-tok')},
    ]
    for attempt in range(3):
        with FaultProxy(kuzzle.url) as proxy:
            proxy.add('pass', method='POST', path='^/_login/', hook=log_in_at_the_same_moment)
            run = playbooks.run(tasks, module_defaults={'group/community.kuzzle.kuzzle': {'url': proxy.url}})
        if shared[-1]:
            break
        assert attempt < 2, 'the two logins never landed in the same second'
    assert proxy.entries(method='POST', path='^/_login/')  # the password task did log in
    assert failures(run) == [] and run.rc == 0, '%s\n%s' % (failures(run), run.output)
    assert admin.profile(uid + '-tok')['policies'] == [{'roleId': 'reader'}]
    assert kuzzle.whoami(token_file.read_text()) == (200, admin.username)
