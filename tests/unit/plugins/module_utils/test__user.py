# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Normalise / compare / plan / summary of users, with hypothesis properties."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import json

import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from ansible_collections.community.kuzzle.plugins.module_utils import _user as U
from ansible_collections.community.kuzzle.plugins.module_utils._report import build_diff, stored_view

PROFILES = st.sampled_from(['admin', 'default', 'editor', 'reader', 'x-1'])
KEYS = st.sampled_from(['fullname', 'email', 'address', 'tags', 'age', 'city'])
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.text('abcxyz', max_size=4))
VALUES = st.recursive(SCALARS, lambda children: st.one_of(
    st.lists(children, max_size=3), st.dictionaries(KEYS, children, max_size=3)), max_leaves=8)
CONTENT = st.dictionaries(KEYS, VALUES, max_size=4)
SOURCE = st.builds(
    lambda ids, content, info: dict(content, profileIds=ids, **({'_kuzzle_info': info} if info else {})),
    st.lists(PROFILES, min_size=1, max_size=4), CONTENT,
    st.sampled_from([None, {'author': None, 'createdAt': 1, 'updatedAt': None, 'updater': None}]))
USERNAME = st.one_of(st.none(), st.sampled_from(['alice', 'bob']))
# a password made of characters no other generated value uses, so finding it anywhere is a leak
PASSWORD = st.text('!#%&()*+<=>?@[]^{}~', min_size=6, max_size=12).map(lambda s: 'PW' + s)


def kuzzle_update(source, body):
    """What Elasticsearch stores after Kuzzle's updateUser: a partial update, objects merged recursively."""
    return U.deep_merge(source, body)


def kuzzle_answer(source, body):
    """What updateUser answers (and caches): the stored user with the body's keys replaced (a shallow merge)."""
    answer = copy.deepcopy(source)
    answer.update(copy.deepcopy(body))
    return answer


def kuzzle_create(body):
    return dict(copy.deepcopy(body['content']))


# too_slow: on a loaded 2-core runner one draw of SOURCE can take a second; all 300 examples still run
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SOURCE, st.one_of(st.none(), st.lists(PROFILES, max_size=4)), st.booleans(), st.one_of(st.none(), CONTENT))
def test_applying_the_desired_state_then_comparing_again_gives_no_change(source, profile_ids, purge, content):
    assume(profile_ids is None or profile_ids or not purge)
    keys = sorted(content or ())
    before = U.normalize_user(source, keys)
    after = U.desired_user(before, profile_ids, purge, content)
    body = U.update_body(before, after)
    stored = kuzzle_update(source, body)
    assert U.normalize_user(stored, keys) == after
    assert U.desired_user(U.normalize_user(stored, keys), profile_ids, purge, content) == after
    # the values sent are already merged: Kuzzle's answer (and its cache) and Elasticsearch agree
    assert kuzzle_answer(source, body) == stored
    # the check-mode prediction is what Kuzzle answers
    if body:
        assert U.predict_stored(source, body) == stored_view(kuzzle_answer(source, body))
    assert (before == after) == (not body)


@settings(max_examples=200)
@given(SOURCE, st.lists(PROFILES, min_size=1, max_size=4), CONTENT, st.randoms(use_true_random=False))
def test_profile_order_and_duplicates_carry_no_meaning(source, profile_ids, content, rnd):
    keys = sorted(content)
    shuffled = dict(source, profileIds=source['profileIds'] + source['profileIds'][:1])
    rnd.shuffle(shuffled['profileIds'])
    assert U.normalize_user(shuffled, keys) == U.normalize_user(source, keys)
    reordered = profile_ids + profile_ids[:1]
    rnd.shuffle(reordered)
    before = U.normalize_user(source, keys)
    assert U.desired_user(before, reordered, True, content) == U.desired_user(before, profile_ids, True, content)


@settings(max_examples=200)
@given(SOURCE, st.lists(PROFILES, max_size=4), st.one_of(st.none(), CONTENT))
def test_merge_adds_and_purge_makes_exact(source, profile_ids, content):
    before = U.normalize_user(source, sorted(content or ()))
    merged = U.desired_user(before, profile_ids, False, content)
    assert set(merged['profileIds']) == set(source['profileIds']) | set(profile_ids)
    assert merged['profileIds'] == sorted(merged['profileIds'])
    if profile_ids:
        assert set(U.desired_user(before, profile_ids, True, content)['profileIds']) == set(profile_ids)


@settings(max_examples=200)
@given(SOURCE, st.one_of(st.none(), st.lists(PROFILES, min_size=1, max_size=4)), CONTENT)
def test_unmanaged_content_is_neither_compared_nor_written(source, profile_ids, content):
    before = U.normalize_user(source, sorted(content))
    body = U.update_body(before, U.desired_user(before, profile_ids, True, content))
    assert set(body) <= set(content) | {'profileIds'}
    assert set(before['content']) <= set(content)


@settings(max_examples=200)
@given(st.lists(PROFILES, min_size=1, max_size=4), CONTENT, st.sampled_from(['alice', 'bob']), PASSWORD)
def test_created_user_reads_back_as_desired(profile_ids, content, username, password):
    after = U.desired_user({}, profile_ids, True, content, username, U.PASSWORD_SET)
    body = U.create_body(after, password)
    assert body['credentials'] == {'local': {'username': username, 'password': password}}
    stored = kuzzle_create(body)
    read_back = U.normalize_user(stored, sorted(content), username)
    assert read_back == U.desired_user({}, profile_ids, True, content, username, None)
    # once created, the same task (password sent on creation only) changes nothing
    assert U.desired_user(read_back, profile_ids, True, content, username, None) == read_back


@settings(max_examples=200)
@given(SOURCE, USERNAME)
def test_info_output_applied_back_changes_nothing(source, username):
    params = U.user_to_params('u1', source, username)
    assert set(params) == {'name', 'profile_ids', 'content'} | ({'credentials'} if username else set())
    assert not set(params['content']) & set(U.FORBIDDEN_CONTENT_KEYS)
    assert not U.content_problems(params['content'])
    managed = U.NOT_MANAGED if 'credentials' not in params else username
    before = U.normalize_user(source, sorted(params['content']), managed)
    wanted = params.get('credentials', {}).get('username')
    assert U.desired_user(before, params['profile_ids'], True, params['content'], wanted) == before
    json.dumps(params)  # a plain, serialisable value


@settings(max_examples=300)
@given(SOURCE, st.one_of(st.none(), st.lists(PROFILES, min_size=1, max_size=3)), CONTENT, USERNAME,
       st.sampled_from(['alice', 'carol', None]), PASSWORD, st.sampled_from([U.PASSWORD_SET, U.PASSWORD_CHANGED, None]))
def test_the_password_never_leaves_the_write_body(source, profile_ids, content, stored, wanted, password, action):
    if action == U.PASSWORD_SET:
        stored = None
    # the same task on the stored user, and on an absent one (then the password can only be set)
    for src, action in ((source, action), (None, U.PASSWORD_SET if action else None)):
        if (src is None or stored is None) and action is not None:
            wanted = wanted or 'dave'  # new credentials need a username (the module checks it)
        before = U.normalize_user(src, sorted(content), stored if src is not None else None)
        after = U.desired_user(before, profile_ids or ['reader'], True, content, wanted, action)
        shown = json.dumps([before, after, U.summarize('u1', before, after), build_diff('user', 'u1', before, after),
                            U.update_body(before, after), U.without_credentials_change(before, after)])
        assert password not in shown
        verb, body = U.credentials_write(before, after, password)
        if action is not None:
            assert body.get('password') == password  # the one place it goes: the credentials write
        else:
            assert body is None or 'password' not in body
        if src is None:
            assert password not in json.dumps(U.create_body(after, None))


@settings(max_examples=200)
@given(SOURCE, st.one_of(st.none(), st.lists(PROFILES, min_size=1, max_size=3)), CONTENT)
def test_the_summary_says_unchanged_exactly_when_nothing_changes(source, profile_ids, content):
    before = U.normalize_user(source, sorted(content))
    after = U.desired_user(before, profile_ids, True, content)
    assert (U.summarize('u1', before, after) == 'user u1 unchanged') == (before == after)


@given(VALUES, VALUES)
def test_deep_merge_then_merge_again_is_stable(base, changes):
    merged = U.deep_merge(base, changes)
    assert U.deep_merge(merged, changes) == merged
    assert U.deep_merge(base, merged) == merged


# --- examples ---------------------------------------------------------------------------------------

STORED = {'profileIds': ['reader', 'default', 'reader'], 'fullname': 'Alice', 'email': 'a@x', 'address': {'city': 'A', 'zip': '1'},
          '_kuzzle_info': {'author': None, 'createdAt': 1, 'updatedAt': None, 'updater': None}}


def test_normalize_keeps_only_managed_keys():
    assert U.normalize_user(STORED, ['fullname', 'nickname']) == {'profileIds': ['default', 'reader'], 'content': {'fullname': 'Alice'}}
    assert U.normalize_user(STORED, [], 'alice')['credentials'] == {'local': {'username': 'alice'}}
    assert U.normalize_user(STORED, [], None)['credentials'] == {}
    assert U.normalize_user(None, ['fullname'], 'alice') == {}
    assert U.stored_content(STORED) == {'fullname': 'Alice', 'email': 'a@x', 'address': {'city': 'A', 'zip': '1'}}


def test_object_values_merge_and_keep_unlisted_keys():
    before = U.normalize_user(STORED, ['address'])
    after = U.desired_user(before, content={'address': {'city': 'B'}})
    assert after['content'] == {'address': {'city': 'B', 'zip': '1'}}
    assert U.update_body(before, after) == {'address': {'city': 'B', 'zip': '1'}}
    assert U.summarize('alice', before, after) == 'user alice: content.address changed'
    same = U.desired_user(before, content={'address': {'zip': '1'}})
    assert same == before


def test_summaries():
    before = U.normalize_user(STORED, ['fullname', 'phone'], 'alice')
    after = U.desired_user(before, ['editor', 'reader'], True, {'fullname': 'Alice L.', 'phone': '1'}, 'alice2', U.PASSWORD_CHANGED)
    assert U.summarize('alice', before, after) == (
        'user alice: profile editor added; profile default removed; content.fullname changed; content.phone added; '
        'username alice -> alice2; password changed')
    created = U.desired_user({}, ['reader'], True, {'fullname': 'B'}, 'bob', U.PASSWORD_SET)
    assert U.summarize('bob', {}, created) == 'user bob created with profile reader, content fullname, local credentials for username bob'
    assert U.summarize('bob', {}, U.desired_user({}, ['a', 'b'])) == 'user bob created with profiles a, b'
    no_credentials = U.normalize_user(STORED, [], None)
    assert U.summarize('alice', no_credentials, U.desired_user(no_credentials, username='al', password=U.PASSWORD_SET)) == (
        'user alice: local credentials created for username al')
    assert U.summarize('bob', {}, {}) == 'user bob is absent'
    assert U.summarize('bob', before, {}) == 'user bob deleted'


def test_diff_shows_placeholders():
    before = U.normalize_user(STORED, ['fullname'], 'alice')
    after = U.desired_user(before, password=U.PASSWORD_CHANGED)
    diff = build_diff('user', 'alice', before, after)
    assert diff['before']['credentials'] == {'local': {'username': 'alice'}}
    assert diff['after']['credentials'] == {'local': {'username': 'alice', 'password': '(changed)'}}


@pytest.mark.parametrize('stored, wanted, action, expected', [
    (None, 'bob', U.PASSWORD_SET, ('create', {'username': 'bob', 'password': 'pw'})),
    ('bob', None, None, (None, None)),
    ('bob', 'bob', None, (None, None)),
    ('bob', 'robert', None, ('update', {'username': 'robert'})),
    ('bob', None, U.PASSWORD_CHANGED, ('update', {'password': 'pw'})),
    ('bob', 'robert', U.PASSWORD_CHANGED, ('update', {'username': 'robert', 'password': 'pw'})),
])
def test_credentials_write(stored, wanted, action, expected):
    before = U.normalize_user(STORED, [], stored)
    after = U.desired_user(before, username=wanted, password=action)
    assert U.credentials_write(before, after, 'pw') == expected


def test_credentials_not_managed_stay_out():
    before = U.normalize_user(STORED, ['fullname'])
    after = U.desired_user(before, ['x'])
    assert 'credentials' not in after
    assert U.credentials_write(before, after, 'pw') == (None, None)
    assert 'credentials' not in U.create_body(U.desired_user({}, ['x']))


def test_without_credentials_change():
    before = U.normalize_user(STORED, ['fullname'], 'alice')
    after = U.desired_user(before, ['editor'], True, {'fullname': 'Z'}, 'al', U.PASSWORD_CHANGED)
    partial = U.without_credentials_change(before, after)
    assert partial['credentials'] == before['credentials'] and partial['profileIds'] == ['editor']
    assert U.summarize('alice', before, partial) == (
        'user alice: profile editor added; profile default removed; profile reader removed; content.fullname changed')


@pytest.mark.parametrize('content, fragment', [
    ({'profileIds': ['a']}, 'use profile_ids'),
    ({'_id': 'x'}, 'Kuzzle sets it itself'),
    ({'_kuzzle_info': {}}, 'Kuzzle sets it itself'),
    ({' ': 1}, 'non-empty'),
])
def test_content_problems(content, fragment):
    assert fragment in ' '.join(U.content_problems(content))


def test_profile_ids_problems():
    assert U.profile_ids_problems(None, True) == []
    assert 'Kuzzle refuses a user without profiles' in U.profile_ids_problems([], True)[0]
    assert U.profile_ids_problems([], False) == []
    assert U.profile_ids_problems([' '], True) == ['profile_ids must be non-empty strings']


def test_new_profile_ids_and_predictions():
    before = U.normalize_user(STORED, [])
    assert U.new_profile_ids(before, U.desired_user(before, ['reader', 'z', 'a'])) == ['a', 'z']
    assert U.new_profile_ids({}, U.desired_user({}, ['b', 'a'])) == ['a', 'b']
    body = U.create_body(U.desired_user({}, ['b', 'a'], True, {'k': 1}))
    assert body == {'content': {'k': 1, 'profileIds': ['a', 'b']}}
    assert U.predict_stored(None, body) == {'k': 1, 'profileIds': ['a', 'b']}


@pytest.mark.parametrize('removed, words', [
    ({'credentials': ['local'], 'api_keys': 2}, ', with its credentials (local), 2 API keys and its authentication tokens'),
    ({'credentials': [], 'api_keys': 1}, ', with 1 API key and its authentication tokens'),
    ({'credentials': ['local', 'oauth']}, ', with its credentials (local, oauth) and its authentication tokens'),
    ({'credentials': []}, ', with its authentication tokens'),
])
def test_removal_words(removed, words):
    assert U.removal_words(removed) == words
