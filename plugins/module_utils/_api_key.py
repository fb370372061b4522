# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""Kuzzle API keys as data: which stored key the task means, how it differs, what to report. No I/O.

For internal use of the community.kuzzle collection only: no compatibility promise.

A stored key (a hit of ``security:searchApiKeys``) is ``{_id, _source: {userId, description,
expiresAt, ttl, fingerprint}}``: ``ttl`` is the ``expiresIn`` it was created with, in
milliseconds (-1: never), ``expiresAt`` the epoch milliseconds it expires at (-1: never). The
token itself is never stored: Kuzzle returns it once, in the answer to ``createApiKey``.
Kuzzle has no action that changes a key, so a key that differs from the task can only be
deleted and created again.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.community.kuzzle.plugins.module_utils._timespan import NEVER, describe, iso_utc


def search_query(key_id=None, description=None):
    """The body of a searchApiKeys request (Kuzzle takes the query itself as the body, not ``{query}``).

    By description, the search only narrows: the field is analysed text, so the hits are the keys
    whose description has every word of it (every key when it has none); ``matching`` keeps the
    exact ones.
    """
    if key_id is not None:
        return {'ids': {'values': [key_id]}}
    return {'match': {'description': {'query': description, 'operator': 'and', 'zero_terms_query': 'all'}}}


def matching(hits, key_id=None, description=None):
    """The hits that are the key the task means: that id, or exactly that description."""
    if key_id is not None:
        return [hit for hit in hits if hit.get('_id') == key_id]
    return [hit for hit in hits if (hit.get('_source') or {}).get('description') == description]


def label(user, key_id=None, description=None):
    """How messages and diff headers name the key."""
    return '"%s" of user %s' % (description if key_id is None else key_id, user)


def canonical(user, key_id, description, ttl):
    """What the module compares and shows in the diff; the token and the expiry date are not part of it."""
    view = {'user': user, 'description': description, 'ttl': ttl}
    if key_id is not None:
        view['id'] = key_id
    return view


def stored_canonical(hit, key_id=None):
    """canonical() of a stored hit (``id`` only when the task names the key by id)."""
    source = hit.get('_source') or {}
    return canonical(source.get('userId'), key_id, source.get('description'), source.get('ttl'))


def differences(hit, description=None, ttl=None, now_ms=None):
    """Why a stored key is not the one the task wants: a list of phrases (empty: it is).

    ``description`` and ``ttl`` None are not compared; ``now_ms`` (epoch milliseconds) finds keys
    that have expired.
    """
    source = hit.get('_source') or {}
    phrases = []
    if description is not None and source.get('description') != description:
        phrases.append('its description is "%s", not "%s"' % (source.get('description'), description))
    if ttl is not None and source.get('ttl') != ttl:
        phrases.append('its lifetime is %s, not %s' % (describe(source.get('ttl')), describe(ttl)))
    expires_at = source.get('expiresAt')
    if now_ms is not None and isinstance(expires_at, (int, float)) and expires_at != NEVER and expires_at <= now_ms:
        phrases.append('it expired on %s' % iso_utc(expires_at))
    return phrases


def key_view(key_id, source, token=None):
    """The ``api_key`` the module returns: ``{id, user, description, expires_at, ttl}`` (+ ``token``)."""
    source = source or {}
    view = {
        'id': key_id,
        'user': source.get('userId'),
        'description': source.get('description'),
        'expires_at': source.get('expiresAt'),
        'ttl': source.get('ttl'),
    }
    if token is not None:
        view['token'] = token
    return view


def summarize(name, action, phrases=()):
    """The task's ``msg``: ``name`` from label(), ``action`` one of created, recreated, deleted, unchanged, absent."""
    words = {
        'created': 'API key %s created',
        'recreated': 'API key %s deleted and created again',
        'deleted': 'API key %s deleted',
        'unchanged': 'API key %s unchanged',
        'absent': 'API key %s is absent',
    }[action] % name
    if phrases:
        words += ' (%s)' % '; '.join(phrases)
    return words
