# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""community.kuzzle.kuzzle_security and kuzzle_security_info through real ansible-playbook runs."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import secrets

import pytest

from pytest_kuzzle import KuzzleServer, start_serve, stop_serve  # pylint: disable=import-error

READ = {'document': {'actions': {'get': True, 'search': True}}}
WRITE = {'document': {'actions': {'create': True, 'update': True}}}


def converge(**options):
    return {'name': 'converge', 'community.kuzzle.kuzzle_security': options}


def definition(uid, collections=('products', 'carts')):
    return {
        'roles': {uid + '-reader': {'controllers': READ}, uid + '-writer': {'controllers': WRITE}},
        'profiles': {
            uid + '-editor': {'policies': [{'roleId': uid + '-reader'}, {'roleId': uid + '-writer', 'restrictedTo': [
                {'index': 'shop', 'collections': list(collections)}]}], 'rateLimit': 20},
            uid + '-auditor': {'policies': [{'roleId': uid + '-reader', 'restrictedTo': [{'index': 'shop'}]}]},
        },
    }


def test_converge_then_nothing_to_do_then_check_mode_writes_nothing(playbooks, admin, kuzzle, uid):
    wanted = definition(uid)
    run = playbooks.run([converge(**wanted)], diff=True)
    assert run.rc == 0, run.output
    result = run.result('converge')
    assert result['changed'] is True
    assert result['msg'] == ('2 roles created, 0 updated, 0 deleted, 0 unchanged; 2 profiles created, 0 updated, 0 deleted, 0 unchanged; '
                             'rights of %s-auditor: +2 rights, -0; %s-editor: +6 rights, -0' % (uid, uid))
    assert [(d['before_header'], d['after']) for d in result['diff'][1:]][0] == ('role %s-reader (absent)' % uid, {'controllers': READ})
    assert result['diff'][0]['prepared'].splitlines()[1:] == [
        '  roles to create (2): "%s-reader", "%s-writer"' % (uid, uid), '  profiles to create (2): "%s-auditor", "%s-editor"' % (uid, uid)]
    assert admin.profile(uid + '-editor')['rateLimit'] == 20

    mark = kuzzle.mark()
    again = playbooks.run([converge(**wanted)])
    assert again.result('converge')['changed'] is False
    assert again.result('converge')['counts'] == {'roles': {'created': 0, 'updated': 0, 'deleted': 0, 'unchanged': 2},
                                                  'profiles': {'created': 0, 'updated': 0, 'deleted': 0, 'unchanged': 2}}
    assert kuzzle.writes_since(mark) == []

    changed = definition(uid, collections=('products', 'orders'))
    check = playbooks.run([converge(**changed)], check=True, diff=True)
    assert check.rc == 0, check.output
    assert check.result('converge')['msg'].endswith('0 profiles created, 1 updated, 0 deleted, 1 unchanged; '
                                                    'rights of %s-editor: +2 rights, -2' % uid)  # shop/carts -> shop/orders
    assert check.result('converge')['operations'] == [{'kind': 'profiles', 'id': uid + '-editor', 'action': 'update'}]
    assert kuzzle.writes_since(mark) == []
    assert admin.profile(uid + '-editor')['policies'][1]['restrictedTo'][0]['collections'] == ['products', 'carts']  # as given

    real = playbooks.run([converge(**changed)], diff=True)
    assert real.result('converge')['diff'] == check.result('converge')['diff']
    assert admin.profile(uid + '-editor')['policies'][1]['restrictedTo'][0]['collections'] == ['products', 'orders']  # as given


def test_unknown_role_is_refused_before_any_write(playbooks, kuzzle, admin, uid):
    wanted = definition(uid)
    wanted['profiles'][uid + '-broken'] = {'policies': [{'roleId': uid + '-nope'}]}
    mark = kuzzle.mark()
    for check in (True, False):
        run = playbooks.run([converge(**wanted)], check=check)
        assert run.rc != 0
        assert 'Nothing written: role "%s-nope" is used by the definition but neither exists nor is defined' % uid in run.result('converge')['msg']
    assert kuzzle.writes_since(mark) == []
    assert admin.profile(uid + '-editor') is None


def test_invalid_bodies_are_refused_with_their_names(playbooks, uid):
    secret = 'pw-%s-never-shown' % uid
    run = playbooks.run([converge(profiles={uid: {'policies': [{'roleId': 'x', 'restricted': []}]}},
                                  roles={uid: {'controllers': {'document': {'actions': {'get': 'yes'}}}}},
                                  users={uid: {'content': {'profileIds': ['default']}, 'extra': 1,
                                               'credentials': {'local': {'username': uid, 'password': secret}}}})],
                        verbosity=3)
    assert run.rc != 0
    assert secret not in run.output
    msg = run.result('converge')['msg']
    assert 'user "%s": key "extra" is not managed (only content and credentials)' % uid in msg
    assert msg.startswith('Invalid security definition: ')
    assert 'role "%s": controllers[document].actions[get] must be true or false' % uid in msg
    assert 'profile "%s": policies[0]: key "restricted" is not allowed' % uid in msg


def test_unknown_actions_and_taken_usernames_are_refused_before_any_write(playbooks, admin, kuzzle, uid):
    mark = kuzzle.mark()
    wanted = {'roles': {uid + '-a': {'controllers': READ}, uid + '-b': {'controllers': {'document': {'actions': {'serach': True}}}}},
              'users': {uid + '-u': {'content': {'profileIds': ['default']},
                                     'credentials': {'local': {'username': admin.username, 'password': 'whatever-123'}}}}}
    run = playbooks.run([converge(**wanted)], check=True)
    assert run.rc != 0
    msg = run.result('converge')['msg']
    assert msg.startswith('Nothing written: ')
    assert ('role "%s-b": Kuzzle would refuse it (400 security.role.unknown_action): controller "document" has no action "serach"'
            % uid) in msg
    assert 'did you mean "search"' in msg
    assert ('user "%s-u": Kuzzle would refuse it (412): username "%s" is already used by user "%s"'
            % (uid, admin.username, admin.username)) in msg
    assert run.result('converge')['status'] == 412 and run.result('converge')['error_id'] is None  # the first refusal's
    assert kuzzle.writes_since(mark) == []


def test_a_failure_halfway_reports_what_was_applied(playbooks, admin, uid):
    # a user allowed to write roles but not profiles: Kuzzle refuses only the profile write, after the
    # role was written, and the task must say what it applied
    admin.create_role(uid + '-limited', {
        'auth': {'actions': {'login': True, 'logout': True, 'checkToken': True, 'getCurrentUser': True}},
        'server': {'actions': {'publicApi': True}},
        'security': {'actions': {'searchRoles': True, 'searchProfiles': True, 'createRole': True, 'updateRole': True,
                                 'mGetRoles': True, 'refresh': True}},
    })
    admin.create_profile(uid + '-limited', [{'roleId': uid + '-limited'}])
    admin.create_user(uid + '-limited', [uid + '-limited'], username=uid + '-limited', password='limited-pw-123')
    wanted = {'roles': {uid + '-r': {'controllers': READ}},
              'profiles': {uid + '-p': {'policies': [{'roleId': uid + '-r'}]}}}
    run = playbooks.run([converge(**wanted)], module_defaults={'group/community.kuzzle.kuzzle': playbooks.connection(
        username=uid + '-limited', password='limited-pw-123')})
    assert run.rc != 0
    result = run.result('converge')
    assert result['msg'].startswith('Could not create profile "%s-p": Kuzzle answered 403 security.rights.forbidden' % uid), result['msg']
    assert result['applied'] == [{'kind': 'roles', 'id': uid + '-r', 'action': 'create'}]
    assert result['changed'] is True
    assert admin.api('GET', '/roles/%s-r' % uid)[0] == 200
    assert admin.profile(uid + '-p') is None


def test_a_failure_in_the_middle_of_parallel_writes_reports_exactly_what_kuzzle_accepted(playbooks, admin, uid):
    """A user that may create profiles and users but not update profiles: in one group of 40 profile writes sent 4
    at a time, Kuzzle refuses the updates. Every write in applied is in Kuzzle, every other one is not, the users
    (the next kind) are not written, and a rerun by an administrator converges. (Which writes were in flight when the
    refusal came depends on timing; the unit tests of _bulk_write pin that no write starts once it is known.)"""
    admin.create_role(uid + '-creator', {
        'auth': {'actions': {'login': True, 'logout': True, 'checkToken': True, 'getCurrentUser': True}},
        'server': {'actions': {'publicApi': True}},
        'security': {'actions': {'searchRoles': True, 'searchProfiles': True, 'mGetRoles': True, 'mGetProfiles': True,
                                 'searchUsers': True, 'createProfile': True, 'createUser': True, 'refresh': True}},
    })
    admin.create_profile(uid + '-creator', [{'roleId': uid + '-creator'}])
    admin.create_user(uid + '-creator', [uid + '-creator'], username=uid + '-creator', password='creator-pw-123')
    ids = ['%s-p%02d' % (uid, i) for i in range(40)]
    for object_id in ids[10::10]:  # 3 profiles exist, with another rateLimit: updates, which this user may not make
        admin.create_profile(object_id, [{'roleId': 'default'}], rateLimit=1)
    wanted = {'profiles': dict((object_id, {'policies': [{'roleId': 'default'}], 'rateLimit': 5}) for object_id in ids),
              'users': {uid + '-u': {'content': {'profileIds': [ids[0]]}}}}
    run = playbooks.run([converge(parallel_writes=4, **wanted)], module_defaults={'group/community.kuzzle.kuzzle': playbooks.connection(
        username=uid + '-creator', password='creator-pw-123')})
    assert run.rc != 0
    result = run.result('converge')
    assert result['msg'].startswith('Could not update profile "%s-p' % uid) and 'security.rights.forbidden' in result['msg'], result['msg']
    assert result['error_id'] == 'security.rights.forbidden' and result['unknown'] == []
    applied = [op['id'] for op in result['applied']]
    assert all(op['action'] == 'create' for op in result['applied']) and applied == sorted(applied)
    assert result['changed'] is bool(applied)
    # exactly the accepted writes are in Kuzzle: the creates in applied exist, no other missing profile does
    stored = dict((object_id, admin.profile(object_id)) for object_id in ids)
    assert sorted(i for i, profile in stored.items() if profile is not None and profile['rateLimit'] == 5) == applied
    assert all(stored[i]['rateLimit'] == 1 for i in ids[10::10])
    # nothing of the next kind was written, although this user may create users
    assert admin.api('GET', '/users/%s-u' % uid)[0] == 404

    again = playbooks.run([converge(parallel_writes=4, **wanted)])
    assert again.rc == 0, again.output
    assert again.result('converge')['counts'] == {
        'profiles': {'created': 40 - 3 - len(applied), 'updated': 3, 'deleted': 0, 'unchanged': len(applied)},
        'users': {'created': 1, 'updated': 0, 'deleted': 0, 'unchanged': 0}}
    assert all(admin.profile(i)['rateLimit'] == 5 for i in ids)
    assert playbooks.run([converge(**wanted)]).result('converge')['changed'] is False


def test_purge_deletes_unlisted_objects_but_never_reserved_or_used_ones(playbooks, admin, kuzzle, uid):
    exported = playbooks.run([{'name': 'export', 'community.kuzzle.kuzzle_security_info': {'kinds': ['roles', 'profiles']}}])
    everything = exported.result('export')
    admin.create_role(uid + '-extra')
    admin.create_profile(uid + '-extra', [{'roleId': uid + '-extra'}])
    admin.create_user(uid + '-user', [uid + '-extra'])

    # the profile to delete is still used by a user the task does not manage: refused, nothing written
    mark = kuzzle.mark()
    run = playbooks.run([converge(profiles=everything['profiles'], purge=True)], check=True)
    assert run.rc != 0
    assert ('Nothing written: the deletion of profiles "%s-extra": Kuzzle would refuse it (412 security.profile.in_use): '
            '1 users still use them (%s-user)' % (uid, uid)) in run.result('converge')['msg']
    assert run.result('converge')['error_id'] == 'security.profile.in_use' and run.result('converge')['status'] == 412
    assert kuzzle.writes_since(mark) == []

    status, body = admin.api('DELETE', '/users/%s-user' % uid, query={'refresh': 'wait_for'})
    assert status == 200, body
    run = playbooks.run([converge(roles=everything['roles'], profiles=everything['profiles'], purge=True)], diff=True)
    assert run.rc == 0, run.output
    result = run.result('converge')
    assert [op for op in result['operations'] if op['action'] == 'delete'] == [
        {'kind': 'profiles', 'id': uid + '-extra', 'action': 'delete'},
        {'kind': 'roles', 'id': uid + '-extra', 'action': 'delete'}]
    assert admin.profile(uid + '-extra') is None
    for reserved in ('admin', 'default', 'anonymous'):
        assert admin.profile(reserved) is not None


@pytest.fixture(scope='module')
def empty_kuzzle(tmp_path_factory):
    """A second, fresh Kuzzle, for applying an export to an empty server."""
    proc, url, write_log = start_serve(str(tmp_path_factory.mktemp('empty-kuzzle')))
    try:
        yield KuzzleServer(url, write_log)
    finally:
        stop_serve(proc)


def test_export_then_apply_on_the_same_server_changes_nothing(playbooks, kuzzle, uid):
    playbooks.run([converge(**definition(uid))])
    exported = playbooks.run([{'name': 'export', 'community.kuzzle.kuzzle_security_info': {}}])
    assert exported.rc == 0, exported.output
    export = exported.result('export')
    assert export['profiles'][uid + '-auditor'] == {'policies': [{'roleId': uid + '-reader', 'restrictedTo': [{'index': 'shop'}]}],
                                                    'rateLimit': 0}
    mark = kuzzle.mark()
    run = playbooks.run([converge(roles=export['roles'], profiles=export['profiles'])])
    assert run.rc == 0, run.output
    assert run.result('converge')['changed'] is False
    assert kuzzle.writes_since(mark) == []


def test_users_with_credentials_passwords_never_shown(playbooks, admin, kuzzle, uid):
    password = 'pw-%s-secret' % uid
    wanted = definition(uid)
    wanted['users'] = {
        uid + '-ann': {'content': {'profileIds': [uid + '-editor'], 'fullName': 'Ann'},
                       'credentials': {'local': {'username': uid + '-ann', 'password': password}}},
        uid + '-bob': {'content': {'profileIds': [uid + '-auditor', 'default']}},
    }
    run = playbooks.run([converge(**wanted)], diff=True, verbosity=3)
    assert run.rc == 0, run.output
    assert run.result('converge')['counts']['users'] == {'created': 2, 'updated': 0, 'deleted': 0, 'unchanged': 0}
    assert password not in run.output
    assert '"password": "(set)"' in run.stdout
    assert kuzzle.login(uid + '-ann', password)

    mark = kuzzle.mark()
    again = playbooks.run([converge(update_password='always', **wanted)], verbosity=3)
    assert again.rc == 0, again.output
    assert again.result('converge')['changed'] is False
    assert password not in again.output
    assert kuzzle.writes_since(mark) == []  # checking the password by logging in writes nothing

    wanted['users'][uid + '-ann']['credentials']['local']['password'] = password + '-new'
    wanted['users'][uid + '-ann']['content']['fullName'] = 'Ann B.'
    on_create = playbooks.run([converge(**wanted)])
    assert on_create.result('converge')['operations'] == [{'kind': 'users', 'id': uid + '-ann', 'action': 'update'}]
    assert kuzzle.login(uid + '-ann', password)  # on_create never sends the new password
    always = playbooks.run([converge(update_password='always', **wanted)], diff=True, verbosity=3)
    assert always.rc == 0, always.output
    assert '"password": "(changed)"' in always.stdout
    assert password + '-new' not in always.output
    assert kuzzle.login(uid + '-ann', password + '-new')


def test_purging_users_never_deletes_the_task_user(playbooks, admin, uid):
    exported = playbooks.run([{'name': 'export', 'community.kuzzle.kuzzle_security_info': {'kinds': ['users']}}]).result('export')
    users = dict((kuid, body) for kuid, body in exported['users'].items() if kuid != admin.username)
    admin.create_user(uid + '-doomed', ['default'])
    run = playbooks.run([converge(users=users, purge=True)], check=True)
    assert run.rc == 0, run.output
    deleted = [op['id'] for op in run.result('converge')['operations'] if op['action'] == 'delete']
    assert uid + '-doomed' in deleted and admin.username not in deleted


def test_export_then_apply_on_an_empty_server_reproduces_it(playbooks, empty_kuzzle, uid):
    playbooks.run([converge(**definition(uid))])
    exported = playbooks.run([{'name': 'export', 'community.kuzzle.kuzzle_security_info': {}}]).result('export')
    export = dict((kind, exported[kind]) for kind in ('roles', 'profiles', 'users'))

    password = 'pw-' + secrets.token_hex(8)
    status, body = empty_kuzzle.api('POST', '/_createFirstAdmin/copier', query={'reset': None},
                                    body={'credentials': {'local': {'username': 'copier', 'password': password}}})
    assert status == 200, body
    target = {'group/community.kuzzle.kuzzle': {'url': empty_kuzzle.url, 'username': 'copier', 'password': password}}
    # roles of plugins that this Kuzzle does not run (other tests make some) need force, as with kuzzle_role
    run = playbooks.run([converge(purge=True, force=True, **export)], module_defaults=target)
    assert run.rc == 0, run.output
    copied = playbooks.run([{'name': 'export', 'community.kuzzle.kuzzle_security_info': {}}], module_defaults=target).result('export')
    assert copied['roles'] == export['roles']
    assert copied['profiles'] == export['profiles']
    # users come without credentials (Kuzzle never returns passwords); the copy keeps its own admin
    assert dict((k, v) for k, v in copied['users'].items() if k != 'copier') == export['users']
    again = playbooks.run([converge(purge=True, force=True, **export)], module_defaults=target)
    assert again.result('converge')['changed'] is False


def test_the_security_role_passes_check_and_diff_through(playbooks, admin, kuzzle, uid):
    wanted = definition(uid)
    role = {'role': 'community.kuzzle.security', 'vars': {
        'kuzzle_security_roles': wanted['roles'], 'kuzzle_security_profiles': wanted['profiles'],
        'kuzzle_url': playbooks.kuzzle.url, 'kuzzle_username': admin.username, 'kuzzle_password': admin.password}}
    name = 'community.kuzzle.security : Converge the Kuzzle security definition'
    mark = kuzzle.mark()
    check = playbooks.run([], roles=[role], check=True, diff=True, module_defaults=None)
    assert check.rc == 0, check.output
    assert check.result(name)['changed'] is True
    assert '+++ after: profile %s-editor (after this task)' % uid in check.stdout
    assert ('kuzzle_security plan: 2 roles created, 0 updated, 0 deleted, 0 unchanged; 2 profiles created, 0 updated, 0 deleted, 0 unchanged\n'
            '  roles to create (2): "%s-reader", "%s-writer"\n' % (uid, uid)) in check.stdout
    assert kuzzle.writes_since(mark) == []
    assert admin.profile(uid + '-editor') is None

    real = playbooks.run([], roles=[role], module_defaults=None)
    assert real.rc == 0, real.output
    assert real.result(name)['msg'] == ('2 roles created, 0 updated, 0 deleted, 0 unchanged; 2 profiles created, 0 updated, 0 deleted, '
                                        '0 unchanged; rights of %s-auditor: +2 rights, -0; %s-editor: +6 rights, -0' % (uid, uid))
    assert playbooks.run([], roles=[role], module_defaults=None).result(name)['changed'] is False

    # the argument specs refuse a wrong type before anything runs
    bad = dict(role, vars=dict(role['vars'], kuzzle_security_purge='sometimes'))
    refused = playbooks.run([], roles=[bad], module_defaults=None)
    assert refused.rc != 0
    assert 'kuzzle_security_purge' in refused.output


def test_profiles_written_right_after_their_roles_converge_every_time(playbooks, admin, uid):
    """Roles then, milliseconds later, profiles that use them, in one task, several times over. On a Kuzzle cluster
    (scripts/test-all cluster) the node that writes a profile may not know yet a role another node has just written
    (roles are cached per node and invalidated asynchronously: tests/kuzzle/README.md); the module waits for it."""
    read = {'document': {'actions': {'get': True}}}
    tasks = []
    for generation in range(4):
        names = ['%s-g%d-%d' % (uid, generation, i) for i in range(4)]
        tasks.append({'name': 'generation %d' % generation, 'community.kuzzle.kuzzle_security': {
            'roles': dict((name + '-r', {'controllers': read}) for name in names),
            'profiles': dict((name, {'policies': [{'roleId': name + '-r'}]}) for name in names)}})
    run = playbooks.run(tasks)
    assert run.rc == 0, run.output
    for generation in range(4):
        assert run.result('generation %d' % generation)['counts']['profiles']['created'] == 4
        for i in range(4):
            assert admin.profile('%s-g%d-%d' % (uid, generation, i))['policies'] == [{'roleId': '%s-g%d-%d-r' % (uid, generation, i)}]
