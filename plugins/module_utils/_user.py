# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""Kuzzle users as data: normalise, compare, plan, summarise. No I/O.

For internal use of the community.kuzzle collection only: no compatibility promise.

The canonical form of a user holds only what the task manages::

    {'profileIds': [sorted, unique],
     'content': {only the content keys the task gives},
     'credentials': {'local': {'username': ...}}}     # only when the task manages credentials

``credentials`` is ``{}`` when the user has no local credentials. Kuzzle never returns a password:
when the task will send one, the desired side carries a placeholder (PASSWORD_SET for new
credentials, PASSWORD_CHANGED for a password that differs), never the password itself, so the
placeholder decides ``changed`` and shows in the diff while the secret stays out of every result.

Content keys are managed one by one: keys the task does not give are neither compared nor written.
An object value is managed key by key too, recursively, because Kuzzle's updateUser is an
Elasticsearch partial update, which merges objects: the desired value of such a key is the stored
value with the task's keys merged in, and that merged value is what gets written (so the cache
Kuzzle keeps of the user and the stored document agree). Lists and scalars are replaced.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

from ansible_collections.community.kuzzle.plugins.module_utils._errors import PredictedRefusal
from ansible_collections.community.kuzzle.plugins.module_utils._report import json_copy, plural, stored_view, summary

STRATEGY = 'local'
PASSWORD_SET = '(set)'          # placeholder: local credentials are created with a password
PASSWORD_CHANGED = '(changed)'  # placeholder: the password differs and is updated
# profileIds is a top-level key of the stored user next to the content; Kuzzle overwrites _id and _kuzzle_info.
FORBIDDEN_CONTENT_KEYS = ('profileIds', '_id', '_kuzzle_info')
# The anonymous user is built into Kuzzle: it is not stored and cannot be managed.
BUILT_IN_USERS = ('-1', 'anonymous')
# Static segments of /credentials/<strategy>/<id> routes: a user with such an id has unreachable credentials.
SHADOWED_CREDENTIAL_IDS = ('_me', '_fields')
# The Kuzzle action of each credentials write credentials_write() chooses.
CREDENTIALS_ACTIONS = {'create': 'security:createCredentials', 'update': 'security:updateCredentials'}

NOT_MANAGED = object()  # normalize_user(username=...): the task does not manage credentials


def deep_merge(base, changes):
    """``changes`` merged into ``base`` as an Elasticsearch partial update does: objects recursively."""
    if not isinstance(base, dict) or not isinstance(changes, dict):
        return json_copy(changes)
    merged = json_copy(base)
    for key, value in changes.items():
        merged[key] = deep_merge(merged.get(key), value)
    return merged


def stored_content(source):
    """The custom content of a stored user: its ``_source`` without profileIds and Kuzzle's bookkeeping."""
    return dict((k, v) for k, v in stored_view(source).items() if k not in FORBIDDEN_CONTENT_KEYS)


def normalize_profile_ids(profile_ids):
    return sorted(set(profile_ids or ()))


def normalize_user(source, content_keys=(), username=NOT_MANAGED):
    """Canonical form of a stored user's ``_source`` ({} when the user is absent: None).

    ``content_keys``: the content keys the task manages. ``username``: the stored local username,
    None when the user has no local credentials, NOT_MANAGED when the task does not manage them.
    """
    if source is None:
        return {}
    content = stored_content(source)
    user = {
        'profileIds': normalize_profile_ids(source.get('profileIds')),
        'content': dict((k, json_copy(content[k])) for k in content_keys if k in content),
    }
    if username is not NOT_MANAGED:
        user['credentials'] = {STRATEGY: {'username': username}} if username is not None else {}
    return user


def stored_username(user):
    """The local username of a canonical user (None without local credentials or when not managed)."""
    return (user.get('credentials') or {}).get(STRATEGY, {}).get('username')


def desired_user(before, profile_ids=None, purge_profile_ids=True, content=None, username=None, password=None):
    """Canonical desired user from the canonical current one ({} if absent) and the task.

    ``profile_ids`` None leaves them as they are; with ``purge_profile_ids`` they become exactly
    ``profile_ids``, otherwise the listed ones are added. ``content`` keys are merged in (see the module
    docstring). ``username`` None keeps the stored one. ``password`` is None (no password is sent),
    or PASSWORD_SET / PASSWORD_CHANGED, the placeholder of what the write will do.
    ``before`` carries ``credentials`` exactly when the task manages them, and so does the result.
    """
    after = json_copy(before) if before else {'profileIds': [], 'content': {}}
    if profile_ids is not None:
        wanted = set(profile_ids)
        if not purge_profile_ids:
            wanted |= set(after['profileIds'])
        after['profileIds'] = sorted(wanted)
    for key, value in (content or {}).items():
        after['content'][key] = deep_merge(after['content'].get(key), value)
    if 'credentials' in before or (not before and (username is not None or password is not None)):
        local = dict(after.get('credentials', {}).get(STRATEGY, {}))
        if username is not None:
            local['username'] = username
        if password is not None:
            local['password'] = password
        after['credentials'] = {STRATEGY: local} if local else {}
    return after


def content_problems(content):
    """Client-side checks of the content option; a list of messages."""
    problems = []
    for key in sorted(content or ()):
        if key in FORBIDDEN_CONTENT_KEYS:
            if key == 'profileIds':
                problems.append('content must not set profileIds: use profile_ids (and purge_profile_ids)')
            else:
                problems.append('content must not set %s: Kuzzle sets it itself' % key)
        elif not isinstance(key, str) or not key.strip():
            problems.append('content keys must be non-empty strings')
    return problems


def profile_ids_problems(profile_ids, purge_profile_ids):
    problems = []
    if profile_ids is None:
        return problems
    if any(not isinstance(p, str) or not p.strip() for p in profile_ids):
        problems.append('profile_ids must be non-empty strings')
    if not profile_ids and purge_profile_ids:
        problems.append('profile_ids is empty: Kuzzle refuses a user without profiles')
    return problems


def new_profile_ids(before, after):
    """Profiles the desired user has that the stored one has not (they may not exist)."""
    return sorted(set(after.get('profileIds', ())) - set(before.get('profileIds', ())))


def update_body(before, after):
    """The flat updateUser body: profileIds when they change, and each managed content key that changes."""
    body = {}
    if before.get('profileIds') != after.get('profileIds'):
        body['profileIds'] = list(after['profileIds'])
    old = before.get('content', {})
    for key, value in after.get('content', {}).items():
        if key not in old or old[key] != value:
            body[key] = copy.deepcopy(value)
    return body


def credentials_write(before, after, password=None):
    """(action, body) of the credentials write the change needs: ('create' | 'update' | None, body).

    ``body`` holds the real ``password`` only when ``after`` has a password placeholder; it must never
    be logged or returned.
    """
    old = (before.get('credentials') or {}).get(STRATEGY)
    new = (after.get('credentials') or {}).get(STRATEGY)
    if not new or old == new:
        return None, None
    body = {}
    if old is None or old.get('username') != new.get('username'):
        body['username'] = new['username']
    if 'password' in new:
        body['password'] = password
    return ('create' if old is None else 'update'), body


def username_taken(kuid, username, owner):
    """The refusal Kuzzle's local strategy would answer to giving ``username``, which ``owner`` has, to ``kuid``."""
    return PredictedRefusal('user "%s"' % kuid, 412, None, 'username "%s" is already used by user "%s"' % (username, owner))


def write_body(before, after, password=None):
    """The body of createUser (``before`` is {}: create_body()) or of updateUser (update_body())."""
    return update_body(before, after) if before else create_body(after, password)


def create_body(after, password=None):
    """The createUser body: content with profileIds, and local credentials when the task gives them."""
    body = {'content': dict(copy.deepcopy(after['content']), profileIds=list(after['profileIds']))}
    local = (after.get('credentials') or {}).get(STRATEGY)
    if local:
        body['credentials'] = {STRATEGY: {'username': local['username'], 'password': password}}
    return body


def without_credentials_change(before, after):
    """``after`` with the credentials of ``before``: what is applied once the user write alone succeeded."""
    partial = copy.deepcopy(after)
    if 'credentials' in before:
        partial['credentials'] = copy.deepcopy(before['credentials'])
    return partial


def predict_stored(source, body):
    """The stored view Kuzzle answers after writing ``body`` (check mode): updateUser's flat body merged into
    the stored user, or createUser's content for an absent one."""
    if source is None:
        return copy.deepcopy(body['content'])
    stored = stored_view(source)
    stored.update(copy.deepcopy(body))
    return stored


def user_to_params(kuid, source, username=None):
    """A stored user in the input shape of kuzzle_user: applying it back changes nothing.

    The whole content (without profileIds and Kuzzle's bookkeeping), and the local username when
    the user has local credentials (never a password: Kuzzle does not return it).
    """
    params = {
        'name': kuid,
        'profile_ids': normalize_profile_ids(source.get('profileIds')),
        'content': stored_content(source),
    }
    if username is not None:
        params['credentials'] = {'username': username}
    return params


def _created_words(after):
    words = plural('profile', after['profileIds'])
    if after['content']:
        words += ', content %s' % ', '.join(sorted(after['content']))
    local = (after.get('credentials') or {}).get(STRATEGY)
    if local:
        words += ', local credentials for username %s' % local['username']
    return words


def _change_phrases(before, after):
    local = (after.get('credentials') or {}).get(STRATEGY)
    old_ids, new_ids = set(before['profileIds']), set(after['profileIds'])
    phrases = ['profile %s added' % p for p in sorted(new_ids - old_ids)]
    phrases += ['profile %s removed' % p for p in sorted(old_ids - new_ids)]
    old_content = before['content']
    for key in sorted(after['content']):
        if key not in old_content:
            phrases.append('content.%s added' % key)
        elif old_content[key] != after['content'][key]:
            phrases.append('content.%s changed' % key)
    old_local = (before.get('credentials') or {}).get(STRATEGY)
    if local and local != old_local:
        if old_local is None:
            phrases.append('local credentials created for username %s' % local['username'])
        else:
            if old_local.get('username') != local.get('username'):
                phrases.append('username %s -> %s' % (old_local.get('username'), local.get('username')))
            if 'password' in local:
                phrases.append('password changed')
    return phrases


def summarize(name, before, after):
    """A short plain-language account of the change from ``before`` to ``after`` (canonical forms).

    Names keys and profiles, never content values and never a password.
    """
    return summary('user', name, before, after, _created_words, _change_phrases)


def removal_words(removed):
    """', with its credentials (local), 2 API keys and its authentication tokens', from a removal report."""
    parts = []
    if removed.get('credentials'):
        parts.append('its credentials (%s)' % ', '.join(removed['credentials']))
    if removed.get('api_keys') is not None:
        parts.append('%d API key%s' % (removed['api_keys'], '' if removed['api_keys'] == 1 else 's'))
    parts.append('its authentication tokens')
    return ', with ' + ', '.join(parts[:-1]) + (' and ' if len(parts) > 1 else '') + parts[-1]
