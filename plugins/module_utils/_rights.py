# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""Effective rights of Kuzzle profiles, as Kuzzle enforces them: compute, compare, describe. No I/O.

For internal use of the community.kuzzle collection only: no compatibility promise.

The rules are those of Kuzzle 2.56's enforcement (``Role.isActionAllowed``,
``Role.checkRestrictions``, ``Profile.isActionAllowed``, ``User.isActionAllowed``, the
restrictions as ``ProfileRepository.optimizePolicy`` compiles them), which is also what
``security:checkRights`` answers. ``security:getProfileRights`` lists rights differently (it
repeats the roles' keys literally under each restriction) and is not the model here.

Deciding one request (controller, action, index, collection):

* a role allows an action when its entry for the controller, or else its ``*`` controller, has
  ``true`` for the action, or else for its ``*`` action. A controller listed in the role replaces
  the ``*`` controller entirely (``{"*": {"*": true}, "document": {"get": true}}`` denies
  ``document:create``), and an explicit ``false`` beats the ``*`` action. ``ms`` and
  ``memoryStorage`` are one controller: a role's ``ms`` entry, else its ``memoryStorage`` entry,
  answers for both names;
* a policy's restrictions are compiled per index: entries without an index (``""``) are dropped,
  the collections of every entry of one index are merged, and an index whose merged list is empty
  means every collection. Note the merge narrows: ``[{index: a}, {index: a, collections: [x]}]``
  is index ``a``, collection ``x`` only. No restrictions left (none, ``[]``, only empty indexes)
  means no restriction at all;
* a request passes a restriction when it has no index, or names a listed index and either that
  index lists no collection, the request names no collection, or the collection is listed;
* a profile allows a request when one of its policies both has a role that allows the action and
  restrictions that the request passes (policies are a union; an empty policy list is Kuzzle's
  ``[{roleId: default}]``); a user when one of its profiles does.

Effective rights are the finite set of *entries* ``(controller, action, index, collection)`` that
this gives for every action of Kuzzle's API, each in the shape its routes send (``scope``):

* an action that takes no index: ``(c, a, None, None)``. Restrictions never limit it;
* an index-level action (``index:delete``, ``collection:list``, ...): ``(c, a, index, None)`` per
  restricted index, or ``(c, a, '*', None)`` when unrestricted;
* an action on a collection: ``(c, a, index, collection)`` per listed collection,
  ``(c, a, index, '*')`` for a whole index, ``(c, a, '*', '*')`` when unrestricted.

``*`` means any name. Kuzzle refuses ``*`` in index and collection names, so a restriction that
literally names ``*`` (which only a realtime request could use) is reported as any: the rights
shown are then wider than the real ones, never narrower. Names are compared as exact strings.

An entry covers another when they name the same action and its index and collection are equal
or ``*``. Rights sets are kept minimal (no entry covered by another), and a change is compared
by coverage: ``granted`` are the entries after that the entries before do not cover, ``revoked``
the reverse. So a restriction widened from ``shop/orders`` to the whole of ``shop`` grants
``shop/*`` and revokes nothing, and every granted entry contains a request that was denied before.

*Unrestricted* entries are those a restriction does not actually limit: granted by a policy that
has restrictions, but only through an action that takes no index (it passes any restriction), or
through an index-level action on an index whose restriction names collections (it acts on the
whole index), and not also granted by a policy whose restrictions do limit it. ``index:mDelete``
and ``realtime:list`` take no index but their controller checks each index itself
(``index:delete`` and ``realtime:subscribe`` rights), so they are not reported as unrestricted.

The list of actions and their scope comes from Kuzzle's own ``server:publicApi`` answer
(:func:`action_scopes`), so plugin controllers are included and nothing here reads Kuzzle.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections

ANY = '*'

# Scopes of an action: the arguments of its routes that Kuzzle's restriction check looks at.
NO_INDEX = 'none'
INDEX = 'index'
COLLECTION = 'collection'

# Actions without an HTTP route (websocket or /_query only), so their scope cannot be read from
# their routes. These two take an index and a collection; the others (realtime:join, count,
# unsubscribe, debug:addListener, removeListener) take a room or nothing: no index.
UNROUTED_SCOPES = {
    ('realtime', 'subscribe'): COLLECTION,
    ('realtime', 'validate'): COLLECTION,
}

# Actions that take no index but whose controller filters by index itself: never unrestricted.
CHECKED_PER_INDEX = frozenset([('index', 'mDelete'), ('realtime', 'list')])

MEMORY_STORAGE = ('ms', 'memoryStorage')

Rights = collections.namedtuple('Rights', ['allowed', 'unrestricted'])
Rights.__doc__ = """Effective rights: ``allowed`` and ``unrestricted``, minimal frozensets of entries."""

NO_RIGHTS = Rights(frozenset(), frozenset())


class UnknownRoleError(ValueError):
    """A policy names a role that the roles given do not hold."""


# ------------------------------------------------------------------ the action list

def _route_scope(paths):
    segments = [set(path.split('/')) for path in paths]
    # A route without the argument lets a caller leave it out, so the narrowest route decides.
    if not all(':index' in parts for parts in segments):
        return NO_INDEX
    if not all(':collection' in parts for parts in segments):
        return INDEX
    return COLLECTION


def action_scopes(public_api):
    """``{(controller, action): scope}`` from the result of ``server:publicApi`` (``GET /_publicApi``).

    The scope is read from the action's HTTP routes: ``:index`` and ``:collection`` route
    arguments. ``security:refresh`` (``/_security/:collection/_refresh``) names a collection but
    no index, and restrictions look at the index first: it takes no index.
    """
    scopes = {}
    for controller, actions in (public_api or {}).items():
        for action, info in (actions or {}).items():
            paths = [route.get('path') or route.get('url') or '' for route in (info or {}).get('http') or ()]
            if paths:
                scopes[(controller, action)] = _route_scope(paths)
            else:
                scopes[(controller, action)] = UNROUTED_SCOPES.get((controller, action), NO_INDEX)
    return scopes


# ------------------------------------------------------------------ Kuzzle's decision, literally

def _controller_rights(controllers, controller):
    if controller in MEMORY_STORAGE:
        for alias in MEMORY_STORAGE:
            if controllers.get(alias) is not None:
                return controllers[alias]
    if controller in controllers:
        return controllers[controller]
    return controllers.get(ANY)


def role_allows(controllers, controller, action):
    """Whether a role's ``controllers`` allow ``controller:action`` (restrictions aside)."""
    rights = _controller_rights(controllers or {}, controller)
    if not isinstance(rights, dict) or not isinstance(rights.get('actions'), dict):
        return False
    actions = rights['actions']
    value = actions[action] if action in actions else actions.get(ANY)
    return value is True


def compile_restrictions(restricted_to):
    """A policy's ``restrictedTo`` as Kuzzle compiles it: None (no restriction) or
    ``{index: frozenset(collections)}``, an empty set meaning every collection."""
    indexes = {}
    for restriction in restricted_to or ():
        index = restriction.get('index')
        if not index:
            continue
        indexes.setdefault(index, set()).update(restriction.get('collections') or ())
    if not indexes:
        return None
    return dict((index, frozenset(names)) for index, names in indexes.items())


def _passes(restrictions, index, collection):
    if restrictions is None or not index:
        return True
    if index not in restrictions:
        return False
    listed = restrictions[index]
    # Without a collection Kuzzle's binary search compares undefined, which matches the first probe.
    return not listed or collection is None or collection in listed


def _policies(policies):
    # Kuzzle stores an empty policy list as the default role.
    return policies if policies else [{'roleId': 'default'}]


def _role(roles, role_id):
    if role_id not in roles:
        raise UnknownRoleError('role %s is not known' % role_id)
    return roles[role_id]


def request_allowed(policies, roles, controller, action, index=None, collection=None):
    """Kuzzle's decision for one request of a profile (``policies``), whatever its shape.

    ``roles`` maps role ids to their ``controllers``. A request that names no index passes every
    restriction, whatever the action: this is the rule for raw requests (``security:checkRights``);
    :func:`allows` answers for requests shaped as the action's routes send them.
    """
    for policy in _policies(policies):
        if role_allows(_role(roles, policy.get('roleId')), controller, action) and \
                _passes(compile_restrictions(policy.get('restrictedTo')), index, collection):
            return True
    return False


# ------------------------------------------------------------------ rights as sets of entries

def covers(entries, entry):
    """Whether one of ``entries`` covers ``entry`` (same action; index and collection equal or ``*``)."""
    controller, action, index, collection = entry
    indexes = (index,) if index is None or index == ANY else (index, ANY)
    names = (collection,) if collection is None or collection == ANY else (collection, ANY)
    return any((controller, action, i, c) in entries for i in indexes for c in names)


def _covered_by_another(entries, entry):
    """covers(entries - {entry}, entry), without building that set for every entry (quadratic for a large profile)."""
    controller, action, index, collection = entry
    indexes = (index,) if index is None or index == ANY else (index, ANY)
    names = (collection,) if collection is None or collection == ANY else (collection, ANY)
    return any((controller, action, i, c) in entries for i in indexes for c in names if (i, c) != (index, collection))


def _minimal(entries):
    entries = frozenset(entries)
    return frozenset(e for e in entries if not _covered_by_another(entries, e))


def _policy_grants(controller, action, scope, restrictions):
    """(entry, unlimited) pairs one policy grants for an action its role allows."""
    if scope == NO_INDEX:
        return [((controller, action, None, None),
                 restrictions is not None and (controller, action) not in CHECKED_PER_INDEX)]
    if restrictions is None:
        return [((controller, action, ANY, None if scope == INDEX else ANY), False)]
    if scope == INDEX:
        return [((controller, action, index, None), bool(names)) for index, names in restrictions.items()]
    grants = []
    for index, names in restrictions.items():
        grants.extend(((controller, action, index, name), False) for name in (names or (ANY,)))
    return grants


def _allowed_actions(controllers, scopes):
    """[((controller, action), scope)] of the actions a role's ``controllers`` allow."""
    return [(pair, scope) for pair, scope in scopes.items() if role_allows(controllers, pair[0], pair[1])]


def _grants(policies, roles, scopes, allowed=None):
    """``allowed``: a dict the caller keeps to remember each role's _allowed_actions between calls with the same
    ``roles`` and ``scopes`` (a review of many profiles reads the same few roles again and again)."""
    allowed = {} if allowed is None else allowed
    grants = []
    for policy in _policies(policies):
        role_id = policy.get('roleId')
        if role_id not in allowed:
            allowed[role_id] = _allowed_actions(_role(roles, role_id), scopes)
        restrictions = compile_restrictions(policy.get('restrictedTo'))
        for (controller, action), scope in allowed[role_id]:
            grants.extend(_policy_grants(controller, action, scope, restrictions))
    return grants


def _rights(grants):
    allowed = _minimal(grant[0] for grant in grants)
    limited = _minimal(grant[0] for grant in grants if not grant[1])
    unrestricted = _minimal(grant[0] for grant in grants if grant[1] and not covers(limited, grant[0]))
    return Rights(allowed, unrestricted)


def profile_rights(policies, roles, scopes, allowed=None):
    """The :class:`Rights` of a profile's ``policies``, with ``roles`` (id -> controllers) and
    ``scopes`` (:func:`action_scopes`). Raises :class:`UnknownRoleError` for a missing role.
    ``allowed``: see _grants."""
    return _rights(_grants(policies, roles, scopes, allowed))


def user_rights(profiles, roles, scopes):
    """The :class:`Rights` of a user, from the policies of each of its profiles."""
    grants, allowed = [], {}
    for policies in profiles:
        grants.extend(_grants(policies, roles, scopes, allowed))
    return _rights(grants)


def probe_entry(scopes, controller, action, index=None, collection=None):
    """The entry of a request in the action's own shape; None for an action Kuzzle does not have.

    An action that takes no index drops ``index`` and ``collection``, an index-level action drops
    ``collection``; an index or collection the action takes but the request leaves out is ``*``.
    """
    scope = scopes.get((controller, action))
    if scope is None:
        return None
    if scope == NO_INDEX:
        return (controller, action, None, None)
    index = index if index else ANY
    if scope == INDEX:
        return (controller, action, index, None)
    return (controller, action, index, collection if collection else ANY)


def allows(rights, scopes, controller, action, index=None, collection=None):
    """Whether ``rights`` allow a request shaped as the action's routes send it (:func:`probe_entry`):
    left out, an index or a collection means every one."""
    entry = probe_entry(scopes, controller, action, index, collection)
    return entry is not None and covers(rights.allowed, entry)


# ------------------------------------------------------------------ reporting

def _sort_key(entry):
    return tuple('' if part is None else part for part in entry)


def entry_dict(entry):
    controller, action, index, collection = entry
    return {'controller': controller, 'action': action, 'index': index, 'collection': collection}


def as_dicts(entries):
    """Entries as sorted ``{controller, action, index, collection}`` dicts (the modules' results)."""
    return [entry_dict(entry) for entry in sorted(entries, key=_sort_key)]


def rights_change(before, after):
    """``{granted, revoked, unrestricted}`` lists of entry dicts from ``before`` to ``after``.

    ``before``/``after`` are :class:`Rights`, or None for an absent profile. ``unrestricted`` lists
    the unrestricted entries after the change that were not already unrestricted before.
    """
    before = before or NO_RIGHTS
    after = after or NO_RIGHTS
    return {
        'granted': as_dicts(e for e in after.allowed if not covers(before.allowed, e)),
        'revoked': as_dicts(e for e in before.allowed if not covers(after.allowed, e)),
        'unrestricted': as_dicts(e for e in after.unrestricted if not covers(before.unrestricted, e)),
    }


def is_empty(change):
    return not (change['granted'] or change['revoked'] or change['unrestricted'])


def _count(number):
    return '%d right%s' % (number, '' if number == 1 else 's')


def _counts(change):
    words = '+%s, -%d' % (_count(len(change['granted'])), len(change['revoked']))
    if change['unrestricted']:
        words += ' (%d not limited by restrictedTo)' % len(change['unrestricted'])
    return words


def summary(name, change):
    """'editor: +2 rights, -0' (and how many of them no restriction limits)."""
    return '%s: %s' % (name, _counts(change))


def _target(index, collection):
    if index is None:
        return 'without an index'
    if collection is None:
        return 'on any index' if index == ANY else 'on index %s' % index
    if collection == ANY:
        return 'on any collection of %s' % ('any index' if index == ANY else index)
    return 'on %s/%s' % (index, collection)


def _controller_actions(scopes):
    full = {}
    for controller, action in scopes:
        full.setdefault(controller, set()).add(action)
    return full


def _action_words(entries, full):
    by_controller = {}
    for entry in entries:
        by_controller.setdefault(entry[0], set()).add(entry[1])
    words = []
    for controller in sorted(by_controller):
        actions = by_controller[controller]
        if len(actions) > 1 and actions == full.get(controller):
            words.append('%s:*' % controller)
        elif len(actions) > 1:
            words.append('%s:{%s}' % (controller, ','.join(sorted(actions))))
        else:
            words.append('%s:%s' % (controller, next(iter(actions))))
    return ', '.join(words)


def _lines(sign, entries, scopes):
    full = _controller_actions(scopes)
    groups = {}
    for entry in entries:
        groups.setdefault((entry[2], entry[3]), []).append(entry)
    lines = []
    for target in sorted(groups, key=lambda pair: ('' if pair[0] is None else '1' + pair[0], pair[1] or '')):
        lines.append('  %s %s: %s' % (sign, _target(*target), _action_words(groups[target], full)))
    return lines


def _tuples(dicts):
    return [(d['controller'], d['action'], d['index'], d['collection']) for d in dicts]


def render_change(name, change, scopes):
    """The readable rights section of a --diff: one line per target, ``+`` granted, ``-`` revoked,
    ``!`` newly not limited by the profile's restrictions. Actions read ``document:get``,
    ``document:{get,search}``, or ``document:*`` for every action of the controller."""
    lines = ['rights of %s: %s' % (name, _counts(change))]
    lines += _lines('+', _tuples(change['granted']), scopes)
    lines += _lines('-', _tuples(change['revoked']), scopes)
    lines += _lines('!', _tuples(change['unrestricted']), scopes)
    return '\n'.join(lines) + '\n'


# ------------------------------------------------------------------ reviewing a change of profiles or roles

def policy_role_ids(policies):
    """The roles a profile's ``policies`` use (``default`` for an empty list, as Kuzzle stores it)."""
    return [policy.get('roleId') for policy in _policies(policies)]


def profiles_changes(before, after, roles_before, roles_after, scopes):
    """``{profile id: rights_change}`` for the profiles whose rights change, and only those.

    ``before`` and ``after`` map profile ids to their policies (a profile absent on one side is left
    out of it); ``roles_before`` and ``roles_after`` map role ids to their controllers before and
    after the change. A role missing from them grants nothing (Kuzzle refuses a profile whose role
    does not exist, so it only happens to a role the task is about to be refused for).
    """
    # each role's allowed actions, worked out once per side: many profiles share a few roles
    allowed = {id(roles_before): {}, id(roles_after): {}}

    def rights(policies, roles):
        known = dict((role_id, roles.get(role_id) or {}) for role_id in policy_role_ids(policies))
        return profile_rights(policies, known, scopes, allowed[id(roles)])

    changes = {}
    for profile_id in sorted(set(before) | set(after)):
        change = rights_change(rights(before[profile_id], roles_before) if profile_id in before else None,
                               rights(after[profile_id], roles_after) if profile_id in after else None)
        if not is_empty(change):
            changes[profile_id] = change
    return changes


def review(changes, scopes, named=5):
    """What a task reports of ``changes`` (:func:`profiles_changes`): ``(summary, section, warnings)``.

    ``summary`` is one line for ``msg`` (``rights of editor: +2 rights, -0``, the first ``named``
    profiles, then how many more), ``section`` the readable text shown after the JSON diff, and
    ``warnings`` one sentence per profile that gains rights its restrictions do not limit.
    """
    if not changes:
        return None, None, []
    ids = sorted(changes)
    words = [summary(profile_id, changes[profile_id]) for profile_id in ids[:named]]
    if len(ids) > named:
        words.append('and %d more profiles' % (len(ids) - named))
    section = ''.join(render_change(profile_id, changes[profile_id], scopes) for profile_id in ids)
    warnings = []
    for profile_id in ids:
        unrestricted = changes[profile_id]['unrestricted']
        if unrestricted:
            warnings.append(
                'profile "%s" gains %s that its restrictedTo does not limit (%s): %s' % (
                    profile_id, _count(len(unrestricted)),
                    'actions that take no index pass any restriction, and index-level actions act on the whole '
                    'index even when the restriction names collections',
                    '; '.join(line.strip().lstrip('! ') for line in _lines('!', _tuples(unrestricted), scopes))))
    return 'rights of ' + '; '.join(words), section, warnings


# ------------------------------------------------------------------ expectations (kuzzle_rights_info)

def request_words(controller, action, index=None, collection=None):
    """'document:delete on shop/orders', 'index:delete on index shop', 'security:createUser without an index'."""
    return '%s:%s %s' % (controller, action, _target(index, collection))


def expectation_problems(expectations, scopes):
    """Messages for expectations (``(option, [{controller, action, index, collection}])`` pairs) that name an
    action Kuzzle does not have, or a collection without an index."""
    problems = []
    for option, items in expectations:
        for i, item in enumerate(items or ()):
            where = '%s[%d]' % (option, i)
            if (item['controller'], item['action']) not in scopes:
                problems.append('%s: Kuzzle has no action %s:%s' % (where, item['controller'], item['action']))
            if item.get('collection') and not item.get('index'):
                problems.append('%s: a collection needs its index' % where)
    return problems
