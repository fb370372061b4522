#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: kuzzle_user_info
short_description: Read Kuzzle users, in the shape kuzzle_user takes
description:
  - Reads one user (O(name)), several (O(names)), or every user (neither), and returns each one with exactly
    the options of M(community.kuzzle.kuzzle_user) that keep it as it is, so that an item of RV(users) given
    to a M(community.kuzzle.kuzzle_user) task applies with C(changed=false).
  - Each user comes with its whole content and, when it has C(local) credentials, their username. Kuzzle never
    returns passwords, so there is none.
  - A user that does not exist is not an error; its name is listed in RV(missing).
  - Costs one request for O(name) (plus one for its username), one search request per thousand names for
    O(names) (plus one request per user found, for its username), and for every user a paged search of the
    users and a paged search of the local credentials.
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
  - module: community.kuzzle.kuzzle_user
"""

EXAMPLES = r"""
- name: Read every user
  community.kuzzle.kuzzle_user_info:
    url: https://kuzzle.example.com
    token: "{{ kuzzle_api_key }}"
  delegate_to: localhost
  register: all_users

- name: Apply them back; nothing changes, since each item keeps its user as it is
  community.kuzzle.kuzzle_user:
    url: https://kuzzle.example.com
    token: "{{ kuzzle_api_key }}"
    name: "{{ item.name }}"
    profile_ids: "{{ item.profile_ids }}"
    content: "{{ item.content }}"
    credentials: "{{ item.credentials | default(omit) }}"
  loop: "{{ all_users.users }}"
  delegate_to: localhost

- name: Fail when a user the play needs is missing
  community.kuzzle.kuzzle_user_info:
    names: [alice, ingest-bot]
  delegate_to: localhost
  register: needed
  failed_when: needed.missing | length > 0
"""

RETURN = r"""
users:
  description:
    - The users found, each with the options of M(community.kuzzle.kuzzle_user) that keep it as it is.
    - In the order of O(names) when given, otherwise sorted by kuid.
  returned: success
  type: list
  elements: dict
  contains:
    name:
      description: The kuid.
      type: str
      sample: alice
    profile_ids:
      description: The profiles of the user, sorted.
      type: list
      elements: str
      sample: [editor]
    content:
      description: The whole content of the user, without C(profileIds) and C(_kuzzle_info).
      type: dict
      sample:
        fullname: Alice Liddell
    credentials:
      description: The username of the user's C(local) credentials. Absent when the user has none.
      type: dict
      returned: when the user has local credentials
      sample:
        username: alice
missing:
  description: The names asked for (O(name) or O(names)) that Kuzzle does not have, in the order asked.
  returned: success
  type: list
  elements: str
  sample: [bob]
msg:
  description: How many users were found, and which ones are missing.
  returned: success
  type: str
  sample: "1 user found, 1 missing: bob"
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

from ansible_collections.community.kuzzle.plugins.module_utils import _info, _objects, _user


def usernames(client, kuids, every):
    """dict kuid -> local username (None without local credentials): one paged search when every user
    was read (past Kuzzle's fetch limit, which that search cannot pass, one request per user), else one
    request per user."""
    # kuzzle_user cannot manage the credentials of ids that Kuzzle's router sends to other actions
    kuids = [kuid for kuid in kuids if kuid not in _user.SHADOWED_CREDENTIAL_IDS]
    if not every:
        return dict((kuid, _objects.read_username(client, kuid, _user.STRATEGY)) for kuid in kuids)
    found = _objects.every_username(client, kuids, _user.STRATEGY) if kuids else {}
    return dict((kuid, found.get(kuid)) for kuid in kuids)


def main():
    _info.run_info_module('users', _user.user_to_params, usernames)


if __name__ == '__main__':
    main()
