# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""The rights review of a security change: what kuzzle_profile, kuzzle_role and kuzzle_security read
for it and how they report it (``rights``, ``msg``, the diff's readable section, warnings).

For internal use of the community.kuzzle collection only: no compatibility promise.

The rights themselves are computed by the pure module ``_rights``; this one only gathers the roles
and the action list (``server:publicApi``) they need, in as few requests as possible, and only for
a task that changes policies or controllers.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.community.kuzzle.plugins.module_utils import _objects, _rights

API_DOING = 'read the controllers and actions Kuzzle knows'


def scopes_of(module, client, api=None):
    """The actions' scopes (``_rights.action_scopes``) from ``api`` when the module already read it, else from
    one read of ``server:publicApi``; None, with a warning, when this user may not read it."""
    if api is None:
        api = _objects.published_api(client, API_DOING)
    if api is None:
        module.warn('rights were not computed, because server:publicApi could not be read at %s' % client.display_url)
        return None
    return _rights.action_scopes(api)


def controllers(sources):
    """{role id: controllers} from stored role ``_source``s."""
    return dict((role_id, (source or {}).get('controllers') or {}) for role_id, source in sources.items())


def report(module, result, changes, scopes):
    """Put a review into a task's result: ``rights`` (by profile), a summary appended to ``msg``, the readable
    section after the diff (diff mode), and a warning per profile that gains rights its restrictions do not
    limit. ``changes`` None means the rights could not be computed: ``rights`` is then left out."""
    if changes is None:
        result.pop('rights', None)
        return
    result['rights'] = changes
    words, section, warnings = _rights.review(changes, scopes)
    if words:
        result['msg'] = '%s; %s' % (result['msg'], words) if result.get('msg') else words
    if section and result.get('diff'):
        # Ansible shows a diff's prepared text after its before/after: after the last object's diff
        diff = result['diff'][-1] if isinstance(result['diff'], list) else result['diff']
        diff['prepared'] = section
    for warning in warnings:
        module.warn(warning)


def profile_review(module, client, name, before, after, roles):
    """(changes, scopes) of one profile's change: ``before``/``after`` are its canonical forms ({} when
    absent), ``roles`` the stored roles it uses (id -> ``_source``, read with the roles the write needs)."""
    scopes = scopes_of(module, client)
    if scopes is None:
        return None, None
    known = controllers(roles)
    return _rights.profiles_changes(_side(name, before), _side(name, after), known, known, scopes), scopes


def _side(name, profile):
    return {name: profile['policies']} if profile else {}


def review_role_ids(before, after):
    """The roles a profile review needs: those of both sides, when the policies differ (else none)."""
    if (before or {}).get('policies') == (after or {}).get('policies'):
        return []
    ids = []
    for profile in (before, after):
        if profile:
            ids.extend(_rights.policy_role_ids(profile['policies']))
    return list(dict.fromkeys(ids))


def role_users(client, role_ids, doing):
    """{profile id: policies} of every stored profile that uses one of ``role_ids`` (one paged search)."""
    wanted = set(role_ids)
    hits = _objects.search(client, 'profiles', {'terms': {'policies.roleId': sorted(wanted)}}, doing=doing)[1]
    found = {}
    for hit in hits:  # Kuzzle 1.x ignores the query: keep the profiles that use the roles
        policies = (hit.get('_source') or {}).get('policies') or []
        if wanted & set(_rights.policy_role_ids(policies)):
            found[hit['_id']] = policies
    return found


def role_review(module, client, name, before, after, api=None):
    """(changes, scopes) of a role's change for every profile that uses it: one search of those profiles,
    one mGet of their other roles, and the action list unless the module read it already (``api``)."""
    doing = 'review the rights of the profiles that use role "%s"' % name
    profiles = role_users(client, [name], doing)
    if not profiles:
        return {}, None
    scopes = scopes_of(module, client, api)
    if scopes is None:
        return None, None
    others = set(i for policies in profiles.values() for i in _rights.policy_role_ids(policies)) - set([name])
    known = controllers(_objects.require_all(client, 'roles', [], doing, read=sorted(others)))
    roles_before = dict(known, **{name: (before or {}).get('controllers') or {}})
    roles_after = dict(known, **{name: (after or {}).get('controllers') or {}})
    return _rights.profiles_changes(profiles, profiles, roles_before, roles_after, scopes), scopes


def _uses(policies, role_ids):
    return bool(set(_rights.policy_role_ids(policies or [])) & set(role_ids))


def security_review(module, client, definition, current, operations, referred=None):
    """(changes, scopes) of a kuzzle_security plan: the profiles whose policies it changes (created, updated,
    deleted), and the stored profiles that keep their policies but use a role it updates.

    Reads only what the plan's reads did not hold: the profiles that use an updated role (one search, unless
    every profile was read), the roles those profiles use that were not read (one mGet), and the action list
    (read once per task). Nothing for a plan that changes no policy and no role. ``referred``: {kind: {id: stored
    _source}} that the task read besides ``current`` (the roles its reference check read), not read again."""
    role_ops = dict((op.id, op) for op in operations if op.kind == 'roles')
    updated_roles = sorted(op.id for op in role_ops.values() if op.action == 'update')
    before, after = {}, {}
    for op in operations:
        if op.kind == 'profiles' and (op.before or {}).get('policies') != (op.after or {}).get('policies'):
            if op.before:
                before[op.id] = op.before['policies']
            if op.after:
                after[op.id] = op.after['policies']
    if not before and not after and not updated_roles:
        return {}, None
    doing = 'review the rights of the profiles the definition changes'
    if updated_roles:
        if 'profiles' in definition and module.params['purge']:
            users = dict((i, s.get('policies')) for i, s in current['profiles'].items() if _uses(s.get('policies'), updated_roles))
        else:
            users = role_users(client, updated_roles, doing)
        changed_profiles = set(op.id for op in operations if op.kind == 'profiles')
        for profile_id, policies in users.items():
            if profile_id not in changed_profiles:
                before[profile_id] = after[profile_id] = policies
    if not before and not after:
        return {}, None
    scopes = scopes_of(module, client)
    if scopes is None:
        return None, None
    needed = set(i for side in (before, after) for policies in side.values() for i in _rights.policy_role_ids(policies))
    stored = dict((i, s) for i, s in current.get('roles', {}).items() if i in needed)
    stored.update((i, s) for i, s in (referred or {}).get('roles', {}).items() if i in needed and i not in stored)
    unread = sorted(i for i in needed if i not in stored and (i not in role_ops or role_ops[i].action != 'create'))
    stored.update(_objects.require_all(client, 'roles', [], doing, read=unread))
    roles_before = controllers(stored)
    roles_after = dict(roles_before)
    for role_id, op in role_ops.items():
        if op.action == 'delete':
            roles_after.pop(role_id, None)
        else:
            roles_after[role_id] = op.after['controllers']
    return _rights.profiles_changes(before, after, roles_before, roles_after, scopes), scopes
