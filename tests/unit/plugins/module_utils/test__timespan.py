# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Kuzzle durations (expiresIn) read as Kuzzle 2.56 reads them (the ms package), and their descriptions."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
from hypothesis import given, strategies as st

from ansible_collections.community.kuzzle.plugins.module_utils import _timespan as T


@pytest.mark.parametrize('value, milliseconds', [
    ('1d', 86400000), ('24h', 86400000), ('1440m', 86400000), ('86400s', 86400000), ('86400000', 86400000),
    (86400000, 86400000), ('2 days', 172800000), ('1.5h', 5400000), ('.5s', 500), ('1W', 604800000),
    ('1y', 31557600000), ('3 hrs', 10800000), ('10msecs', 10), ('1 ', 1),
    ('-1', -1), (-1, -1), ('-1ms', -1),
])
def test_kuzzle_durations(value, milliseconds):
    assert T.parse(value) == milliseconds


@pytest.mark.parametrize('value', ['', 'soon', '1.', '1 fortnight', ' 1d', '1d\n', '١d', '1' * 101, 'd', '--1'])
def test_what_kuzzle_cannot_parse_is_refused(value):
    with pytest.raises(ValueError, match='not a duration Kuzzle understands'):
        T.parse(value)


@pytest.mark.parametrize('value, words', [(0, 'is zero'), ('0s', 'is zero'), ('-5s', 'is negative'), ('-2', 'is negative')])
def test_zero_and_negative_durations_are_refused(value, words):
    with pytest.raises(ValueError, match=words):
        T.parse(value)


def test_booleans_are_not_durations():
    with pytest.raises(ValueError, match='boolean'):
        T.parse(True)


def test_as_text_sends_integers_as_digits():
    assert T.as_text(3600000) == '3600000' and T.as_text('1h') == '1h'


@pytest.mark.parametrize('milliseconds, words', [
    (-1, 'unlimited'), (None, 'unknown'), (86400000, '1d'), (172800000, '2d'), (604800000, '1w'), (5400000, '90m'),
    (1500, '1500ms'), (1.5, '1.5ms'), (3600000, '1h'),
])
def test_describe(milliseconds, words):
    assert T.describe(milliseconds) == words


@given(st.integers(min_value=1, max_value=10 ** 12), st.sampled_from(['ms', 's', 'm', 'h', 'd', 'w']))
def test_described_durations_parse_back_to_themselves(count, unit):
    milliseconds = T.parse('%d%s' % (count, unit))
    assert T.parse(T.describe(milliseconds)) == milliseconds


def test_iso_utc():
    assert T.iso_utc(0) == '1970-01-01T00:00:00Z'
    assert T.iso_utc(1795753655236) == '2026-11-27T04:27:35Z'
