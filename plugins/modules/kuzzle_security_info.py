#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: kuzzle_security_info
short_description: Export a Kuzzle's security definition (roles, profiles, users)
description:
  - Reads every role, profile and user of a Kuzzle (or only the kinds asked for) with paged searches and returns
    them in the shape M(community.kuzzle.kuzzle_security) takes, which is also the shape of Kuzzle's
    C(admin:loadSecurities).
  - Applying the export to the same Kuzzle with M(community.kuzzle.kuzzle_security) reports no change; applying it
    to an empty Kuzzle reproduces the roles and profiles, and the users without their credentials (see RV(users)).
version_added: 0.1.0
author:
  - community.kuzzle contributors (@ansible-collections)
extends_documentation_fragment:
  - community.kuzzle._info.read_only
  - community.kuzzle._connection
  - community.kuzzle._connection.actiongroup
  - ansible.builtin.action_common_attributes
options:
  kinds:
    description: The kinds of objects to export.
    type: list
    elements: str
    choices: [roles, profiles, users]
    default: [roles, profiles, users]
seealso:
  - module: community.kuzzle.kuzzle_security
"""

EXAMPLES = r"""
- name: Export the roles and profiles of a Kuzzle
  community.kuzzle.kuzzle_security_info:
    url: https://kuzzle.example.com
    token: "{{ kuzzle_api_key }}"
    kinds: [roles, profiles]
  register: security
  delegate_to: localhost

- name: Save it as variables for community.kuzzle.security
  ansible.builtin.copy:
    dest: group_vars/kuzzle/security.yml
    content: "{{ {'kuzzle_security_roles': security.roles, 'kuzzle_security_profiles': security.profiles} | to_nice_yaml }}"
    mode: "0644"
  delegate_to: localhost
"""

RETURN = r"""
roles:
  description: Roles by id, each C({controllers}), when O(kinds) includes V(roles).
  returned: success
  type: dict
  sample: {reader: {controllers: {document: {actions: {get: true, search: true}}}}}
profiles:
  description: Profiles by id, each C({policies, rateLimit}) with policies normalised (sorted, merged), when O(kinds) includes V(profiles).
  returned: success
  type: dict
  sample: {editor: {policies: [{roleId: reader}], rateLimit: 0}}
users:
  description:
    - Users by kuid, each C({content}) with C(profileIds) and the custom content, when O(kinds) includes V(users).
    - Credentials are not exported, since Kuzzle never returns passwords.
  returned: success
  type: dict
  sample: {jdoe: {content: {profileIds: [editor], fullName: Jane Doe}}}
counts:
  description: How many objects of each kind were exported.
  returned: success
  type: dict
  sample: {roles: 4, profiles: 12}
"""

from ansible_collections.community.kuzzle.plugins.module_utils._connection import fail_kuzzle, kuzzle_client, kuzzle_module
from ansible_collections.community.kuzzle.plugins.module_utils._errors import KuzzleError
from ansible_collections.community.kuzzle.plugins.module_utils import _bulk, _objects


def main():
    module = kuzzle_module(dict(
        kinds=dict(type='list', elements='str', choices=list(_bulk.KINDS), default=list(_bulk.KINDS)),
    ))
    result = dict(changed=False, counts={})
    failure = None
    try:
        with kuzzle_client(module) as client:
            for kind in _bulk.KINDS:
                if kind not in module.params['kinds']:
                    continue
                hits = _objects.search(client, kind, doing='export the %s' % kind)[1]
                result[kind] = dict((hit['_id'], _bulk.ADAPTERS[kind].export(hit['_source'])) for hit in hits)
                result['counts'][kind] = len(result[kind])
    except KuzzleError as err:
        failure = err
    if failure:
        fail_kuzzle(module, failure, changed=False)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
