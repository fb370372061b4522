# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""community.kuzzle.kuzzle_login through real ansible-playbook runs against a real Kuzzle."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

MODULE = 'community.kuzzle.kuzzle_login'


def session_defaults(playbooks):
    """module_defaults: the URL, and the token of the login task once it has registered it."""
    return {'group/community.kuzzle.kuzzle': {'url': playbooks.kuzzle.url,
                                              'token': '{{ kuzzle_session.token | default(omit) }}'}}


def login_task(playbooks, **options):
    options.setdefault('username', playbooks.admin.username)
    options.setdefault('password', playbooks.admin.password)
    return {'name': 'log in', MODULE: options, 'register': 'kuzzle_session', 'no_log': True}


def profile_task(title, name, role):
    return {'name': title, 'community.kuzzle.kuzzle_profile': {'name': name, 'policies': [{'role_id': role}]}}


def test_log_in_once_and_pass_the_token_through_module_defaults(playbooks, admin, kuzzle, uid, tmp_path):
    token_file = tmp_path / 'token'
    run = playbooks.run([
        login_task(playbooks),
        playbooks.save_token(token_file),
        profile_task('create', uid, 'reader'),
        profile_task('update', uid, 'writer'),
        profile_task('again', uid, 'writer'),
        {'name': 'not secret', 'ansible.builtin.debug': {'msg': '{{ kuzzle_session.kuid }} {{ kuzzle_session.ttl }}'}},
    ], module_defaults=session_defaults(playbooks), verbosity=3)
    assert run.rc == 0, run.output
    token = token_file.read_text()
    assert token.startswith('kauth-')
    # anonymous may do nothing here: the profile tasks could only write with the token
    assert run.result('create')['changed'] is True and run.result('update')['changed'] is True
    assert run.result('again')['changed'] is False
    assert admin.profile(uid)['policies'] == [{'roleId': 'writer'}]
    assert run.result('not secret')['msg'] == '%s 3600000' % admin.username  # Kuzzle's default lifetime: 1h
    # the token outlives the play (kuzzle_login does not log out), and never showed
    assert kuzzle.whoami(token) == (200, admin.username)
    assert token not in run.output and admin.password not in run.output


def test_log_out_at_the_end_in_check_mode_then_real_then_again(playbooks, kuzzle, uid, tmp_path):
    token_file = tmp_path / 'token'
    logout = {'name': 'log out', MODULE: {'state': 'absent'}}
    run = playbooks.run([login_task(playbooks), playbooks.save_token(token_file), profile_task('work', uid, 'reader'), logout],
                        module_defaults=session_defaults(playbooks), check=True)
    assert run.rc == 0, run.output
    token = token_file.read_text()
    assert run.result('work')['changed'] is True  # read with the token, in check mode
    assert run.result('log out')['changed'] is True
    assert kuzzle.whoami(token) == (200, playbooks.admin.username)  # check mode did not log out

    run = playbooks.run([login_task(playbooks), playbooks.save_token(token_file), logout, dict(logout, name='log out again')],
                        module_defaults=session_defaults(playbooks))
    assert run.rc == 0, run.output
    token = token_file.read_text()
    assert run.result('log out')['changed'] is True
    assert run.result('log out')['msg'] == 'logged out: the token is revoked'
    assert run.result('log out again')['changed'] is False
    assert run.result('log out again')['msg'] == 'the token is already invalid (logged out or expired)'
    assert kuzzle.whoami(token) == (401, 'security.token.invalid')


def test_check_mode_logs_in_and_writes_nothing(playbooks, admin, kuzzle, uid):
    admin.create_profile(uid, [{'roleId': 'reader'}])
    mark = kuzzle.mark()
    run = playbooks.run([login_task(playbooks), profile_task('would change', uid, 'writer')],
                        module_defaults=session_defaults(playbooks), check=True, diff=True)
    assert run.rc == 0, run.output
    assert run.result('would change')['changed'] is True
    assert run.result('would change')['msg'] == 'profile %s: role writer added; role reader removed' % uid
    assert kuzzle.writes_since(mark) == []  # the login wrote nothing to the storage either
    assert admin.profile(uid)['policies'] == [{'roleId': 'reader'}]


def test_expires_in_is_honoured(playbooks, kuzzle, tmp_path):
    token_file = tmp_path / 'token'
    before = time.time() * 1000
    run = playbooks.run([
        {'name': 'short', MODULE: {'expires_in': '10s', 'username': playbooks.admin.username, 'password': playbooks.admin.password},
         'register': 'kuzzle_session'},
        playbooks.save_token(token_file),
        {'name': 'read with it', 'community.kuzzle.kuzzle_profile_info': {'name': 'admin', 'token': '{{ kuzzle_session.token }}'}},
    ], module_defaults={'group/community.kuzzle.kuzzle': {'url': kuzzle.url}})
    assert run.rc == 0, run.output
    result = run.result('short')
    token = token_file.read_text()
    assert result['changed'] is False and result['ttl'] == 10000 and result['kuid'] == playbooks.admin.username
    assert before + 10000 - 1000 <= result['expires_at'] <= time.time() * 1000 + 10000
    assert result['token'] == token  # without no_log the token is in the result, and the module warns
    assert run.shows('set no_log: true on this task')
    assert run.result('read with it')['profiles'][0]['name'] == 'admin'
    time.sleep(max(0, (result['expires_at'] - time.time() * 1000) / 1000) + 1.5)
    assert kuzzle.whoami(token) == (401, 'security.token.invalid')


def test_wrong_password_fails_cleanly_without_the_password(playbooks, kuzzle, uid):
    secret = 'not-the-password-' + uid
    mark = kuzzle.mark()
    run = playbooks.run([login_task(playbooks, password=secret), profile_task('never runs', uid, 'reader')],
                        module_defaults=session_defaults(playbooks), verbosity=3)
    assert run.rc != 0
    assert run.status('log in') == 'failed'
    assert secret not in run.output
    assert "the output has been hidden due to the fact that 'no_log: true'" in run.output  # the task's choice
    assert [r['task'] for r in run.results] == ['log in']
    assert kuzzle.writes_since(mark) == []

    # without no_log on the task, the message is clear and still has no password
    run = playbooks.run([{'name': 'log in', MODULE: {'username': playbooks.admin.username, 'password': secret}}],
                        module_defaults={'group/community.kuzzle.kuzzle': {'url': kuzzle.url}}, verbosity=3)
    result = run.clean_failure('log in', 'Could not log in to Kuzzle as "%s" (strategy local)' % playbooks.admin.username,
                               'Kuzzle answered 401 plugin.strategy.missing_user: wrong username or password')
    assert result['status'] == 401
    assert secret not in run.output


def test_failures_before_any_request(playbooks, kuzzle, admin):
    status, body = admin.api('POST', '/users/%s/api-keys/_create' % admin.username, body={'description': 'not a session'},
                             query={'refresh': 'wait_for'})
    assert status == 200, body
    api_key = body['result']['_source']['token']
    unreachable = {'url': 'http://127.0.0.1:9'}
    cases = [
        ({}, 'kuzzle_login logs in with username and password'),
        ({'username': 'a', 'password': 'b', 'expires_in': 'soon'}, 'expires_in: "soon" is not a duration'),
        ({'state': 'absent'}, 'set token'),
        ({'state': 'absent', 'token': api_key}, 'token is an API key'),
    ]
    tasks = [{'name': 'case %d' % i, MODULE: dict(options, **unreachable), 'ignore_errors': True} for i, options in enumerate(c[0] for c in cases)]
    run = playbooks.run(tasks, module_defaults=None, verbosity=3)
    for i, fragment in enumerate(c[1] for c in cases):
        assert 'cannot reach' not in run.clean_failure('case %d' % i, fragment)['msg']
    assert api_key not in run.output
    assert kuzzle.whoami(api_key) == (200, admin.username)
