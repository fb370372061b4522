#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: kuzzle_index
short_description: Create or delete a Kuzzle index
description:
  - Makes a Kuzzle index present or absent, idempotently.
  - Reads whether the index exists and which collections it holds (two requests), then creates it
    (C(index:create)) or deletes it (C(index:delete)) only when needed.
  - B(Deleting an index deletes every collection it holds, with all their documents); there is no undo.
    Check mode and C(--diff) show the collections that would go, and RV(msg) names them.
  - Collections are managed by M(community.kuzzle.kuzzle_collection), which also creates a missing index,
    or all at once by M(community.kuzzle.kuzzle_storage).
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
    details: Reads the index and its collections, decides, and writes nothing.
  diff_mode:
    support: full
    details: The diff shows the index with the names of its collections, before and after.
options:
  name:
    description:
      - 'The index name (lowercase, at most 126 bytes, without spaces, backslashes or any of C(/ * ? " < > | , + # : . & %), not C(_all)).'
      - Kuzzle's own internal index cannot be managed.
    type: str
    required: true
    aliases: [index]
  state:
    description:
      - V(present) creates the index if it does not exist; V(absent) deletes it B(with all its collections and documents).
    type: str
    choices: [present, absent]
    default: present
notes:
  - Several hosts of a play (or several plays) may run the task at the same time on one Kuzzle. When another client
    creates (or deletes) the index between the task's read and its write, Kuzzle refuses the write (412
    C(services.storage.index_already_exists), or C(services.storage.unknown_index)); the task is then C(ok) and
    unchanged, and its RV(msg) says that another client did it.
seealso:
  - module: community.kuzzle.kuzzle_collection
  - module: community.kuzzle.kuzzle_storage
  - name: Storage as code
    description: The guide of the storage modules.
    link: https://github.com/ansible-collections/community.kuzzle/blob/main/docs/docsite/rst/guide_storage.rst
"""

EXAMPLES = r"""
- name: The index of the shop
  community.kuzzle.kuzzle_index:
    url: https://kuzzle.example.com
    token: "{{ kuzzle_api_key }}"
    name: shop
  delegate_to: localhost

- name: Delete an old index, with all its collections and documents
  community.kuzzle.kuzzle_index:
    name: shop-2023
    state: absent
  delegate_to: localhost
"""

RETURN = r"""
index:
  description:
    - The index after the task, with the names of its collections; V({}) once deleted or when absent.
    - In check mode, what Kuzzle would have.
  returned: success
  type: dict
  contains:
    collections:
      description: The collections of the index, sorted.
      type: list
      elements: str
  sample:
    collections: [carts, orders]
msg:
  description: What changed, or would change in check mode, in a few words.
  returned: always
  type: str
  sample: "index shop-2023 deleted, with collections carts, orders and their documents"
error_id:
  description: The error id of the refusal the task failed on, answered by Kuzzle.
  returned: failure
  type: str
  sample: services.storage.invalid_index_name
status:
  description: The HTTP status that goes with RV(error_id).
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
from ansible_collections.community.kuzzle.plugins.module_utils import _collections, _report, _storage

# Kuzzle's internal index: index:exists says false, index:create refuses it (tests/contract/test_storage_indexes.py)
INTERNAL_INDEX = 'kuzzle'


def main():
    argument_spec = dict(
        name=dict(type='str', required=True, aliases=['index']),
        state=dict(type='str', default='present', choices=['present', 'absent']),
    )
    module = kuzzle_module(argument_spec)
    name, wanted = module.params['name'], module.params['state'] == 'present'
    problems = _storage.name_problems('index', name)
    if name == INTERNAL_INDEX:
        problems.append('index "%s" is Kuzzle\'s own internal index, not a public one' % name)
    if problems:
        module.fail_json(msg='Invalid task for index "%s": %s' % (name, '; '.join(problems)), changed=False)
    result = dict(changed=False)
    failure = None
    try:
        with kuzzle_client(module) as client:
            collections = _collections.list_collections_if_any(client, name) if client.act('index:exists', index=name) else None
            exists = collections is not None
            before = {'collections': collections} if exists else {}
            after = (before or {'collections': []}) if wanted else {}
            result.update(changed=before != after, index=after,
                          msg=_storage.summarize_index(name, exists, wanted, before.get('collections', ())))
            if module._diff:
                result['diff'] = _report.build_diff('index', name, before, after)
            if result['changed'] and not module.check_mode and not _collections.write_index(client, name, wanted):
                # another client (a fork of the same play, another node) did it since the read: nothing changed here
                now = {'collections': _collections.list_collections_if_any(client, name) or []} if wanted else {}
                result.update(changed=False, index=now, msg='index %s %s (%s by another client meanwhile)' % (
                    name, 'present' if wanted else 'absent', 'created' if wanted else 'deleted'))
                if module._diff:
                    result['diff'] = _report.build_diff('index', name, now, now)
    except KuzzleError as err:
        failure = err
    if failure:  # outside the except block: see fail_kuzzle
        fail_kuzzle(module, failure, changed=False)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
