# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""community.kuzzle.kuzzle_rights_info through real ansible-playbook runs against a real Kuzzle: effective rights
of a user, a profile and a role, and expectations that pass and fail as Kuzzle decides."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

MODULE = 'community.kuzzle.kuzzle_rights_info'


def entry(controller, action, index=None, collection=None):
    return {'controller': controller, 'action': action, 'index': index, 'collection': collection}


def setup(admin, uid):
    """A role that may create documents and users, given to a profile restricted to shop/orders, and a user."""
    admin.create_role(uid, {'document': {'actions': {'create': True}}, 'security': {'actions': {'createUser': True}}})
    admin.create_profile(uid, [{'roleId': uid, 'restrictedTo': [{'index': 'shop', 'collections': ['orders']}]}])
    admin.create_user(uid, [uid])


def test_rights_of_a_user_a_profile_and_a_role(playbooks, admin, kuzzle, uid):
    setup(admin, uid)
    mark = kuzzle.mark()
    run = playbooks.run([{'name': kind, MODULE: {kind: uid}} for kind in ('user', 'profile', 'role')], check=True)
    assert run.rc == 0, run.output
    restricted = [entry('document', 'create', 'shop', 'orders'), entry('security', 'createUser')]
    for kind in ('user', 'profile'):
        result = run.result(kind)
        assert result['changed'] is False
        assert result['rights'] == restricted
        # createUser takes no index: the restriction to shop/orders does not limit it
        assert result['unrestricted'] == [entry('security', 'createUser')]
        assert result['msg'] == '%s %s: 2 rights (1 not limited by restrictedTo)' % (kind, uid)
    assert run.result('role')['rights'] == [entry('document', 'create', '*', '*'), entry('security', 'createUser')]
    assert run.result('role')['unrestricted'] == []
    assert kuzzle.writes_since(mark) == []


def test_expectations_hold_or_fail_listing_every_mismatch(playbooks, admin, uid):
    setup(admin, uid)
    allowed = [{'controller': 'document', 'action': 'create', 'index': 'shop', 'collection': 'orders'}]
    denied = [{'controller': 'document', 'action': 'create', 'index': 'shop', 'collection': 'carts'},
              {'controller': 'document', 'action': 'delete', 'index': 'shop', 'collection': 'orders'}]
    wrong = [{'controller': 'security', 'action': 'createUser'}, {'controller': 'index', 'action': 'delete', 'index': 'shop'}]
    tasks = [{'name': 'holds ' + kind, MODULE: {kind: uid, 'expect_allowed': allowed, 'expect_denied': denied}}
             for kind in ('user', 'profile')]
    tasks += [{'name': 'fails ' + kind, MODULE: {kind: uid, 'expect_allowed': wrong[1:], 'expect_denied': wrong[:1]},
               'ignore_errors': True} for kind in ('user', 'profile')]
    run = playbooks.run(tasks)
    for kind in ('user', 'profile'):
        result = run.result('holds ' + kind)
        assert run.status('holds ' + kind) == 'ok', run.output
        assert result['msg'] == '%s %s: 2 rights (1 not limited by restrictedTo); 3 expectations hold' % (kind, uid)
        assert [c['allowed'] for c in result['checks']] == [True, False, False]
        # the user's decisions are Kuzzle's own (checkRights), the profile's computed: they agree
        failure = run.clean_failure('fails ' + kind)
        assert failure['msg'] == ('%s %s: 2 rights (1 not limited by restrictedTo); 2 of 2 expectations do not hold: '
                                  'index:delete on index shop is denied, expected allowed; '
                                  'security:createUser without an index is allowed, expected denied' % (kind, uid))
        assert failure['checks'] == [dict(wrong[1], collection=None, expected='allowed', allowed=False),
                                     dict(wrong[0], index=None, collection=None, expected='denied', allowed=True)]


def test_a_missing_subject_or_an_unknown_action_fails(playbooks, admin, uid):
    admin.create_role(uid, {'document': {'actions': {'get': True}}})
    run = playbooks.run([
        {'name': 'missing', MODULE: {'profile': uid + '-nope'}, 'ignore_errors': True},
        {'name': 'unknown', MODULE: {'role': uid, 'expect_denied': [{'controller': 'document', 'action': 'gte'}]}, 'ignore_errors': True},
    ])
    assert run.clean_failure('missing')['msg'] == 'profile "%s-nope" does not exist' % uid
    assert run.clean_failure('unknown')['msg'] == 'Invalid task: expect_denied[0]: Kuzzle has no action document:gte'
