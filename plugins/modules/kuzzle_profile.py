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
  - Says which rights a change grants and revokes (RV(rights)), with the rules Kuzzle enforces, from the roles of
    both sides (read in the C(mGetRoles) that checks the roles the task adds) and Kuzzle's list of actions
    (C(server:publicApi)); only when the policies change.
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
  tags:
    description:
      - Tags of the profile (Kuzzle's C(tags), searchable), compared as a set (order and duplicates do not count).
      - Omitted, the stored tags are kept; V([]) removes them.
    type: list
    elements: str
    version_added: 0.2.0
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
  - Several hosts may run the task at the same time on one Kuzzle. When another client created the profile meanwhile (Kuzzle
    refuses the create with C(services.storage.document_already_exists)) or deleted it (C(security.profile.not_found)), the
    profile is read again; as the task asks, the task is unchanged and RV(msg) says that another client did it; otherwise
    the task writes the difference (an update).
  - Kuzzle has no versions on security objects, so a change made by someone else between the read and
    the write of a task is overwritten for the keys this task writes.
  - On a Kuzzle cluster, each node caches roles and learns of a role written through another node within
    milliseconds. When a node says that a role the task adds does not exist, the module asks Elasticsearch (a
    search). A role that exists is waited for, and the role check or the write is sent again, twice at most, tens of
    milliseconds apart; a role that does not exist fails at once.
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

# The connection options can be set once for every Kuzzle task of a play, with module_defaults
# for the action group group/community.kuzzle.kuzzle (see the connection guide).
- name: Camel-case keys, as Kuzzle writes them, are accepted too
  community.kuzzle.kuzzle_profile:
    id: support
    policies:
      - roleId: reader
        restrictedTo:
          - index: tickets
  delegate_to: localhost

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
rights:
  description:
    - The rights the change grants and revokes, by profile, as Kuzzle enforces them; only the profiles whose rights
      change are listed, and V({}) when none does. In check mode too. See the guide
      R(Reviewing a security change,ansible_collections.community.kuzzle.docsite.guide_rights).
    - Each entry is C(controller), C(action), C(index) and C(collection); C(index) and C(collection) are C(null)
      when the action does not take them, and C(*) for any.
    - C(unrestricted) lists the granted rights that the profile's C(restrictedTo) does not limit (actions that take no
      index, index-level actions of an index whose restriction names collections); a warning names them too.
    - Left out, with a warning, when the connecting user may not read C(server:publicApi).
  returned: success
  type: dict
  version_added: 0.2.0
  sample:
    editor:
      granted:
        - {controller: document, action: create, index: shop, collection: orders}
        - {controller: document, action: update, index: shop, collection: orders}
      revoked: []
      unrestricted: []
msg:
  description: What changed, or would change in check mode, in a few words.
  returned: always
  type: str
  sample: "profile editor: role writer added; role reader: index shop: collection carts added"
outcome:
  description:
    - V(unknown) when the task failed on a write whose answer was lost (a timeout, a connection lost once the request
      was sent, a 502 or 504 of a gateway), so that Kuzzle may or may not have applied it; RV(msg) says so. C(changed) is
      then V(true), since the change may have been made. Running the task again converges.
  returned: failure, when the outcome of a write is unknown
  type: str
  sample: unknown
error_id:
  description:
    - The error id of the refusal the task failed on.
    - When RV(msg) says C(Kuzzle answered), Kuzzle answered it to a request of the task.
    - When RV(msg) starts with C(Nothing written:) and says C(Kuzzle would refuse it), the module found from what it
      read that Kuzzle would refuse the write, and sent nothing; it is the error id Kuzzle would answer
      (V(security.profile.in_use), or with O(strict=true) V(services.storage.unknown_index) or
      V(services.storage.unknown_collection)).
  returned: failure
  type: str
  sample: security.role.not_found
status:
  description: The HTTP status that goes with RV(error_id), answered by Kuzzle or that Kuzzle would answer.
  returned: failure
  type: int
  sample: 404
"""

from ansible_collections.community.kuzzle.plugins.module_utils._connection import kuzzle_client, kuzzle_module
from ansible_collections.community.kuzzle.plugins.module_utils._errors import PredictedRefusal
from ansible_collections.community.kuzzle.plugins.module_utils._ids import id_problems
from ansible_collections.community.kuzzle.plugins.module_utils._object_task import run_object_task
from ansible_collections.community.kuzzle.plugins.module_utils import _objects, _profile, _report, _rights_review, _tags


def check_restrictions_exist(client, name, doing, profile):
    """What Kuzzle's strict flag would check, without writing."""
    subject = 'profile "%s"' % name
    indexes_seen = set()
    for index, collection in _profile.restrictions(profile):
        if index not in indexes_seen:
            indexes_seen.add(index)
            if not client.act('index:exists', index=index, doing=doing):
                raise PredictedRefusal(subject, 412, 'services.storage.unknown_index',
                                       'index "%s" does not exist (strict is set)' % index)
        if collection is not None and not client.act('collection:exists', index=index, collection=collection, doing=doing):
            raise PredictedRefusal(subject, 412, 'services.storage.unknown_collection',
                                   'collection "%s" of index "%s" does not exist (strict is set)' % (collection, index))


def refuse_unsupported(module, client):
    """Options that the Kuzzle which answered does not have (1.x: rate limit, strict flag, onAssignedUsers):
    say so instead of sending them."""
    params = module.params
    for option, used, capability in (('rate_limit', params['rate_limit'] is not None, 'rate_limit'),
                                     ('strict', params['strict'], 'strict'),
                                     ('on_assigned_users=remove', params['on_assigned_users'] == 'remove', 'on_assigned_users')):
        if used and not client.supports(capability):
            module.fail_json(msg='profile "%s": %s needs Kuzzle 2.x, and %s answers like Kuzzle 1.x' % (params['name'], option, params['url']),
                             changed=False)


def validate(module, policies):
    params = module.params
    problems = id_problems('profiles', [params['name']])
    problems.extend(_profile.policies_problems(policies))
    if params['rate_limit'] is not None and params['rate_limit'] < 0:
        problems.append('rate_limit must be 0 (no limit) or more')
    problems.extend(_tags.problems(params['tags']))
    if params['state'] == 'present' and policies == [] and params['purge_policies']:
        problems.append('policies is empty: Kuzzle would store it as the single policy "default"; '
                        'list that role explicitly if it is what you want')
    if params['state'] == 'absent' and params['name'] in _profile.RESERVED_PROFILES:
        problems.append('profile "%s" is reserved: Kuzzle never deletes it' % params['name'])
    if problems:
        module.fail_json(msg='Invalid task for profile "%s": %s' % (params['name'], '; '.join(problems)), changed=False)


def canonical_pair(module, client, source):
    """(before, after): the canonical stored profile and the one the task wants ({} to delete it); fails the
    task when the wanted profile cannot be stored."""
    refuse_unsupported(module, client)
    params = module.params
    name = params['name']
    before = _profile.normalize_profile(source)
    if params['state'] == 'absent':
        return before, {}
    policies = _profile.policies_from_params(params['policies'])
    if source is None and policies is None:
        module.fail_json(msg='profile "%s" does not exist, and policies is required to create it' % name, changed=False)
    after = _profile.desired_profile(before, policies, params['purge_policies'], params['rate_limit'], params['tags'])
    if name == 'anonymous' and 'anonymous' not in _profile.role_ids(after):
        module.fail_json(msg='profile "anonymous" must keep the role "anonymous" (Kuzzle refuses it otherwise)', changed=False)
    return before, after


def converge(module, client, source, before, after):
    """Check what the write needs, then write unless in check mode; the result keys of the change."""
    params = module.params
    name = params['name']
    query = {'refresh': params['refresh']}
    if not after:
        doing = 'delete profile "%s"' % name
        total, users = _objects.referrers(client, 'users', 'profileIds', [name], doing=doing)
        if total and params['on_assigned_users'] == 'fail':
            raise PredictedRefusal('profile "%s"' % name, 412, 'security.profile.in_use', (
                '%d user(s) still have this profile (%s); set on_assigned_users=remove to take it away from them'
                % (total, _report.first_names(users, total))))
        roles = _objects.require_all(client, 'roles', [], doing, read=_rights_review.review_role_ids(before, after))
        review = _rights_review.profile_review(module, client, name, before, after, roles)
        if not module.check_mode:
            if params['on_assigned_users'] == 'remove':
                query['onAssignedUsers'] = 'remove'
            client.act('security:deleteProfile', _id=name, query=query)
        return {'profile': {}, '_review': review}

    body = _profile.write_body(before, after, params['rate_limit'] is not None)
    if params['purge_policies']:
        body = _profile.in_given_order(body, _profile.policies_from_params(params['policies']))
    doing = '%s profile "%s"' % ('update' if before else 'create', name)
    # the roles it adds must exist; the rights review needs every role of both sides (the same mGet)
    review_ids = _rights_review.review_role_ids(before, after)
    roles = _objects.require_all(client, 'roles', _profile.new_role_ids(before, after), doing, read=review_ids)
    if params['strict']:
        query['strict'] = True
        check_restrictions_exist(client, name, doing, after)
    review = _rights_review.profile_review(module, client, name, before, after, roles) if review_ids else ({}, None)
    if module.check_mode:
        return {'profile': _profile.predict_stored(source, body), '_review': review}
    action = 'security:updateProfile' if before else 'security:createProfile'
    # its roles exist (checked above), but a cluster node may not know a role written through another one yet
    stored = _objects.role_cache_tolerant(client.act)(action, _id=name, query=query, body=body)
    return {'profile': _report.stored_view(stored.get('_source')), '_review': review}


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
        tags=dict(type='list', elements='str'),
        refresh=dict(type='str', default='wait_for', choices=['wait_for', 'false']),
        strict=dict(type='bool', default=False),
        on_assigned_users=dict(type='str', default='fail', choices=['fail', 'remove']),
    )
    module = kuzzle_module(argument_spec)
    validate(module, _profile.policies_from_params(module.params['policies']))
    run_object_task(module, kuzzle_client(module), 'profiles', canonical_pair, converge, _profile.summarize, rights=True)


if __name__ == '__main__':
    main()
