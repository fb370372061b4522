#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: kuzzle_profile_info
short_description: Read Kuzzle security profiles, in the shape kuzzle_profile takes
description:
  - Reads one profile (O(name)), several (O(names)), or every profile (neither), and returns each one with
    exactly the options of M(community.kuzzle.kuzzle_profile) (O(community.kuzzle.kuzzle_profile#module:name),
    O(community.kuzzle.kuzzle_profile#module:policies), O(community.kuzzle.kuzzle_profile#module:rate_limit)),
    so that an item of RV(profiles) given to a M(community.kuzzle.kuzzle_profile) task applies with C(changed=false).
  - The policies are in the canonical form M(community.kuzzle.kuzzle_profile) compares, each role once and
    sorted, restrictions sorted, collections sorted without duplicates. They grant exactly the rights of the
    stored ones, which may be written in another order or with repetitions.
  - Keys of a stored profile that M(community.kuzzle.kuzzle_profile) does not manage (for example C(tags)) are
    not returned.
  - A profile that does not exist is not an error; its name is listed in RV(missing).
  - Several profiles are read with one search request per thousand names, and every profile with a paged search.
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
  - module: community.kuzzle.kuzzle_profile
"""

EXAMPLES = r"""
- name: Read every profile
  community.kuzzle.kuzzle_profile_info:
    url: https://kuzzle.example.com
    token: "{{ kuzzle_api_key }}"
  delegate_to: localhost
  register: all_profiles

- name: Copy the profiles of production to staging, as they are
  community.kuzzle.kuzzle_profile:
    url: https://staging.kuzzle.example.com
    token: "{{ staging_api_key }}"
    name: "{{ item.name }}"
    policies: "{{ item.policies }}"
    rate_limit: "{{ item.rate_limit }}"
  loop: "{{ all_profiles.profiles | rejectattr('name', 'in', ['admin', 'default', 'anonymous']) }}"
  loop_control:
    label: "{{ item.name }}"
  delegate_to: localhost

- name: Fail when a profile the play needs is missing
  community.kuzzle.kuzzle_profile_info:
    names: [editor, support]
  delegate_to: localhost
  register: needed
  failed_when: needed.missing | length > 0
"""

RETURN = r"""
profiles:
  description:
    - The profiles found, each with the options of M(community.kuzzle.kuzzle_profile) that keep it as it is.
    - In the order of O(names) when given, otherwise sorted by name.
  returned: success
  type: list
  elements: dict
  contains:
    name:
      description: The profile identifier.
      type: str
      sample: editor
    policies:
      description:
        - The policies, each role once, sorted by role.
        - C(restricted_to) only for a role restricted to some indexes, and C(collections) only for an index
          restricted to some collections.
      type: list
      elements: dict
      sample:
        - role_id: reader
        - role_id: writer
          restricted_to:
            - index: shop
              collections: [carts, products]
    rate_limit:
      description: Requests per second and per node for the users of the profile; V(0) means no limit.
      returned: unless Kuzzle is 1.x, which has no rate limits
      type: int
      sample: 50
    tags:
      description: The tags of the profile, sorted, each once.
      returned: when the profile has tags
      type: list
      elements: str
      sample: [shop]
      version_added: 0.2.0
  sample:
    - name: editor
      policies:
        - role_id: reader
        - role_id: writer
          restricted_to:
            - index: shop
              collections: [carts, products]
      rate_limit: 50
missing:
  description: The names asked for (O(name) or O(names)) that Kuzzle does not have, in the order asked.
  returned: success
  type: list
  elements: str
  sample: [support]
msg:
  description: How many profiles were found, and which ones are missing.
  returned: success
  type: str
  sample: "1 profile found, 1 missing: support"
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

from ansible_collections.community.kuzzle.plugins.module_utils import _info, _profile


def main():
    _info.run_info_module('profiles', _profile.profile_to_params)


if __name__ == '__main__':
    main()
