#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: kuzzle_first_admin
short_description: Create Kuzzle's first administrator, once, and take the default rights away from anonymous
description:
  - Creates the first administrator of a Kuzzle (a user with the C(admin) profile, kuid O(name)) if and only if
    Kuzzle has none, with Kuzzle's C(security:createFirstAdmin). Its local credentials are the task's own
    O(username) and O(password), so that one C(module_defaults) serves this task and every later one.
  - With O(restrict_default_rights=true) (the default), Kuzzle then restricts the default rights (its C(reset)),
    so that the roles C(anonymous) and C(default) keep only what logging in needs and anonymous may no longer read
    or write anything.
  - When an administrator exists already, the task reports C(ok) and changes nothing. B(It never changes an existing
    administrator), its password or the default rights; use M(community.kuzzle.kuzzle_user) and
    M(community.kuzzle.kuzzle_role) for that.
  - It asks whether an administrator exists anonymously first (C(server:adminExists)), so it never logs in
    before the administrator exists. Once the default rights are restricted, Kuzzle refuses that question to
    anonymous; the module then logs in with O(username) and O(password) and asks again.
  - Two tasks racing to create the first administrator (two plays, two hosts) end with one creating it and the other
    reports C(ok).
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
    details: Asks whether an administrator exists and reports what it would do; writes nothing.
  diff_mode:
    support: full
    details: The administrator it creates (kuid, profile, username, content; never the password).
options:
  name:
    description:
      - The kuid of the administrator to create.
    type: str
    required: true
    aliases: [id]
  content:
    description:
      - Custom content of the administrator (for example C(fullName)). C(profileIds) cannot be given, since Kuzzle gives
        the first administrator the C(admin) profile only.
    type: dict
  restrict_default_rights:
    description:
      - Restrict the default rights when the administrator is created (Kuzzle's C(reset)); the roles C(anonymous)
        and C(default) get the rights of Kuzzle's C(security.standard) configuration, and the profiles
        C(anonymous), C(default) and C(admin) are reset to theirs.
      - Nothing is done when an administrator exists already.
    type: bool
    default: true
  username:
    description:
      - The local username of the administrator to create, which the task also logs in with once an
        administrator exists (see above). Required.
    type: str
  password:
    description:
      - The password of the administrator to create. Required. Never shown in any output.
    type: str
notes:
  - The first administrator is whoever creates it first. Run this module as soon as Kuzzle is ready
    (see M(community.kuzzle.kuzzle_server_info) and its O(community.kuzzle.kuzzle_server_info#module:wait_timeout)),
    before Kuzzle is reachable by others, since until then anonymous may do everything, creating an administrator included.
seealso:
  - module: community.kuzzle.kuzzle_server_info
  - module: community.kuzzle.kuzzle_security
  - name: security:createFirstAdmin
    description: Kuzzle's action.
    link: https://docs.kuzzle.io/core/2/api/controllers/security/create-first-admin/
"""

EXAMPLES = r"""
# With module_defaults for group/community.kuzzle.kuzzle setting url, username and password, the same
# credentials create the administrator here and authenticate every later task.
- name: Wait for Kuzzle
  community.kuzzle.kuzzle_server_info:
    wait_timeout: 300

- name: Create the first administrator, and take the default rights away from anonymous
  community.kuzzle.kuzzle_first_admin:
    name: admin
    username: admin
    password: "{{ kuzzle_admin_password }}"
    content:
      fullName: Kuzzle administrator

- name: Create it, and leave the default rights as they are (anonymous may still do everything)
  community.kuzzle.kuzzle_first_admin:
    name: admin
    restrict_default_rights: false
"""

RETURN = r"""
admin:
  description:
    - The administrator created (or that would be created, in check mode); the password is never returned.
  returned: changed
  type: dict
  sample: {kuid: admin, profileIds: [admin], username: admin, default_rights_restricted: true}
msg:
  description: What happened, in a few words.
  returned: always
  type: str
  sample: 'created the first administrator "admin" (local username admin); the default rights are restricted'
error_id:
  description: Kuzzle's error id when the task failed on an answer from Kuzzle.
  returned: failure
  type: str
  sample: security.credentials.database_inconsistency
status:
  description: The HTTP status of Kuzzle's answer when the task failed on an answer from Kuzzle.
  returned: failure
  type: int
  sample: 412
outcome:
  description:
    - V(unknown) when the creation request's answer was lost (a timeout, a connection lost once it was sent), so
      that Kuzzle may or may not have created the administrator; C(changed) is then V(true). Running the task again tells.
  returned: failure, when the outcome of the creation is unknown
  type: str
  sample: unknown
"""

from ansible_collections.community.kuzzle.plugins.module_utils._connection import (
    fail_kuzzle,
    kuzzle_client,
    kuzzle_module,
)
from ansible_collections.community.kuzzle.plugins.module_utils._errors import UNKNOWN, KuzzleError
from ansible_collections.community.kuzzle.plugins.module_utils import _server

EXISTS_MSG = 'an administrator exists already: nothing changed (this module never changes an existing administrator)'


def admin_exists(client, username):
    """Whether Kuzzle has an administrator: asked anonymously, else (anonymous is refused once the default rights
    are restricted) as the task's user, who must then exist."""
    try:
        return bool(client.act_anonymously('server:adminExists').get('exists'))
    except KuzzleError as err:
        if err.status not in _server.REFUSED:
            raise
    try:
        return bool(client.act('server:adminExists').get('exists'))
    except KuzzleError as err:
        raise err.advise('anonymous may not ask whether an administrator exists (the default rights are restricted), '
                         'so the task asked as "%s", its username' % username)


def created_by_another(client, username, err):
    """Whether the creation that failed with ``err`` lost a race: another task created an administrator since this one
    asked. Kuzzle then refuses with api.process.admin_exists, with 401 once the winner restricted anonymous's rights,
    or, when both passed Kuzzle's own check at once, with the refusal of the duplicate username (Kuzzle removes the
    loser's user). A refusal of another cause leaves no administrator, and stays the task's failure."""
    if err.outcome == UNKNOWN or err.status is None:
        return False  # no answer: the creation may have been made by this very task
    try:
        return admin_exists(client, username)
    except KuzzleError:
        return False


def converge(module, client, view, created):
    """The result of the task: ask, then create unless in check mode or an administrator exists."""
    params = module.params
    if admin_exists(client, params['username']):
        return dict(changed=False, msg=EXISTS_MSG)
    result = dict(changed=True, admin=view, msg=('would have ' if module.check_mode else '') + created)
    if module._diff:
        result['diff'] = {'before': {}, 'after': view, 'before_header': 'no administrator',
                          'after_header': 'first administrator "%s"' % params['name']}
    if module.check_mode:
        return result
    lost = None
    try:
        client.act_anonymously('security:createFirstAdmin', body=_server.first_admin_body(params),
                               query={'reset': params['restrict_default_rights']}, _id=params['name'])
    except KuzzleError as err:
        lost = err
    if lost is None:
        return result
    if not created_by_another(client, params['username'], lost):
        raise lost
    return dict(changed=False, msg='another task created the first administrator meanwhile: ' + EXISTS_MSG)


def main():
    argument_spec = dict(
        name=dict(type='str', required=True, aliases=['id']),
        content=dict(type='dict'),
        restrict_default_rights=dict(type='bool', default=True),
    )
    module = kuzzle_module(argument_spec)
    params = module.params
    problems = _server.first_admin_problems(params)
    if problems:
        module.fail_json(msg='Nothing written: %s' % '; '.join(problems), changed=False)
    view = _server.first_admin_view(params)
    client = kuzzle_client(module)
    created = 'created the first administrator "%s" (local username %s); %s' % (
        params['name'], params['username'],
        'the default rights are restricted' if params['restrict_default_rights'] else 'the default rights are left as they are')
    failure = None
    try:
        with client:
            result = converge(module, client, view, created)
    except KuzzleError as err:
        failure = err
    if failure:  # outside the except block: ansible-core 2.18 would add the handled error's traceback at -vvv
        fail_kuzzle(module, failure, changed=False)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
