# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""Reading Kuzzle security objects (profiles, roles, users): one, several, or all.

For internal use of the community.kuzzle collection only: no compatibility promise.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.community.kuzzle.plugins.module_utils._api import ACTIONS, OBJECT_ACTIONS, request, short_name
from ansible_collections.community.kuzzle.plugins.module_utils._errors import KuzzleError
from ansible_collections.community.kuzzle.plugins.module_utils._ids import KIND_NAMES

# Kuzzle refuses a search whose from + size exceeds limits.documentsFetchCount (10,000 by default).
PAGE_SIZE = 1000
FETCH_LIMIT = 10000
# Searches that Kuzzle lets go on past that limit with a scroll (tests/contract/test_bulk_limits.py): users and
# profiles. searchRoles and searchUsersByCredentials have none. A scroll lives SCROLL_TTL after each page read
# (Kuzzle caps it at services.storageEngine.maxScrollDuration, 1m by default).
SCROLLS = {'security:searchUsers': 'security:scrollUsers', 'security:searchProfiles': 'security:scrollProfiles'}
SCROLL_TTL = '30s'
# Searches without a scroll that page on past that limit sorted by _id, each page after the last _id of the one before
# (Elasticsearch's search_after, which from + size does not bound): Kuzzle's searchRoles passes a body's sort and
# search_after to Elasticsearch (lib/core/security/roleRepository.js searchRole, when the body has no "controllers").
SORTED_PAGES = ('security:searchRoles',)
ROLE_NOT_FOUND = 'security.role.not_found'
# What Kuzzle 2.56 answers a write that another client made since the task read the object (two hosts converging the
# same objects at once): the create of a role or profile that exists now (Elasticsearch's version conflict:
# services.storage.document_already_exists, 400), of a user (security.user.already_exists, 412, or, when the other
# client also created its credentials before Kuzzle checked them, security.credentials.database_inconsistency, 500:
# lib/api/controllers/securityController.ts _persistUser); the delete of an object gone (security.<kind>.not_found
# when Kuzzle loads it first, services.storage.not_found when it went between that load and the delete; both 404), or
# of a user whose credentials another deleteUser removed between Kuzzle's check and its own removal
# (security.credentials.rejected, 400: lib/core/security/userRepository.js _removeUserStrategies).
# Each only says "maybe": the object is read again, and what it holds decides.
ALREADY_EXISTS = ('services.storage.document_already_exists', 'security.user.already_exists',
                  'security.credentials.database_inconsistency')
CREDENTIALS_GONE = 'security.credentials.rejected'
# seconds to wait before reading again objects another client is deleting: a deleteUser removes the credentials
# first, then the user, within that time
DELETE_SETTLE = 0.2
GONE = ('security.role.not_found', 'security.profile.not_found', 'security.user.not_found', 'services.storage.not_found')


def raced(err, action):
    """Whether ``err``, the answer to a create or delete (``action``) of an object, or to a createCredentials, may mean
    that another client did it first. The credentials: another client's createUser made the user, which the task read
    without credentials, then its credentials (passport-local's 412 "A strategy already exists", without an error id)."""
    if err.kuzzle_action == 'createCredentials':
        return err.status == 412 and err.error_id is None
    if action == 'create':
        return err.error_id in ALREADY_EXISTS
    return action == 'delete' and (err.status == 404 and err.error_id in GONE or err.error_id == CREDENTIALS_GONE)


# Seconds before each new try of a request that a cluster node refused for a role it does not know yet (measured:
# nodes catch up within 100 ms, tests/kuzzle/README.md).
ROLE_CACHE_WAITS = (0.05, 0.25)


def read_object(client, kind, object_id):
    """The stored ``_source`` of one object, or None when Kuzzle says it does not exist.

    Absent only on Kuzzle's own not-found error (``security.<kind>.not_found``, or a 404 of the
    get action itself on Kuzzle 1.x before error ids): any other 404 means a wrong URL and fails.
    """
    action = OBJECT_ACTIONS[kind]['get']
    try:
        return client.act(action, _id=object_id)['_source']
    except KuzzleError as err:
        if err.status == 404 and (err.error_id == 'security.%s.not_found' % KIND_NAMES[kind]
                                  or (err.error_id is None and err.kuzzle_action == short_name(action))):
            return None
        raise


def role_cache_tolerant(send):
    """``send`` (``client.act``), sent again up to twice, tens of milliseconds apart, while Kuzzle answers
    security.role.not_found. Only for a request whose roles the task knows exist (it wrote them, or found them
    in Elasticsearch): on a Kuzzle cluster, each node caches roles and learns of a role written through another
    node asynchronously, within milliseconds; until then it says the role does not exist (tests/kuzzle/README.md).
    Kuzzle refused the request, so sending it again cannot apply it twice."""
    def tolerant(*args, **kwargs):
        for wait in ROLE_CACHE_WAITS:
            try:
                return send(*args, **kwargs)
            except KuzzleError as err:
                if err.error_id != ROLE_NOT_FOUND:
                    raise
            time.sleep(wait)
        return send(*args, **kwargs)
    return tolerant


def require_all(client, kind, ids, doing, read=()):
    """Fail unless every id of ``kind`` ('profiles' or 'roles') exists: one mGet, which Kuzzle fails as a
    whole naming a missing one (a read, so check mode reports what the write would meet).

    When a role is not found, Elasticsearch says whether it exists (a search): a role that exists is one a
    cluster node has not learnt of yet, and is waited for (role_cache_tolerant); a missing one fails at once.

    ``read``: more ids whose stored objects the caller needs too (they need not exist), asked in the same
    mGet. Returns dict id -> ``_source`` of the ids found; {} without any request when there is nothing to ask."""
    ids = list(dict.fromkeys(ids))
    wanted = ids + [i for i in dict.fromkeys(read) if i not in ids]
    if not wanted:
        return {}
    action = OBJECT_ACTIONS[kind]['mGet']
    try:
        hits = client.act(action, body={'ids': wanted}, doing=doing).get('hits') or []
        return dict((hit['_id'], hit.get('_source')) for hit in hits if isinstance(hit, dict) and '_id' in hit)
    except KuzzleError as err:
        if err.error_id != ROLE_NOT_FOUND:
            raise
        refusal = err
    found = read_many(client, kind, wanted, doing=doing)
    if not set(ids) <= set(found):
        raise refusal
    if ids:
        role_cache_tolerant(client.act)(action, body={'ids': ids}, doing=doing)
    return found


def _total(result):
    total = result.get('total', 0)
    if isinstance(total, dict):  # Elasticsearch's {value, relation} shape
        total = total.get('value', 0)
    return total


class FetchLimitExceeded(KuzzleError):
    """More objects match a search than Kuzzle pages through (limits.documentsFetchCount), and it has no scroll."""


def search(client, what, query=None, doing=None, limit=None, page_total=False, query_as_body=False, route=None):
    """(total, hits) of a search; every page unless ``limit`` caps the hits wanted.

    ``what`` is a kind ('profiles', 'roles' or 'users': its search action) or the name of another search
    action (``security:searchUsersByCredentials``), whose route params ``route`` gives. Hits are
    ``{'_id', '_source'}`` dicts for security objects. Pages use from/size, up to Kuzzle's fetch limit; when
    the first page says that more match, the search starts again with a scroll where Kuzzle has one (users,
    profiles: every object is read, whatever their number), and fails with FetchLimitExceeded where it has
    none (roles, credentials) instead of returning a silent subset. ``page_total``: the answer's total counts
    only its page (Kuzzle's searchApiKeys does that), so pages go on until a short one. ``query_as_body``:
    the action takes the query itself as its body instead of ``{query}`` (searchApiKeys again).
    """
    action = OBJECT_ACTIONS[what]['search'] if what in OBJECT_ACTIONS else what
    doing = doing or request(action, route)[3]
    body = dict(query or {}) if query_as_body else ({'query': query} if query else {})
    hits, start = [], 0
    while True:
        size = PAGE_SIZE if limit is None else min(PAGE_SIZE, limit - len(hits))
        result = client.act(action, query={'from': start, 'size': size}, body=body, doing=doing, **(route or {}))
        page = result.get('hits') or []
        hits.extend(page)
        start += len(page)
        total = start if page_total else _total(result)
        if not page or (len(page) < size if page_total else start >= total) or (limit is not None and len(hits) >= limit):
            return total, hits
        wanted = total if limit is None else min(total, limit)
        if (wanted > FETCH_LIMIT and not page_total) or start + size > FETCH_LIMIT:
            if action in SCROLLS:
                return scroll_all(client, action, body, doing, route)
            if action in SORTED_PAGES and client.supports('query_profiles_roles'):
                return sorted_pages(client, action, body, doing, route)
            found = ACTIONS[action][1].split('/')[-2]  # what the route searches: roles, users (credentials), api-keys...
            raise FetchLimitExceeded(doing, reason='more than %d %s match: Kuzzle does not page further (limits.documentsFetchCount) '
                                     'and has no scroll for them' % (FETCH_LIMIT, found))


def scroll_all(client, action, body, doing, route=None):
    """(total, hits) of every object a search matches, read with a scroll (SCROLLS), PAGE_SIZE at a time.

    Memory grows with the number of hits and nothing else. A scroll page is read only once: should one be
    lost (an answer cut short and read again), the scroll would end before ``total`` hits, and that fails."""
    result = client.act(action, query={'scroll': SCROLL_TTL, 'size': PAGE_SIZE}, body=body, doing=doing, **(route or {}))
    hits, total = list(result['hits']), _total(result)
    while len(hits) < total:
        scroll_id = result.get('scrollId')
        if not isinstance(scroll_id, str) or not scroll_id:
            raise KuzzleError(doing, reason='the answer of %s has no scrollId after %d of %d hits' % (action, len(hits), total))
        result = client.act(SCROLLS[action], query={'scroll': SCROLL_TTL}, doing=doing, scrollId=scroll_id)
        if not result['hits']:
            raise KuzzleError(doing, reason='the scroll ended after %d of its %d hits' % (len(hits), total))
        hits.extend(result['hits'])
    return total, hits


def sorted_pages(client, action, body, doing, route=None):
    """(total, hits) of every object a search matches, read PAGE_SIZE at a time sorted by _id, each page asked for
    after the last _id of the page before (SORTED_PAGES). Memory grows with the number of hits and nothing else.

    Elasticsearch sorts on _id where its indices.id_field_data.enabled allows it (the default of Elasticsearch 7, not
    of 8): where it refuses, this fails with FetchLimitExceeded, saying why."""
    found = ACTIONS[action][1].split('/')[-2]
    hits, total, after = [], None, None
    while True:
        paged = dict(body, sort=[{'_id': 'asc'}], **({'search_after': [after]} if after is not None else {}))
        try:
            result = client.act(action, query={'from': 0, 'size': PAGE_SIZE}, body=paged, doing=doing, **(route or {}))
        except KuzzleError as err:
            if after is not None or err.status != 400:
                raise
            raise FetchLimitExceeded(doing, reason='more than %d %s match: Kuzzle does not page further with from/size '
                                     '(limits.documentsFetchCount), has no scroll for them, and refused to sort them by _id (%s)'
                                     % (FETCH_LIMIT, found, err.reason or 'Kuzzle answered %s %s: %s' % (
                                         err.status, err.error_id, err.kuzzle_message))) from None
        page = result.get('hits') or []
        total = _total(result) if total is None else total
        if page and after is not None and not page[0]['_id'] > after:
            raise KuzzleError(doing, reason='Kuzzle did not page the %s sorted by _id (its page after "%s" starts with "%s")'
                              % (found, after, page[0]['_id']))
        hits.extend(page)
        if len(page) < PAGE_SIZE or len(hits) >= total:
            if len(hits) < total:
                raise KuzzleError(doing, reason='the %s sorted by _id ended after %d of their %d hits' % (found, len(hits), total))
            return total, hits
        after = page[-1]['_id']


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
    """Kuzzle's controllers and their actions (server:publicApi), or None when this user may not read them.

    Read once per client: a task that needs it twice (the role check, the rights review) sends one request."""
    if 'server:publicApi' not in client.cache:
        try:
            api = client.act('server:publicApi', doing=doing)
        except KuzzleError as err:
            if err.status not in (401, 403, 404):
                raise
            api = None
        client.cache['server:publicApi'] = api if isinstance(api, dict) else None
    return client.cache['server:publicApi']


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
    One search with a ``terms`` query; where Kuzzle's searchProfiles and searchRoles ignore queries (1.x),
    every object of the kind is read and matched here.
    """
    if kind in ('profiles', 'roles') and not client.supports('query_profiles_roles'):
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

def _credentials(client, action, strategy, object_id, doing):
    """The answer of a credentials read, None on the strategy's "no credentials" answer (passport-local:
    412 "No credentials found ..." without an error id)."""
    try:
        return client.act(action, strategy=strategy, _id=object_id, doing=doing)
    except KuzzleError as err:
        if err.status == 412 and err.error_id is None and err.kuzzle_action == short_name(action):
            return None
        raise


def read_username(client, kuid, strategy='local', doing=None):
    """The username of the user's credentials for ``strategy``, or None when the user has none."""
    result = _credentials(client, 'security:getCredentials', strategy, kuid, doing)
    if result is not None and (not isinstance(result, dict) or not isinstance(result.get('username'), str)):
        raise KuzzleError(doing or 'read the %s credentials of user "%s"' % (strategy, kuid),
                          reason='the answer of getCredentials has no username')
    return None if result is None else result['username']


def username_owner(client, username, strategy='local', doing=None):
    """The kuid of the user whose ``strategy`` credentials have this username, or None when nobody has it."""
    result = _credentials(client, 'security:getCredentialsById', strategy, username, doing)
    return result.get('kuid') if isinstance(result, dict) else None


def all_usernames(client, strategy='local', doing=None):
    """dict kuid -> username of every user with ``strategy`` credentials (searchUsersByCredentials, paged).

    Fails with FetchLimitExceeded past Kuzzle's fetch limit: the credentials search has no scroll."""
    hits = search(client, 'security:searchUsersByCredentials', doing=doing, route={'strategy': strategy})[1]
    return _pairs(hits)


def _pairs(hits):
    return dict((hit['kuid'], hit['username']) for hit in hits if isinstance(hit, dict) and 'kuid' in hit)


FEW_CREDENTIALS_READS = 20  # past this many users to read one by one, listing every credential is cheaper


def local_usernames(client, kuids, usernames, strategy='local', doing=None):
    """dict kuid -> username that holds at least the stored username of each of ``kuids`` that has one, and the
    owner of each of ``usernames`` that has one: what kuzzle_security needs, whatever the number of credentials
    Kuzzle holds.

    First a search of the given usernames (one request per PAGE_SIZE of them: the username is what the credentials
    search can be asked for). The users of ``kuids`` not found that way (a username that changes, a definition
    that gives none, no credentials) are then read one by one (getCredentials) when there are few of them, else
    with every credential listed (a paged search, which Kuzzle stops at its fetch limit: past it, one by one)."""
    usernames = sorted(set(u for u in usernames if u))
    found = {}
    for start in range(0, len(usernames), PAGE_SIZE):
        chunk = usernames[start:start + PAGE_SIZE]
        found.update(_pairs(search(client, 'security:searchUsersByCredentials', {'terms': {'username': chunk}},
                                   doing=doing, route={'strategy': strategy})[1]))
    left = [kuid for kuid in kuids if kuid not in found]
    if len(left) > FEW_CREDENTIALS_READS:
        try:
            found.update(all_usernames(client, strategy, doing))
            return found
        except FetchLimitExceeded:
            pass
    for kuid in left:
        username = read_username(client, kuid, strategy, doing=doing)
        if username is not None:
            found[kuid] = username
    return found


def every_username(client, kuids, strategy='local', doing=None):
    """dict kuid -> username of every user with ``strategy`` credentials: one paged search, or, past Kuzzle's fetch
    limit (the credentials search has no scroll), the credentials of each of ``kuids`` read one by one."""
    try:
        return all_usernames(client, strategy, doing)
    except FetchLimitExceeded:
        read = ((kuid, read_username(client, kuid, strategy, doing=doing)) for kuid in kuids)
        return dict((kuid, username) for kuid, username in read if username is not None)


def user_strategies(client, kuid, doing=None):
    """The authentication strategies the user has credentials for (getUserStrategies)."""
    result = client.act('security:getUserStrategies', _id=kuid, doing=doing)
    return sorted((result or {}).get('strategies') or ())


def count_api_keys(client, kuid, doing=None):
    """How many API keys the user has (Kuzzle 2.x; its total counts only the page, so every page is read)."""
    return search(client, 'security:searchApiKeys', doing=doing or 'count the API keys of user "%s"' % kuid,
                  page_total=True, route={'userId': kuid})[0]


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
