# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""kuzzle_security's purge_exclude, and kourou's exported files applied as they are, through real ansible-playbook runs
against a Kuzzle of this file's own (a purge deletes what other tests own on the session's Kuzzle)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

import pytest

from pytest_kuzzle import KuzzleServer, start_serve, stop_serve  # pylint: disable=import-error

HERE = os.path.dirname(os.path.abspath(__file__))
# kourou 1.2.0's real exports (see their README.md); the shared copy is used when the repository has none
EXPORTS = os.environ.get('KOUROU_EXPORTS') or os.path.join(HERE, '..', 'fixtures', 'kourou-1.2.0')
READ = {'document': {'actions': {'get': True}}}
PASSWORD = 'pe-admin-pw-73b1'


@pytest.fixture(scope='module')
def own(tmp_path_factory, make_playbooks, make_admin):
    directory = tmp_path_factory.mktemp('purge-kuzzle')
    proc, url, write_log = start_serve(str(directory))
    try:
        server = KuzzleServer(url, write_log)
        status, body = server.api('POST', '/_createFirstAdmin/root', query={'reset': None}, token='', body={
            'credentials': {'local': {'username': 'root', 'password': PASSWORD}}})
        assert status == 200, body
        admin = make_admin(server, 'root', PASSWORD)
        yield server, admin, make_playbooks(directory, server, admin)
    finally:
        stop_serve(proc)


def security(**options):
    return {'name': 'converge', 'community.kuzzle.kuzzle_security': options}


def test_purge_deletes_exactly_what_is_neither_listed_nor_excluded(own):
    server, admin, playbooks = own
    for role in ('dm-admin', 'dm-tenant', 'stray-role', 'mine'):
        admin.create_role(role)
    admin.create_profile('dm-profile', [{'roleId': 'dm-admin'}])
    admin.create_profile('stray-profile', [{'roleId': 'stray-role'}])
    admin.create_user('plugin-user', ['dm-profile'])
    admin.create_user('stray-user', ['stray-profile'])
    wanted = dict(roles={'mine': {'controllers': READ}}, profiles={'mine-p': {'policies': [{'roleId': 'mine'}]}},
                  users={'mine-u': {'content': {'profileIds': ['mine-p']}}}, purge=True,
                  purge_exclude={'roles': ['dm-*'], 'profiles': ['dm-profile'], 'users': ['plugin-*']})
    mark = server.mark()
    check = playbooks.run([security(**wanted)], check=True)
    assert check.rc == 0, check.output
    result = check.result('converge')
    deleted = [(op['kind'], op['id']) for op in result['operations'] if op['action'] == 'delete']
    assert deleted == [('users', 'stray-user'), ('profiles', 'stray-profile'), ('roles', 'stray-role')]
    assert result['purge_excluded'] == {'roles': ['dm-admin', 'dm-tenant'], 'profiles': ['dm-profile'], 'users': ['plugin-user']}
    assert server.writes_since(mark) == []

    run = playbooks.run([security(**wanted)])
    assert run.rc == 0, run.output
    assert run.result('converge')['operations'] == result['operations']
    assert admin.role('stray-role') is None and admin.profile('stray-profile') is None
    assert admin.read('users', 'stray-user') is None
    assert admin.role('dm-admin') and admin.role('dm-tenant') and admin.profile('dm-profile') and admin.read('users', 'plugin-user')
    assert admin.read('users', 'root')  # the task's own user is never purged
    again = playbooks.run([security(**wanted)])
    assert again.result('converge')['changed'] is False

    # the role passes it through
    role_run = playbooks.run([], roles=[{'role': 'community.kuzzle.security', 'vars': {
        'kuzzle_security_roles': wanted['roles'], 'kuzzle_security_purge': True,
        'kuzzle_security_purge_exclude': {'roles': ['dm-*']},
        'kuzzle_url': server.url, 'kuzzle_username': 'root', 'kuzzle_password': PASSWORD}}])
    assert role_run.rc == 0, role_run.output
    assert role_run.result('community.kuzzle.security : Converge the Kuzzle security definition')['purge_excluded'] == {'roles': ['dm-admin', 'dm-tenant']}


def exported(name):
    path = os.path.join(EXPORTS, name)
    if not os.path.exists(path):
        pytest.fail('kourou exports not found at %s (set KOUROU_EXPORTS)' % EXPORTS)
    with open(path) as handle:
        return json.load(handle)


def test_kourou_exports_apply_as_they_are_then_unchanged(own):
    server, admin, playbooks = own
    files = {'roles': exported('roles.json'), 'profiles': exported('profiles.json'), 'users': exported('users.json')}
    run = playbooks.run([security(**files)])
    assert run.rc == 0, run.output
    assert run.result('converge')['changed'] is True
    # the profiles are stored as the file gives them: policies, restrictions and collections in its order
    for name in ('editor', 'auditor', 'operator'):
        assert admin.profile(name)['policies'] == files['profiles']['content'][name]['policies']
    assert admin.read('users', 'asmith')['team'] == {'name': 'audit', 'level': 2}
    mark = server.mark()
    again = playbooks.run([security(**files)])
    assert again.result('converge')['changed'] is False, again.output
    assert server.writes_since(mark) == []

    # the export with generated credentials: the local credentials are created, the passwords never shown
    generated = exported(os.path.join('generated-credentials', 'users.json'))
    generated['content'].pop('admin')  # the admin of the export is not ours: leave it alone
    creds = playbooks.run([security(users=generated)], verbosity=3)
    assert creds.rc == 0, creds.output
    password = generated['content']['jdoe']['credentials']['local']['password']
    assert password not in creds.output
    assert server.login('jdoe', password).startswith('kauth-')


def test_a_kourou_file_of_another_kind_fails_clearly(own):
    server, dummy, playbooks = own
    mark = server.mark()
    run = playbooks.run([dict(security(profiles=exported('roles.json')), ignore_errors=True)])
    run.clean_failure('converge', 'profiles is a kourou export of roles', 'give it as roles')
    assert server.writes_since(mark) == []
