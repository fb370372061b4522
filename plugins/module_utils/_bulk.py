# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""Converging a whole security definition, in Kuzzle's admin:loadSecurities shape: the plan. No I/O.

For internal use of the community.kuzzle collection only: no compatibility promise.

A definition is ``{'roles': {id: body}, 'profiles': {id: body}, 'users': {id: body}}``, each kind
optional. Each kind has an adapter that reuses the normaliser of its single-object module, so an
object converged here compares exactly as its own module would compare it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import fnmatch

from ansible_collections.community.kuzzle.plugins.module_utils import _profile, _role, _tags, _user
from ansible_collections.community.kuzzle.plugins.module_utils._api import OBJECT_ACTIONS
from ansible_collections.community.kuzzle.plugins.module_utils._ids import KIND_NAMES

# Writes go in this order (a profile needs its roles, a user its profiles); deletions in reverse.
KINDS = ('roles', 'profiles', 'users')
# Which kind refers to which, and where a stored object names what it refers to (for searches).
DEPENDENT_KIND = {'roles': 'profiles', 'profiles': 'users'}
REFERENCE_FIELD = {'profiles': 'policies.roleId', 'users': 'profileIds'}


class Operation:
    """One write of the plan: create, update or delete one object."""

    def __init__(self, kind, object_id, action, before, after, body=None):
        self.kind = kind
        self.id = object_id
        self.action = action
        self.before = before
        self.after = after
        self.body = body

    def describe(self):
        return '%s %s "%s"' % (self.action, KIND_NAMES[self.kind], self.id)

    def as_dict(self):
        return {'kind': self.kind, 'id': self.id, 'action': self.action}


class Adapter:
    """What the plan needs to know of a kind; each kind reuses the normaliser of its own module.

    ``extra`` is what the module read besides the stored object (for users: the stored username and
    whether the task's password differs); kinds that need nothing more ignore it.
    """

    kind = None
    reserved = ()
    depends_on = None
    normalize = None  # the kind's normaliser of a stored _source (staticmethod)
    body_shapes_canonical = False  # whether canonical() depends on the definition's body (users: the content keys)

    @classmethod
    def canonical(cls, source, body=None, extra=None):
        return cls.normalize(source)

    @classmethod
    def export(cls, source):
        """The body that kuzzle_security would keep unchanged: the canonical object."""
        return cls.canonical(source)

    @classmethod
    def requests(cls, op, body, supports):
        """The Kuzzle requests of one operation: (action, route params, request body, what it does).

        ``supports``: whether Kuzzle has a capability (KuzzleClient.supports), for the kinds whose writes
        differ between versions."""
        return [(OBJECT_ACTIONS[cls.kind][op.action], {'_id': op.id}, op.body, op.describe())]


class ProfileAdapter(Adapter):
    """Profiles: policies and rateLimit compared as kuzzle_profile compares them (purge_policies=true)."""

    kind = 'profiles'
    reserved = _profile.RESERVED_PROFILES
    depends_on = 'roles'
    normalize = staticmethod(_profile.normalize_profile)

    @staticmethod
    def problems(object_id, body):
        problems = _profile.definition_problems(body)
        if not problems and object_id == 'anonymous' and 'anonymous' not in [p['roleId'] for p in body['policies']]:
            problems.append('the anonymous profile must keep the role "anonymous" (Kuzzle refuses it otherwise)')
        return problems

    @staticmethod
    def desired(before, body, extra=None):
        # rateLimit omitted leaves the stored one, as kuzzle_profile does
        return _profile.desired_profile(before, body['policies'], True, body.get('rateLimit'), body.get('tags'))

    @staticmethod
    def write_body(source, before, after, body):
        return _profile.in_given_order(_profile.write_body(before, after, body.get('rateLimit') is not None), body['policies'])

    @staticmethod
    def references(after):
        return _profile.role_ids(after)


class RoleAdapter(Adapter):
    """Roles: the whole role is its controllers, compared as kuzzle_role compares them."""

    kind = 'roles'
    reserved = _role.RESERVED_ROLES
    depends_on = None
    normalize = staticmethod(_role.normalize_role)

    @staticmethod
    def problems(object_id, body):
        if not isinstance(body, dict):
            return ['must be a dict with controllers']
        problems = ['key "%s" is not managed (only controllers and tags)' % key for key in sorted(body) if key not in ('controllers', 'tags')]
        problems.extend(_role.controllers_problems(body.get('controllers')))
        problems.extend(_tags.problems(body.get('tags')))
        if not problems:
            problems.extend(filter(None, [_role.login_problem(object_id, body['controllers'])]))
        return problems

    @staticmethod
    def desired(before, body, extra=None):
        return _role.desired_role(body['controllers'], body.get('tags'), before)

    @staticmethod
    def write_body(source, before, after, body):
        # updateRole replaces the whole role: send back the keys it does not manage
        return _role.write_body(source, after)

    @staticmethod
    def references(after):
        return []

    @classmethod
    def requests(cls, op, body, supports):
        if op.action == 'delete':
            return super(RoleAdapter, cls).requests(op, body, supports)
        action = _role.write_action(op.action == 'create', supports('role_update_replaces'))
        return [(action, {'_id': op.id}, op.body, op.describe())]


class UserAdapter(Adapter):
    """Users: profileIds, the content keys the definition gives and, when it gives credentials, the local
    username, compared as kuzzle_user compares them (purge_profile_ids=true). Passwords never enter the
    plan: placeholders stand for them, and the real one is only put in the request that sends it."""

    kind = 'users'
    reserved = _user.BUILT_IN_USERS
    depends_on = 'profiles'
    body_shapes_canonical = True

    @staticmethod
    def problems(object_id, body):
        if object_id in _user.BUILT_IN_USERS:
            return ['the anonymous user is built into Kuzzle and cannot be managed']
        if not isinstance(body, dict) or not isinstance(body.get('content'), dict):
            return ['must be a dict with content (with profileIds) and, optionally, credentials']
        problems = ['key "%s" is not managed (only content and credentials)' % key for key in sorted(body) if key not in ('content', 'credentials')]
        content = body['content']
        profile_ids = content.get('profileIds')
        if not isinstance(profile_ids, list):
            problems.append('content.profileIds must be a list of profile ids')
        else:
            problems.extend(_user.profile_ids_problems(profile_ids, True))
        problems.extend(_user.content_problems(dict((k, v) for k, v in content.items() if k != 'profileIds')))
        credentials = body.get('credentials')
        if credentials is not None:
            local = credentials.get(_user.STRATEGY) if isinstance(credentials, dict) else None
            if not isinstance(credentials, dict) or set(credentials) != {_user.STRATEGY} or not isinstance(local, dict):
                problems.append('credentials must be {local: {username, password}} (only the local strategy is managed)')
            else:
                problems.extend('credentials.local.%s is not managed (only username and password)' % key
                                for key in sorted(local) if key not in ('username', 'password'))
                problems.extend('credentials.local.%s must be a non-empty string' % key for key in ('username', 'password')
                                if key in local and (not isinstance(local[key], str) or not local[key].strip()))
        return problems

    @staticmethod
    def local(body):
        """The local credentials of a definition body, {} when it gives none."""
        return ((body or {}).get('credentials') or {}).get(_user.STRATEGY) or {}

    @staticmethod
    def canonical(source, body=None, extra=None):
        if body is None:  # not in the definition (purged): everything it holds
            return _user.normalize_user(source, sorted(_user.stored_content(source or {})))
        content_keys = sorted(k for k in body['content'] if k != 'profileIds')
        username = (extra or {}).get('username') if body.get('credentials') is not None else _user.NOT_MANAGED
        return _user.normalize_user(source, content_keys, username)

    @classmethod
    def desired(cls, before, body, extra=None):
        content = dict((k, v) for k, v in body['content'].items() if k != 'profileIds')
        local = cls.local(body)
        password = None
        if local.get('password') is not None:
            if not before or _user.stored_username(before) is None:
                password = _user.PASSWORD_SET
            elif (extra or {}).get('password_differs'):
                password = _user.PASSWORD_CHANGED
        return _user.desired_user(before, body['content']['profileIds'], True, content, local.get('username'), password)

    @staticmethod
    def write_body(source, before, after, body):
        return _user.write_body(before, after)  # a new user's password goes in at the last moment (requests)

    @staticmethod
    def references(after):
        return list(after.get('profileIds', ()))

    @staticmethod
    def export(source):
        return {'content': dict(_user.stored_content(source), profileIds=_user.normalize_profile_ids(source.get('profileIds')))}

    @classmethod
    def requests(cls, op, body, supports):
        password = cls.local(body).get('password')
        if op.action == 'create':
            return [('security:createUser', {'_id': op.id}, _user.create_body(op.after, password), op.describe())]
        if op.action == 'delete':
            return super(UserAdapter, cls).requests(op, body, supports)
        calls = super(UserAdapter, cls).requests(op, body, supports) if op.body else []
        action, credentials = _user.credentials_write(op.before, op.after, password)
        if action:
            calls.append((_user.CREDENTIALS_ACTIONS[action], {'strategy': _user.STRATEGY, '_id': op.id}, credentials,
                          '%s the %s credentials of user "%s"' % (action, _user.STRATEGY, op.id)))
        return calls


ADAPTERS = {'profiles': ProfileAdapter, 'roles': RoleAdapter, 'users': UserAdapter}


def as_loaded(kind, objects):
    """``(objects, problem)``: a kind of a definition as kuzzle_security takes it, from what the task gives.

    Files of kourou (Kuzzle's CLI: ``role:export``, ``profile:export``, ``user:export``) wrap the objects as
    ``{"type": KIND, "content": {id: body}}``: they are unwrapped when ``type`` is the kind (a role or profile body
    is a dict, never a string, so no real definition has that shape), and refused, naming the problem, when it is
    another kind. Users' ``credentials`` that are empty or null (kourou's ``user:export`` writes ``{}`` for every
    user) mean "not managed", as when the key is absent.
    """
    if isinstance(objects, dict) and set(objects) == {'type', 'content'} and isinstance(objects['type'], str):
        if objects['type'] != kind:
            return objects, ('%s is a kourou export of %s ({"type": "%s", "content": ...}): give it as %s'
                             % (kind, objects['type'], objects['type'], objects['type']))
        objects = objects['content']
        if not isinstance(objects, dict):
            return objects, '%s: the content of a kourou export must be a dict of %s by id' % (kind, kind)
    if kind == 'users' and isinstance(objects, dict):
        objects = dict((kuid, _managed_keys(body)) for kuid, body in objects.items())
    return objects, None


def _managed_keys(body):
    """A user body without empty or null credentials (not managed)."""
    if not isinstance(body, dict):
        return body
    return dict((key, value) for key, value in body.items() if key != 'credentials' or value)


def definition_problems(definition, adapters=None):
    """Messages for every object whose body its kind would refuse, before any request."""
    adapters = adapters or ADAPTERS
    problems = []
    for kind in KINDS:
        for object_id, body in sorted((definition.get(kind) or {}).items()):
            problems.extend('%s "%s": %s' % (KIND_NAMES[kind], object_id, p) for p in adapters[kind].problems(object_id, body))
    return problems


def plan(definition, current, purge, adapters=None, extras=None, keep=None, canonical=None):
    """The writes that make Kuzzle hold ``definition``, in execution order, and what stays unchanged.

    ``current``: ``{kind: {id: stored _source}}`` for the kinds of the definition (every stored object of
    a kind that is purged). With ``purge``, stored objects of a given kind that the definition does not
    list are deleted, except the kind's reserved ones and ``keep`` ({kind: ids}). ``extras``: {kind: {id:
    extra}} for the adapters. Returns ``(operations, unchanged)`` where ``unchanged`` is ``{kind: count}``.
    ``canonical``: a dict that receives {kind: {id: canonical}} of the stored objects compared, for
    final_state (kinds whose canonical form does not depend on the definition's body only).
    """
    adapters = adapters or ADAPTERS
    writes, deletes, unchanged = [], [], {}
    for kind in KINDS:
        if kind not in definition:
            continue
        adapter, stored = adapters[kind], current.get(kind, {})
        unchanged[kind] = 0
        seen = canonical.setdefault(kind, {}) if canonical is not None and not adapter.body_shapes_canonical else {}
        for object_id in sorted(definition[kind]):
            body = definition[kind][object_id]
            source = stored.get(object_id)
            extra = (extras or {}).get(kind, {}).get(object_id)
            before = adapter.canonical(source, body, extra) if source is not None else {}
            if source is not None:
                seen[object_id] = before
            after = adapter.desired(before, body, extra)
            if source is None or before != after:
                writes.append(Operation(kind, object_id, 'update' if source is not None else 'create', before, after,
                                        adapter.write_body(source, before, after, body)))
            else:
                unchanged[kind] += 1
        if purge:
            for object_id in sorted(set(stored) - set(definition[kind]) - set(adapter.reserved) - set((keep or {}).get(kind, ()))):
                deletes.append(Operation(kind, object_id, 'delete', adapter.canonical(stored[object_id]), {}))
    # deletions after every write, users first: a profile in use or a role in use cannot go
    order = dict((kind, i) for i, kind in enumerate(reversed(KINDS)))
    deletes.sort(key=lambda op: order[op.kind])
    return writes + deletes, unchanged


def purge_excluded(definition, current, exclude):
    """{kind: sorted ids} of the stored objects that a purge would delete but that ``exclude`` keeps.

    ``exclude`` is {kind: [id or shell-style pattern (fnmatch: ``*``, ``?``, ``[...]``), case-sensitive]}; only the
    kinds of the definition count (the others are never purged), and objects the definition lists are not
    "excluded": the definition manages them."""
    found = {}
    for kind, patterns in sorted((exclude or {}).items()):
        if kind not in definition or not patterns:
            continue
        ids = sorted(object_id for object_id in set(current.get(kind, {})) - set(definition[kind])
                     if any(fnmatch.fnmatchcase(object_id, pattern) for pattern in patterns))
        if ids:
            found[kind] = ids
    return found


def final_state(definition, current, operations, adapters=None, canonical=None):
    """{kind: {id: canonical}} for the kinds of the definition once the plan is applied.

    Without purge only the listed objects were read, so a kind's state holds those alone. ``canonical``: the
    canonical forms plan() already made ({kind: {id: canonical}}), not made again."""
    adapters = adapters or ADAPTERS
    known = canonical or {}
    state = {}
    for kind in definition:
        made = known.get(kind, {})
        state[kind] = dict((object_id, made[object_id] if object_id in made else adapters[kind].canonical(source))
                           for object_id, source in current.get(kind, {}).items())
    for op in operations:
        if op.action == 'delete':
            del state[op.kind][op.id]
        else:
            state[op.kind][op.id] = op.after
    return state


def unresolved_references(state, purge, operations, adapters=None):
    """References the final state cannot resolve by itself.

    Returns ``(dangling, to_check)``: ``dangling`` is {target kind: {id: [(kind, id) referring to it]}}
    for targets that will not exist (their kind is purged and the definition does not keep them);
    ``to_check`` is {target kind: set of ids} that Kuzzle must hold already (their kind is not part of
    the definition, or was only read for the listed ids). Only the objects the plan writes need that
    check: Kuzzle refused to store the others with a missing reference, and refuses to delete what
    they use."""
    adapters = adapters or ADAPTERS
    written = set((op.kind, op.id) for op in operations if op.action != 'delete')
    dangling, to_check = {}, {}
    for kind, objects in state.items():
        target = adapters[kind].depends_on
        for object_id, canonical in objects.items():
            for ref in adapters[kind].references(canonical):
                if target in state and ref in state[target]:
                    continue
                if target in state and purge:
                    dangling.setdefault(target, {}).setdefault(ref, []).append((kind, object_id))
                elif (kind, object_id) in written:
                    to_check.setdefault(target, set()).add(ref)
    return dangling, to_check


def deleted_ids(operations):
    """{kind: sorted ids} the plan deletes."""
    deleted = {}
    for op in operations:
        if op.action == 'delete':
            deleted.setdefault(op.kind, []).append(op.id)
    return deleted


def counts(operations, unchanged):
    """{kind: {created, updated, deleted, unchanged}} for each kind of the definition."""
    result = dict((kind, {'created': 0, 'updated': 0, 'deleted': 0, 'unchanged': unchanged[kind]})
                  for kind in KINDS if kind in unchanged)
    for op in operations:
        result[op.kind][op.action + 'd'] += 1
    return result


def summary(counted):
    """``3 profiles created, 2 updated, 1 deleted, 140 unchanged``, kind by kind."""
    return '; '.join('%d %s created, %d updated, %d deleted, %d unchanged' % (
        counted[kind]['created'], kind, counted[kind]['updated'], counted[kind]['deleted'], counted[kind]['unchanged'])
        for kind in KINDS if kind in counted)


SUMMARY_IDS = 20  # ids named per kind and action in the plan summary; the rest are counted
ACTION_WORDS = (('create', 'to create'), ('update', 'to update'), ('delete', 'to delete'))


def cut_ids(ids, shown=SUMMARY_IDS):
    """'"a", "b" ... and 3 more': the first ``shown`` ids, quoted, and how many others there are."""
    text = ', '.join('"%s"' % i for i in ids[:shown])
    return text + (' ... and %d more' % (len(ids) - shown) if len(ids) > shown else '')


def plan_summary(operations, counted, shown=SUMMARY_IDS):
    """The plan as a few lines for people: the counts per kind and action, then, per kind and action, the ids
    (``shown`` at most, then ``... and N more``). ``counted``: counts(). Readable whatever the plan's size: at
    most one line per kind, plus one per kind and action that has operations."""
    lines = ['kuzzle_security plan: ' + summary(counted)]
    for kind in KINDS:
        if kind not in counted:
            continue
        for action, words in ACTION_WORDS:
            ids = [op.id for op in operations if op.kind == kind and op.action == action]
            if ids:
                lines.append('  %s %s (%d): %s' % (kind, words, len(ids), cut_ids(ids, shown)))
    return '\n'.join(lines) + '\n'
