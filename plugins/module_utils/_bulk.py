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

from ansible_collections.community.kuzzle.plugins.module_utils import _profile, _report, _role

# Writes go in this order (a profile needs its roles, a user its profiles); deletions in reverse.
KINDS = ('roles', 'profiles', 'users')
NOUNS = {'roles': 'role', 'profiles': 'profile', 'users': 'user'}
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
        return '%s %s "%s"' % (self.action, NOUNS[self.kind], self.id)

    def as_dict(self):
        return {'kind': self.kind, 'id': self.id, 'action': self.action}


class ProfileAdapter:
    """Profiles: policies and rateLimit compared as kuzzle_profile compares them (purge_policies=true)."""

    kind = 'profiles'
    reserved = _profile.RESERVED_PROFILES
    depends_on = 'roles'

    @staticmethod
    def problems(object_id, body):
        problems = _profile.definition_problems(body)
        if not problems and object_id == 'anonymous' and 'anonymous' not in [p['roleId'] for p in body['policies']]:
            problems.append('the anonymous profile must keep the role "anonymous" (Kuzzle refuses it otherwise)')
        return problems

    @staticmethod
    def canonical(source):
        return _profile.normalize_profile(source)

    @staticmethod
    def desired(before, body):
        # rateLimit omitted leaves the stored one, as kuzzle_profile does
        return _profile.desired_profile(before, body['policies'], True, body.get('rateLimit'))

    @staticmethod
    def create_body(after, body):
        created = {'policies': after['policies']}
        if body.get('rateLimit') is not None:
            created['rateLimit'] = after['rateLimit']
        return created

    @staticmethod
    def update_body(source, before, after):
        # updateProfile merges top-level keys: send only those that differ
        return _report.changed_keys(before, after)

    @staticmethod
    def references(after):
        return _profile.role_ids(after)

    @staticmethod
    def export(source):
        """The body that kuzzle_security would keep unchanged: the canonical profile."""
        return _profile.normalize_profile(source)


class RoleAdapter:
    """Roles: the whole role is its controllers, compared as kuzzle_role compares them."""

    kind = 'roles'
    reserved = _role.RESERVED_ROLES
    depends_on = None

    @staticmethod
    def problems(object_id, body):
        if not isinstance(body, dict):
            return ['must be a dict with controllers']
        problems = ['key "%s" is not managed (only controllers)' % key for key in sorted(body) if key != 'controllers']
        problems.extend(_role.controllers_problems(body.get('controllers')))
        if not problems:
            problems.extend(filter(None, [_role.login_problem(object_id, body['controllers'])]))
        return problems

    @staticmethod
    def canonical(source):
        return _role.normalize_role(source)

    @staticmethod
    def desired(before, body):
        return _role.desired_role(body['controllers'])

    @staticmethod
    def create_body(after, body):
        return {'controllers': after['controllers']}

    @staticmethod
    def update_body(source, before, after):
        # updateRole replaces the whole role: send back the keys it does not manage
        return _role.write_body(source, after)

    @staticmethod
    def references(after):
        return []

    @staticmethod
    def export(source):
        return _role.normalize_role(source)


ADAPTERS = {'profiles': ProfileAdapter, 'roles': RoleAdapter}


def definition_problems(definition, adapters=None):
    """Messages for every object whose body its kind would refuse, before any request."""
    adapters = adapters or ADAPTERS
    problems = []
    for kind in KINDS:
        for object_id, body in sorted((definition.get(kind) or {}).items()):
            problems.extend('%s "%s": %s' % (NOUNS[kind], object_id, p) for p in adapters[kind].problems(object_id, body))
    return problems


def plan(definition, current, purge, adapters=None):
    """The writes that make Kuzzle hold ``definition``, in execution order, and what stays unchanged.

    ``current``: ``{kind: {id: stored _source}}`` for the kinds of the definition (every stored object of
    a kind that is purged). With ``purge``, stored objects of a given kind that the definition does not
    list are deleted, except the kind's reserved ones. Returns ``(operations, unchanged)`` where
    ``unchanged`` is ``{kind: count}``.
    """
    adapters = adapters or ADAPTERS
    writes, deletes, unchanged = [], [], {}
    for kind in KINDS:
        if kind not in definition:
            continue
        adapter, stored = adapters[kind], current.get(kind, {})
        unchanged[kind] = 0
        for object_id in sorted(definition[kind]):
            body = definition[kind][object_id]
            source = stored.get(object_id)
            before = adapter.canonical(source) if source is not None else {}
            after = adapter.desired(before, body)
            if source is None:
                writes.append(Operation(kind, object_id, 'create', before, after, adapter.create_body(after, body)))
            elif before != after:
                writes.append(Operation(kind, object_id, 'update', before, after, adapter.update_body(source, before, after)))
            else:
                unchanged[kind] += 1
        if purge:
            for object_id in sorted(set(stored) - set(definition[kind]) - set(adapter.reserved)):
                deletes.append(Operation(kind, object_id, 'delete', adapter.canonical(stored[object_id]), {}))
    # deletions after every write, users first: a profile in use or a role in use cannot go
    order = dict((kind, i) for i, kind in enumerate(reversed(KINDS)))
    deletes.sort(key=lambda op: order[op.kind])
    return writes + deletes, unchanged


def final_state(definition, current, operations, adapters=None):
    """{kind: {id: canonical}} for the kinds of the definition once the plan is applied.

    Without purge only the listed objects were read, so a kind's state holds those alone."""
    adapters = adapters or ADAPTERS
    state = dict((kind, dict((object_id, adapters[kind].canonical(source)) for object_id, source in current.get(kind, {}).items()))
                 for kind in definition)
    for op in operations:
        if op.action == 'delete':
            del state[op.kind][op.id]
        else:
            state[op.kind][op.id] = op.after
    return state


def unresolved_references(state, purge, adapters=None):
    """References the final state cannot resolve by itself.

    Returns ``(dangling, to_check)``: ``dangling`` is {target kind: {id: [(kind, id) referring to it]}}
    for targets that will not exist (their kind is purged and the definition does not keep them);
    ``to_check`` is {target kind: set of ids} that Kuzzle must hold already (their kind is not part of
    the definition, or was only read for the listed ids)."""
    adapters = adapters or ADAPTERS
    dangling, to_check = {}, {}
    for kind, objects in state.items():
        target = adapters[kind].depends_on
        for object_id, canonical in objects.items():
            for ref in adapters[kind].references(canonical):
                if target in state and ref in state[target]:
                    continue
                if target in state and purge:
                    dangling.setdefault(target, {}).setdefault(ref, []).append((kind, object_id))
                else:
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
