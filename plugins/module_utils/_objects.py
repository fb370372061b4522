# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""Reading Kuzzle security objects (profiles, roles, users): one, several, or all.

For internal use of the community.kuzzle collection only: no compatibility promise.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.community.kuzzle.plugins.module_utils._client import KuzzleError
from ansible_collections.community.kuzzle.plugins.module_utils._ids import KIND_NAMES

GET_ACTIONS = {'profiles': 'getProfile', 'roles': 'getRole', 'users': 'getUser'}

# Kuzzle refuses a search whose from + size exceeds limits.documentsFetchCount (10,000 by default).
PAGE_SIZE = 1000
FETCH_LIMIT = 10000


def read_object(client, kind, object_id):
    """The stored ``_source`` of one object, or None when Kuzzle says it does not exist.

    Absent only on Kuzzle's own not-found error (``security.<kind>.not_found``, or a 404 of the
    get action itself on Kuzzle 1.x before error ids): any other 404 means a wrong URL and fails.
    """
    noun = KIND_NAMES[kind]
    try:
        return client.call('GET', [kind, object_id], doing='read %s "%s"' % (noun, object_id))['_source']
    except KuzzleError as err:
        if err.status == 404 and (err.error_id == 'security.%s.not_found' % noun
                                  or (err.error_id is None and err.kuzzle_action == GET_ACTIONS[kind])):
            return None
        raise


def _total(result):
    total = result.get('total', 0)
    if isinstance(total, dict):  # Elasticsearch's {value, relation} shape
        total = total.get('value', 0)
    return total


def search(client, kind, query=None, doing=None, limit=None):
    """(total, hits) of a search over ``kind``; every page unless ``limit`` caps the hits wanted.

    Hits are ``{'_id', '_source'}`` dicts. Pages use from/size; past Kuzzle's fetch limit the
    search fails clearly instead of returning a silent subset.
    """
    doing = doing or 'search %s' % kind
    body = {'query': query} if query else {}
    hits, start = [], 0
    while True:
        size = PAGE_SIZE if limit is None else min(PAGE_SIZE, limit - len(hits))
        result = client.call('POST', [kind, '_search'], query={'from': start, 'size': size}, body=body, doing=doing, read=True)
        page = result.get('hits') or []
        hits.extend(page)
        total = _total(result)
        start += len(page)
        if not page or start >= total or (limit is not None and len(hits) >= limit):
            return total, hits
        if start + size > FETCH_LIMIT:
            raise KuzzleError(doing, reason='more than %d %s match: Kuzzle does not page further (limits.documentsFetchCount)'
                              % (FETCH_LIMIT, kind))


def read_many(client, kind, ids, doing=None):
    """dict id -> ``_source`` for the ids that exist, in one request per page (missing ids are left out).

    A search on ids rather than mGet: Kuzzle's mGetProfiles and mGetRoles fail as a whole when one id is missing.
    """
    found = {}
    ids = list(dict.fromkeys(ids))
    for start in range(0, len(ids), PAGE_SIZE):
        chunk = ids[start:start + PAGE_SIZE]
        hits = search(client, kind, {'ids': {'values': chunk}}, doing=doing)[1]
        # Kuzzle 1.x's searchRoles and searchProfiles ignore the query and return everything: keep the ids asked for.
        asked = set(chunk)
        found.update((hit['_id'], hit['_source']) for hit in hits if hit['_id'] in asked)
    return found
