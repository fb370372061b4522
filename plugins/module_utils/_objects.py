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


def require_all(client, kind, ids, doing):
    """Fail unless every id of ``kind`` ('profiles' or 'roles') exists: one mGet, which Kuzzle fails as a
    whole naming a missing one (a read, so check mode reports what the write would meet)."""
    if ids:
        client.call('POST', [kind, '_mGet'], body={'ids': list(ids)}, doing=doing, read=True)


def _total(result):
    total = result.get('total', 0)
    if isinstance(total, dict):  # Elasticsearch's {value, relation} shape
        total = total.get('value', 0)
    return total


def search(client, kind, query=None, doing=None, limit=None, page_total=False, query_as_body=False):
    """(total, hits) of a search over ``kind``; every page unless ``limit`` caps the hits wanted.

    ``kind`` is 'profiles', 'roles' or 'users', or the path segments before ``_search`` of another
    search route (``['credentials', 'local', 'users']``). Hits are ``{'_id', '_source'}`` dicts for
    security objects. Pages use from/size; past Kuzzle's fetch limit the search fails clearly instead
    of returning a silent subset. ``page_total``: the answer's total counts only its page (Kuzzle's
    searchApiKeys does that), so pages go on until a short one. ``query_as_body``: the route takes the
    query itself as its body instead of ``{query}`` (searchApiKeys again).
    """
    segments = [kind] if isinstance(kind, str) else list(kind)
    doing = doing or 'search %s' % '/'.join(segments)
    body = dict(query or {}) if query_as_body else ({'query': query} if query else {})
    hits, start = [], 0
    while True:
        size = PAGE_SIZE if limit is None else min(PAGE_SIZE, limit - len(hits))
        result = client.call('POST', segments + ['_search'], query={'from': start, 'size': size}, body=body, doing=doing, read=True)
        page = result.get('hits') or []
        hits.extend(page)
        start += len(page)
        total = start if page_total else _total(result)
        if not page or (len(page) < size if page_total else start >= total) or (limit is not None and len(hits) >= limit):
            return total, hits
        if start + size > FETCH_LIMIT:
            raise KuzzleError(doing, reason='more than %d %s match: Kuzzle does not page further (limits.documentsFetchCount)'
                              % (FETCH_LIMIT, segments[-1]))


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


def published_api(client, doing):
    """Kuzzle's controllers and their actions (server:publicApi), or None when this user may not read them."""
    try:
        api = client.call('GET', ['_publicApi'], doing=doing)
    except KuzzleError as err:
        if err.status not in (401, 403, 404):
            raise
        return None
    return api if isinstance(api, dict) else None


def field_values(document, path):
    """The values at a dotted ``path`` of a JSON document, through lists, as Elasticsearch indexes them."""
    values = [document]
    for key in path.split('.'):
        values = [item[key] for value in values for item in (value if isinstance(value, list) else [value])
                  if isinstance(item, dict) and key in item]
    return [item for value in values for item in (value if isinstance(value, list) else [value])]


def referrers(client, kind, field, ids, doing=None, limit=10):
    """(total, the first ``limit`` ids) of the objects of ``kind`` whose ``field`` holds one of ``ids``.

    For example the profiles that use a role: ``referrers(client, 'profiles', 'policies.roleId', [role])``.
    One search with a ``terms`` query; Kuzzle 1.x's searchProfiles and searchRoles ignore queries, so
    there every object of the kind is read and matched here.
    """
    if client.major_version == 1 and kind in ('profiles', 'roles'):
        wanted = set(ids)
        matching = sorted(hit['_id'] for hit in search(client, kind, doing=doing)[1]
                          if any(isinstance(v, str) and v in wanted for v in field_values(hit.get('_source'), field)))
        return len(matching), matching[:limit]
    total, hits = search(client, kind, {'terms': {field: list(ids)}}, doing=doing, limit=limit)
    return total, [hit['_id'] for hit in hits]


def read_selection(client, kind, name=None, names=None):
    """(found, order) for the info modules: ``found`` is dict id -> ``_source`` of the objects that exist,
    ``order`` the ids to report, in the order asked (duplicates once), or sorted when every object is read.

    ``name``: one object (its get action); ``names``: several (read_many); neither: all (a paged search).
    """
    noun = KIND_NAMES[kind]
    if name is not None:
        source = read_object(client, kind, name)
        return ({} if source is None else {name: source}), [name]
    if names is not None:
        order = list(dict.fromkeys(names))
        doing = 'read %ss %s' % (noun, ', '.join(order[:5] + (['...'] if len(order) > 5 else [])))
        return (read_many(client, kind, order, doing=doing) if order else {}), order
    hits = search(client, kind, doing='search %ss' % noun)[1]
    found = dict((hit['_id'], hit.get('_source')) for hit in hits)
    return found, sorted(found)


# --- what a user has besides its _source: credentials, strategies, API keys --------------------------

def _no_credentials(err, action):
    """passport-local's answer when there are no credentials: 412 "No credentials found ..." without an error id."""
    return err.status == 412 and err.error_id is None and err.kuzzle_action == action


def read_username(client, kuid, strategy='local', doing=None):
    """The username of the user's credentials for ``strategy``, or None when the user has none."""
    doing = doing or 'read the %s credentials of user "%s"' % (strategy, kuid)
    try:
        result = client.call('GET', ['credentials', strategy, kuid], doing=doing)
    except KuzzleError as err:
        if _no_credentials(err, 'getCredentials'):
            return None
        raise
    if not isinstance(result, dict) or not isinstance(result.get('username'), str):
        raise KuzzleError(doing, reason='the answer of getCredentials has no username')
    return result['username']


def username_owner(client, username, strategy='local', doing=None):
    """The kuid of the user whose ``strategy`` credentials have this username, or None when nobody has it."""
    doing = doing or 'check who has the %s username "%s"' % (strategy, username)
    try:
        result = client.call('GET', ['credentials', strategy, username, '_byId'], doing=doing)
    except KuzzleError as err:
        if _no_credentials(err, 'getCredentialsById'):
            return None
        raise
    return result.get('kuid') if isinstance(result, dict) else None


def all_usernames(client, strategy='local', doing=None):
    """dict kuid -> username of every user with ``strategy`` credentials (searchUsersByCredentials, paged)."""
    hits = search(client, ['credentials', strategy, 'users'], doing=doing or 'list the %s credentials' % strategy)[1]
    return dict((hit['kuid'], hit['username']) for hit in hits if isinstance(hit, dict) and 'kuid' in hit)


def user_strategies(client, kuid, doing=None):
    """The authentication strategies the user has credentials for (getUserStrategies)."""
    result = client.call('GET', ['users', kuid, '_strategies'], doing=doing or 'read the strategies of user "%s"' % kuid)
    return sorted((result or {}).get('strategies') or ())


def count_api_keys(client, kuid, doing=None):
    """How many API keys the user has (Kuzzle 2.x; its total counts only the page, so every page is read)."""
    return search(client, ['users', kuid, 'api-keys'], doing=doing or 'count the API keys of user "%s"' % kuid,
                  page_total=True)[0]


PROBE_TTL = '10s'  # the session of a password check is logged out at once; should that fail, it expires soon
# Errors of Kuzzle's local strategy that come after the password was found right.
PASSWORD_RIGHT_BUT = {
    'plugin.kuzzle-plugin-auth-passport-local.expired_password': 'has expired',
    'plugin.kuzzle-plugin-auth-passport-local.must_change_password': 'must be changed by the user',
}


def password_works(client, kuid, username, password, strategy='local'):
    """(works, note): whether ``password`` is the user's, found by logging in with it and logging that
    session out (Kuzzle never returns a password); ``note`` is a warning to show, or None."""
    doing = 'check the password of user "%s" by logging in as "%s"' % (kuid, username)
    try:
        session = client.login_as({'username': username, 'password': password}, strategy=strategy, doing=doing,
                                  query={'expiresIn': PROBE_TTL})
    except KuzzleError as err:
        # a wrong password: plugin.strategy.missing_user (no error id before Kuzzle 1.10)
        if err.error_id == 'plugin.strategy.missing_user' or (err.error_id is None and err.status == 401):
            return False, None
        if err.error_id in PASSWORD_RIGHT_BUT:
            return True, ('the password of user "%s" is the one of the task, but Kuzzle says it %s'
                          % (kuid, PASSWORD_RIGHT_BUT[err.error_id]))
        raise
    client.logout_token(session.get('jwt'))
    return session.get('_id') == kuid, None
