# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""API keys as data: matching, differences, views, summaries."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.community.kuzzle.plugins.module_utils import _api_key as A

HIT = {'_id': 'k1', '_source': {'userId': 'ci', 'description': 'deploy', 'ttl': 86400000, 'expiresAt': 2000,
                                'fingerprint': 'f' * 64}}


def test_search_query_by_id_or_description():
    assert A.search_query('k1', 'ignored') == {'ids': {'values': ['k1']}}
    assert A.search_query(None, 'CI deploy') == {'match': {'description': {
        'query': 'CI deploy', 'operator': 'and', 'zero_terms_query': 'all'}}}


def test_matching_is_exact():
    hits = [HIT, {'_id': 'k2', '_source': {'description': 'Deploy'}}, {'_id': 'k3', '_source': {'description': 'deploy '}},
            {'_id': 'k4'}]
    assert A.matching(hits, description='deploy') == [HIT]
    assert A.matching(hits, key_id='k4') == [hits[3]]


def test_differences():
    assert A.differences(HIT) == []
    assert A.differences(HIT, description='deploy', ttl=86400000, now_ms=1999) == []
    assert A.differences(HIT, description='other', ttl=3600000, now_ms=2000) == [
        'its description is "deploy", not "other"', 'its lifetime is 1d, not 1h',
        'it expired on 1970-01-01T00:00:02Z']
    never = {'_id': 'k', '_source': {'description': 'd', 'ttl': -1, 'expiresAt': -1}}
    assert A.differences(never, ttl=-1, now_ms=10 ** 13) == []
    assert A.differences(never, ttl=1000) == ['its lifetime is unlimited, not 1s']


def test_views_never_hold_the_fingerprint():
    assert A.key_view('k1', HIT['_source']) == {'id': 'k1', 'user': 'ci', 'description': 'deploy', 'expires_at': 2000,
                                                'ttl': 86400000}
    assert A.key_view('k1', HIT['_source'], token='t')['token'] == 't'
    assert A.stored_canonical(HIT) == {'user': 'ci', 'description': 'deploy', 'ttl': 86400000}
    assert A.stored_canonical(HIT, 'k1') == {'id': 'k1', 'user': 'ci', 'description': 'deploy', 'ttl': 86400000}


def test_labels_and_summaries():
    assert A.label('ci', None, 'deploy') == '"deploy" of user ci'
    assert A.label('ci', 'k1', 'deploy') == '"k1" of user ci'
    assert A.summarize('"k1" of user ci', 'unchanged') == 'API key "k1" of user ci unchanged'
    assert A.summarize('"k1" of user ci', 'recreated', ['a', 'b']) == 'API key "k1" of user ci deleted and created again (a; b)'
