# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""Applying a kuzzle_security plan (_bulk.plan): bounded concurrent writes, bulk deletes, exact failures.

For internal use of the community.kuzzle collection only: no compatibility promise.

The plan's operations are applied group by group, a group being the consecutive operations of one kind and
of one sort (writes, or deletions), in the plan's order: roles, profiles, users, then the deletions of users,
profiles, roles. A group is done before the next one starts, and ends with one security:refresh (Kuzzle's
in-use checks of deletions are searches, and a kind's writes may be needed by the next kind's).

- Writes (create, update) go through a pool of ``parallel`` threads, one request (or two for a user whose
  credentials change, in order) per operation. Once a write has failed, no new operation starts; the ones
  already sent finish, and each is reported as Kuzzle answered it.
- Deletions go in mDelete* requests of at most Kuzzle's write limit (limits.documentsWriteCount, read from
  server:capabilities where the task may, else Kuzzle's default of 200), and at most USER_CHUNK users, one
  after another. Kuzzle deletes every id of a request and answers 206 (services.storage.incomplete_delete)
  when some failed, with the ids it deleted: those are applied, the others were not
  (tests/contract/test_bulk_limits.py).

``apply`` returns ``Outcome``: ``applied`` (the operations Kuzzle accepted, in plan order), ``unknown`` (those
whose answer was lost: Kuzzle may or may not have applied them), ``raced`` (those another client made first, see
below), ``replaced`` ({plan index: the update sent instead of a create}) and ``errors`` (the KuzzleErrors, the first
known first). Nothing is written after a group with an error.

Several hosts may converge the same objects at once. When Kuzzle refuses a create because the object exists now
(_objects.ALREADY_EXISTS), ``reconcile(op)`` reads it again and decides: as asked, the operation is ``raced`` (nothing
written); different, the update it returns is sent instead (one more write). Ids that an mDelete* did not delete
are read again (``present(kind, ids)``): those gone are ``raced`` too, and only those still stored fail.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.community.kuzzle.plugins.module_utils import _bulk, _objects
from ansible_collections.community.kuzzle.plugins.module_utils._errors import UNKNOWN, KuzzleError

DEFAULT_WRITE_LIMIT = 200  # limits.documentsWriteCount of Kuzzle's default configuration (lib/config/default.config.ts)
# Kuzzle deletes the ids of one mDelete* all at once, and a user costs it far more than a role or a profile: its
# credentials, API keys and tokens go too, the tokens found by a scan of Redis's whole keyspace (userRepository.delete),
# so a request's time grows with its users and with what Kuzzle holds. Measured on our 2-core machines (Kuzzle 2.56,
# load average 2-6): 200 users took 1.2-2.4 s, and 5.0-7.5 s with 10,000 more users stored, near the default timeout of
# 10 s, which leaves the outcome of every id of the request unknown; 25 users took 0.75-1.5 s there. Sequential
# requests: concurrent ones share Kuzzle, each as long as one of all their ids (4 x 50: 0.9-2.5 s each, as 1 x 200).
USER_CHUNK = 25
MDELETE = {'roles': 'security:mDeleteRoles', 'profiles': 'security:mDeleteProfiles', 'users': 'security:mDeleteUsers'}
SHOWN_IDS = 10  # ids named in a message about a chunk


class Outcome:
    """What applying the plan did: see the module's docstring."""

    def __init__(self):
        self.applied = []
        self.unknown = []
        self.errors = []
        self.raced = []
        self.replaced = {}
        self._lock = threading.Lock()

    def add(self, where, index, entry):
        with self._lock:
            where.append((index, entry))

    def fail(self, err):
        with self._lock:
            self.errors.append(err)

    def report(self):
        """(applied, unknown) as lists of operation dicts, in plan order."""
        return in_order(self.applied), in_order(self.unknown)


def in_order(entries):
    return [entry for dummy, entry in sorted(entries, key=lambda x: x[0])]


def write_limit(client):
    """Kuzzle's limits.documentsWriteCount (server:capabilities), or DEFAULT_WRITE_LIMIT when the task may not
    read it (401, 403) or Kuzzle has no such action (404)."""
    try:
        limits = client.act('server:capabilities').get('limits')
    except KuzzleError as err:
        if err.status in (401, 403, 404):
            return DEFAULT_WRITE_LIMIT
        raise
    value = limits.get('documentsWriteCount') if isinstance(limits, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else DEFAULT_WRITE_LIMIT


def chunk_size(kind, limit):
    """How many ids of ``kind`` one mDelete* request carries, Kuzzle's write limit being ``limit``."""
    return min(limit, USER_CHUNK) if kind == 'users' else limit


def groups(operations):
    """[(kind, deleting, [(plan index, operation)...])] of consecutive operations of one kind and sort."""
    found = []
    for index, op in enumerate(operations):
        key = (op.kind, op.action == 'delete')
        if not found or found[-1][:2] != key:
            found.append(key + ([],))
        found[-1][2].append((index, op))
    return found


def _shown(ids):
    return ', '.join('"%s"' % i for i in ids[:SHOWN_IDS]) + (' and %d more' % (len(ids) - SHOWN_IDS) if len(ids) > SHOWN_IDS else '')


class Writer:
    """Applies one plan. ``query(op)``: the query string of a write; ``parallel``: the pool's size (1: one write
    at a time, in the calling thread); ``reconcile`` and ``present``: see the module's docstring (without them, an
    object another client created or deleted first fails as Kuzzle answered)."""

    def __init__(self, client, definition, query, parallel=1, reconcile=None, present=None):
        self.client = client
        self.definition = definition
        self.query = query
        self.parallel = max(int(parallel), 1)
        self.stop = threading.Event()
        self.outcome = Outcome()
        self.reconcile = reconcile
        self.present = present

    # -- writes -----------------------------------------------------------------------------------------

    def write_one(self, index, op, again=False):
        """Send the requests of one operation, unless a write already failed; record what Kuzzle answered.
        ``again``: the update sent after a create that another client made first (never reconciled twice)."""
        if self.stop.is_set():
            return
        body = self.definition.get(op.kind, {}).get(op.id)
        # the roles of a profile exist (written or checked before), but a cluster node may not know them yet
        send = _objects.role_cache_tolerant(self.client.act) if op.kind == 'profiles' else self.client.act
        for n, (action, route, request_body, doing) in enumerate(_bulk.ADAPTERS[op.kind].requests(op, body, self.client.supports)):
            try:
                send(action, query=self.query(op), body=request_body, doing=doing, **route)
            except KuzzleError as err:
                made = _objects.raced(err, op.action if not n else None)
                if made and not again and self.reconcile and self.settle(index, op, n > 0):
                    return
                self.stop.set()
                lost = err.outcome == UNKNOWN  # Kuzzle may or may not have applied it
                if n:  # a user was updated, its credentials were not (or may not have been)
                    self.outcome.add(self.outcome.unknown if lost else self.outcome.applied, index, dict(
                        op.as_dict(), partial='the user was updated, its credentials %s' % ('may or may not have been' if lost else 'were not')))
                elif lost:
                    self.outcome.add(self.outcome.unknown, index, op.as_dict())
                self.outcome.fail(err)
                return
        self.outcome.add(self.outcome.applied, index, op.as_dict())

    def settle(self, index, op, written=False):
        """After Kuzzle refused to create ``op``'s object (or a user's credentials) as existing: False when it does not
        exist (the refusal stands), else True once the object is found as asked or the update is sent (and recorded).
        ``written``: the operation's first request (a user's update) was applied before the refusal."""
        try:
            redo = self.reconcile(op)
        except KuzzleError as err:
            self.stop.set()
            self.outcome.fail(err)
            return True
        if redo is False:
            return False
        if redo is None:
            self.outcome.add(self.outcome.applied if written else self.outcome.raced, index, op.as_dict())
            return True
        with self.outcome._lock:
            self.outcome.replaced[index] = redo
        self.write_one(index, redo, again=True)
        return True

    def write_group(self, members):
        if self.parallel == 1 or len(members) == 1:
            for index, op in members:
                self.write_one(index, op)
            return
        with ThreadPoolExecutor(max_workers=min(self.parallel, len(members))) as pool:
            # list(): an exception that is not a KuzzleError (a bug) is raised here, after the pool is done
            list(pool.map(lambda member: self.write_one(*member), members))

    # -- deletions --------------------------------------------------------------------------------------

    def delete_group(self, kind, members, limit):
        size = chunk_size(kind, limit)
        for start in range(0, len(members), size):
            chunk = members[start:start + size]
            ids = [op.id for dummy, op in chunk]
            doing = 'delete %s %s' % (kind, _shown(ids))
            try:
                deleted = self.client.act(MDELETE[kind], body={'ids': ids}, query=self.query(chunk[0][1]), doing=doing)
            except KuzzleError as err:
                if err.outcome == UNKNOWN:
                    self.stop.set()
                    for index, op in chunk:
                        self.outcome.add(self.outcome.unknown, index, op.as_dict())
                    self.outcome.fail(err)
                    return
                done = set(err.result) if err.status == 206 and isinstance(err.result, list) else set()
                left = self.still_stored(kind, [i for i in ids if i not in done]) if err.status == 206 else set(ids)
                for index, op in chunk:
                    if op.id in done:
                        self.outcome.add(self.outcome.applied, index, op.as_dict())
                    elif op.id not in left:  # deleted by another client meanwhile
                        self.outcome.add(self.outcome.raced, index, op.as_dict())
                if not left:
                    continue
                self.stop.set()
                self.outcome.fail(incomplete(err, doing, [i for i in ids if i in left], len(done)) if err.status == 206 else err)
                return
            # 200: Kuzzle deleted every id (it answers 206 when one failed); it lists them in the order the deletes ended
            done = set(deleted) if isinstance(deleted, list) else set(ids)
            for index, op in chunk:
                self.outcome.add(self.outcome.applied if op.id in done else self.outcome.unknown, index, op.as_dict())

    def still_stored(self, kind, ids):
        """The ids Kuzzle did not delete that it still holds (all of them when they cannot be read again)."""
        if not ids or self.present is None:
            return set(ids)
        try:
            left = set(self.present(kind, ids))
            if left:  # another client may be deleting them still (a user: credentials first, then the user)
                time.sleep(_objects.DELETE_SETTLE)
                left = set(self.present(kind, sorted(left)))
            return left
        except KuzzleError:
            return set(ids)  # the refusal stands as Kuzzle gave it

    # -- the plan ---------------------------------------------------------------------------------------

    def apply(self, operations, refresh_after):
        """Apply every group in order; ``refresh_after(kind, last)``: the security:refresh to send after a group
        (``last``: no group follows), or nothing. Returns the Outcome."""
        plan = groups(operations)
        limit = write_limit(self.client) if any(deleting for dummy, deleting, dummy in plan) else None
        for number, (kind, deleting, members) in enumerate(plan):
            if deleting:
                self.delete_group(kind, members, limit)
            else:
                self.write_group(members)
            if self.stop.is_set():
                break
            refresh_after(kind, number == len(plan) - 1)
        return self.outcome


def incomplete(err, doing, refused, deleted):
    """A KuzzleError for a 206 of mDelete*: which ids were not deleted and Kuzzle's reasons. Kuzzle's errors
    cannot be matched to ids (some name none), so they are listed apart, each kind of error once with its count."""
    reasons = {}
    for error in err.errors or ():
        if isinstance(error, dict):
            key = '%s %s' % (error.get('status'), error.get('id'))
            reasons.setdefault(key, [0, error.get('message')])[0] += 1
    said = '; '.join('%s (%d): %s' % (key, count, message) if count > 1 else '%s: %s' % (key, message)
                     for key, (count, message) in sorted(reasons.items()))
    failure = KuzzleError(doing, status=err.status, error_id=err.error_id, kuzzle_action=err.kuzzle_action,
                          reason='Kuzzle answered %s %s: deleted %d, did not delete %s%s' % (
                              err.status, err.error_id, deleted, _shown(refused), ' (%s)' % said if said else ''))
    failure.result, failure.errors = err.result, err.errors
    return failure
