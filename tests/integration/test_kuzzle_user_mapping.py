# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""community.kuzzle.kuzzle_user_mapping through real ansible-playbook runs against a real Kuzzle.

The users' mapping is shared by the whole session: each test maps fields of its own names, and never retypes one
that another test maps."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

MODULE = 'community.kuzzle.kuzzle_user_mapping'


def task(title, **options):
    return {'name': title, MODULE: options}


def users_mapping(admin):
    status, body = admin.api('GET', '/users/_mapping')
    assert status == 200, body
    return body['result']['mapping']


def test_map_check_then_real_then_again(playbooks, admin, kuzzle, uid):
    email, name = 'email_' + uid[-6:], 'name_' + uid[-6:]
    fields = {email: {'type': 'keyword'}, name: {'type': 'text', 'fields': {'raw': {'type': 'keyword'}}}}
    mark = kuzzle.mark()
    check = playbooks.run([task('map', properties=fields)], check=True, diff=True)
    assert check.rc == 0, check.output
    assert check.result('map')['changed'] is True
    assert check.result('map')['msg'] == 'users mapping: fields %s added' % ', '.join(sorted([email, name]))
    assert kuzzle.writes_since(mark) == []
    assert email not in users_mapping(admin)

    run = playbooks.run([task('map', properties=fields), task('again', properties={email: {'type': 'keyword'}})], diff=True)
    assert run.rc == 0, run.output
    assert run.result('map')['msg'] == check.result('map')['msg']
    assert run.result('map')['diff'] == check.result('map')['diff']
    assert run.result('again')['changed'] is False
    stored = users_mapping(admin)
    assert stored[email] == fields[email] and stored[name] == fields[name]
    assert stored['profileIds'] == {'type': 'keyword'}  # Kuzzle's own field stays
    assert run.result('again')['properties'][name] == fields[name]


def test_retype_refused_before_any_write(playbooks, admin, kuzzle, uid):
    field = 'code_' + uid[-6:]
    status, body = admin.api('PUT', '/users/_mapping', body={'properties': {field: {'type': 'keyword'}}})
    assert status == 200, body
    mark = kuzzle.mark()
    run = playbooks.run([
        dict(task('retype in check mode', properties={field: {'type': 'long'}, 'added_' + uid[-6:]: {'type': 'keyword'}}),
             check_mode=True, ignore_errors=True),
        dict(task('retype', properties={field: {'type': 'long'}}), ignore_errors=True),
        dict(task('profileIds', properties={'profileIds': {'type': 'text'}}), ignore_errors=True)])
    for name, stored, asked in (('retype in check mode', field, 'long'), ('retype', field, 'long'), ('profileIds', 'profileIds', 'text')):
        result = run.clean_failure(name, 'Nothing written: users mapping: Kuzzle would refuse it (400 services.storage.unexpected_bad_request)',
                                   'field %s is stored as keyword and the task asks %s' % (stored, asked), 'reindex')
        assert result['changed'] is False
    assert kuzzle.writes_since(mark) == []
    assert users_mapping(admin)[field] == {'type': 'keyword'}
