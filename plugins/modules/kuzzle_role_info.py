#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: kuzzle_role_info
short_description: Read Kuzzle security roles, in the shape kuzzle_role takes
description:
  - Reads one role (O(name)), several (O(names)), or every role (neither), and returns each one with exactly
    the options of M(community.kuzzle.kuzzle_role), so that an item of RV(roles) given to a
    M(community.kuzzle.kuzzle_role) task applies with C(changed=false).
  - A role that does not exist is not an error; its name is listed in RV(missing).
  - Several roles are read with one search request per thousand names, and every role with a paged search.
version_added: 0.1.0
author:
  - community.kuzzle contributors (@ansible-collections)
extends_documentation_fragment:
  - community.kuzzle._info
  - community.kuzzle._info.read_only
  - community.kuzzle._connection
  - community.kuzzle._connection.actiongroup
  - ansible.builtin.action_common_attributes
seealso:
  - module: community.kuzzle.kuzzle_role
"""

EXAMPLES = r"""
- name: Read every role
  community.kuzzle.kuzzle_role_info:
    url: https://kuzzle.example.com
    token: "{{ kuzzle_api_key }}"
  delegate_to: localhost
  register: all_roles

- name: Copy two roles to another Kuzzle, as they are
  community.kuzzle.kuzzle_role:
    url: https://staging.kuzzle.example.com
    token: "{{ staging_api_key }}"
    name: "{{ item.name }}"
    controllers: "{{ item.controllers }}"
  loop: "{{ (all_roles.roles | selectattr('name', 'in', ['reader', 'writer'])) }}"
  delegate_to: localhost

- name: Fail when a role the play needs is missing
  community.kuzzle.kuzzle_role_info:
    names: [reader, writer]
  delegate_to: localhost
  register: needed
  failed_when: needed.missing | length > 0
"""

RETURN = r"""
roles:
  description:
    - The roles found, each with the options of M(community.kuzzle.kuzzle_role) that keep it as it is.
    - In the order of O(names) when given, otherwise sorted by name.
  returned: success
  type: list
  elements: dict
  contains:
    name:
      description: The role identifier.
      type: str
      sample: reader
    controllers:
      description: The rights of the role, controller by controller, keys sorted.
      type: dict
      sample:
        document:
          actions:
            get: true
            search: true
    tags:
      description: The tags of the role, sorted, each once.
      returned: when the role has tags
      type: list
      elements: str
      sample: [shop]
      version_added: 0.2.0
missing:
  description: The names asked for (O(name) or O(names)) that Kuzzle does not have, in the order asked.
  returned: success
  type: list
  elements: str
  sample: [writer]
msg:
  description: How many roles were found, and which ones are missing.
  returned: success
  type: str
  sample: "1 role found, 1 missing: writer"
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

from ansible_collections.community.kuzzle.plugins.module_utils import _info, _role


def main():
    _info.run_info_module('roles', _role.role_to_params)


if __name__ == '__main__':
    main()
