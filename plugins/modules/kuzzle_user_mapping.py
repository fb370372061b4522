#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: kuzzle_user_mapping
short_description: Map the content fields of Kuzzle users, so that they can be searched
description:
  - Makes the mapping of the users' content (C(security:getUserMapping), C(security:updateUserMapping)) include the
    fields of the task, idempotently.
  - Kuzzle maps only C(profileIds) in the users' collection, and does not map new fields by itself
    (C(dynamic) is V(false)), so the content fields that M(community.kuzzle.kuzzle_user) writes (C(email),
    C(name)...) are stored but cannot be searched until they are mapped here.
  - "The mapping is additive, as for M(community.kuzzle.kuzzle_collection): the fields of the task must be mapped with
    the definition it gives (only the parameters it gives are compared), fields mapped but not in the task are kept
    and are not a change."
  - A field whose type (or a parameter Elasticsearch cannot change) differs from what is stored is refused
    B(before any write), in check mode too, naming the field, the stored type and the asked type.
  - Unchanged, the task costs one request.
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
    details: Reads the mapping, decides everything, writes nothing.
  diff_mode:
    support: full
    details: The diff shows the mapped fields of the users, before and after (without Kuzzle's C(_kuzzle_info)).
options:
  properties:
    description:
      - "The fields of the users' content to map, as in the C(properties) of an Elasticsearch mapping
        (C({email: {type: keyword}})). Field names with dots stand for object properties."
    type: dict
    required: true
notes:
  - Kuzzle does not return the C(dynamic) setting of the users' mapping, so it is not managed here.
seealso:
  - module: community.kuzzle.kuzzle_user
  - module: community.kuzzle.kuzzle_collection
"""

EXAMPLES = r"""
- name: Make the users' email and name searchable
  community.kuzzle.kuzzle_user_mapping:
    url: https://kuzzle.example.com
    token: "{{ kuzzle_api_key }}"
    properties:
      email:
        type: keyword
      name:
        type: text
        fields:
          raw:
            type: keyword
  delegate_to: localhost
"""

RETURN = r"""
properties:
  description:
    - Every mapped field of the users' content after the task (Elasticsearch's form, without Kuzzle's C(_kuzzle_info)),
      the fields of the task and the ones already there.
    - In check mode, what Kuzzle would have.
  returned: success
  type: dict
  sample:
    email:
      type: keyword
    profileIds:
      type: keyword
msg:
  description: What changed, or would change in check mode, in a few words.
  returned: always
  type: str
  sample: "users mapping: field email added"
error_id:
  description:
    - The error id of the refusal the task failed on. When RV(msg) starts with C(Nothing written:), the module found that
      Elasticsearch would refuse the change (V(services.storage.unexpected_bad_request)) and sent nothing.
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
from ansible_collections.community.kuzzle.plugins.module_utils._errors import KuzzleError, PredictedRefusal
from ansible_collections.community.kuzzle.plugins.module_utils import _collections, _mapping, _report

SUBJECT = 'users mapping'


def summarize(before, after):
    phrases = _mapping.changes(before, after)
    return '%s: %s' % (SUBJECT, '; '.join(phrases)) if phrases else '%s unchanged' % SUBJECT


def main():
    module = kuzzle_module(dict(properties=dict(type='dict', required=True)))
    problems = _mapping.mapping_problems({'properties': module.params['properties']}, where='the users\' mapping')
    if problems:
        module.fail_json(msg='Invalid task for the users\' mapping: %s' % '; '.join(problems), changed=False)
    result = dict(changed=False)
    failure = None
    try:
        with kuzzle_client(module) as client:
            stored = client.act('security:getUserMapping').get('mapping') or {}
            before = _mapping.stored_mapping({'properties': stored})
            after, refusals = _mapping.plan(before, _mapping.desired_mapping({'properties': module.params['properties']}))
            if refusals:
                raise PredictedRefusal(SUBJECT, _collections.ES_REFUSAL[0], _collections.ES_REFUSAL[1],
                                       _collections.refusal_text(refusals))
            result.update(changed=before != after, msg=summarize(before, after), properties=after['properties'])
            if module._diff:
                result['diff'] = _report.build_diff('users', 'mapping', before, after)
            body = _mapping.update_body(before, after)
            if body and not module.check_mode:
                client.act('security:updateUserMapping', body=body)
    except KuzzleError as err:
        failure = err
    if failure:  # outside the except block: see fail_kuzzle
        fail_kuzzle(module, failure, changed=False)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
