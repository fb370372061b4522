# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The community.kuzzle.provision role through real ansible-playbook runs against a real Kuzzle: from nothing to
provisioned, then again with nothing to change; check mode writes nothing."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

PREFIX = 'community.kuzzle.provision : '
SECURITY = 'community.kuzzle.security : Converge the Kuzzle security definition'


def role_vars(playbooks, admin, uid):
    short = uid.lower()[-6:]
    shop = 'shop-' + short
    return {
        'kuzzle_url': playbooks.kuzzle.url, 'kuzzle_username': admin.username, 'kuzzle_password': admin.password,
        'kuzzle_provision_first_admin': admin.username,  # the session's Kuzzle has its admin: the task must be ok
        'kuzzle_provision_storage': {shop: {
            'products': {'dynamic': 'strict', 'properties': {'name': {'type': 'text'}, 'price': {'type': 'float'}}},
            'carts': {}}},
        'kuzzle_provision_user_mapping': {'email_' + short: {'type': 'keyword'}},
        'kuzzle_provision_collections': [{'index': shop, 'name': 'products', 'specifications': {
            'strict': True, 'fields': {'price': {'type': 'numeric', 'mandatory': True}}}}],
        'kuzzle_security_roles': {uid + '-reader': {'controllers': {'document': {'actions': {'get': True, 'search': True}}}}},
        'kuzzle_security_profiles': {uid + '-editor': {'policies': [
            {'roleId': uid + '-reader', 'restrictedTo': [{'index': shop, 'collections': ['products', 'carts']}]}]}},
    }


def changed_tasks(run):
    return sorted(set(r['task'] for r in run.results if r['status'] == 'ok' and r['result'].get('changed')))


def test_from_nothing_to_provisioned_then_unchanged(playbooks, admin, kuzzle, uid):
    variables = role_vars(playbooks, admin, uid)
    shop = sorted(variables['kuzzle_provision_storage'])[0]
    role = {'role': 'community.kuzzle.provision', 'vars': variables}
    mark = kuzzle.mark()
    check = playbooks.run([], roles=[role], check=True, diff=True, module_defaults=None)
    assert check.rc == 0, check.output
    assert check.result(PREFIX + 'Converge the storage definition')['msg'] == 'indexes: 1 created; collections: 2 created'
    assert check.result(SECURITY)['changed'] is True
    assert kuzzle.writes_since(mark) == []

    real = playbooks.run([], roles=[role], diff=True, module_defaults=None)
    assert real.rc == 0, real.output
    assert changed_tasks(real) == sorted([PREFIX + 'Converge the storage definition', PREFIX + "Converge the users' mapping",
                                          PREFIX + 'Converge collections with settings or validation specifications', SECURITY])
    assert real.result(PREFIX + 'Wait until Kuzzle is ready')['ready'] is True
    first_admin = real.result(PREFIX + 'Create the first administrator (its credentials are kuzzle_username and kuzzle_password)')
    assert real.status(PREFIX + 'Create the first administrator (its credentials are kuzzle_username and kuzzle_password)') == 'ok'
    assert first_admin['changed'] is False, first_admin
    status, body = admin.api('GET', '/%s/products/_specifications' % shop)
    assert status == 200 and body['result']['validation']['strict'] is True
    restricted = admin.profile(uid + '-editor')['policies'][0]['restrictedTo']
    assert [(r['index'], sorted(r['collections'])) for r in restricted] == [(shop, ['carts', 'products'])]

    mark = kuzzle.mark()
    again = playbooks.run([], roles=[role], module_defaults=None)
    assert again.rc == 0, again.output
    assert changed_tasks(again) == []
    assert kuzzle.writes_since(mark) == []


def test_empty_parts_are_skipped_and_bad_variables_refused(playbooks, admin, kuzzle):
    role = {'role': 'community.kuzzle.provision', 'vars': {
        'kuzzle_url': playbooks.kuzzle.url, 'kuzzle_username': admin.username, 'kuzzle_password': admin.password}}
    mark = kuzzle.mark()
    run = playbooks.run([], roles=[role], module_defaults=None)
    assert run.rc == 0, run.output
    assert [r['status'] for r in run.results if r['task'].startswith(PREFIX + 'Converge')] == ['skipped'] * 3
    assert kuzzle.writes_since(mark) == []
    bad = {'role': 'community.kuzzle.provision', 'vars': dict(role['vars'], kuzzle_provision_storage=['not', 'a', 'dict'])}
    refused = playbooks.run([], roles=[bad], module_defaults=None)
    assert refused.rc != 0 and 'kuzzle_provision_storage' in refused.output
