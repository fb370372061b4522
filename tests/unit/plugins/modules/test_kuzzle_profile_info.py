# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""kuzzle_profile_info's requests and output, and its round trip through kuzzle_profile, on mocked answers."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import responses
from hypothesis import HealthCheck, given, settings

from ansible_collections.community.kuzzle.plugins.module_utils import _objects
from ansible_collections.community.kuzzle.plugins.modules import kuzzle_profile, kuzzle_profile_info
from ansible_collections.community.kuzzle.tests.unit.plugins.module_utils.test__profile_params import SOURCE
from ansible_collections.community.kuzzle.tests.unit.plugins.modules.utils import URL, calls, envelope, kuzzle_error

INFO = {'author': None, 'createdAt': 1, 'updatedAt': None, 'updater': None}
EDITOR = {'policies': [{'roleId': 'writer', 'restrictedTo': [{'index': 'shop', 'collections': ['products', 'carts']}]},
                       {'roleId': 'reader', 'restrictedTo': []}],
          'rateLimit': 50, 'tags': ['t'], 'optimizedPolicies': [], '_kuzzle_info': INFO}
EDITOR_PARAMS = {'name': 'editor', 'rate_limit': 50, 'tags': ['t'], 'policies': [
    {'role_id': 'reader'}, {'role_id': 'writer', 'restricted_to': [{'index': 'shop', 'collections': ['carts', 'products']}]}]}
DEFAULT = {'policies': [{'roleId': 'default'}], 'rateLimit': 10, '_kuzzle_info': INFO}


def search_answer(hits, total=None):
    return envelope({'hits': [{'_id': i, '_source': s} for i, s in hits], 'total': len(hits) if total is None else total},
                    action='searchProfiles')


def test_one_profile_by_name(run_module, kuzzle_http):
    kuzzle_http.add(responses.GET, URL + '/profiles/editor', json=envelope({'_id': 'editor', '_source': EDITOR}))
    failed, result = run_module(kuzzle_profile_info.main, dict(name='editor', token='tok'), check=True)
    assert not failed and result['changed'] is False
    assert result['profiles'] == [EDITOR_PARAMS]
    assert result['missing'] == []
    assert result['msg'] == '1 profile found'
    assert calls(kuzzle_http) == [('GET', '/profiles/editor')]


def test_a_missing_profile_is_reported_not_failed(run_module, kuzzle_http):
    kuzzle_http.add(responses.GET, URL + '/profiles/ghost', status=404,
                    json=kuzzle_error('security.profile.not_found', 404, 'Profile "ghost" not found.'))
    failed, result = run_module(kuzzle_profile_info.main, dict(id='ghost'))
    assert not failed
    assert result['profiles'] == [] and result['missing'] == ['ghost']
    assert result['msg'] == '0 profiles found, 1 missing: ghost'


def test_a_404_that_is_not_profile_not_found_fails(run_module, kuzzle_http):
    kuzzle_http.add(responses.GET, URL + '/profiles/editor', status=404,
                    json=kuzzle_error('network.http.url_not_found', 404, 'API URL not found: /profiles/editor.', action=None))
    failed, result = run_module(kuzzle_profile_info.main, dict(name='editor'))
    assert failed and result['error_id'] == 'network.http.url_not_found' and result['status'] == 404
    assert result['msg'].startswith('Could not read profile "editor": Kuzzle answered 404')


def test_several_profiles_in_one_search_in_the_order_asked(run_module, kuzzle_http):
    kuzzle_http.add(responses.POST, URL + '/profiles/_search?from=0&size=1000',
                    json=search_answer([('default', DEFAULT), ('editor', EDITOR)]))
    failed, result = run_module(kuzzle_profile_info.main, dict(names=['editor', 'ghost', 'default', 'editor']))
    assert not failed
    assert [p['name'] for p in result['profiles']] == ['editor', 'default']
    assert result['missing'] == ['ghost']
    assert calls(kuzzle_http) == [('POST', '/profiles/_search?from=0&size=1000')]
    assert json.loads(kuzzle_http.calls[0].request.body) == {'query': {'ids': {'values': ['editor', 'ghost', 'default']}}}


def test_an_empty_list_of_names_reads_nothing(run_module, kuzzle_http):
    failed, result = run_module(kuzzle_profile_info.main, dict(names=[]))
    assert not failed and result['profiles'] == [] and result['missing'] == []
    assert calls(kuzzle_http) == []


def test_every_profile_is_paged_and_sorted(run_module, kuzzle_http, monkeypatch):
    monkeypatch.setattr(_objects, 'PAGE_SIZE', 2)
    kuzzle_http.add(responses.POST, URL + '/profiles/_search?from=0&size=2', json=search_answer([('editor', EDITOR), ('default', DEFAULT)], 3))
    kuzzle_http.add(responses.POST, URL + '/profiles/_search?from=2&size=2', json=search_answer([('admin', {'policies': [{'roleId': 'admin'}]})], 3))
    failed, result = run_module(kuzzle_profile_info.main, dict())
    assert not failed
    assert [p['name'] for p in result['profiles']] == ['admin', 'default', 'editor']
    assert result['profiles'][0] == {'name': 'admin', 'policies': [{'role_id': 'admin'}]}  # no rateLimit stored: none returned
    assert json.loads(kuzzle_http.calls[0].request.body) == {}
    assert len(kuzzle_http.calls) == 2


def test_name_and_names_are_exclusive(run_module, kuzzle_http):
    failed, result = run_module(kuzzle_profile_info.main, dict(name='a', names=['b']))
    assert failed and 'mutually exclusive' in result['msg']
    assert calls(kuzzle_http) == []


def test_an_unreachable_id_is_refused_before_any_request(run_module, kuzzle_http):
    failed, result = run_module(kuzzle_profile_info.main, dict(names=['ok', '_mapping']))
    assert failed and 'cannot be used' in result['msg'] and '_mapping' in result['msg']
    assert calls(kuzzle_http) == []


def test_a_refused_read_fails_cleanly(run_module, kuzzle_http):
    kuzzle_http.add(responses.POST, URL + '/profiles/_search?from=0&size=1000', status=403, json=kuzzle_error(
        'security.rights.forbidden', 403, 'Insufficient permissions to execute the action "security:searchProfiles".',
        action='searchProfiles'))
    failed, result = run_module(kuzzle_profile_info.main, dict(token='tok-secret'))
    assert failed
    assert result['msg'] == ('Could not search profiles: Kuzzle answered 403 security.rights.forbidden: '
                             'Insufficient permissions to execute the action "security:searchProfiles".')
    assert result['error_id'] == 'security.rights.forbidden' and result['status'] == 403
    assert 'tok-secret' not in json.dumps(result)


def round_trip(run_module, source):
    """kuzzle_profile_info's item for ``source``, then kuzzle_profile with that item on the same profile."""
    with responses.RequestsMock() as mocked:
        mocked.add(responses.GET, URL + '/profiles/p1', json=envelope({'_id': 'p1', '_source': source}))
        failed, info = run_module(kuzzle_profile_info.main, dict(name='p1'))
        assert not failed, info
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mocked:
        mocked.add(responses.GET, URL + '/profiles/p1', json=envelope({'_id': 'p1', '_source': source}))
        failed, applied = run_module(kuzzle_profile.main, info['profiles'][0], diff=True)
        return failed, applied, [c.request.method for c in mocked.calls]


def test_round_trip_through_kuzzle_profile_is_unchanged(run_module):
    failed, applied, methods = round_trip(run_module, EDITOR)
    assert not failed, applied
    assert applied['changed'] is False and methods == ['GET']
    assert applied['diff']['before'] == applied['diff']['after']


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(SOURCE)
def test_round_trip_of_any_stored_profile_is_unchanged(run_module, source):
    failed, applied, methods = round_trip(run_module, source)
    assert not failed, applied
    assert applied['changed'] is False, applied['msg']
    assert methods == ['GET']
