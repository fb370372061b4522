# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""community.kuzzle.kuzzle_role and kuzzle_role_info through real ansible-playbook runs against a real Kuzzle."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

MODULE = 'community.kuzzle.kuzzle_role'
INFO = 'community.kuzzle.kuzzle_role_info'
READER = {'document': {'actions': {'get': True, 'search': True}}, 'auth': {'actions': {'logout': True}}}
READER_SORTED = {'auth': {'actions': {'logout': True}}, 'document': {'actions': {'get': True, 'search': True}}}


def task(title, module=MODULE, **options):
    return {'name': title, module: options}


def test_create_then_second_run_reports_ok(playbooks, admin, kuzzle, uid):
    run = playbooks.run([task('create', name=uid, controllers=READER)])
    assert run.rc == 0, run.output
    result = run.result('create')
    assert result['changed'] is True
    assert result['role'] == {'controllers': READER_SORTED}
    assert result['msg'] == 'role %s created with controllers auth, document' % uid
    assert admin.role(uid)['controllers'] == READER_SORTED

    mark = kuzzle.mark()
    again = playbooks.run([task('again', name=uid, controllers=READER)])
    assert again.rc == 0, again.output
    assert again.result('again')['changed'] is False
    assert again.result('again')['msg'] == 'role %s unchanged' % uid
    assert kuzzle.writes_since(mark) == []


def test_reordered_keys_are_unchanged(playbooks, admin, kuzzle, uid):
    admin.put_role(uid, {'controllers': {'document': {'actions': {'search': True, 'get': True, 'delete': False}},
                                         'auth': {'actions': {'logout': True}}}})
    mark = kuzzle.mark()
    reordered = {'auth': {'actions': {'logout': True}}, 'document': {'actions': {'delete': False, 'get': True, 'search': True}}}
    run = playbooks.run([task('reordered', id=uid, controllers=reordered)])
    assert run.rc == 0, run.output
    assert run.result('reordered')['changed'] is False
    assert kuzzle.writes_since(mark) == []


def test_check_mode_decides_and_writes_nothing(playbooks, admin, kuzzle, uid):
    admin.put_role(uid, {'controllers': READER})
    before = admin.role(uid)
    wanted = {'document': {'actions': {'get': True, 'create': True, 'update': True}}, 'auth': {'actions': {'logout': True}}}
    mark = kuzzle.mark()
    check = playbooks.run([task('change', name=uid, controllers=wanted)], check=True, diff=True)
    assert check.rc == 0, check.output
    result = check.result('change')
    assert result['changed'] is True
    assert result['msg'] == 'role %s: controller document: actions create, update allowed; action search removed' % uid
    assert result['role'] == {'controllers': {'auth': {'actions': {'logout': True}}, 'document': {
        'actions': {'create': True, 'get': True, 'update': True}}}}
    assert admin.role(uid) == before
    assert kuzzle.writes_since(mark) == []

    # the real run makes the very same decision, diff and prediction
    real = playbooks.run([task('change', name=uid, controllers=wanted)], diff=True)
    assert real.rc == 0, real.output
    assert real.result('change')['diff'] == result['diff']
    assert real.result('change')['msg'] == result['msg']
    assert real.result('change')['role'] == result['role']
    assert admin.role(uid)['controllers'] == result['role']['controllers']
    assert len(kuzzle.writes_since(mark)) == 1


def test_diff_shows_normalised_controllers(playbooks, admin, uid):
    admin.put_role(uid, {'controllers': {'document': {'actions': {'search': True, 'get': True}}}})
    wanted = {'document': {'actions': {'get': True, 'search': False}}, 'index': {'actions': {'list': True}}}
    run = playbooks.run([task('diff', name=uid, controllers=wanted)], diff=True)
    assert run.rc == 0, run.output
    diff = run.result('diff')['diff']
    assert diff['before'] == {'controllers': {'document': {'actions': {'get': True, 'search': True}}}}
    assert diff['after'] == {'controllers': {'document': {'actions': {'get': True, 'search': False}},
                                             'index': {'actions': {'list': True}}}}
    assert diff['before_header'] == 'role %s (stored in Kuzzle)' % uid
    assert diff['after_header'] == 'role %s (after this task)' % uid
    # the default callback prints it as a unified diff
    assert '+++ after: role %s (after this task)' % uid in run.stdout
    assert '-                "search": true' in run.stdout
    assert '+                "search": false' in run.stdout
    assert run.result('diff')['msg'] == 'role %s: controller document: action search denied; controller index added: action list allowed' % uid


def test_update_replaces_the_whole_role_and_keeps_unmanaged_keys(playbooks, admin, kuzzle, uid):
    admin.put_role(uid, {'controllers': {'document': {'actions': {'get': True}}, 'index': {'actions': {'list': True}}},
                         'description': 'kept by the module'})
    mark = kuzzle.mark()
    run = playbooks.run([task('update', name=uid, controllers={'document': {'actions': {'get': True, 'search': True}}})])
    assert run.rc == 0, run.output
    assert run.result('update')['msg'] == 'role %s: controller document: action search allowed; controller index removed' % uid
    stored = admin.role(uid)
    assert stored['controllers'] == {'document': {'actions': {'get': True, 'search': True}}}
    assert stored['description'] == 'kept by the module'
    assert run.result('update')['role'] == {'controllers': stored['controllers'], 'description': 'kept by the module'}
    writes = kuzzle.writes_since(mark)
    assert len(writes) == 1 and writes[0]['id'] == uid, writes


def test_absent_in_check_mode_then_real_then_again(playbooks, admin, kuzzle, uid):
    admin.put_role(uid, {'controllers': READER})
    mark = kuzzle.mark()
    check = playbooks.run([task('delete', name=uid, state='absent')], check=True, diff=True)
    assert check.rc == 0, check.output
    assert check.result('delete')['changed'] is True
    assert check.result('delete')['diff']['after'] == {}
    assert check.result('delete')['role'] == {}
    assert admin.role(uid) is not None
    assert kuzzle.writes_since(mark) == []

    real = playbooks.run([task('delete', name=uid, state='absent'), task('delete again', name=uid, state='absent')], diff=True)
    assert real.rc == 0, real.output
    assert real.result('delete')['changed'] is True
    assert real.result('delete')['msg'] == 'role %s deleted' % uid
    assert real.result('delete')['diff'] == check.result('delete')['diff']
    assert real.result('delete again')['changed'] is False
    assert real.result('delete again')['msg'] == 'role %s is absent' % uid
    assert admin.role(uid) is None


def test_role_in_use_fails_naming_the_profile_and_writes_nothing(playbooks, admin, kuzzle, uid):
    admin.put_role(uid, {'controllers': READER})
    admin.create_profile(uid + '-p1', [{'roleId': 'reader'}, {'roleId': uid}])
    admin.create_profile(uid + '-p2', [{'roleId': uid, 'restrictedTo': [{'index': 'shop'}]}])
    mark = kuzzle.mark()
    for check in (True, False):
        run = playbooks.run([task('delete', name=uid, state='absent')], check=check)
        assert run.rc != 0
        result = run.clean_failure('delete', 'Nothing written: role "%s": Kuzzle would refuse it (412 security.role.in_use): ' % uid,
                                   '2 profile(s)', uid + '-p1', uid + '-p2')
        assert result['error_id'] == 'security.role.in_use' and result['status'] == 412
    assert kuzzle.writes_since(mark) == []
    assert admin.role(uid) is not None


def test_reserved_roles_are_never_deleted(playbooks, admin, kuzzle):
    mark = kuzzle.mark()
    run = playbooks.run([dict(task('delete %s' % name, name=name, state='absent'), ignore_errors=True)
                         for name in ('admin', 'default', 'anonymous')])
    for name in ('admin', 'default', 'anonymous'):
        run.clean_failure('delete %s' % name, 'Invalid task for role "%s"' % name, 'reserved')
        assert admin.role(name) is not None
    assert kuzzle.writes_since(mark) == []


def test_unknown_controller_or_action_is_refused_cleanly_in_check_mode_too(playbooks, admin, kuzzle, uid):
    cases = [
        ({'document': {'actions': {'gett': True}}}, False, 'security.role.unknown_action', 'did you mean "get"'),
        ({'document': {'actions': {'gett': True}}}, True, 'security.role.unknown_action', 'no action "gett"'),
        ({'*': {'actions': {'get': True}}}, False, 'security.role.unknown_action', 'takes only the "*" action'),
        # Kuzzle 2.56 itself accepts this one (its plugin check stops at the first native controller)
        ({'auth': {'actions': {'logout': True}}, 'no-such-plugin/ctl': {'actions': {'a': True}}}, False,
         'security.role.unknown_controller', 'force=true'),
    ]
    mark = kuzzle.mark()
    for check in (True, False):
        tasks = [dict(task('case %d' % i, name=uid, controllers=case[0], force=case[1]), ignore_errors=True)
                 for i, case in enumerate(cases)]
        run = playbooks.run(tasks, check=check)
        for i, case in enumerate(cases):
            error_id, fragment = case[2:]
            result = run.clean_failure('case %d' % i, 'Nothing written: role "%s": Kuzzle would refuse it (400 %s): ' % (uid, error_id),
                                       fragment)
            assert result['error_id'] == error_id and result['status'] == 400
    assert kuzzle.writes_since(mark) == []
    assert admin.role(uid) is None


def test_force_allows_an_unknown_plugin_controller(playbooks, admin, kuzzle, uid):
    controllers = {'billing-plugin/invoices': {'actions': {'create': True}}, 'auth': {'actions': {'logout': True}}}
    mark = kuzzle.mark()
    refused = playbooks.run([task('no force', name=uid, controllers=controllers)])
    assert refused.rc != 0
    refused.clean_failure('no force', 'security.role.unknown_controller', 'billing-plugin/invoices')
    assert kuzzle.writes_since(mark) == []

    run = playbooks.run([task('force', name=uid, controllers=controllers, force=True),
                         task('force again', name=uid, controllers=controllers, force=True)])
    assert run.rc == 0, run.output
    assert run.result('force')['changed'] is True
    assert run.result('force again')['changed'] is False
    assert admin.role(uid)['controllers'] == controllers


def test_anonymous_must_keep_login(playbooks, admin, kuzzle):
    before = admin.role('anonymous')
    cases = [
        {'auth': {'actions': {'checkToken': True}}},
        {'auth': {'actions': {'login': False}}, '*': {'actions': {'*': True}}},  # Kuzzle accepts it, nobody could log in
    ]
    mark = kuzzle.mark()
    for check in (True, False):
        run = playbooks.run([dict(task('case %d' % i, name='anonymous', controllers=c), ignore_errors=True)
                             for i, c in enumerate(cases)], check=check)
        for i in range(len(cases)):
            run.clean_failure('case %d' % i, 'Invalid task for role "anonymous"', 'must allow auth:login',
                              'security.role.login_required')
    assert kuzzle.writes_since(mark) == []
    assert admin.role('anonymous') == before

    # keeping the login right is fine: the current anonymous role as it is changes nothing
    run = playbooks.run([task('as is', name='anonymous', controllers=before['controllers'])])
    assert run.rc == 0, run.output
    assert run.result('as is')['changed'] is False


def test_malformed_input_fails_before_any_request(playbooks, uid):
    cases = [
        (dict(name=uid), 'controllers'),
        (dict(name=uid, controllers={}), 'controllers must be a non-empty dict'),
        (dict(name=uid, controllers={'document': {'actions': {'get': 'yes'}}}), 'must be true or false'),
        (dict(name=uid, controllers={'document': {'actions': {}}}), 'non-empty dict of action'),
        (dict(name=uid, controllers={'document': {'get': True}}), 'with no other key'),
        (dict(name=uid, controllers={'document': {'actions': {'get': True}, 'extra': 1}}), 'with no other key'),
        (dict(name=uid, controllers='not a dict'), 'controllers'),
        (dict(name='_mapping', controllers=READER), 'cannot be used'),
        (dict(name=uid, controllers=READER, refresh='sometimes'), 'refresh'),
        (dict(name=uid, controllers=READER, force='maybe'), 'force'),
    ]
    playbooks.assert_refused_before_any_request(MODULE, cases)


def test_user_without_the_api_list_right(playbooks, admin, kuzzle, uid):
    """server:publicApi forbidden: check mode warns, real runs rely on Kuzzle's own check."""
    admin.put_role(uid + '-sec', {'controllers': {'security': {'actions': {'*': True}}, 'auth': {'actions': {'logout': True}}}})
    admin.create_profile(uid + '-sec', [{'roleId': uid + '-sec'}])
    admin.create_user(uid + '-user', [uid + '-sec'], username=uid + '-user', password='sec-pass-123')
    defaults = {'group/community.kuzzle.kuzzle': playbooks.connection(username=uid + '-user', password='sec-pass-123')}
    mark = kuzzle.mark()
    check = playbooks.run([task('check', name=uid, controllers=READER)], check=True, module_defaults=defaults)
    assert check.rc == 0, check.output
    assert check.result('check')['changed'] is True
    assert any('were not checked' in w for w in check.result('check').get('warnings', [])), check.result('check')
    assert kuzzle.writes_since(mark) == []

    bad = playbooks.run([task('bad', name=uid, controllers={'document': {'actions': {'gett': True}}})], module_defaults=defaults)
    assert bad.rc != 0
    result = bad.clean_failure('bad', 'Could not create role "%s": Kuzzle answered 400 security.role.unknown_action' % uid)
    assert result['status'] == 400
    assert kuzzle.writes_since(mark) == []

    good = playbooks.run([task('good', name=uid, controllers=READER)], module_defaults=defaults)
    assert good.rc == 0, good.output
    assert admin.role(uid)['controllers'] == READER_SORTED


def test_info_reads_one_several_and_all(playbooks, admin, uid):
    admin.put_role(uid + '-a', {'controllers': {'document': {'actions': {'search': True, 'get': True}}}, 'description': 'x'})
    admin.put_role(uid + '-b', {'controllers': {'*': {'actions': {'*': True}}, 'security': {'actions': {'*': False}}}})
    run = playbooks.run([
        dict(task('one', module=INFO, name=uid + '-a'), register='one'),
        dict(task('missing one', module=INFO, name=uid + '-zz')),
        dict(task('several', module=INFO, names=[uid + '-b', uid + '-zz', uid + '-a'])),
        dict(task('all', module=INFO)),
    ], check=True)
    assert run.rc == 0, run.output
    expected_a = {'name': uid + '-a', 'controllers': {'document': {'actions': {'get': True, 'search': True}}}}
    expected_b = {'name': uid + '-b', 'controllers': {'*': {'actions': {'*': True}}, 'security': {'actions': {'*': False}}}}
    assert run.result('one')['roles'] == [expected_a] and run.result('one')['missing'] == []
    assert run.result('one')['changed'] is False
    assert run.result('missing one')['roles'] == [] and run.result('missing one')['missing'] == [uid + '-zz']
    assert run.result('several')['roles'] == [expected_b, expected_a]
    assert run.result('several')['missing'] == [uid + '-zz']
    everything = run.result('all')['roles']
    names = [r['name'] for r in everything]
    assert names == sorted(names)
    assert {'admin', 'default', 'anonymous', uid + '-a', uid + '-b'} <= set(names)
    assert expected_a in everything and expected_b in everything


def test_info_output_applied_to_kuzzle_role_changes_nothing(playbooks, admin, kuzzle, uid):
    """The round trip of the roles read back, through module_defaults only: this test's own and Kuzzle's reserved
    ones (the session's other tests' roles are left out: each would cost a module run and shows nothing new)."""
    admin.put_role(uid, {'controllers': {'index': {'actions': {'list': True}}, 'document': {'actions': {'search': True, 'get': False}}},
                         'description': 'round trip'})
    admin.put_role(uid + '-plugin', {'controllers': {'billing-plugin/invoices': {'actions': {'create': True}}}}, force=True)
    mark = kuzzle.mark()
    run = playbooks.run([
        dict(task('read all', module=INFO), register='info'),
        # no force: an unchanged role is only read, even one written with force
        dict(task('apply', name='{{ item.name }}', controllers='{{ item.controllers }}'),
             loop='{{ info.roles | selectattr("name", "in", %s) | list }}' % json.dumps(['admin', 'default', 'anonymous', uid, uid + '-plugin'])),
    ], diff=True)
    assert run.rc == 0, run.output
    assert run.result('apply')['changed'] is False
    applied = run.result('apply')['results']
    assert sorted(r['item']['name'] for r in applied) == sorted(['admin', 'anonymous', 'default', uid, uid + '-plugin'])
    assert all(r['changed'] is False for r in applied), [r.get('msg') for r in applied]
    assert kuzzle.writes_since(mark) == []
    assert admin.role(uid)['description'] == 'round trip'
