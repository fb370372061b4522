# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""community.kuzzle.kuzzle_user and kuzzle_user_info through real ansible-playbook runs against a real Kuzzle.

Every test that gives a password runs ansible-playbook with -vvv and checks that the password is
nowhere in its output; logging in as the user proves what the password is.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import secrets

MODULE = 'community.kuzzle.kuzzle_user'
INFO = 'community.kuzzle.kuzzle_user_info'


def task(title, module=MODULE, **options):
    return {'name': title, module: options}


def new_password():
    return 'Pw-' + secrets.token_hex(10)


def stored_user(admin, kuid):
    """The stored _source of a user without _kuzzle_info, or None when Kuzzle says it does not exist."""
    source = admin.read('users', kuid)
    return None if source is None else dict((k, v) for k, v in source.items() if k != '_kuzzle_info')


def username_of(admin, kuid):
    status, body = admin.api('GET', '/credentials/local/%s' % kuid)
    if status == 412:
        return None
    assert status == 200, body
    return body['result']['username']


def can_log_in(kuzzle, username, password):
    """Whether Kuzzle accepts these credentials (the session is logged out again)."""
    status, body = kuzzle.api('POST', '/_login/local', body={'username': username, 'password': password}, token='')
    if status == 401:
        assert body['error']['id'] == 'plugin.strategy.missing_user', body
        return False
    assert status == 200, body
    assert body['result']['_id']
    kuzzle.api('POST', '/_logout', token=body['result']['jwt'])
    return True


def test_create_log_in_then_second_run_reports_ok(playbooks, admin, kuzzle, uid):
    password = new_password()
    options = dict(name=uid, profile_ids=['default'], content={'fullname': 'Alice', 'address': {'city': 'Paris'}},
                   credentials={'username': uid + '-login', 'password': password})
    run = playbooks.run([task('create', **options)], verbosity=3)
    assert run.rc == 0, run.output
    result = run.result('create')
    assert result['changed'] is True
    assert result['msg'] == 'user %s created with profile default, content address, fullname, local credentials for username %s-login' % (uid, uid)
    assert result['user'] == {'profileIds': ['default'], 'fullname': 'Alice', 'address': {'city': 'Paris'}}
    assert stored_user(admin, uid) == result['user']
    assert can_log_in(kuzzle, uid + '-login', password)
    assert password not in run.output

    mark = kuzzle.mark()
    again = playbooks.run([task('again', **options)], verbosity=3)
    assert again.rc == 0, again.output
    assert again.result('again')['changed'] is False
    assert again.result('again')['msg'] == 'user %s unchanged' % uid
    assert kuzzle.writes_since(mark) == []
    assert password not in again.output


def test_check_mode_decides_writes_nothing_and_diffs_without_the_password(playbooks, admin, kuzzle, uid):
    password = new_password()
    options = dict(name=uid, profile_ids=['default'], content={'fullname': 'Bob'}, credentials={'username': uid, 'password': password})
    mark = kuzzle.mark()
    check = playbooks.run([task('create', **options)], check=True, diff=True, verbosity=3)
    assert check.rc == 0, check.output
    result = check.result('create')
    assert result['changed'] is True
    assert result['diff']['after'] == {'profileIds': ['default'], 'content': {'fullname': 'Bob'},
                                       'credentials': {'local': {'username': uid, 'password': '(set)'}}}
    assert '+            "password": "(set)",' in check.stdout
    assert result['user'] == {'profileIds': ['default'], 'fullname': 'Bob'}
    assert kuzzle.writes_since(mark) == []
    assert stored_user(admin, uid) is None
    assert password not in check.output

    real = playbooks.run([task('create', **options)], diff=True, verbosity=3)
    assert real.rc == 0, real.output
    assert real.result('create')['diff'] == result['diff']
    assert real.result('create')['msg'] == result['msg']
    assert real.result('create')['user'] == result['user']
    assert password not in real.output
    assert can_log_in(kuzzle, uid, password)


def test_update_writes_only_what_changed_and_keeps_the_rest(playbooks, admin, kuzzle, uid):
    admin.create_profile(uid + '-p', [{'roleId': 'reader'}])
    status, body = admin.api('POST', '/users/%s/_create' % uid, query={'refresh': 'wait_for'}, body={'content': {
        'profileIds': ['default'], 'fullname': 'Carol', 'team': 'ops', 'address': {'city': 'Lyon', 'zip': '69000'}}})
    assert status == 200, body
    mark = kuzzle.mark()
    run = playbooks.run([task('update', name=uid, profile_ids=[uid + '-p'], content={'fullname': 'Carol B', 'address': {'city': 'Nice'}})],
                        diff=True)
    assert run.rc == 0, run.output
    result = run.result('update')
    assert result['changed'] is True
    assert result['msg'] == 'user %s: profile %s-p added; profile default removed; content.address changed; content.fullname changed' % (uid, uid)
    assert result['diff']['before'] == {'profileIds': ['default'], 'content': {'fullname': 'Carol', 'address': {'city': 'Lyon', 'zip': '69000'}}}
    assert result['diff']['after'] == {'profileIds': [uid + '-p'], 'content': {'fullname': 'Carol B', 'address': {'city': 'Nice', 'zip': '69000'}}}
    expected = {'profileIds': [uid + '-p'], 'fullname': 'Carol B', 'team': 'ops', 'address': {'city': 'Nice', 'zip': '69000'}}
    assert result['user'] == expected
    assert stored_user(admin, uid) == expected
    # what Elasticsearch holds (a search) agrees with what Kuzzle answers and caches (a get)
    status, body = admin.api('POST', '/users/_search', body={'query': {'ids': {'values': [uid]}}})
    assert status == 200 and body['result']['hits'][0]['_source']['address'] == {'city': 'Nice', 'zip': '69000'}
    writes = kuzzle.writes_since(mark)
    assert len(writes) == 1 and writes[0]['id'] == uid, writes

    again = playbooks.run([task('again', name=uid, profile_ids=[uid + '-p'], content={'address': {'city': 'Nice'}})])
    assert again.result('again')['changed'] is False


def test_merge_adds_profiles_and_purge_makes_them_exact(playbooks, admin, uid):
    admin.create_user(uid, ['default'])
    admin.create_profile(uid + '-a', [{'roleId': 'reader'}])
    admin.create_profile(uid + '-b', [{'roleId': 'writer'}])
    run = playbooks.run([
        task('merge', name=uid, profile_ids=[uid + '-a'], purge_profile_ids=False),
        task('merge again', name=uid, profile_ids=[uid + '-a', 'default'], purge_profile_ids=False),
    ])
    assert run.rc == 0, run.output
    assert run.result('merge')['changed'] is True
    assert run.result('merge')['msg'] == 'user %s: profile %s-a added' % (uid, uid)
    assert run.result('merge again')['changed'] is False
    assert stored_user(admin, uid)['profileIds'] == ['default', uid + '-a']

    run = playbooks.run([task('purge', name=uid, profile_ids=[uid + '-b'])])
    assert run.rc == 0, run.output
    assert run.result('purge')['msg'] == 'user %s: profile %s-b added; profile default removed; profile %s-a removed' % (uid, uid, uid)
    assert stored_user(admin, uid)['profileIds'] == [uid + '-b']


def test_update_password_always_changes_only_a_different_password(playbooks, admin, kuzzle, uid):
    first, second = new_password(), new_password()
    admin.create_user(uid, ['default'], username=uid, password=first)

    def always(password):
        return dict(name=uid, update_password='always', credentials={'username': uid, 'password': password})

    same = always(first)
    mark = kuzzle.mark()
    run = playbooks.run([task('same password', **same)], diff=True, verbosity=3)
    assert run.rc == 0, run.output
    assert run.result('same password')['changed'] is False
    assert run.result('same password')['diff']['before'] == run.result('same password')['diff']['after']
    assert kuzzle.writes_since(mark) == []  # the login as the user writes nothing to storage
    assert first not in run.output

    other = always(second)
    check = playbooks.run([task('other password', **other)], check=True, diff=True, verbosity=3)
    assert check.rc == 0, check.output
    assert check.result('other password')['changed'] is True
    assert check.result('other password')['diff']['after']['credentials'] == {'local': {'username': uid, 'password': '(changed)'}}
    assert kuzzle.writes_since(mark) == []
    assert can_log_in(kuzzle, uid, first)

    run = playbooks.run([task('other password', **other), task('other password again', **other)], diff=True, verbosity=3)
    assert run.rc == 0, run.output
    assert run.result('other password')['changed'] is True
    assert run.result('other password')['msg'] == 'user %s: password changed' % uid
    assert run.result('other password again')['changed'] is False
    assert can_log_in(kuzzle, uid, second) and not can_log_in(kuzzle, uid, first)
    for secret in (first, second):
        assert secret not in run.output and secret not in check.output

    # on_create (the default) never sends the password of existing credentials
    run = playbooks.run([task('on create', name=uid, credentials={'username': uid, 'password': first})], verbosity=3)
    assert run.result('on create')['changed'] is False
    assert can_log_in(kuzzle, uid, second)


def test_username_change(playbooks, admin, kuzzle, uid):
    password = new_password()
    admin.create_user(uid, ['default'], username=uid + '-old', password=password)
    run = playbooks.run([task('rename', name=uid, credentials={'username': uid + '-new', 'password': password})], diff=True, verbosity=3)
    assert run.rc == 0, run.output
    result = run.result('rename')
    assert result['changed'] is True
    assert result['msg'] == 'user %s: username %s-old -> %s-new' % (uid, uid, uid)
    assert result['diff']['before']['credentials'] == {'local': {'username': uid + '-old'}}
    assert result['diff']['after']['credentials'] == {'local': {'username': uid + '-new'}}
    assert username_of(admin, uid) == uid + '-new'
    assert can_log_in(kuzzle, uid + '-new', password) and not can_log_in(kuzzle, uid + '-old', password)
    assert password not in run.output


def test_a_username_of_another_user_fails_cleanly_in_check_mode_too(playbooks, admin, kuzzle, uid):
    admin.create_user(uid + '-other', ['default'], username=uid + '-taken', password=new_password())
    admin.create_user(uid, ['default'], username=uid, password=new_password())
    mark = kuzzle.mark()
    for check in (True, False):
        run = playbooks.run([task('taken', name=uid, content={'x': 1}, credentials={'username': uid + '-taken'})], check=check)
        assert run.rc != 0
        result = run.clean_failure('taken', 'Nothing written: user "%s": Kuzzle would refuse it (412): username "%s-taken" is already '
                                   'used by user "%s-other"' % (uid, uid, uid))
        assert result['status'] == 412 and result['error_id'] is None and result['changed'] is False
    assert kuzzle.writes_since(mark) == []
    assert username_of(admin, uid) == uid and 'x' not in stored_user(admin, uid)


def test_credentials_for_a_user_without_them(playbooks, admin, kuzzle, uid):
    password = new_password()
    admin.create_user(uid, ['default'])
    run = playbooks.run([task('no password', name=uid, credentials={'username': uid})], verbosity=3)
    assert run.rc != 0
    run.clean_failure('no password', 'has no local credentials', 'credentials.password is required')
    run = playbooks.run([task('add', name=uid, credentials={'username': uid, 'password': password})], verbosity=3)
    assert run.rc == 0, run.output
    assert run.result('add')['msg'] == 'user %s: local credentials created for username %s' % (uid, uid)
    assert can_log_in(kuzzle, uid, password)
    assert password not in run.output


def test_delete_in_check_mode_then_real_then_again_reports_what_goes(playbooks, admin, kuzzle, uid):
    admin.create_user(uid, ['default'], username=uid, password=new_password())
    for description in ('ci', 'backup'):
        status, body = admin.api('POST', '/users/%s/api-keys/_create' % uid, body={'description': description}, query={'refresh': 'wait_for'})
        assert status == 200, body
    mark = kuzzle.mark()
    check = playbooks.run([task('delete', name=uid, state='absent')], check=True, diff=True)
    assert check.rc == 0, check.output
    result = check.result('delete')
    assert result['changed'] is True
    assert result['removed'] == {'credentials': ['local'], 'api_keys': 2}
    assert result['msg'] == 'user %s deleted, with its credentials (local), 2 API keys and its authentication tokens' % uid
    assert result['diff']['after'] == {} and result['diff']['before'] == {'profileIds': ['default'], 'content': {}}
    assert kuzzle.writes_since(mark) == []
    assert stored_user(admin, uid) is not None

    real = playbooks.run([task('delete', name=uid, state='absent'), task('delete again', name=uid, state='absent')])
    assert real.rc == 0, real.output
    assert real.result('delete')['msg'] == result['msg']
    assert real.result('delete')['removed'] == result['removed']
    assert real.result('delete again')['changed'] is False
    assert real.result('delete again')['msg'] == 'user %s is absent' % uid
    assert stored_user(admin, uid) is None
    assert username_of(admin, uid) is None
    status, body = admin.api('POST', '/credentials/local/users/_search', body={'query': {'term': {'username': uid}}})
    assert status == 200 and body['result']['total'] == 0


def test_unknown_profile_fails_in_check_mode_too_and_writes_nothing(playbooks, admin, kuzzle, uid):
    password = new_password()
    mark = kuzzle.mark()
    for check in (True, False):
        run = playbooks.run([task('unknown profile', name=uid, profile_ids=['default', 'no-such-profile'],
                                  credentials={'username': uid, 'password': password})], check=check, verbosity=3)
        assert run.rc != 0
        result = run.clean_failure('unknown profile', 'Could not create user "%s"' % uid, 'security.profile.not_found', 'no-such-profile')
        assert result['error_id'] == 'security.profile.not_found' and result['status'] == 404
        assert password not in run.output
    assert stored_user(admin, uid) is None
    assert kuzzle.writes_since(mark) == []


def test_malformed_input_fails_before_any_request(playbooks, uid):
    cases = [
        (dict(name=uid, content={'profileIds': ['a']}), 'use profile_ids'),
        (dict(name=uid, profile_ids=[]), 'without profiles'),
        (dict(name='-1', profile_ids=['default']), 'built-in anonymous user'),
        (dict(name='_search', profile_ids=['default']), 'cannot be used'),
        (dict(name=uid, credentials={}), 'credentials needs username, password or both'),
        (dict(name=uid, credentials={'username': 'a', 'pass': 'b'}), 'pass'),
        (dict(name=uid, update_password='never'), 'update_password'),
    ]
    playbooks.assert_refused_before_any_request(MODULE, cases)


def test_info_output_applied_back_changes_nothing(playbooks, admin, kuzzle, uid):
    admin.create_profile(uid + '-p', [{'roleId': 'reader'}])
    admin.create_user(uid + '-a', [uid + '-p', 'default'], username=uid + '-a', password=new_password())
    status, body = admin.api('POST', '/users/%s-b/_create' % uid, query={'refresh': 'wait_for'}, body={'content': {
        'profileIds': ['default'], 'fullname': 'B', 'tags': ['x', 'y'], 'prefs': {'lang': 'fr', 'tz': None}}})
    assert status == 200, body
    names = [uid + '-b', uid + '-missing', uid + '-a']
    run = playbooks.run([
        dict(task('one', INFO, name=uid + '-a'), register='one'),
        dict(task('several', INFO, names=names), register='several'),
        dict(task('all', INFO), register='every'),
    ], check=True)
    assert run.rc == 0, run.output
    assert run.result('one')['users'] == [{'name': uid + '-a', 'profile_ids': ['default', uid + '-p'], 'content': {},
                                           'credentials': {'username': uid + '-a'}}]
    several = run.result('several')
    assert [u['name'] for u in several['users']] == [uid + '-b', uid + '-a']
    assert several['missing'] == [uid + '-missing']
    assert several['users'][0] == {'name': uid + '-b', 'profile_ids': ['default'],
                                   'content': {'fullname': 'B', 'tags': ['x', 'y'], 'prefs': {'lang': 'fr', 'tz': None}}}
    every = dict((u['name'], u) for u in run.result('all')['users'])
    assert every[uid + '-a'] == several['users'][1] and every[uid + '-b'] == several['users'][0]
    assert admin_listed(every)

    mark = kuzzle.mark()
    back = playbooks.run([
        dict(task('read', INFO, names=names), register='found'),
        {'name': 'apply', MODULE: {'name': '{{ item.name }}', 'profile_ids': '{{ item.profile_ids }}', 'content': '{{ item.content }}',
                                   'credentials': '{{ item.credentials | default(omit) }}'}, 'loop': '{{ found.users }}'},
    ])
    assert back.rc == 0, back.output
    applied = [r for r in back.results if r['task'] == 'apply']
    assert len(applied) == 1 and len(applied[0]['result']['results']) == 2
    assert all(item['changed'] is False for item in applied[0]['result']['results']), applied
    assert kuzzle.writes_since(mark) == []


def admin_listed(users):
    """The session admin is listed with its username: every user is read, credentials included."""
    return any(u.get('credentials') == {'username': 'ansible-admin'} for u in users.values())


def test_module_defaults_group_reaches_both_modules(playbooks, admin, uid):
    password = new_password()
    run = playbooks.run([
        task('create', name=uid, profile_ids=['default'], credentials={'username': uid, 'password': password}),
        dict(task('read', INFO, name=uid), register='read'),
    ], module_defaults={'group/community.kuzzle.kuzzle': playbooks.connection()}, verbosity=3)
    assert run.rc == 0, run.output
    assert run.result('create')['changed'] is True
    assert run.result('read')['users'][0]['credentials'] == {'username': uid}
    assert password not in run.output
    assert admin.password not in run.output
