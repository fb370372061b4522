# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""tags of roles and profiles through real ansible-playbook runs: kuzzle_role, kuzzle_profile, their info modules,
kuzzle_security and kuzzle_security_info (export, then apply, is a no-op)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

READ = {'document': {'actions': {'get': True, 'search': True}}}


def test_single_object_modules_set_keep_and_remove_tags(playbooks, admin, kuzzle, uid):
    role, profile = uid + '-r', uid + '-p'
    run = playbooks.run([
        {'name': 'role', 'community.kuzzle.kuzzle_role': {'name': role, 'controllers': READ, 'tags': ['ops', 'shop']}},
        {'name': 'profile', 'community.kuzzle.kuzzle_profile': {'name': profile, 'policies': [{'role_id': role}], 'tags': ['ops']}},
        {'name': 'role again, another order', 'community.kuzzle.kuzzle_role': {'name': role, 'controllers': READ, 'tags': ['shop', 'ops', 'ops']}},
        {'name': 'role without tags keeps them', 'community.kuzzle.kuzzle_role': {'name': role, 'controllers': READ}},
        {'name': 'profile without tags keeps them', 'community.kuzzle.kuzzle_profile': {'name': profile, 'rate_limit': 5}},
        {'name': 'read roles', 'community.kuzzle.kuzzle_role_info': {'name': role}, 'register': 'roles'},
        {'name': 'read profiles', 'community.kuzzle.kuzzle_profile_info': {'name': profile}, 'register': 'profiles'},
        {'name': 'apply what was read', 'community.kuzzle.kuzzle_profile': '{{ profiles.profiles[0] }}'},
    ])
    assert run.rc == 0, run.output
    assert [run.result(t)['changed'] for t in ('role', 'profile', 'role again, another order', 'role without tags keeps them',
                                               'profile without tags keeps them', 'apply what was read')] == [
        True, True, False, False, True, False]
    assert run.result('read roles')['roles'] == [{'name': role, 'controllers': READ, 'tags': ['ops', 'shop']}]
    assert run.result('read profiles')['profiles'][0]['tags'] == ['ops']
    assert admin.role(role)['tags'] == ['ops', 'shop'] and admin.profile(profile)['tags'] == ['ops']

    mark = kuzzle.mark()
    check = playbooks.run([
        {'name': 'remove role tags', 'community.kuzzle.kuzzle_role': {'name': role, 'controllers': READ, 'tags': []}},
    ], check=True, diff=True)
    assert check.result('remove role tags')['changed'] is True
    assert check.result('remove role tags')['msg'] == 'role %s: tags ops, shop removed' % role
    assert kuzzle.writes_since(mark) == []
    real = playbooks.run([
        {'name': 'remove role tags', 'community.kuzzle.kuzzle_role': {'name': role, 'controllers': READ, 'tags': []}},
        {'name': 'remove profile tags', 'community.kuzzle.kuzzle_profile': {'name': profile, 'tags': []}},
    ])
    assert real.rc == 0, real.output
    assert 'tags' not in admin.role(role)
    assert admin.profile(profile).get('tags') == []


def test_a_load_securities_file_with_tags_applies_then_reapplies_unchanged_and_exports_the_same(playbooks, admin, kuzzle, uid):
    definition = {
        'roles': {uid + '-reader': {'controllers': READ, 'tags': ['shop', 'read']}},
        'profiles': {uid + '-editor': {'policies': [{'roleId': uid + '-reader'}], 'rateLimit': 10, 'tags': ['shop']}},
    }
    converge = {'name': 'converge', 'community.kuzzle.kuzzle_security': definition}
    run = playbooks.run([converge])
    assert run.rc == 0, run.output
    assert run.result('converge')['changed'] is True
    assert sorted(admin.role(uid + '-reader')['tags']) == ['read', 'shop']
    mark = kuzzle.mark()
    export = {'name': 'export', 'community.kuzzle.kuzzle_security_info': {'kinds': ['roles', 'profiles']}, 'register': 'exported'}
    again = playbooks.run([converge, export, {'name': 'apply the export', 'community.kuzzle.kuzzle_security': {
        'roles': "{{ exported.roles | dict2items | selectattr('key', 'match', '%s') | items2dict }}" % uid,
        'profiles': "{{ exported.profiles | dict2items | selectattr('key', 'match', '%s') | items2dict }}" % uid}}])
    assert again.rc == 0, again.output
    assert again.result('converge')['changed'] is False and again.result('apply the export')['changed'] is False
    assert again.result('export')['roles'][uid + '-reader'] == {'controllers': READ, 'tags': ['read', 'shop']}
    assert again.result('export')['profiles'][uid + '-editor']['tags'] == ['shop']
    assert kuzzle.writes_since(mark) == []
