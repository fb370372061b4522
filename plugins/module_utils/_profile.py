# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""Kuzzle security profiles as data: normalise, compare, plan, diff, summarise. No I/O.

For internal use of the community.kuzzle collection only: no compatibility promise.

The canonical form of a profile holds only what this collection manages:
``{'policies': [...], 'rateLimit': int, 'tags': [...]}`` (``tags`` only when the profile has some: a set,
_tags.py). Both the stored profile and the
desired one go through it, and the same two canonical objects decide
``changed``, feed the diff and the summary, in check mode and in real runs.

Canonical policies express the rights Kuzzle derives from them, nothing more:
rights are the union of all policies, so policies of one role merge, and an
unrestricted policy covers any restricted one; ``restrictedTo`` empty or null
means no restriction; a restriction without collections (or with an empty
list) covers the whole index, unless the same policy lists that index again
with collections (Kuzzle then keeps only those); collections are a set.
Everything is sorted.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

from ansible_collections.community.kuzzle.plugins.module_utils import _tags
from ansible_collections.community.kuzzle.plugins.module_utils._report import changed_keys, json_copy, plural, stored_view, summary
from ansible_collections.community.kuzzle.plugins.module_utils._rights import compile_restrictions

RESERVED_PROFILES = ('admin', 'default', 'anonymous')

ALL = None  # marker: no restriction (a policy over every index), or every collection of an index


def _policy_map(policies):
    """dict roleId -> (ALL, or dict index -> (ALL or set of collections)).

    Each policy's restrictions are read as Kuzzle compiles them (_rights.compile_restrictions): within
    one policy, the collections of an index listed twice merge, and the index covers every collection
    only when none of its entries names one; entries without an index are dropped, and a policy left
    without any means every index. Policies of one role are a union.
    """
    roles = {}
    for policy in policies or ():
        role_id = policy.get('roleId')
        compiled = compile_restrictions(policy.get('restrictedTo'))
        if compiled is None:
            roles[role_id] = ALL
            continue
        indexes = roles.setdefault(role_id, {})
        if indexes is ALL:
            continue
        for index, names in compiled.items():
            if not names:
                indexes[index] = ALL
            elif indexes.get(index, ()) is not ALL:
                indexes.setdefault(index, set()).update(names)
    return roles


def _policies_from_map(roles):
    policies = []
    for role_id in sorted(roles):
        indexes = roles[role_id]
        policy = {'roleId': role_id}
        if indexes is not ALL:
            restricted_to = []
            for index in sorted(indexes):
                restriction = {'index': index}
                if indexes[index] is not ALL:
                    restriction['collections'] = sorted(indexes[index])
                restricted_to.append(restriction)
            policy['restrictedTo'] = restricted_to
        policies.append(policy)
    return policies


def normalize_policies(policies):
    """Canonical, sorted form of a list of policies in Kuzzle's camelCase shape."""
    return _policies_from_map(_policy_map(policies))


def normalize_profile(source):
    """Canonical form of a stored profile's ``_source``; {} when the profile is absent (None)."""
    if source is None:
        return {}
    rate_limit = source.get('rateLimit')
    return _tags.put({
        'policies': normalize_policies(source.get('policies')),
        'rateLimit': rate_limit if rate_limit is not None else 0,
    }, source.get(_tags.KEY))


def policies_from_params(policies):
    """Turn the module's policies option (snake_case keys, aliases resolved) into Kuzzle's shape."""
    if policies is None:
        return None
    result = []
    for policy in policies:
        kuzzle_policy = {'roleId': policy['role_id']}
        if policy.get('restricted_to') is not None:
            kuzzle_policy['restrictedTo'] = []
            for restriction in policy['restricted_to']:
                kuzzle_restriction = {'index': restriction['index']}
                if restriction.get('collections') is not None:
                    kuzzle_restriction['collections'] = list(restriction['collections'])
                kuzzle_policy['restrictedTo'].append(kuzzle_restriction)
        result.append(kuzzle_policy)
    return result


def profile_to_params(name, source):
    """The options of kuzzle_profile that keep a stored profile (its ``_source``) as it is.

    ``{name, policies: [{role_id, restricted_to: [{index, collections}]}], rate_limit}``, from the
    canonical policies: each role once (kuzzle_profile refuses a role listed twice), sorted, and only
    the keys that restrict something. ``rate_limit`` only when the profile has one (not in Kuzzle 1.x), ``tags``
    only when it has some.
    """
    params = {'name': name, 'policies': []}
    for policy in normalize_policies(source.get('policies')):
        param = {'role_id': policy['roleId']}
        if 'restrictedTo' in policy:
            param['restricted_to'] = copy.deepcopy(policy['restrictedTo'])
        params['policies'].append(param)
    if source.get('rateLimit') is not None:
        params['rate_limit'] = source['rateLimit']
    tags = _tags.normalize(source.get(_tags.KEY))
    if tags:
        params['tags'] = tags
    return params


def policies_problems(policies):
    """Client-side checks for what Kuzzle would reject or silently rewrite; a list of messages."""
    problems = []
    seen = set()
    for i, policy in enumerate(policies or ()):
        role_id = policy.get('roleId')
        where = 'policies[%d]' % i
        if not isinstance(role_id, str) or not role_id.strip():
            problems.append('%s: role_id must be a non-empty string' % where)
            continue
        if role_id in seen:
            problems.append('%s: role "%s" is listed twice; list each role once and put all its '
                            'restrictions in restricted_to' % (where, role_id))
        seen.add(role_id)
        for j, restriction in enumerate(policy.get('restrictedTo') or ()):
            index = restriction.get('index')
            if not isinstance(index, str) or not index.strip():
                problems.append('%s.restricted_to[%d]: index must be a non-empty string' % (where, j))
            for collection in restriction.get('collections') or ():
                if not isinstance(collection, str) or not collection.strip():
                    problems.append('%s.restricted_to[%d]: collections must be non-empty strings' % (where, j))
                    break
    return problems


def definition_problems(body):
    """Type checks of a profile body in Kuzzle's own shape (no argument spec checked it); a list of messages."""
    if not isinstance(body, dict):
        return ['must be a dict with policies and, optionally, rateLimit and tags']
    problems = ['key "%s" is not managed (only policies, rateLimit and tags)' % key for key in sorted(body)
                if key not in ('policies', 'rateLimit', _tags.KEY)]
    problems.extend(_tags.problems(body.get(_tags.KEY)))
    rate_limit = body.get('rateLimit')
    if rate_limit is not None and (isinstance(rate_limit, bool) or not isinstance(rate_limit, int) or rate_limit < 0):
        problems.append('rateLimit must be an integer, 0 or more')
    policies = body.get('policies')
    if not isinstance(policies, list) or not policies:
        return problems + ['policies must be a non-empty list']
    for i, policy in enumerate(policies):
        where = 'policies[%d]' % i
        if not isinstance(policy, dict):
            problems.append('%s must be a dict' % where)
            continue
        problems.extend('%s: key "%s" is not allowed (only roleId and restrictedTo)' % (where, key)
                        for key in sorted(policy) if key not in ('roleId', 'restrictedTo'))
        restricted_to = policy.get('restrictedTo')
        if restricted_to is not None and not isinstance(restricted_to, list):
            problems.append('%s.restrictedTo must be a list' % where)
            continue
        for j, restriction in enumerate(restricted_to or ()):
            if not isinstance(restriction, dict):
                problems.append('%s.restrictedTo[%d] must be a dict' % (where, j))
                continue
            problems.extend('%s.restrictedTo[%d]: key "%s" is not allowed (only index and collections)' % (where, j, key)
                            for key in sorted(restriction) if key not in ('index', 'collections'))
            collections = restriction.get('collections')
            if collections is not None and not isinstance(collections, list):
                problems.append('%s.restrictedTo[%d].collections must be a list' % (where, j))
    if problems:
        return problems
    return policies_problems(policies)


def desired_profile(before, policies=None, purge_policies=True, rate_limit=None, tags=None):
    """Canonical desired profile from the canonical current one (``{}`` if absent) and the task.

    ``policies`` is in Kuzzle's shape or None (leave as is). With ``purge_policies``
    the policies become exactly ``policies``; otherwise each listed role replaces
    its entry and unlisted roles stay. ``rate_limit`` None leaves the rate limit
    as is (0 for a new profile, Kuzzle's default), ``tags`` None the tags.
    """
    if not before:
        after = {'policies': [], 'rateLimit': 0}
    elif policies is not None and purge_policies:
        # the stored policies are replaced below: copying them first would be wasted (most of a large plan's time)
        after = json_copy(dict((key, value) for key, value in before.items() if key != 'policies'))
    else:
        after = json_copy(before)
    if policies is not None:
        if purge_policies:
            after['policies'] = normalize_policies(policies)
        else:
            roles = _policy_map(after['policies'])
            roles.update(_policy_map(policies))
            after['policies'] = _policies_from_map(roles)
    if rate_limit is not None:
        after['rateLimit'] = rate_limit
    if tags is not None:
        _tags.put(after, tags)
    return after


def write_body(before, after, rate_limit_given):
    """The body of createProfile (``before`` is {}) or updateProfile, from the canonical profiles.

    updateProfile merges top-level keys, so an update sends only the keys that differ. A creation sends
    the rate limit only when the task gives one: Kuzzle applies its default otherwise, and Kuzzle 1.x has
    no rate limit at all.
    """
    if before:
        body = changed_keys(before, after)
        if before.get(_tags.KEY) and not after.get(_tags.KEY):
            body[_tags.KEY] = []  # updateProfile merges: an absent key would keep the stored tags
        return body
    body = {'policies': after['policies']}
    if rate_limit_given:
        body['rateLimit'] = after['rateLimit']
    if after.get(_tags.KEY):
        body[_tags.KEY] = list(after[_tags.KEY])
    return body


def in_given_order(body, policies):
    """A write body whose policies are the task's own, in its order (``policies``: the whole list, Kuzzle's shape).

    The comparison ignores order; the write keeps it, so that what Kuzzle stores (and what kourou's
    ``profile:export`` gives back) reads like the definition it came from."""
    if 'policies' in body and policies is not None:
        body = dict(body, policies=copy.deepcopy(policies))
    return body


def predict_stored(source, body):
    """What Kuzzle will store after writing ``body`` (check mode): createProfile's body with Kuzzle's default
    rate limit, or updateProfile's shallow merge into the stored profile."""
    stored = {} if source is None else stored_view(source)
    stored.update(copy.deepcopy(body))
    if source is None:
        stored.setdefault('rateLimit', 0)
    return stored


def role_ids(profile):
    return [policy['roleId'] for policy in profile.get('policies', ())]


def new_role_ids(before, after):
    """Roles the desired profile uses that the stored one does not (those may not exist yet)."""
    known = set(role_ids(before))
    return [role_id for role_id in role_ids(after) if role_id not in known]


def restrictions(profile):
    """(index, collection or None) pairs a profile's restrictions name, for strict-mode checks."""
    pairs = []
    for policy in profile.get('policies', ()):
        for restriction in policy.get('restrictedTo', ()):
            collections = restriction.get('collections')
            if collections:
                pairs.extend((restriction['index'], c) for c in collections)
            else:
                pairs.append((restriction['index'], None))
    return sorted(set(pairs), key=lambda pair: (pair[0], pair[1] or ''))


def _scope_words(indexes):
    if indexes is ALL:
        return 'all indexes'
    return 'indexes ' + ', '.join(sorted(indexes))


def _index_changes(role_id, old, new):
    """Phrases for the restriction changes of one role present before and after."""
    if old is ALL or new is ALL:
        if old is ALL and new is ALL:
            return []
        return ['role %s: %s instead of %s' % (role_id, _scope_words(new), _scope_words(old))]
    phrases = []
    for index in sorted(set(old) | set(new)):
        if index not in new:
            phrases.append('role %s: index %s removed' % (role_id, index))
        elif index not in old:
            phrases.append('role %s: index %s added' % (role_id, index))
        elif old[index] != new[index]:
            before_cols, after_cols = old[index], new[index]
            if before_cols is ALL or after_cols is ALL:
                phrases.append('role %s: index %s: %s' % (
                    role_id, index, 'all collections' if after_cols is ALL else 'collections ' + ', '.join(sorted(after_cols))))
                continue
            for verb, names in (('added', after_cols - before_cols), ('removed', before_cols - after_cols)):
                if names:
                    phrases.append('role %s: index %s: %s %s' % (role_id, index, plural('collection', sorted(names)), verb))
    return phrases


def _created_words(after):
    words = plural('role', role_ids(after))
    if after.get('rateLimit'):
        words += ', rate limit %d' % after['rateLimit']
    return words


def _change_phrases(before, after):
    old, new = _policy_map(before['policies']), _policy_map(after['policies'])
    phrases = ['role %s added' % r for r in sorted(set(new) - set(old))]
    phrases += ['role %s removed' % r for r in sorted(set(old) - set(new))]
    for role_id in sorted(set(old) & set(new)):
        phrases += _index_changes(role_id, old[role_id], new[role_id])
    if before.get('rateLimit') != after.get('rateLimit'):
        phrases.append('rate limit %s -> %s' % (before.get('rateLimit'), after.get('rateLimit')))
    return phrases + _tags.phrases(before, after)


def summarize(name, before, after):
    """A short plain-language account of the change from ``before`` to ``after`` (canonical forms)."""
    return summary('profile', name, before, after, _created_words, _change_phrases)
