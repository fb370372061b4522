#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: kuzzle_storage_info
short_description: Export a Kuzzle's indexes, collections and mappings, in the shape kuzzle_storage takes
description:
  - Reads every public index of Kuzzle (or those of O(indexes)), their collections and the mapping of each, and returns
    them as RV(indexes), in the shape of Kuzzle's C(admin:loadMappings) that O(community.kuzzle.kuzzle_storage#module:indexes)
    takes, so that RV(indexes) given to M(community.kuzzle.kuzzle_storage) applies with C(changed=false), and applied to
    an empty Kuzzle gives one that exports the same.
  - Kuzzle's own internal indexes are never listed (Kuzzle's C(index:list) leaves them out), nor are realtime collections.
  - Mappings are exported as Elasticsearch stores them (parameters at their default left out), without Kuzzle's
    C(_kuzzle_info) field. Validation specifications are not exported (M(community.kuzzle.kuzzle_collection) manages
    them). Settings are exported with O(settings=true) only, since C(admin:loadMappings) does not take them.
  - Costs one request for the list of indexes, one per index for its collections and one per collection for its mapping
    (and one more for its settings with O(settings=true)).
version_added: 0.2.0
author:
  - community.kuzzle contributors (@ansible-collections)
extends_documentation_fragment:
  - community.kuzzle._info.read_only
  - community.kuzzle._connection
  - community.kuzzle._connection.actiongroup
  - ansible.builtin.action_common_attributes
options:
  indexes:
    description:
      - The indexes to export. Those that do not exist are listed in RV(missing).
      - Not given, every public index is exported.
    type: list
    elements: str
  settings:
    description:
      - "Export each collection's settings too, every collection then as C({mappings: ..., settings: ...}) (the shape of
        the backend's C(app.import.mappings), which M(community.kuzzle.kuzzle_storage) takes, but Kuzzle's
        C(admin:loadMappings) does not)."
      - The settings are those Elasticsearch stores (values as strings), without the ones it sets itself and that no
        definition can give (C(uuid), C(creation_date), C(provided_name), C(version)), nor
        C(routing.allocation.include._tier_preference), which it gives every new index. They include
        C(number_of_shards), which only a new collection can take.
    type: bool
    default: false
seealso:
  - module: community.kuzzle.kuzzle_storage
"""

EXAMPLES = r"""
- name: Export the storage of a Kuzzle
  community.kuzzle.kuzzle_storage_info:
    url: https://kuzzle.example.com
    token: "{{ kuzzle_api_key }}"
  delegate_to: localhost
  register: storage

- name: Write it to a file that admin:loadMappings and kuzzle_storage both take
  ansible.builtin.copy:
    content: "{{ storage.indexes | to_nice_json }}"
    dest: mappings.json
    mode: "0644"
  delegate_to: localhost

- name: Only the shop's index
  community.kuzzle.kuzzle_storage_info:
    indexes: [shop]
  delegate_to: localhost
  register: shop

- name: With the settings of each collection (analysers, shards, replicas, refresh interval...)
  community.kuzzle.kuzzle_storage_info:
    indexes: [shop]
    settings: true
  delegate_to: localhost
  register: shop_with_settings
"""

RETURN = r"""
indexes:
  description:
    - "The indexes found, C({index: {collection: mapping}}), each mapping with C(dynamic), C(_meta),
      C(dynamic_templates) and C(properties) as stored (keys left out when Kuzzle has none); V({}) for an index
      without collections."
    - "With O(settings=true), each collection is C({mappings: <that mapping>, settings: <its settings>})."
  returned: success
  type: dict
  sample:
    shop:
      orders:
        dynamic: strict
        properties:
          ref:
            type: keyword
          total:
            type: float
      carts:
        dynamic: "false"
missing:
  description: The indexes of O(indexes) that Kuzzle does not have, in the order asked.
  returned: success
  type: list
  elements: str
  sample: []
msg:
  description: How many indexes and collections were found.
  returned: success
  type: str
  sample: "2 indexes, 3 collections"
error_id:
  description: Kuzzle's error id when the task failed on an answer from Kuzzle.
  returned: failure
  type: str
  sample: security.rights.forbidden
status:
  description: The HTTP status of Kuzzle's answer when the task failed on an answer from Kuzzle.
  returned: failure
  type: int
  sample: 403
"""

from ansible_collections.community.kuzzle.plugins.module_utils._connection import fail_kuzzle, kuzzle_client, kuzzle_module
from ansible_collections.community.kuzzle.plugins.module_utils._errors import KuzzleError
from ansible_collections.community.kuzzle.plugins.module_utils import _collections, _storage


def export(client, indexes, settings=False):
    """{index: {collection: exported mapping, or {mappings, settings} with ``settings``}} (a collection deleted
    between the list and the read is left out)."""
    exported = {}
    for index in indexes:
        exported[index] = {}
        for collection in _collections.list_collections(client, index):
            mapping = _collections.read_mapping(client, index, collection)
            if mapping is None:
                continue
            exported[index][collection] = _storage.export_collection(mapping)
            if settings:
                stored = client.act('collection:getSettings', index=index, collection=collection)
                exported[index][collection] = {'mappings': exported[index][collection],
                                               'settings': _storage.export_settings(stored)}
    return exported


def main():
    module = kuzzle_module(dict(indexes=dict(type='list', elements='str'), settings=dict(type='bool', default=False)))
    asked = module.params['indexes']
    failure = None
    try:
        with kuzzle_client(module) as client:
            existing = _collections.list_indexes(client)
            if asked is None:
                selected, missing = existing, []
            else:
                order = list(dict.fromkeys(asked))
                selected = [name for name in order if name in existing]
                missing = [name for name in order if name not in existing]
            exported = export(client, selected, module.params['settings'])
    except KuzzleError as err:
        failure = err
    if failure:  # outside the except block: see fail_kuzzle
        fail_kuzzle(module, failure, changed=False)
    count = sum(len(collections) for collections in exported.values())
    msg = '%d index%s, %d collection%s' % (len(exported), 'es' if len(exported) != 1 else '', count, 's' if count != 1 else '')
    if missing:
        msg += ', %d missing: %s' % (len(missing), ', '.join(missing))
    module.exit_json(changed=False, indexes=exported, missing=missing, msg=msg)


if __name__ == '__main__':
    main()
