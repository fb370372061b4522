#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: kuzzle_login
short_description: Log in to Kuzzle once and return the token, for the later tasks of a play
description:
  - Logs in to Kuzzle with O(username) and O(password) through O(auth_strategy), and returns the
    authentication token (RV(token)), when it expires (RV(expires_at)) and the kuid of the user (RV(kuid)).
  - The token stays valid until it expires or is logged out. Pass it to later tasks as their O(token) option, for
    example through C(module_defaults) (see the examples), so that the play logs in once instead of once per task.
  - With O(state=absent), logs out the session of O(token) instead, so that the token cannot be used any more.
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
    details:
      - With O(state=present) the module logs in in check mode too, because the later tasks of a play run in check
        mode need a valid token to read Kuzzle. A login writes nothing to Kuzzle's storage, where the security
        objects are; Kuzzle keeps sessions in its cache until they expire.
      - With O(state=absent) check mode only asks Kuzzle whether O(token) is still valid, and does not log out.
  diff_mode:
    support: none
options:
  state:
    description:
      - V(present) logs in with O(username) and O(password) and returns a new token.
      - V(absent) logs out the session of O(token). A token that is no longer valid (logged out or expired)
        is already absent.
    type: str
    choices: [present, absent]
    default: present
  expires_in:
    description:
      - How long the token is valid, in Kuzzle's format, a number of milliseconds (V(3600000)) or a number and a unit
        (V(30s), V(15m), V(2h), V(1d)); V(-1) means never.
      - Omitted, Kuzzle's C(security.authToken.expiresIn) applies (one hour by default). Kuzzle refuses a
        lifetime longer than its C(security.authToken.maxTTL).
      - Only with O(state=present).
    type: raw
notes:
  - B(Set C(no_log) to V(true) on a task of this module.) The token is as good as the password until it expires.
    Without C(no_log), Ansible shows it with C(-v), and callbacks and job logs (AWX, ARA...) keep it. With
    C(no_log), Ansible hides the whole result in its output, while the registered variable still holds the
    token for later tasks. Later tasks that receive it as their O(token) option hide it, since that option is
    C(no_log). The module warns when it returns a token from a task without C(no_log).
  - The module does not mask the token itself (with Ansible's C(no_log_values)), because Ansible would then
    replace it in the registered result too, and it could not be passed to later tasks.
  - The token is not renewed. Choose O(expires_in) longer than the play, or log in again.
  - B(In a play over several hosts, log in and log out once), with C(run_once) on both tasks (the token is then
    shared by every host). Kuzzle gives two logins of one user within the same second the same token, so logins in
    several forks can return one token, and the logout of one host would end the session of the others.
    The other modules never log out the sessions they open with O(username) and O(password), for that reason.
  - Logging out does not end API keys, whose tokens look alike; delete them with M(community.kuzzle.kuzzle_api_key).
seealso:
  - module: community.kuzzle.kuzzle_api_key
  - name: Kuzzle authentication
    description: Tokens, their lifetime, and logging out.
    link: https://docs.kuzzle.io/core/2/guides/main-concepts/authentication/
"""

EXAMPLES = r"""
# One login serves every Kuzzle task of the play: a module_defaults entry for the action group
# (token: "{{ kuzzle_session.token | default(omit) }}") passes it to all of them; see the connection guide.
- name: Log in once, for every host of the play
  community.kuzzle.kuzzle_login:
    url: https://kuzzle.example.com
    username: admin
    password: "{{ kuzzle_admin_password }}"
    expires_in: 30m
  register: kuzzle_session
  no_log: true
  run_once: true
  delegate_to: localhost

- name: Each host's own profile, written with the session's token
  community.kuzzle.kuzzle_profile:
    url: https://kuzzle.example.com
    token: "{{ kuzzle_session.token }}"
    name: "shop-{{ inventory_hostname }}"
    policies:
      - role_id: reader
  delegate_to: localhost

- name: Log out once every host is done, so that the token cannot be used any more
  community.kuzzle.kuzzle_login:
    url: https://kuzzle.example.com
    token: "{{ kuzzle_session.token }}"
    state: absent
  run_once: true
  delegate_to: localhost
"""

RETURN = r"""
token:
  description:
    - The authentication token, to send as a Bearer token (the O(token) option of this collection's modules).
  returned: success, with O(state=present)
  type: str
  sample: kauth-eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9...
expires_at:
  description: When the token expires, in milliseconds since the epoch; V(-1) for never.
  returned: success, with O(state=present)
  type: int
  sample: 1795753655236
ttl:
  description: The lifetime of the token, in milliseconds; V(-1) for never.
  returned: success, with O(state=present)
  type: int
  sample: 3600000
kuid:
  description: The kuid of the user the token authenticates.
  returned: success, with O(state=present)
  type: str
  sample: admin
msg:
  description: What happened, in a few words.
  returned: always
  type: str
  sample: logged in as admin (kuid admin); the token expires at 2026-11-27T04:28:34Z
outcome:
  description:
    - V(unknown) when the task failed on a write whose answer was lost (a timeout, a connection lost once the request
      was sent, a 502 or 504 of a gateway), so that Kuzzle may or may not have applied it; RV(msg) says so. C(changed) is
      then V(true), since the change may have been made. It can only be the logout of O(state=absent), and running the task again tells.
  returned: failure, when the outcome of a write is unknown
  type: str
  sample: unknown
error_id:
  description: Kuzzle's error id when the task failed on an answer from Kuzzle.
  returned: failure
  type: str
  sample: plugin.strategy.missing_user
status:
  description: The HTTP status of Kuzzle's answer when the task failed on an answer from Kuzzle.
  returned: failure
  type: int
  sample: 401
"""

from ansible_collections.community.kuzzle.plugins.module_utils._connection import (
    fail_kuzzle,
    kuzzle_client,
    kuzzle_module,
)
from ansible_collections.community.kuzzle.plugins.module_utils._errors import KuzzleError
from ansible_collections.community.kuzzle.plugins.module_utils import _timespan

TOKEN_WARNING = ('The result holds an authentication token (token): set no_log: true on this task, '
                 'or the token shows in the output with -v and in callback and job logs')
# Kuzzle's answers to a request that carries a token it no longer accepts.
GONE = ('security.token.invalid', 'security.token.expired')
API_KEY_PREFIX = 'kapikey-'  # Kuzzle 2.10.2+: API keys are kapikey-<JWT>, login tokens kauth-<JWT>


def log_in(module, client):
    params = module.params
    query = {}
    if params['expires_in'] is not None:
        problem = None
        try:
            _timespan.parse(params['expires_in'])
        except ValueError as exc:
            problem = str(exc)
        if problem:
            module.fail_json(msg='Invalid task: expires_in: %s' % problem, changed=False)
        query['expiresIn'] = _timespan.as_text(params['expires_in'])
    if not params['username']:
        module.fail_json(changed=False, msg=(
            'kuzzle_login logs in with username and password (in the task, module_defaults or KUZZLE_USERNAME '
            'and KUZZLE_PASSWORD)%s' % (': a token is a session already' if params['token'] else '')))
    answer = client.login_as({'username': params['username'], 'password': params['password']}, params['auth_strategy'],
                             doing='log in to Kuzzle as "%s" (strategy %s)' % (params['username'], params['auth_strategy']),
                             query=query)
    expires_at = answer.get('expiresAt')
    if expires_at == _timespan.NEVER:
        until = 'the token never expires'
    elif isinstance(expires_at, (int, float)):
        until = 'the token expires at %s' % _timespan.iso_utc(expires_at)
    else:
        until = 'Kuzzle did not say when the token expires'
    return dict(changed=False, token=answer['jwt'], expires_at=expires_at, ttl=answer.get('ttl'), kuid=answer.get('_id'),
                msg='logged in as %s (kuid %s); %s' % (params['username'], answer.get('_id'), until))


def log_out(module, client):
    params = module.params
    token = params['token']
    if not token:
        module.fail_json(changed=False, msg='state=absent logs out the session of token: set token (in the task, '
                                            'module_defaults or KUZZLE_TOKEN)')
    if token.startswith(API_KEY_PREFIX):
        module.fail_json(changed=False, msg=(
            'token is an API key, not a login session: logging out would not revoke it; '
            'delete the key with community.kuzzle.kuzzle_api_key and state=absent'))
    try:
        if module.check_mode:
            valid = bool((client.act('auth:checkToken', body={'token': token}) or {}).get('valid'))
        else:
            client.act('auth:logout')
            valid = True
    except KuzzleError as err:
        if err.status != 401 or err.error_id not in GONE:
            raise
        valid = False
    if valid:
        return dict(changed=True, msg='logged out: the token is revoked')
    return dict(changed=False, msg='the token is already invalid (logged out or expired)')


def main():
    argument_spec = dict(
        state=dict(type='str', default='present', choices=['present', 'absent']),
        expires_in=dict(type='raw'),
    )
    module = kuzzle_module(argument_spec)
    params = module.params
    if params['state'] == 'absent' and (params['username'] or params['expires_in'] is not None):
        module.fail_json(changed=False, msg='state=absent logs out the session of token: '
                                            'username, password and expires_in do not apply')
    client = kuzzle_client(module)
    failure = None
    try:
        with client:
            result = log_in(module, client) if params['state'] == 'present' else log_out(module, client)
    except KuzzleError as err:
        failure = err
    if failure:
        fail_kuzzle(module, failure, changed=False)
    if 'token' in result and not module.no_log:
        module.warn(TOKEN_WARNING)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
