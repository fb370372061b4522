# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""community.kuzzle.kuzzle_profile through real ansible-playbook runs against a real Kuzzle."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

MODULE = 'community.kuzzle.kuzzle_profile'
EDITOR = [
    {'role_id': 'reader'},
    {'role_id': 'writer', 'restricted_to': [{'index': 'shop', 'collections': ['products', 'carts']}]},
]
EDITOR_STORED = [
    {'roleId': 'reader'},
    {'roleId': 'writer', 'restrictedTo': [{'index': 'shop', 'collections': ['carts', 'products']}]},
]
# what the module writes: the task's policies in the task's order (compared without order)
EDITOR_WRITTEN = [
    {'roleId': 'reader'},
    {'roleId': 'writer', 'restrictedTo': [{'index': 'shop', 'collections': ['products', 'carts']}]},
]


def task(title, **options):
    return {'name': title, MODULE: options}


def test_create_then_second_run_reports_ok(playbooks, admin, kuzzle, uid):
    run = playbooks.run([task('create', name=uid, policies=EDITOR, rate_limit=5)])
    assert run.rc == 0, run.output
    result = run.result('create')
    assert result['changed'] is True
    assert result['profile'] == {'policies': EDITOR_WRITTEN, 'rateLimit': 5}
    # the session's roles reader and writer both allow document:get and document:search
    assert result['msg'] == 'profile %s created with roles reader, writer, rate limit 5; rights of %s: +2 rights, -0' % (uid, uid)
    stored = admin.profile(uid)
    assert stored['policies'] == EDITOR_WRITTEN and stored['rateLimit'] == 5

    mark = kuzzle.mark()
    again = playbooks.run([task('again', name=uid, policies=EDITOR, rate_limit=5)])
    assert again.rc == 0, again.output
    assert again.result('again')['changed'] is False
    assert again.result('again')['msg'] == 'profile %s unchanged' % uid
    assert kuzzle.writes_since(mark) == []


def test_reordered_and_camel_case_input_is_unchanged(playbooks, admin, kuzzle, uid):
    admin.create_profile(uid, EDITOR_STORED)
    mark = kuzzle.mark()
    reordered = [
        {'roleId': 'writer', 'restrictedTo': [{'index': 'shop', 'collections': ['products', 'carts', 'carts']}]},
        {'roleId': 'reader', 'restrictedTo': []},
    ]
    run = playbooks.run([task('camel', id=uid, policies=reordered)])
    assert run.rc == 0, run.output
    assert run.result('camel')['changed'] is False
    assert kuzzle.writes_since(mark) == []


def test_check_mode_decides_and_writes_nothing(playbooks, admin, kuzzle, uid):
    admin.create_profile(uid, [{'roleId': 'reader'}], rateLimit=3, tags=['keep'])
    before = admin.profile(uid)
    mark = kuzzle.mark()
    run = playbooks.run([task('change', name=uid, policies=EDITOR)], check=True, diff=True)
    assert run.rc == 0, run.output
    result = run.result('change')
    assert result['changed'] is True
    assert result['msg'] == 'profile %s: role writer added' % uid
    assert result['profile'] == {'policies': EDITOR_WRITTEN, 'rateLimit': 3, 'tags': ['keep']}
    assert admin.profile(uid) == before
    assert kuzzle.writes_since(mark) == []

    # the real run makes the very same decision and diff
    real = playbooks.run([task('change', name=uid, policies=EDITOR)], diff=True)
    assert real.rc == 0, real.output
    assert real.result('change')['diff'] == result['diff']
    assert real.result('change')['msg'] == result['msg']
    assert real.result('change')['profile'] == result['profile']
    assert admin.profile(uid)['policies'] == EDITOR_WRITTEN


def test_diff_shows_normalised_policies(playbooks, admin, uid):
    admin.create_profile(uid, [{'roleId': 'writer', 'restrictedTo': [{'index': 'shop', 'collections': ['products']}]},
                               {'roleId': 'reader', 'restrictedTo': None}])
    run = playbooks.run([task('diff', name=uid, policies=EDITOR)], diff=True)
    assert run.rc == 0, run.output
    diff = run.result('diff')['diff']
    assert diff['before'] == {'policies': [{'roleId': 'reader'}, {'roleId': 'writer', 'restrictedTo': [
        {'index': 'shop', 'collections': ['products']}]}], 'rateLimit': 0}
    assert diff['after'] == {'policies': EDITOR_STORED, 'rateLimit': 0}
    assert diff['before_header'] == 'profile %s (stored in Kuzzle)' % uid
    # the default callback prints it as a unified diff
    assert '+++ after: profile %s (after this task)' % uid in run.stdout
    assert '+                        "carts",' in run.stdout
    assert run.result('diff')['msg'] == 'profile %s: role writer: index shop: collection carts added' % uid


def test_update_sends_only_what_changed_and_keeps_the_rest(playbooks, admin, kuzzle, uid):
    admin.create_profile(uid, [{'roleId': 'reader'}], rateLimit=42, tags=['moderators'])
    mark = kuzzle.mark()
    run = playbooks.run([task('update', name=uid, policies=[{'role_id': 'writer'}])])
    assert run.rc == 0, run.output
    assert run.result('update')['changed'] is True
    stored = admin.profile(uid)
    assert stored['policies'] == [{'roleId': 'writer'}]
    assert stored['rateLimit'] == 42 and stored['tags'] == ['moderators']
    writes = kuzzle.writes_since(mark)
    assert len(writes) == 1 and writes[0]['id'] == uid, writes

    rate = playbooks.run([task('rate only', name=uid, rate_limit=0)])
    assert rate.result('rate only')['changed'] is True
    assert rate.result('rate only')['msg'] == 'profile %s: rate limit 42 -> 0' % uid
    assert admin.profile(uid)['rateLimit'] == 0


def test_merge_mode_keeps_unlisted_roles(playbooks, admin, uid):
    admin.create_profile(uid, [{'roleId': 'reader'}, {'roleId': 'writer', 'restrictedTo': [{'index': 'a'}]}])
    run = playbooks.run([
        task('merge', name=uid, purge_policies=False, policies=[{'role_id': 'writer'}, {'role_id': 'auditor'}]),
        task('merge again', name=uid, purge_policies=False, policies=[{'role_id': 'auditor'}]),
    ])
    assert run.rc == 0, run.output
    assert run.result('merge')['changed'] is True
    assert run.result('merge again')['changed'] is False
    assert admin.profile(uid)['policies'] == [{'roleId': 'auditor'}, {'roleId': 'reader'}, {'roleId': 'writer'}]


def test_absent_in_check_mode_then_real_then_again(playbooks, admin, kuzzle, uid):
    admin.create_profile(uid, [{'roleId': 'reader'}])
    mark = kuzzle.mark()
    check = playbooks.run([task('delete', name=uid, state='absent')], check=True, diff=True)
    assert check.rc == 0, check.output
    assert check.result('delete')['changed'] is True
    assert check.result('delete')['diff']['after'] == {}
    assert admin.profile(uid) is not None
    assert kuzzle.writes_since(mark) == []

    real = playbooks.run([task('delete', name=uid, state='absent'), task('delete again', name=uid, state='absent')])
    assert real.rc == 0, real.output
    assert real.result('delete')['changed'] is True
    assert real.result('delete')['msg'] == 'profile %s deleted; rights of %s: +0 rights, -2' % (uid, uid)
    assert real.result('delete again')['changed'] is False
    assert admin.profile(uid) is None


def test_profile_in_use_fails_cleanly_and_remove_takes_it_away(playbooks, admin, kuzzle, uid):
    admin.create_profile(uid, [{'roleId': 'reader'}])
    admin.create_user(uid + '-user', [uid, 'default'])
    mark = kuzzle.mark()
    for check in (True, False):
        run = playbooks.run([task('delete', name=uid, state='absent')], check=check)
        assert run.rc != 0
        result = run.clean_failure('delete', 'Nothing written: profile "%s": Kuzzle would refuse it (412 security.profile.in_use): ' % uid,
                                   uid + '-user')
        assert result['error_id'] == 'security.profile.in_use' and result['status'] == 412
    assert kuzzle.writes_since(mark) == []
    assert admin.profile(uid) is not None

    run = playbooks.run([task('delete', name=uid, state='absent', on_assigned_users='remove')])
    assert run.rc == 0, run.output
    assert admin.profile(uid) is None
    status, body = admin.api('GET', '/users/%s-user' % uid)
    assert status == 200 and body['result']['_source']['profileIds'] == ['default']


def test_unknown_role_fails_in_check_mode_too_and_writes_nothing(playbooks, admin, kuzzle, uid):
    mark = kuzzle.mark()
    for check in (True, False):
        run = playbooks.run([task('unknown role', name=uid, policies=[{'role_id': 'no-such-role'}])], check=check)
        assert run.rc != 0
        result = run.clean_failure('unknown role', 'Could not create profile "%s"' % uid,
                                   'security.role.not_found', 'no-such-role')
        assert result['error_id'] == 'security.role.not_found' and result['status'] == 404
    assert admin.profile(uid) is None
    assert kuzzle.writes_since(mark) == []


def test_token_auth_with_an_api_key(playbooks, admin, uid):
    status, body = admin.api('POST', '/users/%s/api-keys/_create' % admin.username, body={'description': 'ansible ' + uid},
                             query={'refresh': 'wait_for'})
    assert status == 200, body
    api_key = body['result']['_source']['token']
    defaults = {'group/community.kuzzle.kuzzle': {'url': playbooks.kuzzle.url, 'token': api_key}}
    run = playbooks.run([task('with api key', name=uid, policies=[{'role_id': 'reader'}])], module_defaults=defaults, verbosity=3)
    assert run.rc == 0, run.output
    assert run.result('with api key')['changed'] is True
    assert admin.profile(uid)['policies'] == [{'roleId': 'reader'}]
    assert api_key not in run.output


def test_environment_fallbacks(playbooks, admin, uid):
    env = {'KUZZLE_URL': playbooks.kuzzle.url, 'KUZZLE_USERNAME': admin.username, 'KUZZLE_PASSWORD': admin.password}
    run = playbooks.run([task('from env', name=uid, policies=[{'role_id': 'reader'}])], module_defaults=None, env=env, verbosity=3)
    assert run.rc == 0, run.output
    assert run.result('from env')['changed'] is True
    assert admin.profile(uid) is not None
    assert admin.password not in run.output

    status, body = admin.api('POST', '/users/%s/api-keys/_create' % admin.username, body={'description': 'env ' + uid},
                             query={'refresh': 'wait_for'})
    assert status == 200, body
    env = {'KUZZLE_URL': playbooks.kuzzle.url, 'KUZZLE_TOKEN': body['result']['_source']['token']}
    run = playbooks.run([task('token from env', name=uid, policies=[{'role_id': 'writer'}])], module_defaults=None, env=env)
    assert run.rc == 0, run.output
    assert admin.profile(uid)['policies'] == [{'roleId': 'writer'}]


def test_options_on_the_task_itself(playbooks, admin, uid):
    run = playbooks.run([task('direct', name=uid, policies=[{'role_id': 'reader'}], **playbooks.connection())],
                        module_defaults=None)
    assert run.rc == 0, run.output
    assert admin.profile(uid) is not None


def test_wrong_password_fails_without_leaking_it(playbooks, admin, kuzzle, uid):
    secret = 'not-the-password-' + uid
    mark = kuzzle.mark()
    run = playbooks.run([task('bad login', name=uid, policies=[{'role_id': 'reader'}])],
                        module_defaults={'group/community.kuzzle.kuzzle': playbooks.connection(password=secret)}, verbosity=3)
    assert run.rc != 0
    result = run.clean_failure('bad login', 'log in', 'plugin.strategy.missing_user')
    assert result['status'] == 401
    assert secret not in run.output
    assert admin.profile(uid) is None
    assert kuzzle.writes_since(mark) == []


def test_anonymous_is_refused_clearly(playbooks, admin, uid):
    run = playbooks.run([task('anonymous', name=uid, policies=[{'role_id': 'reader'}])],
                        module_defaults={'group/community.kuzzle.kuzzle': {'url': playbooks.kuzzle.url}})
    assert run.rc != 0
    run.clean_failure('anonymous', 'Could not read profile "%s"' % uid, '401', 'security.rights.unauthorized')
    assert admin.profile(uid) is None


def test_forbidden_user_is_refused_clearly(playbooks, admin, uid):
    admin.create_profile(uid + '-ro', [{'roleId': 'reader'}])
    admin.create_user(uid + '-ro-user', [uid + '-ro'], username=uid + '-ro-user', password='ro-pass-123')
    run = playbooks.run([task('forbidden', name=uid, policies=[{'role_id': 'reader'}])],
                        module_defaults={'group/community.kuzzle.kuzzle': playbooks.connection(
                            username=uid + '-ro-user', password='ro-pass-123')})
    assert run.rc != 0
    run.clean_failure('forbidden', '403', 'security.rights.forbidden')
    assert admin.profile(uid) is None


def test_unreachable_server(playbooks, uid):
    run = playbooks.run([task('unreachable', name=uid, policies=[{'role_id': 'reader'}], timeout=3, retries=0)],
                        module_defaults={'group/community.kuzzle.kuzzle': playbooks.connection(url='http://127.0.0.1:9')})
    assert run.rc != 0
    run.clean_failure('unreachable', 'Could not', 'cannot reach Kuzzle at http://127.0.0.1:9')


def test_malformed_input_fails_before_any_request(playbooks, uid):
    cases = [
        (dict(name=uid, policies=[{'role_id': 'r', 'foo': 1}]), 'foo'),
        (dict(name=uid, policies=[{'restricted_to': [{'index': 'i'}]}]), 'role_id'),
        (dict(name=uid, policies=[{'role_id': 'r', 'restricted_to': [{'collections': ['c']}]}]), 'index'),
        (dict(name=uid, policies=[{'role_id': 'r'}], rate_limit=-1), 'rate_limit must be 0'),
        (dict(name=uid, policies=[{'role_id': 'r'}], rate_limit='fast'), 'rate_limit'),
        (dict(name=uid, policies=[{'role_id': 'r'}, {'role_id': 'r'}]), 'listed twice'),
        (dict(name=uid, policies=[]), 'policies is empty'),
        (dict(name='_search', policies=[{'role_id': 'r'}]), 'cannot be used'),
        (dict(name='admin', state='absent'), 'reserved'),
        (dict(name=uid, policies=[{'role_id': 'r'}], refresh='sometimes'), 'refresh'),
    ]
    playbooks.assert_refused_before_any_request(MODULE, cases)


def test_creating_without_policies_is_refused(playbooks, admin, uid):
    run = playbooks.run([task('no policies', name=uid, rate_limit=3)])
    assert run.rc != 0
    run.clean_failure('no policies', 'policies is required to create it')
    assert admin.profile(uid) is None


def test_strict_checks_indexes_before_writing(playbooks, admin, kuzzle, uid):
    status, body = admin.api('POST', '/%s-idx/_create' % uid)
    assert status == 200, body
    status, body = admin.api('PUT', '/%s-idx/present' % uid)
    assert status == 200, body
    good = [{'role_id': 'reader', 'restricted_to': [{'index': uid + '-idx', 'collections': ['present']}]}]
    bad = [{'role_id': 'reader', 'restricted_to': [{'index': uid + '-idx', 'collections': ['missing']}]}]
    mark = kuzzle.mark()
    for check in (True, False):
        run = playbooks.run([task('strict bad', name=uid, policies=bad, strict=True)], check=check)
        assert run.rc != 0
        run.clean_failure('strict bad', 'Nothing written: profile "%s": Kuzzle would refuse it (412 services.storage.unknown_collection): '
                          'collection "missing" of index "%s-idx" does not exist (strict is set)' % (uid, uid))
    assert kuzzle.writes_since(mark) == []
    run = playbooks.run([task('strict good', name=uid, policies=good, strict=True)])
    assert run.rc == 0, run.output
    assert admin.profile(uid)['policies'][0]['restrictedTo'] == [{'index': uid + '-idx', 'collections': ['present']}]


def test_ids_are_url_encoded(playbooks, admin, uid):
    name = uid + ' é+?#'
    run = playbooks.run([task('odd id', name=name, policies=[{'role_id': 'reader'}]),
                         task('odd id again', name=name, policies=[{'role_id': 'reader'}])])
    assert run.rc == 0, run.output
    assert run.result('odd id')['changed'] is True
    assert run.result('odd id again')['changed'] is False
    status, body = admin.api('POST', '/profiles/_mGet', body={'ids': [name]})
    assert status == 200 and body['result']['hits'][0]['_id'] == name
