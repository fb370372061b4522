# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""The two ways a task of the collection fails on Kuzzle, each with one wording. No I/O.

For internal use of the community.kuzzle collection only: no compatibility promise.

- ``KuzzleError``: a request was sent and Kuzzle answered with an error
  (``Could not <doing>: Kuzzle answered <status> <error id>: <Kuzzle's message>``), or no usable answer
  came back (``Could not <doing>: <reason>``, for example ``cannot reach Kuzzle at ...``).
- ``PredictedRefusal``: what the task read shows that Kuzzle would refuse the write, so nothing was sent
  (``Nothing written: <subject>: Kuzzle would refuse it (<status> <error id>): <why>``).

A KuzzleError of a write whose answer was lost (a timeout, a connection cut, a gateway error after the
request went through) has ``outcome`` UNKNOWN: Kuzzle may or may not have applied it, and the message says so
(``... (the change may or may not have been applied)``); ``_connection.fail_kuzzle`` returns it as
``outcome: unknown`` with ``changed: true``.

Both carry ``status`` and ``error_id`` (those Kuzzle answered, or would answer), which the modules return
as such (``_connection.fail_kuzzle``), so that a playbook can branch on them whichever kind it was. Every
text is scrubbed of the secrets given, so that no password, token or API key reaches a message.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

MASK = '********'
UNKNOWN = 'unknown'  # the outcome of a write whose answer was lost
UNKNOWN_NOTE = 'the change may or may not have been applied'


def scrub(text, secrets):
    """text with every secret replaced by MASK (longest first, so no part of a secret survives)."""
    if text is None:
        return None
    text = text if isinstance(text, str) else str(text)
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text


def _status_and_id(status, error_id):
    return '%d %s' % (status, error_id) if error_id else '%d' % status


class KuzzleError(Exception):
    """A Kuzzle request that did not succeed.

    ``status`` is the HTTP/Kuzzle status, None when Kuzzle could not be reached at all;
    ``error_id`` is Kuzzle's error id (None before Kuzzle 1.10 or without an answer);
    ``kuzzle_message`` is Kuzzle's own message; ``kuzzle_action`` the action named by the envelope;
    ``reason`` replaces Kuzzle's words when there was no usable answer;
    ``outcome`` is UNKNOWN for a write that Kuzzle may have applied although no answer said so, else None.
    A partial answer (206 of the mDelete* actions) also keeps Kuzzle's ``result`` (what was done) and the
    individual ``errors`` of what was not; both stay None otherwise.
    """

    result = None
    errors = None

    def __init__(self, doing, status=None, error_id=None, kuzzle_message=None, reason=None,
                 kuzzle_action=None, secrets=(), outcome=None):
        self.doing = scrub(doing, secrets) or 'call Kuzzle'
        try:
            self.status = None if status is None else int(status)
        except (TypeError, ValueError):
            self.status = None
        self.error_id = scrub(error_id, secrets)
        self.kuzzle_message = scrub(kuzzle_message, secrets)
        self.reason = scrub(reason, secrets)
        self.kuzzle_action = scrub(kuzzle_action, secrets)
        self.outcome = outcome
        self.advice = None
        super(KuzzleError, self).__init__(self.render())

    def advise(self, advice):
        """Add what to do about it to the message (``...; <advice>``); returns the error, to raise it."""
        self.advice = advice
        self.args = (self.render(),)
        return self

    def render(self):
        if self.reason:
            detail = self.reason
        elif self.status is None:
            detail = 'no answer from Kuzzle'
        else:
            detail = 'Kuzzle answered ' + _status_and_id(self.status, self.error_id)
            if self.kuzzle_message:
                detail += ': ' + self.kuzzle_message
        if self.outcome == UNKNOWN:
            detail += ' (%s)' % UNKNOWN_NOTE
        if self.advice:
            detail += '; ' + self.advice
        return 'Could not %s: %s' % (self.doing, detail)


class PredictedRefusal(KuzzleError):
    """A write that was not sent because, from what the task read, Kuzzle would refuse it.

    ``subject`` names what the write was about (``profile "editor"``), ``status`` and ``error_id`` are
    what Kuzzle would answer (``error_id`` None where Kuzzle's own error has none), ``why`` says what
    the task found. Raise it before any write of the task, in check mode too.
    """

    def __init__(self, subject, status, error_id, why, secrets=()):
        self.subject = scrub(subject, secrets)
        super(PredictedRefusal, self).__init__(subject, status=status, error_id=error_id, kuzzle_message=why,
                                               secrets=secrets)

    def phrase(self):
        """``<subject>: Kuzzle would refuse it (<status> <error id>): <why>``, to list among other problems."""
        answer = _status_and_id(self.status, self.error_id)
        return '%s: Kuzzle would refuse it (%s): %s' % (self.subject, answer, self.kuzzle_message)

    def render(self):
        return 'Nothing written: ' + self.phrase()
