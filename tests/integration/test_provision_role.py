# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The community.kuzzle.provision role through real ansible-playbook runs against a real Kuzzle: from nothing to
provisioned, then again with nothing to change; check mode writes nothing.

The documented example, docs/examples/provision-role.yml, runs as it is against a fresh Kuzzle of this file's own
(``fresh_kuzzle``: no admin yet; a cluster under KUZZLE_SERVE_NODES), with the environment it documents; the other
tests use the session's Kuzzle, which has its admin already."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import secrets

PREFIX = 'community.kuzzle.provision : '
SECURITY = 'community.kuzzle.security : Converge the Kuzzle security definition'
EXAMPLE = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                       'docs', 'examples', 'provision-role.yml')
WAIT = PREFIX + 'Wait until Kuzzle is ready'
FIRST_ADMIN = PREFIX + 'Create the first administrator (its credentials are kuzzle_username and kuzzle_password)'
STORAGE = PREFIX + 'Converge the storage definition'
USER_MAPPING = PREFIX + "Converge the users' mapping"
COLLECTIONS = PREFIX + 'Converge collections with settings or validation specifications'


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


def test_the_example_takes_an_empty_kuzzle_to_provisioned(fresh_kuzzle, make_playbooks, make_admin, tmp_path):
    password = 'pw-' + secrets.token_hex(10)
    env = {'KUZZLE_URL': fresh_kuzzle.url, 'KUZZLE_USERNAME': 'admin', 'KUZZLE_PASSWORD': password}
    playbooks = make_playbooks(tmp_path, fresh_kuzzle)
    every_part = sorted([FIRST_ADMIN, STORAGE, USER_MAPPING, COLLECTIONS, SECURITY])

    mark = fresh_kuzzle.mark()
    check = playbooks.run_file(EXAMPLE, check=True, diff=True, env=env)
    assert check.rc == 0, check.output
    assert changed_tasks(check) == every_part
    assert check.status(WAIT) == 'ok' and check.result(WAIT)['admin_exists'] is False
    assert check.result(STORAGE)['msg'] == 'indexes: 1 created; collections: 3 created'
    assert [d['before_header'] for d in check.result(STORAGE)['diff']] == [
        'collection shop/%s (absent)' % name for name in ('carts', 'orders', 'products')]
    assert check.result(USER_MAPPING)['diff']['after']['properties']['email'] == {'type': 'keyword'}
    assert '"jdoe"' in check.result(SECURITY)['diff'][0]['prepared']
    assert fresh_kuzzle.writes_since(mark) == []
    status, body = fresh_kuzzle.api('GET', '/_adminExists', token='')
    assert status == 200 and body['result']['exists'] is False

    real = playbooks.run_file(EXAMPLE, diff=True, env=env)
    assert real.rc == 0, real.output
    assert changed_tasks(real) == every_part
    assert real.result(FIRST_ADMIN)['admin']['default_rights_restricted'] is True
    status, body = fresh_kuzzle.api('GET', '/shop/products/_mapping', token='')
    assert status in (401, 403), (status, body)  # kuzzle_provision_restrict_default_rights: true by default
    admin = make_admin(fresh_kuzzle, 'admin', password)
    status, body = admin.api('GET', '/shop/products/_mapping')
    assert status == 200 and body['result']['dynamic'] == 'strict', body
    assert body['result']['properties']['name']['fields'] == {'raw': {'type': 'keyword'}}
    status, body = admin.api('GET', '/shop/_list')
    assert status == 200 and sorted(c['name'] for c in body['result']['collections']) == ['carts', 'orders', 'products']
    status, body = admin.api('GET', '/users/_mapping')
    assert status == 200 and body['result']['mapping']['email'] == {'type': 'keyword'}, body
    status, body = admin.api('GET', '/shop/products/_specifications')
    assert status == 200 and body['result']['validation']['fields']['price']['mandatory'] is True, body
    restricted = admin.profile('editor')['policies'][1]['restrictedTo']
    assert [(r['index'], sorted(r['collections'])) for r in restricted] == [('shop', ['carts', 'products'])]
    assert admin.read('users', 'jdoe')['profileIds'] == ['editor']

    mark = fresh_kuzzle.mark()
    again = playbooks.run_file(EXAMPLE, diff=True, env=env)
    assert again.rc == 0, again.output
    assert changed_tasks(again) == []
    assert again.status(FIRST_ADMIN) == 'ok'
    assert fresh_kuzzle.writes_since(mark) == []
