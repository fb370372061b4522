#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: kuzzle_storage
short_description: Converge a whole Kuzzle storage definition (indexes, collections, mappings, settings) in one task
description:
  - Makes the indexes and collections of O(indexes) exist with their mappings (and settings), in one task, idempotently.
  - "O(indexes) takes the body of Kuzzle's C(admin:loadMappings) as it is, C({index: {collection: mapping}}), so that
    the files written for it apply unchanged; a collection may also be given as C({mappings: ..., settings: ...}),
    the shape of the backend's C(app.import.mappings). An index given without collections (V({}) or no value) is
    created when missing (C(admin:loadMappings) skips it)."
  - "Mappings are compared and merged as M(community.kuzzle.kuzzle_collection) does: additively, the way Elasticsearch
    merges them. Settings: only the keys given."
  - Unlike C(admin:loadMappings), which writes every mapping again, stops at the first failure and names no collection,
    the module reads first (one request for the list of indexes, one per index for its collections, one per existing
    collection for its mapping, and one more for its settings when the definition gives some), writes only what
    differs, and refuses the whole task B(before any write), in check mode too, when Elasticsearch would refuse a
    change (a retyped field, a final setting), listing every such change with its collection.
  - "Nothing is ever deleted: an index or collection that the definition does not list is left as it is. Deleting data
    is always an explicit C(state=absent) of M(community.kuzzle.kuzzle_collection) or M(community.kuzzle.kuzzle_index)."
  - M(community.kuzzle.kuzzle_storage_info) exports a Kuzzle's indexes and collections in this very shape.
version_added: 0.2.0
author:
  - community.kuzzle contributors (@ansible-collections)
extends_documentation_fragment:
  - community.kuzzle._connection
  - community.kuzzle._connection.actiongroup
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Reads, decides everything (what to create, what to update, what Elasticsearch would refuse) and writes nothing.
  diff_mode:
    support: full
    details: One diff per index or collection that changes, the same in check mode and in real runs.
options:
  indexes:
    description:
      - "The storage definition: C({index: {collection: mapping}}), each mapping as M(community.kuzzle.kuzzle_collection)'s
        O(community.kuzzle.kuzzle_collection#module:mappings) takes it, or C({mappings: ..., settings: ...})."
    type: dict
    required: true
notes:
  - Several hosts may run the task at the same time on one Kuzzle. An index without collections that another client
    created between the read and the write is not a change of the task (nor a failure); collections are created as
    M(community.kuzzle.kuzzle_collection) creates them.
  - Validation specifications are not part of this shape; M(community.kuzzle.kuzzle_collection) manages them.
  - When a write fails halfway (Kuzzle or Elasticsearch refusing something the module could not foresee), the task fails
    with RV(applied), the writes already made; running it again converges.
seealso:
  - module: community.kuzzle.kuzzle_storage_info
  - module: community.kuzzle.kuzzle_collection
  - module: community.kuzzle.kuzzle_index
  - name: Storage as code
    description: The guide of the storage modules.
    link: https://github.com/ansible-collections/community.kuzzle/blob/main/docs/docsite/rst/guide_storage.rst
"""

EXAMPLES = r"""
- name: The storage of the shop, from the file Kuzzle's admin:loadMappings takes
  community.kuzzle.kuzzle_storage:
    url: https://kuzzle.example.com
    token: "{{ kuzzle_api_key }}"
    indexes: "{{ lookup('ansible.builtin.file', 'mappings.json') | from_json }}"
  delegate_to: localhost

- name: Written in the playbook, with settings for one collection
  community.kuzzle.kuzzle_storage:
    indexes:
      shop:
        orders:
          dynamic: strict
          properties:
            ref:
              type: keyword
            total:
              type: float
        articles:
          settings:
            number_of_replicas: 0
          mappings:
            properties:
              title:
                type: text
      archive: {}
  delegate_to: localhost

- name: Export the storage of production
  community.kuzzle.kuzzle_storage_info:
    url: https://kuzzle.example.com
    token: "{{ kuzzle_api_key }}"
  delegate_to: localhost
  register: production

- name: Apply it to staging
  community.kuzzle.kuzzle_storage:
    url: https://staging.kuzzle.example.com
    token: "{{ staging_api_key }}"
    indexes: "{{ production.indexes }}"
  delegate_to: localhost
"""

RETURN = r"""
msg:
  description: What changed, or would change in check mode, counted.
  returned: always
  type: str
  sample: "indexes: 1 created, 1 unchanged; collections: 2 created, 1 updated, 4 unchanged"
counts:
  description: How many indexes and collections were created, updated or left unchanged.
  returned: success
  type: dict
  sample:
    indexes:
      created: 1
      unchanged: 1
    collections:
      created: 2
      updated: 1
      unchanged: 4
operations:
  description: What was (or, in check mode, would be) done, one item per index or collection that changes, in order.
  returned: success
  type: list
  elements: dict
  contains:
    index:
      description: The index.
      type: str
    collection:
      description: The collection (absent for an index created without collections).
      type: str
    action:
      description: V(create) or V(update).
      type: str
    msg:
      description: What changes, in a few words.
      type: str
  sample:
    - index: shop
      collection: orders
      action: update
      msg: "collection shop/orders: field total added"
applied:
  description: The operations written before the failure of a write (the same items as RV(operations)).
  returned: failure, after a write
  type: list
  elements: dict
  sample: []
error_id:
  description:
    - The error id of the refusal the task failed on. When RV(msg) starts with C(Nothing written:) and says C(Kuzzle would
      refuse it), the module found that Elasticsearch would refuse a change (V(services.storage.unexpected_bad_request))
      and sent nothing; absent when only the definition is wrong.
  returned: failure
  type: str
  sample: services.storage.unexpected_bad_request
status:
  description: The HTTP status that goes with RV(error_id), answered by Kuzzle or that Kuzzle would answer.
  returned: failure
  type: int
  sample: 400
"""

from ansible_collections.community.kuzzle.plugins.module_utils._connection import fail_kuzzle, kuzzle_client, kuzzle_module
from ansible_collections.community.kuzzle.plugins.module_utils._errors import KuzzleError
from ansible_collections.community.kuzzle.plugins.module_utils import _collections, _report, _storage

INTERNAL_INDEX = 'kuzzle'


def definition_of(module):
    definition = module.params['indexes']
    problems = _storage.definition_problems(definition, where='indexes')
    if INTERNAL_INDEX in definition:
        problems.append('indexes: "%s" is Kuzzle\'s own internal index, not a public one' % INTERNAL_INDEX)
    if problems:
        module.fail_json(msg='Invalid storage definition: %s' % '; '.join(problems), changed=False)
    return _storage.normalize_definition(definition)


def read_current(client, definition):
    """{index: {collection: canonical before}} for the indexes of the definition that exist (collections that
    exist only), reading settings only where the definition gives some."""
    existing = set(_collections.list_indexes(client))
    current = {}
    for index in sorted(definition):
        if index not in existing:
            continue
        stored = set(_collections.list_collections(client, index))
        current[index] = {}
        for collection in sorted(set(definition[index]) & stored):
            settings = definition[index][collection]['settings']
            keys = sorted(_storage.flatten_settings(settings)) if settings else ()
            before = _collections.read_collection(client, index, collection, keys)
            if before:
                current[index][collection] = before
    return current


def plan(definition, current):
    """(operations, counts, refusals): what to write, in order, as dicts with the before and after they come from."""
    operations, refusals = [], []
    counts = {'indexes': {'created': 0, 'unchanged': 0}, 'collections': {'created': 0, 'updated': 0, 'unchanged': 0}}
    for index in sorted(definition):
        collections = definition[index]
        existed = index in current
        counts['indexes']['unchanged' if existed else 'created'] += 1
        if not existed and not collections:
            operations.append({'index': index, 'action': 'create', 'msg': _storage.summarize_index(index, False, True),
                               'before': {}, 'after': {'collections': []}})
        for n, collection in enumerate(sorted(collections)):
            wanted = collections[collection]
            before = current.get(index, {}).get(collection, {})
            after, found = _collections.plan_collection(index, collection, before, wanted['mappings'], wanted['settings'], None)
            if found:
                refusals.append(_collections.refusal(index, collection, found))
                continue
            if before == after:
                counts['collections']['unchanged'] += 1
                continue
            counts['collections']['updated' if before else 'created'] += 1
            msg = _storage.summarize_collection('%s/%s' % (index, collection), before, after)
            if not existed and n == 0:
                msg += '; index %s created' % index
            operations.append({'index': index, 'collection': collection, 'action': 'update' if before else 'create',
                               'msg': msg, 'before': before, 'after': after})
    return operations, counts, refusals


def summary(counts):
    parts = []
    for kind in ('indexes', 'collections'):
        counted = ['%d %s' % (number, what) for what, number in counts[kind].items() if number]
        parts.append('%s: %s' % (kind, ', '.join(counted) if counted else 'none'))
    return '; '.join(parts)


def public(operation):
    return dict((key, value) for key, value in operation.items() if key not in ('before', 'after'))


def report(module, result, operations, counts):
    result.update(changed=bool(operations), msg=summary(counts), counts=counts, operations=[public(op) for op in operations])
    if module._diff:
        result['diff'] = [_report.build_diff('collection' if 'collection' in op else 'index',
                                             '%s/%s' % (op['index'], op['collection']) if 'collection' in op else op['index'],
                                             op['before'], op['after']) for op in operations]


def apply_plan(module, client, operations):
    """Write the operations, in order; the ones another client made first (an index created meanwhile), which are
    then not changes of this task."""
    applied, made_by_others = [], []
    failure = None
    try:
        for op in operations:
            if 'collection' in op:
                _collections.write_collection(client, op['index'], op['collection'], op['before'], op['after'], [])
            elif not _collections.write_index(client, op['index'], True):
                made_by_others.append(op)
                continue
            applied.append(public(op))
    except KuzzleError as err:
        failure = err
    if failure:  # outside the except block: see fail_kuzzle
        fail_kuzzle(module, failure, changed=bool(applied), applied=applied)
    return made_by_others


def main():
    module = kuzzle_module(dict(indexes=dict(type='dict', required=True)))
    definition = definition_of(module)
    result = dict(changed=False)
    failure = None
    try:
        with kuzzle_client(module) as client:
            operations, counts, refusals = plan(definition, read_current(client, definition))
            if refusals:
                module.fail_json(msg='Nothing written: %s' % '; '.join(refusal.phrase() for refusal in refusals), changed=False,
                                 error_id=refusals[0].error_id, status=refusals[0].status)
            report(module, result, operations, counts)
            if operations and not module.check_mode:
                made_by_others = apply_plan(module, client, operations)
                if made_by_others:
                    # another client (a fork of the same play, another node) created these indexes since the read:
                    # the state the task wants, not a change of this task
                    counts['indexes']['created'] -= len(made_by_others)
                    counts['indexes']['unchanged'] += len(made_by_others)
                    report(module, result, [op for op in operations if op not in made_by_others], counts)
    except KuzzleError as err:
        failure = err
    if failure:  # outside the except block: see fail_kuzzle
        fail_kuzzle(module, failure, changed=False, applied=[])
    module.exit_json(**result)


if __name__ == '__main__':
    main()
