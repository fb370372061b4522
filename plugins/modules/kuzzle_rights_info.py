#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: kuzzle_rights_info
short_description: Read the effective rights of a Kuzzle user, profile or role, and assert them
description:
  - Computes the effective rights of one user (O(user)), profile (O(profile)) or role (O(role)), that is every
    request it may make, as C(controller), C(action), C(index) and C(collection) entries, with the rules
    Kuzzle enforces (its C(checkRights)), which Kuzzle's own rights listings (C(getUserRights),
    C(getProfileRights)) do not always follow.
  - Lists apart the rights that a C(restrictedTo) does not limit (RV(unrestricted)).
  - With O(expect_allowed) and O(expect_denied), checks requests against Kuzzle's decision and fails, listing
    every request that is not decided as expected. For a user, Kuzzle itself decides (one C(checkRights)
    request per expectation); for a profile or a role, which Kuzzle cannot check alone, the decision is
    computed with the same rules (tested against Kuzzle's C(checkRights) by the collection's tests).
  - Lets a pipeline prove least privilege after provisioning.
  - Reads the object, the profiles and roles it uses (one C(mGet) per kind) and Kuzzle's list of actions
    (C(server:publicApi)), which the connecting user must be allowed to read.
version_added: 0.2.0
author:
  - community.kuzzle contributors (@ansible-collections)
extends_documentation_fragment:
  - community.kuzzle._info.read_only
  - community.kuzzle._connection
  - community.kuzzle._connection.actiongroup
  - ansible.builtin.action_common_attributes
options:
  user:
    description: The kuid of the user whose rights to read. Exactly one of O(user), O(profile) and O(role) is required.
    type: str
  profile:
    description: The profile whose rights to read.
    type: str
  role:
    description: The role whose rights to read, as a profile with this role alone and no restriction would have them.
    type: str
  expect_allowed:
    description:
      - Requests that must be allowed.
      - Each one is checked as Kuzzle checks the request with these fields; an O(expect_allowed[].index) or
        O(expect_allowed[].collection) left out is left out of the request. Actions that take no index
        (most of C(security), C(auth), C(server)) are checked without one, since restrictions never limit them.
    type: list
    elements: dict
    default: []
    suboptions:
      controller:
        description: The controller, for example V(document).
        type: str
        required: true
      action:
        description: The action, for example V(create).
        type: str
        required: true
      index:
        description: The index the request names.
        type: str
      collection:
        description: The collection the request names (with its O(expect_allowed[].index)).
        type: str
  expect_denied:
    description:
      - Requests that must be denied, in the shape of O(expect_allowed).
    type: list
    elements: dict
    default: []
    suboptions:
      controller:
        description: The controller.
        type: str
        required: true
      action:
        description: The action.
        type: str
        required: true
      index:
        description: The index the request names.
        type: str
      collection:
        description: The collection the request names (with its O(expect_denied[].index)).
        type: str
notes:
  - A user, profile or role that does not exist fails the task.
  - C(*) in RV(rights) means any index or collection; C(null) means that the action takes no index or no collection.
seealso:
  - name: Kuzzle permissions
    description: Roles, profiles, policies and restrictions.
    link: https://docs.kuzzle.io/core/2/guides/main-concepts/permissions/
  - module: community.kuzzle.kuzzle_profile
  - module: community.kuzzle.kuzzle_role
"""

EXAMPLES = r"""
- name: Prove that the shop's editors can write orders and cannot create users
  community.kuzzle.kuzzle_rights_info:
    url: https://kuzzle.example.com
    token: "{{ kuzzle_api_key }}"
    user: editor-ci
    expect_allowed:
      - {controller: document, action: create, index: shop, collection: orders}
    expect_denied:
      - {controller: document, action: delete, index: shop, collection: orders}
      - {controller: security, action: createUser}
      - {controller: index, action: delete, index: shop}
  delegate_to: localhost

- name: List what a profile may do
  community.kuzzle.kuzzle_rights_info:
    profile: editor
  delegate_to: localhost
  register: editor

- name: Fail when a profile's restrictions leave rights unlimited
  ansible.builtin.assert:
    that: editor.unrestricted | length == 0
    fail_msg: "{{ editor.unrestricted }}"
"""

RETURN = r"""
rights:
  description:
    - The requests allowed, each as C(controller), C(action), C(index) and C(collection), sorted; none covers another.
    - C(index) is C(null) for an action that takes no index and C(*) for any index; C(collection) is C(null) for
      an action that takes no collection and C(*) for any collection.
  returned: success, and failure on an expectation
  type: list
  elements: dict
  sample:
    - {controller: document, action: create, index: shop, collection: orders}
    - {controller: document, action: get, index: "*", collection: "*"}
    - {controller: security, action: createUser, index: null, collection: null}
unrestricted:
  description:
    - The entries of RV(rights) that the restrictions of their policy do not limit (actions that take no index,
      and index-level actions of an index whose restriction names collections), unless another policy grants
      them anyway.
  returned: success, and failure on an expectation
  type: list
  elements: dict
  sample:
    - {controller: security, action: createUser, index: null, collection: null}
checks:
  description: Every expectation with Kuzzle's decision, in the order given (allowed ones first).
  returned: when O(expect_allowed) or O(expect_denied) is given
  type: list
  elements: dict
  contains:
    controller:
      description: The controller.
      type: str
    action:
      description: The action.
      type: str
    index:
      description: The index, or C(null).
      type: str
    collection:
      description: The collection, or C(null).
      type: str
    expected:
      description: V(allowed) or V(denied).
      type: str
    allowed:
      description: Whether the request is allowed.
      type: bool
  sample:
    - {controller: security, action: createUser, index: null, collection: null, expected: denied, allowed: true}
msg:
  description: How many rights, and how many expectations hold; on failure, every expectation that does not.
  returned: always
  type: str
  sample: "user editor-ci: 3 rights (1 not limited by restrictedTo); 4 expectations hold"
error_id:
  description: Kuzzle's error id when the task failed on an answer from Kuzzle.
  returned: failure
  type: str
  sample: security.user.not_found
status:
  description: The HTTP status of Kuzzle's answer when the task failed on an answer from Kuzzle.
  returned: failure
  type: int
  sample: 404
"""

from ansible_collections.community.kuzzle.plugins.module_utils._connection import fail_kuzzle, kuzzle_client, kuzzle_module
from ansible_collections.community.kuzzle.plugins.module_utils._errors import KuzzleError
from ansible_collections.community.kuzzle.plugins.module_utils._ids import id_problems
from ansible_collections.community.kuzzle.plugins.module_utils import _objects, _rights, _rights_review

KINDS = (('user', 'users'), ('profile', 'profiles'), ('role', 'roles'))
REQUEST = dict(
    controller=dict(type='str', required=True),
    action=dict(type='str', required=True),
    index=dict(type='str'),
    collection=dict(type='str'),
)


def subject(module):
    """(noun, kind, id) of the object the task asks about."""
    for noun, kind in KINDS:
        if module.params[noun] is not None:
            return noun, kind, module.params[noun]
    return None


def read_policies(module, client, noun, kind, object_id):
    """(list of each profile's policies, {role id: controllers}) of the object; fails when it does not exist."""
    source = _objects.read_object(client, kind, object_id)
    if source is None:
        module.fail_json(msg='%s "%s" does not exist' % (noun, object_id), changed=False)
    doing = 'read the rights of %s "%s"' % (noun, object_id)
    if kind == 'roles':
        return [[{'roleId': object_id}]], {object_id: source.get('controllers') or {}}
    if kind == 'profiles':
        profiles = [source.get('policies') or []]
    else:
        found = _objects.require_all(client, 'profiles', [], doing, read=list(source.get('profileIds') or []))
        profiles = [(found[i] or {}).get('policies') or [] for i in sorted(found)]
    ids = sorted(set(i for policies in profiles for i in _rights.policy_role_ids(policies)))
    known = _rights_review.controllers(_objects.require_all(client, 'roles', [], doing, read=ids))
    return profiles, dict((i, known.get(i) or {}) for i in ids)


def decide(client, kind, object_id, profiles, roles, request):
    """Whether the request is allowed: Kuzzle's checkRights for a user, the same rules computed otherwise."""
    fields = dict((key, request[key]) for key in ('controller', 'action', 'index', 'collection') if request.get(key))
    if kind == 'users':
        answer = client.act('security:checkRights', userId=object_id, body=fields,
                            doing='check %s for user "%s"' % (_rights.request_words(**request), object_id))
        return answer.get('allowed') is True
    return any(_rights.request_allowed(policies, roles, **fields) for policies in profiles)


def main():
    argument_spec = dict(
        user=dict(type='str'),
        profile=dict(type='str'),
        role=dict(type='str'),
        expect_allowed=dict(type='list', elements='dict', options=REQUEST, default=[]),
        expect_denied=dict(type='list', elements='dict', options=REQUEST, default=[]),
    )
    module = kuzzle_module(argument_spec, mutually_exclusive=[('user', 'profile', 'role')],
                           required_one_of=[('user', 'profile', 'role')])
    noun, kind, object_id = subject(module)
    problems = id_problems(kind, [object_id])
    if problems:
        module.fail_json(msg='Invalid task: %s' % '; '.join(problems), changed=False)
    expectations = [(True, item) for item in module.params['expect_allowed']] + \
        [(False, item) for item in module.params['expect_denied']]
    client = kuzzle_client(module)
    result = dict(changed=False)
    failure = None
    try:
        with client:
            profiles, roles = read_policies(module, client, noun, kind, object_id)
            scopes = _rights_review.scopes_of(module, client)
            if scopes is None:
                module.fail_json(msg='%s "%s": rights cannot be computed without server:publicApi' % (noun, object_id), changed=False)
            problems = _rights.expectation_problems(
                [('expect_allowed', module.params['expect_allowed']), ('expect_denied', module.params['expect_denied'])], scopes)
            if problems:
                module.fail_json(msg='Invalid task: %s' % '; '.join(problems), changed=False)
            rights = _rights.user_rights(profiles, roles, scopes)
            result.update(rights=_rights.as_dicts(rights.allowed), unrestricted=_rights.as_dicts(rights.unrestricted))
            checks = []
            for expected, item in expectations:
                request = dict((key, item.get(key)) for key in ('controller', 'action', 'index', 'collection'))
                allowed = decide(client, kind, object_id, profiles, roles, request)
                checks.append(dict(request, expected='allowed' if expected else 'denied', allowed=allowed))
    except KuzzleError as err:
        failure = err
    if failure:  # outside the except block: ansible-core 2.18 shows no traceback of the handled error
        fail_kuzzle(module, failure, changed=False)
    words = '%s %s: %d right%s' % (noun, object_id, len(result['rights']), '' if len(result['rights']) == 1 else 's')
    if result['unrestricted']:
        words += ' (%d not limited by restrictedTo)' % len(result['unrestricted'])
    if not expectations:
        module.exit_json(msg=words, **result)
    result['checks'] = checks
    wrong = [check for check in checks if check['allowed'] != (check['expected'] == 'allowed')]
    if wrong:
        module.fail_json(msg='%s; %d of %d expectations do not hold: %s' % (words, len(wrong), len(checks), '; '.join(
            '%s is %s, expected %s' % (_rights.request_words(*[check[k] for k in ('controller', 'action', 'index', 'collection')]),
                                       'allowed' if check['allowed'] else 'denied', check['expected']) for check in wrong)), **result)
    module.exit_json(msg='%s; %d expectation%s hold%s' % (words, len(checks), '' if len(checks) == 1 else 's',
                                                          's' if len(checks) == 1 else ''), **result)


if __name__ == '__main__':
    main()
