# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The diff, the write body and the stored view that every module reports the same way."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.community.kuzzle.plugins.module_utils._report import build_diff, changed_keys, stored_view


def test_changed_keys_holds_only_changed_top_level_keys():
    before = {'policies': [{'roleId': 'a'}], 'rateLimit': 5}
    assert changed_keys(before, {'policies': [{'roleId': 'a'}], 'rateLimit': 6}) == {'rateLimit': 6}
    assert changed_keys(before, {'policies': [{'roleId': 'b'}], 'rateLimit': 5}) == {'policies': [{'roleId': 'b'}]}
    assert changed_keys(before, before) == {}
    assert changed_keys({}, {'a': 1}) == {'a': 1}


def test_diff_is_built_from_the_canonical_objects():
    before = {'policies': [{'roleId': 'a'}], 'rateLimit': 0}
    after = {'policies': [{'roleId': 'b'}], 'rateLimit': 0}
    assert build_diff('profile', 'p', before, after) == {
        'before': before, 'after': after,
        'before_header': 'profile p (stored in Kuzzle)', 'after_header': 'profile p (after this task)',
    }
    assert build_diff('role', 'r', {}, after)['before_header'] == 'role r (absent)'
    assert build_diff('user', 'u', before, {})['after_header'] == 'user u (deleted)'


def test_stored_view_drops_bookkeeping_only():
    source = {'policies': [], 'optimizedPolicies': [], '_kuzzle_info': {}, 'tags': ['t']}
    assert stored_view(source) == {'policies': [], 'tags': ['t']}
    assert stored_view(None) == {}
