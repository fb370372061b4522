# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""Kuzzle security roles as data: validate, normalise, compare, summarise. No I/O.

For internal use of the community.kuzzle collection only: no compatibility promise.

The canonical form of a role holds only what this collection manages:
``{'controllers': {controller: {'actions': {action: bool}}}, 'tags': [...]}``, keys sorted, ``tags`` only when
the role has some (a set: _tags.py). Both the stored
role and the desired one go through it, and the same two canonical objects decide ``changed``,
feed the diff and the summary, in check mode and in real runs.

A role's rights are read literally: Kuzzle's updateRole replaces the whole role, so the desired
role is the whole ``controllers`` map of the task. An action set to ``false`` is kept and compared:
next to a ``*`` wildcard it denies what the wildcard would allow. Keys other than ``actions``
inside a controller have no effect on rights in Kuzzle; they are not compared and never written.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import difflib

from ansible_collections.community.kuzzle.plugins.module_utils import _tags
from ansible_collections.community.kuzzle.plugins.module_utils._report import plural, stored_view, summary

RESERVED_ROLES = ('admin', 'default', 'anonymous')

WILDCARD = '*'

# Kuzzle 2.x's native API controllers. Kuzzle refuses an unknown action of these even with its force flag;
# force only lets unknown plugin controllers and actions through (pinned against a real Kuzzle by
# tests/contract/test_roles_users.py::test_force_lets_only_plugin_controllers_through).
NATIVE_CONTROLLERS = frozenset(('admin', 'auth', 'bulk', 'cluster', 'collection', 'debug', 'document', 'index',
                                'memoryStorage', 'ms', 'realtime', 'security', 'server'))


def controllers_problems(controllers):
    """Client-side checks of a role's controllers for what Kuzzle would reject; a list of messages."""
    if not isinstance(controllers, dict) or not controllers:
        return ['controllers must be a non-empty dict of controller: {actions: {action: true or false}}']
    problems = []
    for controller in sorted(controllers, key=str):
        rights = controllers[controller]
        where = 'controllers[%s]' % controller
        if not isinstance(controller, str) or not controller.strip():
            problems.append('%s: a controller name must be a non-empty string' % where)
            continue
        if not isinstance(rights, dict) or set(rights) != {'actions'}:
            problems.append('%s must be {actions: {action: true or false}}, with no other key' % where)
            continue
        actions = rights['actions']
        if not isinstance(actions, dict) or not actions:
            problems.append('%s.actions must be a non-empty dict of action: true or false' % where)
            continue
        for action in sorted(actions, key=str):
            if not isinstance(action, str) or not action.strip():
                problems.append('%s.actions: an action name must be a non-empty string' % where)
            elif not isinstance(actions[action], bool):
                problems.append('%s.actions[%s] must be true or false, got %r' % (where, action, actions[action]))
    return problems


def normalize_controllers(controllers):
    """Canonical, sorted copy of a role's controllers; {} for anything that is not a dict.

    Tolerates whatever is stored (roles written by older Kuzzle versions or straight into
    Elasticsearch): only the ``actions`` map of each controller is kept, values as they are.
    """
    if not isinstance(controllers, dict):
        return {}
    result = {}
    for controller in sorted(controllers, key=str):
        rights = controllers[controller]
        actions = rights.get('actions') if isinstance(rights, dict) else None
        if isinstance(actions, dict):
            actions = dict((action, actions[action]) for action in sorted(actions, key=str))
        result[controller] = {'actions': actions}
    return result


def normalize_role(source):
    """Canonical form of a stored role's ``_source``; {} when the role is absent (None)."""
    if source is None:
        return {}
    return _tags.put({'controllers': normalize_controllers(source.get('controllers'))}, source.get(_tags.KEY))


def desired_role(controllers, tags=None, before=None):
    """Canonical desired role: the task's controllers (updateRole replaces the whole role), and its ``tags``, or,
    when it gives none (None), those of ``before`` (the canonical stored role)."""
    return _tags.put({'controllers': normalize_controllers(controllers)},
                     (before or {}).get(_tags.KEY) if tags is None else tags)


def write_body(source, after):
    """The body of a create or whole-role update, which is also what Kuzzle stores (check mode).

    Top-level keys of the stored role other than ``controllers`` and ``tags`` (a description...) are not
    managed but sent back, so that the whole-role replacement keeps them; ``tags`` are the desired ones.
    """
    body = dict((key, value) for key, value in stored_view(source).items() if key not in ('controllers', _tags.KEY))
    body['controllers'] = after['controllers']
    if after.get(_tags.KEY):
        body[_tags.KEY] = list(after[_tags.KEY])
    return body


def write_action(create, update_replaces=True):
    """The Kuzzle action that writes write_body(): createRole, or the one that replaces the whole stored role.

    ``update_replaces``: Kuzzle's updateRole replaces the whole role (capability ``role_update_replaces``).
    Where it is a partial update that merges controllers (1.x), it could never remove a right, so the role
    is replaced with createOrReplaceRole instead.
    """
    if create:
        return 'security:createRole'
    return 'security:updateRole' if update_replaces else 'security:createOrReplaceRole'


def role_to_params(name, source):
    """A stored role as the options of a kuzzle_role task that keeps it as it is."""
    return _tags.put({'name': name, 'controllers': normalize_controllers((source or {}).get('controllers'))},
                     (source or {}).get(_tags.KEY))


def _rights_for(controllers, name):
    """The actions map Kuzzle applies to controller ``name``, or None: the controller's own, else the ``*`` one."""
    if name in controllers:
        rights = controllers[name]
    elif WILDCARD in controllers:
        rights = controllers[WILDCARD]
    else:
        return None
    return rights.get('actions') if isinstance(rights, dict) else None


def allows(controllers, controller, action):
    """Whether a role with these controllers allows ``controller:action``, as Kuzzle decides it.

    The most specific entry wins: a controller listed by name hides the ``*`` controller, an action
    listed by name hides the ``*`` action, and only ``true`` allows.
    """
    actions = _rights_for(controllers or {}, controller)
    if not isinstance(actions, dict):
        return False
    value = actions[action] if action in actions else actions.get(WILDCARD)
    return value is True


def login_problem(name, controllers):
    """Why the role cannot be stored with these controllers because of the login rule, or None.

    Everyone logs in through the anonymous user, so its role must allow auth:login. Kuzzle refuses
    a change that removes it (security.role.login_required), but only looks for a true ``login`` or
    ``*`` action under ``auth`` or ``*``; this checks the right itself, so it also catches an
    ``auth: {actions: {login: false}}`` next to ``*`` wildcards, which Kuzzle accepts and which
    would stop every login.
    """
    if name != 'anonymous' or allows(controllers, 'auth', 'login'):
        return None
    return ('the anonymous role must allow auth:login, or nobody could log in any more '
            '(Kuzzle refuses it: security.role.login_required)')


def _did_you_mean(word, choices):
    close = difflib.get_close_matches(word, sorted(choices), n=1)
    return '; did you mean "%s"?' % close[0] if close else ''


def unknown_rights(controllers, api, force=False):
    """(error id, message) for the first right Kuzzle 2.x would refuse, or None.

    ``api`` is Kuzzle's list of controllers and their actions (server:publicApi): native, plugin
    and application controllers. Like Kuzzle, ``force`` lets unknown plugin controllers and their
    unknown actions through, never an unknown action of a native controller, and a ``*``
    controller only takes the ``*`` action. Unlike Kuzzle 2.56, which stops looking for unknown
    plugin controllers at the first native one in body order, every controller is checked.
    """
    for controller in sorted(controllers):
        actions = sorted((controllers[controller] or {}).get('actions') or {})
        if controller == WILDCARD:
            for action in actions:
                if action != WILDCARD:
                    return ('security.role.unknown_action',
                            'the "*" controller takes only the "*" action, not "%s"' % action)
            continue
        if controller not in api:
            if force:
                continue
            return ('security.role.unknown_controller',
                    'Kuzzle has no controller "%s"%s (set force=true for the controller of a plugin '
                    'that is not loaded yet)' % (controller, _did_you_mean(controller, api)))
        if force and controller not in NATIVE_CONTROLLERS:
            continue
        for action in actions:
            if action != WILDCARD and action not in (api[controller] or {}):
                return ('security.role.unknown_action',
                        'controller "%s" has no action "%s"%s' % (
                            controller, action, _did_you_mean(action, api[controller] or {})))
    return None


def _value_words(value):
    if value is True:
        return 'allowed'
    if value is False:
        return 'denied'
    return 'set to %r' % (value,)


def _action_phrases(old, new):
    """Phrases for the changes from one actions map to another, grouped by what happened."""
    old, new = old if isinstance(old, dict) else {}, new if isinstance(new, dict) else {}
    groups = {}
    for action in sorted(set(old) | set(new)):
        if action not in new:
            groups.setdefault('removed', []).append(action)
        elif action not in old or old[action] != new[action]:
            groups.setdefault(_value_words(new[action]), []).append(action)
    order = sorted(groups, key=lambda words: (words != 'allowed', words != 'denied', words != 'removed', words))
    return ['%s %s' % (plural('action', groups[words]), words) for words in order]


def _change_phrases(before, after):
    old, new = before['controllers'], after['controllers']
    phrases = []
    for controller in sorted(set(old) | set(new)):
        if controller not in new:
            phrases.append('controller %s removed' % controller)
            continue
        changes = _action_phrases(old.get(controller, {}).get('actions'), new[controller].get('actions'))
        if controller not in old:
            phrases.append('controller %s added: %s' % (controller, '; '.join(changes)))
        elif changes:
            phrases.append('controller %s: %s' % (controller, '; '.join(changes)))
    return phrases + _tags.phrases(before, after)


def summarize(name, before, after):
    """A short plain-language account of the change from ``before`` to ``after`` (canonical forms)."""
    return summary('role', name, before, after, lambda role: plural('controller', list(role['controllers'])), _change_phrases)
