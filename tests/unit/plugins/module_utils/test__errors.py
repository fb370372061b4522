# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The two error kinds and their one wording each: Kuzzle answered, or Kuzzle would refuse and nothing was sent."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.community.kuzzle.plugins.module_utils._errors import MASK, KuzzleError, PredictedRefusal, scrub


def test_an_answer_says_kuzzle_answered():
    err = KuzzleError('create profile "x"', status=403, error_id='security.rights.forbidden',
                      kuzzle_message='Insufficient permissions to execute the action "security:createProfile".')
    assert str(err) == ('Could not create profile "x": Kuzzle answered 403 security.rights.forbidden: '
                        'Insufficient permissions to execute the action "security:createProfile".')
    assert (err.status, err.error_id) == (403, 'security.rights.forbidden')


def test_an_answer_without_error_id_or_without_answer():
    assert str(KuzzleError('read profile "x"', status=404, kuzzle_message='not found')) == (
        'Could not read profile "x": Kuzzle answered 404: not found')
    assert str(KuzzleError('')) == 'Could not call Kuzzle: no answer from Kuzzle'
    assert str(KuzzleError('read profile "x"', reason='cannot reach Kuzzle at http://k.test: Connection refused')) == (
        'Could not read profile "x": cannot reach Kuzzle at http://k.test: Connection refused')


def test_a_predicted_refusal_says_nothing_was_written_and_what_kuzzle_would_answer():
    err = PredictedRefusal('profile "x"', 412, 'security.profile.in_use', '2 user(s) still have this profile (a, b)')
    assert str(err) == ('Nothing written: profile "x": Kuzzle would refuse it (412 security.profile.in_use): '
                        '2 user(s) still have this profile (a, b)')
    assert 'Kuzzle answered' not in str(err)
    assert (err.status, err.error_id, err.subject) == (412, 'security.profile.in_use', 'profile "x"')
    assert isinstance(err, KuzzleError)  # the modules fail with both kinds alike (fail_kuzzle)
    assert err.phrase() == str(err)[len('Nothing written: '):]


def test_a_predicted_refusal_without_error_id_and_with_secrets():
    err = PredictedRefusal('user "u"', 412, None, 'username "bob" echoes pw-123', secrets=['pw-123'])
    assert str(err) == 'Nothing written: user "u": Kuzzle would refuse it (412): username "bob" echoes %s' % MASK
    assert err.error_id is None and 'pw-123' not in repr(err.__dict__)


def test_scrub_masks_the_longest_secret_first():
    assert scrub('token abc-long and abc', ['abc', 'abc-long']) == 'token %s and %s' % (MASK, MASK)
    assert scrub(None, ['x']) is None
    assert scrub(42, []) == '42'
