# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""community.kuzzle.kuzzle_api_key through real ansible-playbook runs against a real Kuzzle."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

MODULE = 'community.kuzzle.kuzzle_api_key'


def task(title, **options):
    return {'name': title, MODULE: options}


def keys_of(admin, user):
    """The user's stored API keys: {id: _source}."""
    status, body = admin.api('POST', '/users/%s/api-keys/_search' % user, body={}, query={'size': 100})
    assert status == 200, body
    return dict((hit['_id'], hit['_source']) for hit in body['result']['hits'])


def bot(admin, uid, profiles=('admin',)):
    """A user of this test, who may do everything (its API key is used to write)."""
    user = uid + '-bot'
    admin.create_user(user, list(profiles))
    return user


def test_create_use_the_token_then_second_run_is_ok(playbooks, admin, kuzzle, uid, tmp_path):
    user = bot(admin, uid)
    token_file = tmp_path / 'token'
    connection = playbooks.connection()
    run = playbooks.run([
        dict(task('create', user=user, description='deploys ' + uid, expires_in='1d', **connection), register='key'),
        playbooks.save_token(token_file, 'key.api_key.token'),
        {'name': 'use the key', 'community.kuzzle.kuzzle_profile': {
            'url': kuzzle.url, 'token': '{{ key.api_key.token }}', 'name': uid, 'policies': [{'role_id': 'reader'}]}},
    ], module_defaults=None)
    assert run.rc == 0, run.output
    result = run.result('create')
    token = token_file.read_text()
    assert token.startswith('kapikey-')
    assert result['changed'] is True
    assert result['msg'] == 'API key "deploys %s" of user %s created' % (uid, user)
    assert result['api_key']['token'] == token and result['api_key']['ttl'] == 86400000
    assert abs(result['api_key']['expires_at'] - (time.time() * 1000 + 86400000)) < 60000
    stored = keys_of(admin, user)
    assert list(stored) == [result['api_key']['id']]
    assert stored[result['api_key']['id']]['description'] == 'deploys ' + uid
    # the token authenticates as the user, and a later task wrote with it (anonymous may not)
    assert kuzzle.whoami(token) == (200, user)
    assert run.result('use the key')['changed'] is True and admin.profile(uid) is not None
    # without no_log, the module warns (and -v would show the token)
    assert run.shows('set no_log: true on this task')

    mark = kuzzle.mark()
    again = playbooks.run([task('again', user=user, description='deploys ' + uid, expires_in='24h')])
    assert again.rc == 0, again.output
    result = again.result('again')
    assert result['changed'] is False and 'token' not in result['api_key']
    assert result['msg'] == 'API key "deploys %s" of user %s unchanged' % (uid, user)
    assert kuzzle.writes_since(mark) == []
    assert 'set no_log' not in again.output


def test_by_id_create_then_ok_and_a_second_key_with_the_same_description(playbooks, admin, kuzzle, uid):
    user = bot(admin, uid, ('default',))
    run = playbooks.run([
        task('by id', user=user, id=uid + '-key', description='shared'),
        task('by id again', user=user, id=uid + '-key'),
        task('by description', user=user, description='shared'),
    ])
    assert run.rc == 0, run.output
    assert run.result('by id')['changed'] is True and run.result('by id')['api_key']['id'] == uid + '-key'
    assert run.result('by id again')['changed'] is False
    assert run.result('by description')['changed'] is False
    assert run.result('by description')['api_key']['id'] == uid + '-key'

    # a second key with the same description, made by someone else: the description no longer says which one
    status, body = admin.api('POST', '/users/%s/api-keys/_create' % user, body={'description': 'shared'}, query={'refresh': 'wait_for'})
    assert status == 200, body
    mark = kuzzle.mark()
    run = playbooks.run([task('ambiguous', user=user, description='shared'),
                         task('still fine by id', user=user, id=uid + '-key', description='shared')])
    run.clean_failure('ambiguous', '2 API keys of user %s have the description "shared"' % user, uid + '-key',
                      body['result']['_id'], 'set id')
    assert kuzzle.writes_since(mark) == []
    run = playbooks.run([task('still fine by id', user=user, id=uid + '-key', description='shared')])
    assert run.rc == 0 and run.result('still fine by id')['changed'] is False


def test_check_mode_writes_nothing_and_returns_no_token(playbooks, admin, kuzzle, uid):
    user = bot(admin, uid, ('default',))
    mark = kuzzle.mark()
    run = playbooks.run([task('create', user=user, description='ci', id=uid, expires_in='2h')], check=True, diff=True)
    assert run.rc == 0, run.output
    result = run.result('create')
    assert result['changed'] is True
    assert result['api_key'] == {'id': uid, 'user': user, 'description': 'ci', 'expires_at': None, 'ttl': 7200000}
    assert result['diff']['after'] == {'id': uid, 'user': user, 'description': 'ci', 'ttl': 7200000}
    assert kuzzle.writes_since(mark) == []
    assert keys_of(admin, user) == {}

    real = playbooks.run([task('create', user=user, description='ci', id=uid, expires_in='2h')], diff=True)
    assert real.rc == 0, real.output
    assert real.result('create')['diff'] == result['diff']
    assert real.result('create')['msg'] == result['msg']
    assert list(keys_of(admin, user)) == [uid]


def test_delete_in_check_mode_then_real_then_again(playbooks, admin, kuzzle, uid):
    user = bot(admin, uid, ('default',))
    status, body = admin.api('POST', '/users/%s/api-keys/_create' % user, body={'description': 'old key'}, query={'refresh': 'wait_for'})
    assert status == 200, body
    token = body['result']['_source']['token']
    mark = kuzzle.mark()
    check = playbooks.run([task('delete', user=user, description='old key', state='absent')], check=True, diff=True)
    assert check.rc == 0, check.output
    assert check.result('delete')['changed'] is True
    assert check.result('delete')['diff']['before'] == {'user': user, 'description': 'old key', 'ttl': -1}
    assert check.result('delete')['diff']['after'] == {}
    assert kuzzle.writes_since(mark) == []
    assert kuzzle.whoami(token) == (200, user)

    real = playbooks.run([task('delete', user=user, description='old key', state='absent'),
                          task('delete again', user=user, description='old key', state='absent')])
    assert real.rc == 0, real.output
    assert real.result('delete')['changed'] is True
    assert real.result('delete')['msg'] == 'API key "old key" of user %s deleted' % user
    assert real.result('delete again')['changed'] is False
    assert real.result('delete again')['msg'] == 'API key "old key" of user %s is absent' % user
    assert keys_of(admin, user) == {}
    assert kuzzle.whoami(token) == (401, 'security.token.invalid')


def test_unknown_user_fails_cleanly_in_check_mode_too(playbooks, kuzzle, uid):
    mark = kuzzle.mark()
    for check in (True, False):
        run = playbooks.run([task('unknown user', user=uid + '-nobody', description='d')], check=check)
        assert run.rc != 0
        result = run.clean_failure('unknown user', 'Could not create API key "d" of user %s-nobody' % uid,
                                   'Kuzzle answered 404 security.user.not_found', 'User "%s-nobody" not found.' % uid)
        assert result['error_id'] == 'security.user.not_found' and result['status'] == 404
    assert kuzzle.writes_since(mark) == []


def test_a_changed_lifetime_needs_recreate_which_gives_a_new_token(playbooks, admin, kuzzle, uid, tmp_path):
    user = bot(admin, uid, ('default',))
    token_file = tmp_path / 'token'
    run = playbooks.run([dict(task('create', user=user, id=uid, description='d', expires_in='1h'), register='key', no_log=True),
                         playbooks.save_token(token_file, 'key.api_key.token')])
    assert run.rc == 0, run.output
    old_token = token_file.read_text()

    mark = kuzzle.mark()
    for check in (True, False):
        run = playbooks.run([task('longer', user=user, id=uid, description='d', expires_in='2h')], check=check)
        run.clean_failure('longer', 'API key "%s" of user %s is not the key this task describes: its lifetime is 1h, not 2h' % (uid, user),
                          'recreate=true', 'state=absent')
    assert kuzzle.writes_since(mark) == []

    run = playbooks.run([dict(task('recreate', user=user, id=uid, description='d', expires_in='2h', recreate=True), register='key',
                              no_log=True),
                         playbooks.save_token(token_file, 'key.api_key.token'),
                         task('recreate again', user=user, id=uid, description='d', expires_in='2h', recreate=True)])
    assert run.rc == 0, run.output
    new_token = token_file.read_text()
    assert new_token != old_token
    assert kuzzle.whoami(old_token) == (401, 'security.token.invalid')
    assert kuzzle.whoami(new_token) == (200, user)
    assert keys_of(admin, user)[uid]['ttl'] == 7200000
    assert run.result('recreate again')['changed'] is False


def test_an_expired_key_fails_or_is_recreated(playbooks, admin, uid):
    user = bot(admin, uid, ('default',))
    status, body = admin.api('POST', '/users/%s/api-keys/_create' % user, body={'description': 'short'},
                             query={'refresh': 'wait_for', 'expiresIn': '1s', '_id': uid})
    assert status == 200, body
    time.sleep(1.5)
    # Kuzzle 2.56 says "invalid", not "expired": jsonwebtoken's TokenExpiredError is a JsonWebTokenError
    assert admin.kuzzle.whoami(body['result']['_source']['token']) == (401, 'security.token.invalid')
    run = playbooks.run([task('expired', user=user, description='short')])
    run.clean_failure('expired', 'it expired on 20')
    run = playbooks.run([task('expired', user=user, description='short', recreate=True)])
    assert run.rc == 0, run.output
    result = run.result('expired')
    assert result['changed'] is True and result['msg'].startswith('API key "short" of user %s deleted and created again' % user)
    assert result['api_key']['ttl'] == 1000  # the old lifetime, since the task gives none
    assert list(keys_of(admin, user)) == [result['api_key']['id']] and result['api_key']['id'] != uid


def test_with_no_log_the_token_never_shows_even_with_vvv(playbooks, admin, kuzzle, uid, tmp_path):
    user = bot(admin, uid)
    token_file = tmp_path / 'token'
    connection = playbooks.connection()
    run = playbooks.run([
        dict(task('create', user=user, description='secret ' + uid, **connection), register='key', no_log=True),
        playbooks.save_token(token_file, 'key.api_key.token'),
        {'name': 'use the key', 'community.kuzzle.kuzzle_profile': {
            'url': kuzzle.url, 'token': '{{ key.api_key.token }}', 'name': uid, 'policies': [{'role_id': 'reader'}]}},
        {'name': 'show what is not secret', 'ansible.builtin.debug': {'msg': '{{ key.api_key.id }} {{ key.changed }}'}},
    ], module_defaults=None, verbosity=3)
    assert run.rc == 0, run.output
    token = token_file.read_text()
    assert token.startswith('kapikey-')
    assert token not in run.output
    assert token[20:60] not in run.output
    # what -vvv shows instead: the censored result of the no_log task, the masked token option of the next one
    assert "the output has been hidden due to the fact that 'no_log: true' was specified for this result" in run.output
    if run.ansible_core < (2, 21):  # 2.21 no longer shows a module's invocation (its options) at all
        assert '"token": "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"' in run.output
    assert 'set no_log' not in run.output
    assert run.result('show what is not secret')['msg'].endswith(' True')
    assert admin.password not in run.output


def test_malformed_input_fails_before_any_request(playbooks, uid):
    cases = [
        (dict(user=uid), 'description is required when id is not given'),
        (dict(user=uid, description='d', expires_in='soon'), 'expires_in: "soon" is not a duration Kuzzle understands'),
        (dict(user=uid, description='d', expires_in='-1d'), 'is negative'),
        (dict(user=uid, description='d', expires_in=0), 'is zero'),
        (dict(user='_search', description='d'), 'cannot be used'),
        (dict(user=uid, description=''), 'description must be a non-empty string'),
        (dict(user=uid, description='d', bogus=1), 'bogus'),
    ]
    playbooks.assert_refused_before_any_request(MODULE, cases)
