#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: kuzzle_collection
short_description: Create, update or delete a Kuzzle collection, its mapping, settings and validation specifications
description:
  - Makes one collection of a Kuzzle index match the task, idempotently, the way Elasticsearch merges mappings.
  - "The mapping is additive: the fields of the C(properties) of O(mappings) must be stored with the definition the task gives
    (only the parameters the task gives are compared; multi-fields and object properties are compared the same way),
    and fields stored but not in the task are not a change (dynamic mapping adds them, and Elasticsearch never removes
    a field). C(dynamic), C(_meta) and C(dynamic_templates) are compared only when the task gives them; C(_meta) and
    C(dynamic_templates) are then replaced whole, as Elasticsearch does."
  - A change that Elasticsearch refuses on an existing field (a new type, or a parameter such as C(index) or
    C(analyzer) that cannot change) is refused by the module B(before any write), in check mode too, naming the field,
    what is stored and what the task asks. The way to change it is a new collection with the new mapping, and a
    reindex of the documents into it.
  - Settings are compared key by key, only the keys the task gives. Kuzzle applies a settings change to an existing
    collection by closing its Elasticsearch index, updating it and reopening it, so static settings (C(analysis)...)
    change too, but the collection refuses reads and writes for that moment. Settings fixed at creation
    (C(number_of_shards), C(number_of_routing_shards), C(routing_partition_size), C(soft_deletes.enabled),
    C(sort.*)) are refused before any write when the task asks another value.
  - Unchanged, the task costs one request (C(collection:getMapping)), plus one for O(settings) and one for
    O(specifications) when given. A change writes only what differs.
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
    details: Reads the collection, checks what Elasticsearch and Kuzzle would refuse (the specifications with
      C(collection:validateSpecifications), which stores nothing), decides everything and writes nothing.
  diff_mode:
    support: full
    details: The diff shows the stored mapping (without Kuzzle's C(_kuzzle_info)), the settings the task gives and the
      specifications when managed, before and after; the same in check mode and in real runs.
options:
  index:
    description: The index of the collection.
    type: str
    required: true
  name:
    description:
      - 'The collection name (lowercase, at most 126 bytes, without spaces, backslashes or any of C(/ * ? " < > | , + # : . & %)).'
    type: str
    required: true
    aliases: [collection]
  state:
    description:
      - V(present) creates the collection or updates it; V(absent) deletes it B(with all its documents).
    type: str
    choices: [present, absent]
    default: present
  mappings:
    description:
      - "The mapping of the collection, as Kuzzle's C(collection:create) takes it: C(dynamic) (V(true), V(false) or
        V(strict)), C(_meta), C(properties), C(dynamic_templates)."
      - Field names with dots (C(address.city)) stand for object properties, as in Elasticsearch.
      - A collection created without C(dynamic) gets Kuzzle's default, V(false).
    type: dict
  settings:
    description:
      - "Index settings of the collection (C(number_of_replicas), C(refresh_interval), C(analysis)...), nested
        (C({analysis: {analyzer: ...}})) or with dotted keys, with or without the C(index.) prefix."
      - Only the keys given are compared and written.
      - Kuzzle gives a new collection its default number of replicas when asked for V(0), so the module then
        writes V(0) in a second request.
    type: dict
  specifications:
    description:
      - Kuzzle's validation specifications of the collection (C(strict), C(fields), C(validators)), replaced whole
        when they differ (C(collection:updateSpecifications)). V({}) removes them.
      - Not given, the specifications are not managed.
    type: dict
  create_index:
    description:
      - Create the index when it does not exist. With V(false), a missing index fails the task before any write.
    type: bool
    default: true
notes:
  - Kuzzle has no versions on mappings, so a change made by someone else between the read and the write of a task is
    merged by Elasticsearch, as any mapping update.
  - Deleting a collection deletes its documents; there is no undo. Check mode and C(--diff) show what would go.
  - Several hosts may run the task at the same time on one Kuzzle. Kuzzle creates a collection that another client
    created meanwhile as an update (so two hosts may both report the creation); a collection another client deleted
    between the read and the write leaves the task C(ok) and unchanged.
seealso:
  - module: community.kuzzle.kuzzle_index
  - module: community.kuzzle.kuzzle_storage
  - name: Storage as code
    description: The guide of the storage modules, with what Elasticsearch can and cannot change on a live index.
    link: https://github.com/ansible-collections/community.kuzzle/blob/main/docs/docsite/rst/guide_storage.rst
  - name: Kuzzle collection mappings
    description: What Kuzzle accepts in a mapping.
    link: https://docs.kuzzle.io/core/2/guides/main-concepts/data-storage/
"""

EXAMPLES = r"""
- name: Orders, searchable by reference and customer name
  community.kuzzle.kuzzle_collection:
    url: https://kuzzle.example.com
    token: "{{ kuzzle_api_key }}"
    index: shop
    name: orders
    mappings:
      dynamic: strict
      properties:
        ref:
          type: keyword
        customer:
          properties:
            name:
              type: text
              fields:
                raw:
                  type: keyword
        total:
          type: float
    settings:
      number_of_replicas: 1
  delegate_to: localhost

- name: A collection with validation specifications, in an index that must exist already
  community.kuzzle.kuzzle_collection:
    index: shop
    name: products
    create_index: false
    mappings:
      properties:
        price:
          type: float
    specifications:
      strict: true
      fields:
        price:
          type: numeric
          mandatory: true
  delegate_to: localhost

- name: Delete a collection and its documents
  community.kuzzle.kuzzle_collection:
    index: shop
    name: carts
    state: absent
  delegate_to: localhost
"""

RETURN = r"""
collection:
  description:
    - The collection after the task, in the form the module compares; V({}) once deleted or when absent.
    - C(mappings) is the stored mapping (Elasticsearch's form, without Kuzzle's C(_kuzzle_info)) merged with the task's;
      C(settings) only the keys the task gives, as Elasticsearch stores them (strings); C(specifications) only when
      the task manages them.
    - In check mode, what Kuzzle would store.
  returned: success
  type: dict
  sample:
    mappings:
      dynamic: strict
      properties:
        ref:
          type: keyword
        total:
          type: float
    settings:
      number_of_replicas: "1"
msg:
  description: What changed, or would change in check mode, in a few words.
  returned: always
  type: str
  sample: "collection shop/orders: field total added"
requests:
  description: The write actions sent, in order (none in check mode or when nothing changes).
  returned: success
  type: list
  elements: str
  sample: [collection:update]
error_id:
  description:
    - The error id of the refusal the task failed on.
    - When RV(msg) starts with C(Nothing written:) and says C(Kuzzle would refuse it), the module found from what it
      read that Kuzzle would refuse the write (V(services.storage.unexpected_bad_request) for what Elasticsearch
      refuses, V(validation.assert.invalid_specifications)), and sent nothing.
  returned: failure
  type: str
  sample: services.storage.unexpected_bad_request
status:
  description: The HTTP status that goes with RV(error_id), answered by Kuzzle or that Kuzzle would answer.
  returned: failure
  type: int
  sample: 400
outcome:
  description:
    - V(unknown) when the task failed on a write whose answer was lost, so that Kuzzle may or may not have applied it.
  returned: failure, when the outcome of a write is unknown
  type: str
  sample: unknown
"""

from ansible_collections.community.kuzzle.plugins.module_utils._connection import fail_kuzzle, kuzzle_client, kuzzle_module
from ansible_collections.community.kuzzle.plugins.module_utils._errors import KuzzleError
from ansible_collections.community.kuzzle.plugins.module_utils import _collections, _mapping, _report, _storage


def validate(module):
    params = module.params
    problems = _storage.name_problems('index', params['index']) + _storage.name_problems('collection', params['name'])
    if params['state'] == 'present':
        if params['mappings'] is not None:
            problems.extend(_mapping.mapping_problems(params['mappings']))
        if params['settings'] is not None:
            problems.extend(_storage.settings_problems(params['settings']))
    else:
        given = [key for key in ('mappings', 'settings', 'specifications') if params[key] is not None]
        if given:
            problems.append('state=absent deletes the collection: %s cannot be given with it' % ', '.join(given))
    if problems:
        module.fail_json(msg='Invalid task for %s: %s' % (_collections.label(params['index'], params['name']), '; '.join(problems)),
                         changed=False)


def read_before(module, client):
    params = module.params
    keys = sorted(_storage.flatten_settings(params['settings'])) if params['state'] == 'present' and params['settings'] else ()
    managed = params['state'] == 'present' and params['specifications'] is not None
    return _collections.read_collection(client, params['index'], params['name'], keys, managed)


def plan(module, client, before):
    """``(after, note)``: the collection the task wants, after the checks that come before any write."""
    params = module.params
    index, name = params['index'], params['name']
    if params['state'] == 'absent':
        return {}, None
    after, refusals = _collections.plan_collection(index, name, before, params['mappings'], params['settings'],
                                                   params['specifications'])
    if refusals:
        raise _collections.refusal(index, name, refusals)
    if before != after:
        problem = _collections.check_specifications(client, index, name, after.get('specifications'))
        if problem:
            raise problem
    note = None
    if not before and not client.act('index:exists', index=index):
        if not params['create_index']:
            module.fail_json(msg='Nothing written: %s: index "%s" does not exist and create_index is false: create it first '
                                 '(community.kuzzle.kuzzle_index), or set create_index' % (_collections.label(index, name), index),
                             changed=False)
        note = 'index %s created' % index
    return after, note


def main():
    argument_spec = dict(
        index=dict(type='str', required=True),
        name=dict(type='str', required=True, aliases=['collection']),
        state=dict(type='str', default='present', choices=['present', 'absent']),
        mappings=dict(type='dict'),
        settings=dict(type='dict'),
        specifications=dict(type='dict'),
        create_index=dict(type='bool', default=True),
    )
    module = kuzzle_module(argument_spec)
    validate(module)
    params = module.params
    index, name = params['index'], params['name']
    subject = '%s/%s' % (index, name)
    result = dict(changed=False, requests=[])
    client = kuzzle_client(module)
    failure = None
    try:
        with client:
            before = read_before(module, client)
            after, note = plan(module, client, before)
            msg = _storage.summarize_collection(subject, before, after)
            result.update(changed=before != after, msg=msg + ('; %s' % note if note else ''), collection=after)
            if module._diff:
                result['diff'] = _report.build_diff('collection', subject, before, after)
            if result['changed'] and not module.check_mode and not _collections.write_collection(
                    client, index, name, before, after, result['requests']):
                # deleted by another client since the read: the state asked, nothing changed here
                result.update(changed=False, msg='collection %s absent (deleted by another client meanwhile)' % subject)
                if module._diff:
                    result['diff'] = _report.build_diff('collection', subject, {}, {})
    except KuzzleError as err:
        failure = err
    if failure:  # outside the except block: see fail_kuzzle
        fail_kuzzle(module, failure, changed=bool(result['requests']), requests=result['requests'])
    module.exit_json(**result)


if __name__ == '__main__':
    main()
