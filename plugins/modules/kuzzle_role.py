#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: kuzzle_role
short_description: Create, update or delete a Kuzzle security role
description:
  - Makes a Kuzzle security role match the task, idempotently.
  - Reads the role, compares its controllers with the task after normalising both sides, and writes only
    when they differ (C(createRole) when absent, C(updateRole) when present, C(deleteRole) for O(state=absent)).
  - Kuzzle's C(updateRole) replaces the whole role, so O(controllers) is the whole set of rights of the role.
    Key order carries no meaning. An action set to V(false) is kept and compared, because next to a V(*)
    wildcard it denies what the wildcard allows.
  - Bookkeeping (C(_kuzzle_info)) is ignored. Other top-level keys of a stored role (for example a
    C(description)) are not compared, and are sent back on update so that they are kept.
  - Before writing, and in check mode too, checks every controller and action against the API Kuzzle
    publishes (C(server:publicApi)), so that check mode reports an unknown controller or action instead of
    a success the real run would contradict. Without the right to call C(server:publicApi) this check is
    skipped (with a warning in check mode) and Kuzzle's own check applies to real runs.
  - Before deleting, and in check mode too, looks for profiles that use the role, and fails naming them.
  - Works with Kuzzle 2.x. Kuzzle 1.x is detected from its answers. It does not check controllers and
    actions, so neither does the module there and O(force) is not needed; and its C(updateRole) merges
    instead of replacing, so there the module replaces the role with C(createOrReplaceRole).
  - Says how an update changes the rights of every profile that uses the role (RV(rights)), with the rules Kuzzle
    enforces, with one search of those profiles and one C(mGetRoles) of their other roles.
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
    details: Reads the role, checks the controllers and actions or the profiles that use it, and decides everything, but writes nothing.
  diff_mode:
    support: full
    details: The diff shows the normalised controllers, the same in check mode and in real runs.
options:
  name:
    description:
      - The role identifier.
      - Ids that Kuzzle's HTTP router sends to other actions (V(_mapping), V(_mGet), V(_search), V(_mDelete)) are refused.
    type: str
    required: true
    aliases: [id]
  state:
    description:
      - V(present) creates or updates the role, V(absent) deletes it.
      - The reserved roles V(admin), V(default) and V(anonymous) can be updated but not deleted.
    type: str
    choices: [present, absent]
    default: present
  controllers:
    description:
      - "The rights of the role, in Kuzzle's shape, C({controller: {actions: {action: true or false}}}).
        Required with O(state=present)."
      - V(*) as a controller stands for every controller not listed, and as an action for every action of
        the controller not listed. The V(*) controller takes only the V(*) action.
      - Each controller takes the single key C(actions), a non-empty dict whose values are V(true) or V(false).
      - "The role V(anonymous) must allow C(auth:login), since everyone logs in through it. The module refuses
        a change that would deny it, before any request, including the cases that Kuzzle accepts but that
        would stop every login (C(auth: {actions: {login: false}}) next to a V(*) controller)."
    type: dict
  tags:
    description:
      - Tags of the role (Kuzzle's C(tags), searchable), compared as a set (order and duplicates do not count).
      - Omitted, the stored tags are kept; V([]) removes them.
    type: list
    elements: str
    version_added: 0.2.0
  force:
    description:
      - Allow controllers, and actions of controllers, that no loaded plugin provides (yet), for example to
        prepare the rights of a plugin that is deployed later. Sent as Kuzzle's C(force) flag, only when V(true),
        because Kuzzle treats its mere presence as true.
      - An unknown action of a native controller (such as C(document)) is refused even with O(force=true).
    type: bool
    default: false
  refresh:
    description:
      - V(wait_for) makes Kuzzle answer once the change is visible to searches; V(false) answers at once.
    type: str
    choices: [wait_for, 'false']
    default: wait_for
notes:
  - Several hosts may run the task at the same time on one Kuzzle. When another client created the role meanwhile (Kuzzle
    refuses the create with C(services.storage.document_already_exists)) or deleted it (C(security.role.not_found)), the
    role is read again; as the task asks, the task is unchanged and RV(msg) says that another client did it; otherwise
    the task writes the difference (an update).
  - Kuzzle has no versions on security objects, so a change made by someone else between the read and
    the write of a task is overwritten.
  - A role cannot be deleted while a profile uses it. Remove it from those profiles first
    (M(community.kuzzle.kuzzle_profile)); the module fails naming up to ten of them.
seealso:
  - module: community.kuzzle.kuzzle_role_info
  - module: community.kuzzle.kuzzle_profile
  - name: Kuzzle security roles
    description: What roles, controllers and actions are.
    link: https://docs.kuzzle.io/core/2/guides/main-concepts/permissions/
"""

EXAMPLES = r"""
- name: Readers may read and search documents, and manage their own session
  community.kuzzle.kuzzle_role:
    url: https://kuzzle.example.com
    username: admin
    password: "{{ kuzzle_admin_password }}"
    name: reader
    controllers:
      auth:
        actions:
          getCurrentUser: true
          logout: true
      document:
        actions:
          get: true
          mGet: true
          search: true
  delegate_to: localhost

- name: Everything but the security controller
  community.kuzzle.kuzzle_role:
    name: operator
    controllers:
      "*":
        actions:
          "*": true
      security:
        actions:
          "*": false
  delegate_to: localhost

- name: Rights on the controller of a plugin that is not deployed yet
  community.kuzzle.kuzzle_role:
    name: billing
    controllers:
      billing-plugin/invoices:
        actions:
          create: true
    force: true
  delegate_to: localhost

# The connection options can be set once for every Kuzzle task of a play, with module_defaults
# for the action group group/community.kuzzle.kuzzle (see the connection guide).
- name: Delete a role that no profile uses any more
  community.kuzzle.kuzzle_role:
    name: legacy
    state: absent
  delegate_to: localhost
"""

RETURN = r"""
role:
  description:
    - The role as Kuzzle stores it after the task, without the bookkeeping key C(_kuzzle_info);
      V({}) once deleted or when absent.
    - In check mode, what Kuzzle would store.
  returned: success
  type: dict
  sample:
    controllers:
      document:
        actions:
          get: true
          search: true
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
  sample: "role reader: controller document: actions mGet, search allowed; action delete removed"
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
      (V(security.role.in_use), V(security.role.unknown_controller), V(security.role.unknown_action)).
  returned: failure
  type: str
  sample: security.role.in_use
status:
  description: The HTTP status that goes with RV(error_id), answered by Kuzzle or that Kuzzle would answer.
  returned: failure
  type: int
  sample: 412
"""

from ansible_collections.community.kuzzle.plugins.module_utils._connection import kuzzle_client, kuzzle_module
from ansible_collections.community.kuzzle.plugins.module_utils._errors import PredictedRefusal
from ansible_collections.community.kuzzle.plugins.module_utils._ids import id_problems
from ansible_collections.community.kuzzle.plugins.module_utils._object_task import run_object_task
from ansible_collections.community.kuzzle.plugins.module_utils import _objects, _report, _rights_review, _role, _tags

# How many profiles a failure names; the count is always complete.
PROFILES_NAMED = 10


def check_rights_known(module, client, doing, controllers):
    """What Kuzzle checks when it stores a role, before writing and in check mode (where it checks: 2.x).

    Returns Kuzzle's list of controllers and actions when it was read (the rights review uses it too)."""
    name = module.params['name']
    if not client.supports('role_rights_check'):
        return None
    api = _objects.published_api(client, doing)
    if api is None:
        if module.check_mode:
            module.warn('role "%s": controllers and actions were not checked, because server:publicApi could not be '
                        'read at %s; the real run may still fail on an unknown one' % (name, client.display_url))
        return None
    problem = _role.unknown_rights(controllers, api, module.params['force'])
    if problem:
        raise PredictedRefusal('role "%s"' % name, 400, problem[0], problem[1])
    return api


def validate(module):
    params = module.params
    problems = id_problems('roles', [params['name']])
    if params['state'] == 'present':
        problems.extend(_role.controllers_problems(params['controllers']))
        problems.extend(_tags.problems(params['tags']))
        if not problems:
            problems.extend(filter(None, [_role.login_problem(params['name'], params['controllers'])]))
    elif params['name'] in _role.RESERVED_ROLES:
        problems.append('role "%s" is reserved: Kuzzle never deletes it' % params['name'])
    if problems:
        module.fail_json(msg='Invalid task for role "%s": %s' % (params['name'], '; '.join(problems)), changed=False)


def canonical_pair(module, client, source):
    """(before, after): the canonical stored role and the one the task wants ({} to delete it)."""
    params = module.params
    before = _role.normalize_role(source)
    return before, _role.desired_role(params['controllers'], params['tags'], before) if params['state'] == 'present' else {}


def converge(module, client, source, before, after):
    """Check what the write needs, then write unless in check mode; the result keys of the change."""
    params = module.params
    name = params['name']
    query = {'refresh': params['refresh']}
    if not after:
        total, profiles = _objects.referrers(client, 'profiles', 'policies.roleId', [name], doing='delete role "%s"' % name,
                                             limit=PROFILES_NAMED)
        if total:
            raise PredictedRefusal('role "%s"' % name, 412, 'security.role.in_use', (
                '%d profile(s) still use this role (%s); remove the role from them first' % (total, _report.first_names(profiles, total))))
        if not module.check_mode:
            client.act('security:deleteRole', _id=name, query=query)
        return {'role': {}}

    doing = '%s role "%s"' % ('update' if before else 'create', name)  # a replacement of 1.x reads as the update it is
    api = check_rights_known(module, client, doing, after['controllers'])
    # a new role is used by no profile yet; an updated one changes the rights of every profile that uses it
    review = _rights_review.role_review(module, client, name, before, after, api) if before else None
    body = _role.write_body(source, after)
    if module.check_mode:
        return {'role': body, '_review': review}
    if params['force'] and client.supports('role_rights_check'):
        query['force'] = True
    action = _role.write_action(not before, client.supports('role_update_replaces'))
    stored = client.act(action, _id=name, query=query, body=body, doing=doing)
    return {'role': _report.stored_view(stored.get('_source')), '_review': review}


def main():
    argument_spec = dict(
        name=dict(type='str', required=True, aliases=['id']),
        state=dict(type='str', default='present', choices=['present', 'absent']),
        controllers=dict(type='dict'),
        tags=dict(type='list', elements='str'),
        force=dict(type='bool', default=False),
        refresh=dict(type='str', default='wait_for', choices=['wait_for', 'false']),
    )
    module = kuzzle_module(argument_spec, required_if=[('state', 'present', ['controllers'])])
    validate(module)
    run_object_task(module, kuzzle_client(module), 'roles', canonical_pair, converge, _role.summarize, rights=True)


if __name__ == '__main__':
    main()
