# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""Kuzzle's ``expiresIn`` durations (login tokens, API keys), read as Kuzzle reads them. No I/O.

For internal use of the community.kuzzle collection only: no compatibility promise.

Kuzzle parses ``expiresIn`` with the ``ms`` npm package: a number of milliseconds, or a number and
a unit (``30s``, ``1.5h``, ``2 days``, ``1y``...), case-insensitive, at most 100 characters. ``-1``
means "never expires". Anything Kuzzle cannot parse is refused by Kuzzle with
``api.assert.invalid_argument``; a negative duration other than -1 is accepted by Kuzzle and gives
a token that has already expired. Both are refused here, before any request, so that check mode
cannot promise what the real run would not do.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import re

NEVER = -1

_SECOND = 1000
_MINUTE = 60 * _SECOND
_HOUR = 60 * _MINUTE
_DAY = 24 * _HOUR
_UNIT_NAMES = (
    (1, ('', 'ms', 'msec', 'msecs', 'millisecond', 'milliseconds')),
    (_SECOND, ('s', 'sec', 'secs', 'second', 'seconds')),
    (_MINUTE, ('m', 'min', 'mins', 'minute', 'minutes')),
    (_HOUR, ('h', 'hr', 'hrs', 'hour', 'hours')),
    (_DAY, ('d', 'day', 'days')),
    (7 * _DAY, ('w', 'week', 'weeks')),
    (365.25 * _DAY, ('y', 'yr', 'yrs', 'year', 'years')),
)
_UNITS = dict((name, factor) for factor, names in _UNIT_NAMES for name in names)
_DURATION = re.compile(r'(-?[0-9]*\.?[0-9]+) *([a-zA-Z]*)')


def as_text(value):
    """The option's value as the string sent to Kuzzle (an integer of YAML becomes its digits)."""
    if isinstance(value, bool):
        raise ValueError('a duration cannot be a boolean')
    return value if isinstance(value, str) else str(value)


def parse(value):
    """Milliseconds of a Kuzzle duration (``NEVER`` for -1); ValueError when Kuzzle would refuse it."""
    text = as_text(value)
    match = _DURATION.fullmatch(text) if len(text) <= 100 else None
    if match is None or match.group(2).lower() not in _UNITS:
        raise ValueError('"%s" is not a duration Kuzzle understands (a number of milliseconds, or a number '
                         'and a unit such as 30s, 15m, 2h, 1d, 1w, 1y)' % text)
    milliseconds = float(match.group(1)) * _UNITS[match.group(2).lower()]
    if milliseconds == 0:
        raise ValueError('"%s" is zero: Kuzzle refuses a duration of 0' % text)
    if milliseconds < 0 and milliseconds != NEVER:
        raise ValueError('"%s" is negative: Kuzzle would issue a token that has already expired '
                         '(use -1 for one that never expires)' % text)
    return int(milliseconds) if milliseconds == int(milliseconds) else milliseconds


def describe(milliseconds):
    """A short human form of a lifetime in milliseconds, 'unlimited' for -1 (for messages)."""
    if milliseconds is None:
        return 'unknown'
    if milliseconds == NEVER:
        return 'unlimited'
    for factor, names in reversed(_UNIT_NAMES[:6]):
        if milliseconds >= factor and milliseconds % factor == 0:
            return '%d%s' % (milliseconds // factor, names[0] or 'ms')
    return '%sms' % milliseconds


def iso_utc(epoch_ms):
    """An epoch in milliseconds as an ISO 8601 UTC date, for messages."""
    moment = datetime.datetime(1970, 1, 1) + datetime.timedelta(milliseconds=epoch_ms)
    return moment.strftime('%Y-%m-%dT%H:%M:%SZ')
