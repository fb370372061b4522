#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: kuzzle_profile
short_description: Create, update or delete a Kuzzle security profile
description:
  - Makes a Kuzzle security profile match the task, idempotently.
  - Reads the profile, compares its policies and rate limit with the task after normalising both
    sides, and writes only when they differ (C(createProfile) when absent, C(updateProfile) with the
    changed keys only when present, C(deleteProfile) for O(state=absent)).
  - Policy order, restriction order, collection order and duplicates carry no meaning in Kuzzle and are
    ignored. An empty or null C(restrictedTo) is the same as no restriction, a restriction without
    collections covers the whole index, and a profile without a stored rate limit has a rate limit of 0.
    Bookkeeping (C(_kuzzle_info), C(optimizedPolicies)) and top-level keys this module does not manage
    (for example C(tags)) are ignored and kept.
  - Before any write, and in check mode too, verifies that every role the task adds exists (one
    C(mGetRoles) request), so that check mode reports an unknown role instead of a success the real run
    would contradict. With O(strict=true) it also checks that the restricted indexes and collections exist.
  - Works with Kuzzle 2.x. Kuzzle 1.x is detected from its answers; there O(rate_limit), O(strict) and
    O(on_assigned_users=remove) are refused because 1.x does not have them.
version_added: 0.1.0
author:
  - community.kuzzle contributors (@ansible-collections)
extends_documentation_fragment:
  - community.kuzzle._connection
  - community.kuzzle._connection.actiongroup
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Reads the profile (and the roles the task adds) and decides everything, but writes nothing.
  diff_mode:
    support: full
    details: The diff shows the normalised policies and rate limit, the same in check mode and in real runs.
options:
  name:
    description:
      - The profile identifier.
      - Ids that Kuzzle's HTTP router sends to other actions (V(_mapping), V(_mGet), V(_search), V(_scroll),
        V(_mDelete)) are refused.
    type: str
    required: true
    aliases: [id]
  state:
    description:
      - V(present) creates or updates the profile, V(absent) deletes it.
      - The reserved profiles V(admin), V(default) and V(anonymous) can be updated but not deleted.
    type: str
    choices: [present, absent]
    default: present
  policies:
    description:
      - The policies of the profile. Required to create a profile.
      - Omit it to leave the policies of an existing profile as they are (for example to change only O(rate_limit)).
      - An empty list is refused when it would replace the policies, because Kuzzle silently stores
        an empty list as the single policy V(default).
    type: list
    elements: dict
    suboptions:
      role_id:
        description: The role this policy grants. It must exist. Each role may be listed once.
        type: str
        required: true
        aliases: [roleId]
      restricted_to:
        description:
          - Limits the role to these indexes and collections. Omitted, null or empty means every index.
        type: list
        elements: dict
        aliases: [restrictedTo]
        suboptions:
          index:
            description: An index name.
            type: str
            required: true
          collections:
            description: Collections of O(policies[].restricted_to[].index). Omitted or empty means every collection of the index.
            type: list
            elements: str
  purge_policies:
    description:
      - V(true) makes the policies exactly O(policies).
      - V(false) merges, role by role, each listed role is added or replaces the stored entry of that role,
        and roles that are not listed stay as they are.
    type: bool
    default: true
  rate_limit:
    description:
      - Maximum number of API requests per second and per node for users of this profile; V(0) means
        no limit. When a user has several profiles, Kuzzle applies the most permissive one.
      - Omitted means leave it as it is (V(0) for a new profile).
    type: int
    aliases: [rateLimit]
  refresh:
    description:
      - V(wait_for) makes Kuzzle answer once the change is visible to searches; V(false) answers at once.
    type: str
    choices: [wait_for, 'false']
    default: wait_for
  strict:
    description:
      - Kuzzle's C(strict) flag, sent only when V(true), because Kuzzle treats its mere presence as true.
        The indexes and collections in O(policies[].restricted_to) must then exist.
      - Checked before writing, in check mode too.
    type: bool
    default: false
  on_assigned_users:
    description:
      - What to do, with O(state=absent), when users still have this profile.
      - V(fail) fails the task and deletes nothing. V(remove) removes the profile from those users
        (Kuzzle gives the V(anonymous) profile to users left with none) and deletes it.
    type: str
    choices: [fail, remove]
    default: fail
notes:
  - Kuzzle has no versions on security objects, so a change made by someone else between the read and
    the write of a task is overwritten for the keys this task writes.
seealso:
  - name: Kuzzle security profiles
    description: What profiles, policies and restrictions are.
    link: https://docs.kuzzle.io/core/2/guides/main-concepts/permissions/
"""

EXAMPLES = r"""
- name: Editors may write documents of the shop index, and read everything
  community.kuzzle.kuzzle_profile:
    url: https://kuzzle.example.com
    username: admin
    password: "{{ kuzzle_admin_password }}"
    name: editor
    policies:
      - role_id: reader
      - role_id: writer
        restricted_to:
          - index: shop
            collections: [products, carts]
    rate_limit: 50
  delegate_to: localhost

- name: Add a role to a profile without touching its other policies
  community.kuzzle.kuzzle_profile:
    name: editor
    policies:
      - role_id: auditor
    purge_policies: false
  delegate_to: localhost

- name: Set connection options once for every Kuzzle task of a play
  hosts: localhost
  module_defaults:
    group/community.kuzzle.kuzzle:
      url: "{{ kuzzle_url }}"
      token: "{{ kuzzle_api_key }}"
  tasks:
    - name: Camel-case keys, as Kuzzle writes them, are accepted too
      community.kuzzle.kuzzle_profile:
        id: support
        policies:
          - roleId: reader
            restrictedTo:
              - index: tickets

- name: Delete a profile, taking it away from the users that still have it
  community.kuzzle.kuzzle_profile:
    name: legacy
    state: absent
    on_assigned_users: remove
  delegate_to: localhost
"""

RETURN = r"""
profile:
  description:
    - The profile as Kuzzle stores it after the task, without the bookkeeping keys C(_kuzzle_info)
      and C(optimizedPolicies); V({}) once deleted or when absent.
    - In check mode, what Kuzzle would store.
  returned: success
  type: dict
  sample:
    policies:
      - roleId: reader
      - roleId: writer
        restrictedTo:
          - index: shop
            collections: [carts, products]
    rateLimit: 50
msg:
  description: What changed, or would change in check mode, in a few words.
  returned: always
  type: str
  sample: "profile editor: role writer added; role reader: index shop: collection carts added"
error_id:
  description: Kuzzle's error id when the task failed on an answer from Kuzzle.
  returned: failure
  type: str
  sample: security.role.not_found
status:
  description: The HTTP status of Kuzzle's answer when the task failed on an answer from Kuzzle.
  returned: failure
  type: int
  sample: 404
"""

from ansible_collections.community.kuzzle.plugins.module_utils._client import KuzzleError
from ansible_collections.community.kuzzle.plugins.module_utils._connection import (
    fail_kuzzle,
    kuzzle_client,
    kuzzle_module,
)
from ansible_collections.community.kuzzle.plugins.module_utils._ids import id_problem
from ansible_collections.community.kuzzle.plugins.module_utils import _objects, _profile, _report


def check_restrictions_exist(client, doing, profile):
    """What Kuzzle's strict flag would check, without writing."""
    indexes_seen = set()
    for index, collection in _profile.restrictions(profile):
        if index not in indexes_seen:
            indexes_seen.add(index)
            if not client.call('GET', [index, '_exists'], doing=doing):
                raise KuzzleError(doing, status=412, error_id='services.storage.unknown_index',
                                  kuzzle_message='index "%s" does not exist (strict is set)' % index)
        if collection is not None and not client.call('GET', [index, collection, '_exists'], doing=doing):
            raise KuzzleError(doing, status=412, error_id='services.storage.unknown_collection',
                              kuzzle_message='collection "%s" of index "%s" does not exist (strict is set)' % (collection, index))


def assigned_users(client, doing, name):
    """(total, first ids) of the users that have the profile."""
    return _objects.referrers(client, 'users', 'profileIds', [name], doing=doing)


def refuse_unsupported(module, client):
    """Kuzzle 1.x has no rate limit, strict flag or onAssignedUsers: say so instead of sending them."""
    if client.major_version != 1:
        return
    p = module.params
    for option, used in (('rate_limit', p['rate_limit'] is not None), ('strict', p['strict']),
                         ('on_assigned_users=remove', p['on_assigned_users'] == 'remove')):
        if used:
            module.fail_json(msg='profile "%s": %s needs Kuzzle 2.x, and %s answers like Kuzzle 1.x' % (p['name'], option, p['url']),
                             changed=False)


def validate(module, policies):
    p = module.params
    problems = []
    reason = id_problem('profiles', p['name'])
    if reason:
        problems.append(reason)
    problems.extend(_profile.policies_problems(policies))
    if p['rate_limit'] is not None and p['rate_limit'] < 0:
        problems.append('rate_limit must be 0 (no limit) or more')
    if p['state'] == 'present' and policies == [] and p['purge_policies']:
        problems.append('policies is empty: Kuzzle would store it as the single policy "default"; '
                        'list that role explicitly if it is what you want')
    if p['state'] == 'absent' and p['name'] in _profile.RESERVED_PROFILES:
        problems.append('profile "%s" is reserved: Kuzzle never deletes it' % p['name'])
    if problems:
        module.fail_json(msg='Invalid task for profile "%s": %s' % (p['name'], '; '.join(problems)), changed=False)


def main():
    argument_spec = dict(
        name=dict(type='str', required=True, aliases=['id']),
        state=dict(type='str', default='present', choices=['present', 'absent']),
        policies=dict(type='list', elements='dict', options=dict(
            role_id=dict(type='str', required=True, aliases=['roleId']),
            restricted_to=dict(type='list', elements='dict', aliases=['restrictedTo'], options=dict(
                index=dict(type='str', required=True),
                collections=dict(type='list', elements='str'),
            )),
        )),
        purge_policies=dict(type='bool', default=True),
        rate_limit=dict(type='int', aliases=['rateLimit']),
        refresh=dict(type='str', default='wait_for', choices=['wait_for', 'false']),
        strict=dict(type='bool', default=False),
        on_assigned_users=dict(type='str', default='fail', choices=['fail', 'remove']),
    )
    module = kuzzle_module(argument_spec)
    p = module.params
    name = p['name']
    policies = _profile.policies_from_params(p['policies'])
    validate(module, policies)

    result = dict(changed=False)
    client = kuzzle_client(module)
    try:
        with client:
            source = _objects.read_object(client, 'profiles', name)
            refuse_unsupported(module, client)
            before = _profile.normalize_profile(source)
            if p['state'] == 'absent':
                after = {}
            elif source is None and policies is None:
                module.fail_json(msg='profile "%s" does not exist, and policies is required to create it' % name, changed=False)
            else:
                after = _profile.desired_profile(before, policies, p['purge_policies'], p['rate_limit'])
                if name == 'anonymous' and 'anonymous' not in _profile.role_ids(after):
                    module.fail_json(msg='profile "anonymous" must keep the role "anonymous" (Kuzzle refuses it otherwise)', changed=False)

            result['changed'] = before != after
            result['msg'] = _profile.summarize(name, before, after)
            if module._diff:
                result['diff'] = _report.build_diff('profile', name, before, after)
            result['profile'] = converge(module, client, name, source, before, after) if result['changed'] else _report.stored_view(source)
    except KuzzleError as err:
        fail_kuzzle(module, err, changed=False)
    module.exit_json(**result)


def converge(module, client, name, source, before, after):
    """Check what the write needs, then write unless in check mode; the stored profile after it."""
    p = module.params
    query = {'refresh': p['refresh']}
    if not after:
        doing = 'delete profile "%s"' % name
        total, users = assigned_users(client, doing, name)
        if total and p['on_assigned_users'] == 'fail':
            raise KuzzleError(doing, status=412, error_id='security.profile.in_use', kuzzle_message=(
                '%d user(s) still have this profile (%s); set on_assigned_users=remove to take it away from them'
                % (total, _report.first_names(users, total))))
        if not module.check_mode:
            if p['on_assigned_users'] == 'remove':
                query['onAssignedUsers'] = 'remove'
            client.call('DELETE', ['profiles', name], query=query, doing=doing)
        return {}

    body = _report.changed_keys(before, after) if source is not None else dict(after)
    if source is None and p['rate_limit'] is None:
        del body['rateLimit']  # let Kuzzle apply its default, and stay compatible with 1.x
    doing = '%s profile "%s"' % ('create' if source is None else 'update', name)
    _objects.require_all(client, 'roles', _profile.new_role_ids(before, after), doing)
    if p['strict']:
        query['strict'] = True
        check_restrictions_exist(client, doing, after)
    if module.check_mode:
        return _profile.predict_stored(source, body)
    if source is None:
        stored = client.call('POST', ['profiles', name, '_create'], query=query, body=body, doing=doing)
    else:
        stored = client.call('PUT', ['profiles', name, '_update'], query=query, body=body, doing=doing)
    return _report.stored_view(stored.get('_source'))


if __name__ == '__main__':
    main()
