# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""kuzzle_role_info's requests and output, against Kuzzle 2.x and 1.x answers mocked at the transport."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


import responses

from ansible_collections.community.kuzzle.plugins.module_utils import _objects
from ansible_collections.community.kuzzle.plugins.module_utils._client import KuzzleClient
from ansible_collections.community.kuzzle.plugins.modules import kuzzle_role_info
from ansible_collections.community.kuzzle.tests.unit.plugins.modules.utils import URL, body_of, calls, envelope, kuzzle_error

INFO = {'author': None, 'createdAt': 1, 'updatedAt': None, 'updater': None}
READER = {'controllers': {'document': {'actions': {'search': True, 'get': True}}}, '_kuzzle_info': INFO, 'description': 'd'}
ADMIN = {'controllers': {'*': {'actions': {'*': True}}}, '_kuzzle_info': INFO}


def search_answer(hits, total=None, v1=False):
    return envelope({'hits': [{'_id': i, '_source': s} for i, s in hits], 'total': len(hits) if total is None else total},
                    action='searchRoles', v1=v1)


def test_one_role_by_name(run_module, kuzzle_http):
    kuzzle_http.add(responses.GET, URL + '/roles/reader', json=envelope({'_id': 'reader', '_source': READER}, action='getRole'))
    failed, result = run_module(kuzzle_role_info.main, dict(name='reader'), check=True)
    assert not failed and result['changed'] is False
    assert result['roles'] == [{'name': 'reader', 'controllers': {'document': {'actions': {'get': True, 'search': True}}}}]
    assert list(result['roles'][0]['controllers']['document']['actions']) == ['get', 'search']
    assert result['missing'] == []
    assert calls(kuzzle_http) == [('GET', '/roles/reader')]


def test_a_missing_role_is_reported_not_failed(run_module, kuzzle_http):
    kuzzle_http.add(responses.GET, URL + '/roles/ghost', status=404,
                    json=kuzzle_error('security.role.not_found', 404, 'Role "ghost" not found.', action='getRole'))
    failed, result = run_module(kuzzle_role_info.main, dict(id='ghost'))
    assert not failed
    assert result['roles'] == [] and result['missing'] == ['ghost']


def test_several_roles_in_one_search_in_the_order_asked(run_module, kuzzle_http):
    kuzzle_http.add(responses.POST, URL + '/roles/_search?from=0&size=1000',
                    json=search_answer([('admin', ADMIN), ('reader', READER)]))
    failed, result = run_module(kuzzle_role_info.main, dict(names=['reader', 'ghost', 'admin', 'reader']))
    assert not failed
    assert [r['name'] for r in result['roles']] == ['reader', 'admin']
    assert result['missing'] == ['ghost']
    assert result['msg'] == '2 roles found, 1 missing: ghost'
    assert calls(kuzzle_http) == [('POST', '/roles/_search?from=0&size=1000')]
    assert body_of(kuzzle_http.calls[0]) == {'query': {'ids': {'values': ['reader', 'ghost', 'admin']}}}


def test_every_role_is_paged_and_sorted(run_module, kuzzle_http, monkeypatch):
    monkeypatch.setattr(_objects, 'PAGE_SIZE', 2)
    kuzzle_http.add(responses.POST, URL + '/roles/_search?from=0&size=2', json=search_answer([('reader', READER), ('admin', ADMIN)], 3))
    kuzzle_http.add(responses.POST, URL + '/roles/_search?from=2&size=2', json=search_answer([('default', ADMIN)], 3))
    failed, result = run_module(kuzzle_role_info.main, dict())
    assert not failed
    assert [r['name'] for r in result['roles']] == ['admin', 'default', 'reader']
    assert result['missing'] == []
    assert body_of(kuzzle_http.calls[0]) == {}
    for role in result['roles']:
        assert set(role) == {'name', 'controllers'}


def test_name_and_names_are_exclusive(run_module, kuzzle_http):
    failed, result = run_module(kuzzle_role_info.main, dict(name='a', names=['b']))
    assert failed and 'mutually exclusive' in result['msg']
    assert len(kuzzle_http.calls) == 0


def test_shadowed_ids_are_refused_before_any_request(run_module, kuzzle_http):
    failed, result = run_module(kuzzle_role_info.main, dict(names=['ok', '_mGet']))
    assert failed and 'cannot be used' in result['msg']
    assert len(kuzzle_http.calls) == 0


def test_empty_names_read_nothing(run_module, kuzzle_http):
    failed, result = run_module(kuzzle_role_info.main, dict(names=[]))
    assert not failed and result['roles'] == [] and result['missing'] == []
    assert len(kuzzle_http.calls) == 0


def test_forbidden_is_a_clean_failure(run_module, kuzzle_http):
    kuzzle_http.add(responses.POST, URL + '/roles/_search?from=0&size=1000', status=403, json=kuzzle_error(
        'security.rights.forbidden', 403, 'Forbidden action [security:searchRoles] for user u', action='searchRoles'))
    failed, result = run_module(kuzzle_role_info.main, dict())
    assert failed
    assert result['msg'] == ('Could not search roles: Kuzzle answered 403 security.rights.forbidden: '
                             'Forbidden action [security:searchRoles] for user u')
    assert result['error_id'] == 'security.rights.forbidden' and result['status'] == 403


def test_v1_search_ignores_the_query_so_only_the_names_asked_are_kept(run_module, kuzzle_http):
    kuzzle_http.add(responses.POST, URL + '/roles/_search?from=0&size=1000',
                    json=search_answer([('admin', ADMIN), ('reader', READER), ('default', ADMIN)], v1=True))
    failed, result = run_module(kuzzle_role_info.main, dict(names=['reader', 'ghost']))
    assert not failed
    assert [r['name'] for r in result['roles']] == ['reader'] and result['missing'] == ['ghost']


def test_v1_read_many_returns_only_the_ids_asked_for(kuzzle_http):
    # what every user of _objects.read_many relies on, whatever the module does with it
    kuzzle_http.add(responses.POST, URL + '/roles/_search?from=0&size=1000',
                    json=search_answer([('admin', ADMIN), ('reader', READER)], v1=True))
    assert _objects.read_many(KuzzleClient(URL), 'roles', ['reader', 'ghost']) == {'reader': READER}
