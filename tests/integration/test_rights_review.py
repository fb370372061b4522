# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The rights review of kuzzle_profile, kuzzle_role and kuzzle_security (issue 13), through real ansible-playbook
runs against a real Kuzzle: ``--check --diff`` says which rights a change grants and revokes, per profile, the
real run says the same, and rights that a restriction does not limit are warned about."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

PROFILE = 'community.kuzzle.kuzzle_profile'
ROLE = 'community.kuzzle.kuzzle_role'
SECURITY = 'community.kuzzle.kuzzle_security'


def task(title, module, **options):
    return {'name': title, module: options}


def entry(controller, action, index=None, collection=None):
    return {'controller': controller, 'action': action, 'index': index, 'collection': collection}


def test_a_profile_change_says_which_rights_it_grants_and_revokes(playbooks, admin, kuzzle, uid):
    admin.create_role(uid + '-reader', {'document': {'actions': {'get': True}}})
    admin.create_role(uid + '-writer', {'document': {'actions': {'create': True, 'update': True}}})
    admin.create_profile(uid, [{'roleId': uid + '-reader'}])
    policies = [{'role_id': uid + '-reader'},
                {'role_id': uid + '-writer', 'restricted_to': [{'index': 'shop', 'collections': ['orders']}]}]
    mark = kuzzle.mark()
    check = playbooks.run([task('editor', PROFILE, name=uid, policies=policies)], check=True, diff=True)
    assert check.rc == 0, check.output
    result = check.result('editor')
    assert result['rights'] == {uid: {'granted': [entry('document', 'create', 'shop', 'orders'), entry('document', 'update', 'shop', 'orders')],
                                      'revoked': [], 'unrestricted': []}}
    assert result['msg'] == 'profile %s: role %s-writer added; rights of %s: +2 rights, -0' % (uid, uid, uid)
    # the readable section follows the JSON diff
    assert 'rights of %s: +2 rights, -0\n  + on shop/orders: document:{create,update}\n' % uid in check.stdout
    assert check.stdout.index('+++ after: profile %s' % uid) < check.stdout.index('rights of %s: +2' % uid)
    assert kuzzle.writes_since(mark) == []

    real = playbooks.run([task('editor', PROFILE, name=uid, policies=policies)], diff=True)
    assert real.rc == 0, real.output
    assert real.result('editor')['rights'] == result['rights'] and real.result('editor')['msg'] == result['msg']

    again = playbooks.run([task('editor', PROFILE, name=uid, policies=policies)], diff=True)
    assert again.result('editor')['changed'] is False and again.result('editor')['rights'] == {}

    narrower = playbooks.run([task('editor', PROFILE, name=uid, policies=policies[1:])], check=True)
    assert narrower.result('editor')['rights'] == {uid: {'granted': [], 'revoked': [entry('document', 'get', '*', '*')], 'unrestricted': []}}
    assert narrower.result('editor')['msg'].endswith('rights of %s: +0 rights, -1' % uid)


def test_rights_a_restriction_does_not_limit_are_warned_about(playbooks, admin, uid):
    admin.create_role(uid, {'security': {'actions': {'createUser': True}}, 'index': {'actions': {'delete': True}},
                            'document': {'actions': {'get': True}}})
    policies = [{'role_id': uid, 'restricted_to': [{'index': 'logs', 'collections': ['app']}]}]
    check = playbooks.run([task('logs only', PROFILE, name=uid, policies=policies)], check=True, diff=True)
    assert check.rc == 0, check.output
    rights = check.result('logs only')['rights'][uid]
    assert rights['granted'] == [entry('document', 'get', 'logs', 'app'), entry('index', 'delete', 'logs'),
                                 entry('security', 'createUser')]
    # security:createUser takes no index, so restrictedTo never limits it; index:delete acts on the whole index
    assert rights['unrestricted'] == [entry('index', 'delete', 'logs'), entry('security', 'createUser')]
    assert check.result('logs only')['msg'].endswith('rights of %s: +3 rights, -0 (2 not limited by restrictedTo)' % uid)
    assert check.shows('[WARNING]: profile "%s" gains 2 rights that its restrictedTo does not limit' % uid)
    assert check.shows('without an index: security:createUser; on index logs: index:delete')
    assert '  ! without an index: security:createUser\n' in check.stdout


def test_a_role_change_says_how_the_rights_of_every_profile_using_it_change(playbooks, admin, kuzzle, uid):
    role = uid + '-docs'
    admin.create_role(role, {'document': {'actions': {'get': True}}})
    admin.create_profile(uid + '-a', [{'roleId': role}])
    admin.create_profile(uid + '-b', [{'roleId': role, 'restrictedTo': [{'index': 'shop'}]}])
    wanted = {'document': {'actions': {'get': True, 'delete': True}}}
    mark = kuzzle.mark()
    check = playbooks.run([task('role', ROLE, name=role, controllers=wanted)], check=True, diff=True)
    assert check.rc == 0, check.output
    result = check.result('role')
    assert result['rights'] == {
        uid + '-a': {'granted': [entry('document', 'delete', '*', '*')], 'revoked': [], 'unrestricted': []},
        uid + '-b': {'granted': [entry('document', 'delete', 'shop', '*')], 'revoked': [], 'unrestricted': []}}
    assert result['msg'].endswith('rights of %s-a: +1 right, -0; %s-b: +1 right, -0' % (uid, uid))
    assert 'rights of %s-b: +1 right, -0\n  + on any collection of shop: document:delete\n' % uid in check.stdout
    assert kuzzle.writes_since(mark) == []

    real = playbooks.run([task('role', ROLE, name=role, controllers=wanted)])
    assert real.rc == 0, real.output
    assert real.result('role')['rights'] == result['rights']


def test_a_security_definition_reports_the_rights_of_the_profiles_it_changes(playbooks, admin, kuzzle, uid):
    role = uid + '-r'
    admin.create_role(role, {'document': {'actions': {'get': True}}})
    admin.create_profile(uid + '-kept', [{'roleId': role}])  # not in the definition: its role changes
    definition = {'roles': {role: {'controllers': {'document': {'actions': {'create': True}}}}},
                  'profiles': {uid + '-new': {'policies': [{'roleId': role, 'restrictedTo': [{'index': 'shop'}]}]}}}
    mark = kuzzle.mark()
    check = playbooks.run([task('definition', SECURITY, **definition)], check=True, diff=True)
    assert check.rc == 0, check.output
    result = check.result('definition')
    assert result['rights'] == {
        uid + '-kept': {'granted': [entry('document', 'create', '*', '*')], 'revoked': [entry('document', 'get', '*', '*')],
                        'unrestricted': []},
        uid + '-new': {'granted': [entry('document', 'create', 'shop', '*')], 'revoked': [], 'unrestricted': []}}
    assert result['msg'].endswith('rights of %s-kept: +1 right, -1; %s-new: +1 right, -0' % (uid, uid))
    assert 'rights of %s-kept: +1 right, -1\n  + on any collection of any index: document:create\n' \
           '  - on any collection of any index: document:get\n' % uid in check.stdout
    assert kuzzle.writes_since(mark) == []

    real = playbooks.run([task('definition', SECURITY, **definition)])
    assert real.rc == 0, real.output
    assert real.result('definition')['rights'] == result['rights']
    again = playbooks.run([task('definition', SECURITY, **definition)])
    assert again.result('definition')['changed'] is False and again.result('definition')['rights'] == {}
