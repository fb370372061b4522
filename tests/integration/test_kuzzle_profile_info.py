# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""community.kuzzle.kuzzle_profile_info through real ansible-playbook runs, and its round trip through kuzzle_profile."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

MODULE = 'community.kuzzle.kuzzle_profile_info'


def task(title, **options):
    return {'name': title, MODULE: options, 'register': 'info'}


def apply_each(title, loop_expression, check=False):
    """kuzzle_profile once per item of the info output, the item given as it is."""
    return {'name': title, 'community.kuzzle.kuzzle_profile': {
        'name': '{{ item.name }}', 'policies': '{{ item.policies }}', 'rate_limit': '{{ item.rate_limit }}'},
        'loop': '{{ %s }}' % loop_expression, 'loop_control': {'label': '{{ item.name }}'}, 'check_mode': check}


def make_profiles(admin, uid):
    """Profiles stored the way other tools write them: repetitions, null or empty restrictions, rate limits."""
    admin.create_profile(uid + '-editor', [
        {'roleId': 'writer', 'restrictedTo': [{'index': 'shop', 'collections': ['products', 'carts', 'carts']},
                                              {'index': 'logs', 'collections': []}]},
        {'roleId': 'reader', 'restrictedTo': None},
        {'roleId': 'writer', 'restrictedTo': [{'index': 'shop', 'collections': ['orders']}]},
    ], rateLimit=50, tags=['kept', 'ops', 'kept'])
    admin.create_profile(uid + '-plain', [{'roleId': 'reader', 'restrictedTo': []}])
    return uid + '-editor', uid + '-plain'


def test_one_several_all_and_missing(playbooks, admin, uid):
    editor, plain = make_profiles(admin, uid)
    run = playbooks.run([
        task('one', name=editor),
        task('several', names=[plain, uid + '-ghost', editor, plain]),
        task('all'),
        task('missing', name=uid + '-ghost'),
    ], check=True)
    assert run.rc == 0, run.output
    one = run.result('one')
    assert one['changed'] is False and one['missing'] == [] and one['msg'] == '1 profile found'
    assert one['profiles'] == [{'name': editor, 'rate_limit': 50, 'tags': ['kept', 'ops'], 'policies': [
        {'role_id': 'reader'},
        {'role_id': 'writer', 'restricted_to': [{'index': 'logs'}, {'index': 'shop', 'collections': ['carts', 'orders', 'products']}]},
    ]}]
    several = run.result('several')
    assert [p['name'] for p in several['profiles']] == [plain, editor]
    assert several['profiles'][0] == {'name': plain, 'policies': [{'role_id': 'reader'}], 'rate_limit': 0}
    assert several['missing'] == [uid + '-ghost']
    assert several['msg'] == '2 profiles found, 1 missing: %s-ghost' % uid
    everything = run.result('all')
    names = [p['name'] for p in everything['profiles']]
    assert names == sorted(names) and {'admin', 'default', 'anonymous', editor, plain} <= set(names)
    assert everything['missing'] == []
    assert run.result('missing')['profiles'] == [] and run.result('missing')['missing'] == [uid + '-ghost']


def test_round_trip_through_kuzzle_profile_changes_nothing(playbooks, admin, kuzzle, uid):
    """Every profile read back: this test's own (stored as other tools write them) and Kuzzle's reserved ones (the
    session's other tests' profiles are left out: each would cost two module runs and shows nothing new)."""
    shown = sorted(make_profiles(admin, uid) + ('admin', 'default', 'anonymous'))
    mark = kuzzle.mark()
    mine = 'info.profiles | selectattr("name", "in", %s) | list' % json.dumps(shown)
    run = playbooks.run([
        task('read all'),
        apply_each('apply in check mode', mine, check=True),
        apply_each('apply', mine),
    ], diff=True)
    assert run.rc == 0, run.output
    assert set(shown) <= set(p['name'] for p in run.result('read all')['profiles'])
    count = len(shown)
    for title in ('apply in check mode', 'apply'):
        result = run.result(title)
        assert result['changed'] is False
        assert len(result['results']) == count
        assert [r['changed'] for r in result['results']] == [False] * count
        assert all(r['msg'].endswith(' unchanged') for r in result['results'])
    assert kuzzle.writes_since(mark) == []
    # a change made afterwards is seen by the same round trip
    status, body = admin.api('PUT', '/profiles/%s-plain/_update' % uid, body={'rateLimit': 7}, query={'refresh': 'wait_for'})
    assert status == 200, body
    run = playbooks.run([task('read', name=uid + '-plain'), apply_each('apply', 'info.profiles')])
    assert run.result('read')['profiles'][0]['rate_limit'] == 7
    assert run.result('apply')['changed'] is False


def test_the_output_copies_profiles_to_other_names(playbooks, admin, uid):
    editor = make_profiles(admin, uid)[0]
    run = playbooks.run([
        task('read', name=editor),
        {'name': 'copy', 'community.kuzzle.kuzzle_profile': {
            'name': '{{ item.name }}-copy', 'policies': '{{ item.policies }}', 'rate_limit': '{{ item.rate_limit }}',
            'tags': '{{ item.tags | default(omit) }}'},
         'loop': '{{ info.profiles }}'},
        dict(task('read the copy', name=editor + '-copy'), register='copy'),
    ])
    assert run.rc == 0, run.output
    original = run.result('read')['profiles'][0]
    copied = run.result('read the copy')['profiles'][0]
    assert dict(copied, name=editor) == original
    assert admin.profile(editor + '-copy')['tags'] == ['kept', 'ops']  # the tags are a set: each once


def test_failures_are_clean(playbooks, kuzzle, uid):
    run = playbooks.run([dict(task('both', name='a', names=['b']), ignore_errors=True),
                         dict(task('unreachable id', name='_mapping'), ignore_errors=True)])
    run.clean_failure('both', 'mutually exclusive')
    run.clean_failure('unreachable id', 'cannot be used')
    run = playbooks.run([task('anonymous', name='admin')], module_defaults={'group/community.kuzzle.kuzzle': {'url': kuzzle.url}})
    result = run.clean_failure('anonymous', 'Could not read profile "admin"', '401', 'security.rights.unauthorized')
    assert result['status'] == 401 and result['error_id'] == 'security.rights.unauthorized'
