#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: kuzzle_server_info
short_description: Wait until Kuzzle is ready, and read what a caller may know of it
description:
  - Asks Kuzzle whether it is ready (C(GET /_ready), which needs no rights), and, with O(wait_timeout), asks again
    until it is or the time is up, then fails naming the URL and the last thing seen (connection refused,
    C(503)...).
  - Once Kuzzle is ready, reads what the caller may know of it, each through Kuzzle's own action
    (RV(health) from C(server:healthCheck), RV(version) from C(server:info), RV(admin_exists) from
    C(server:adminExists)) and whether anonymous still has every right (RV(default_rights_restricted), from
    C(auth:getMyRights) sent anonymously, which Kuzzle always allows).
  - Each is first asked anonymously, so that the module works before any user exists. When Kuzzle refuses it
    to anonymous (once the default rights are restricted) and the task has credentials (O(username) and
    O(password), or O(token)), it is asked again as that user; without credentials, or when the user may not
    either, its value is V(null).
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
    details: The module only reads; it runs the same in check mode.
  diff_mode:
    support: none
options:
  wait_timeout:
    description:
      - How long to wait for Kuzzle to be ready, in seconds.
      - V(0) (the default) looks once and does not fail when Kuzzle is not ready or cannot be reached;
        RV(ready) is then V(false) and RV(seen) says why.
      - More than V(0) looks again, at most once a second, until Kuzzle is ready, and fails when it is still not
        ready after that time. Each look waits at most O(timeout) seconds, and is not retried (O(retries) applies
        to the reads that follow).
    type: float
    default: 0
notes:
  - C(GET /_ready) exists since Kuzzle 2.41. An older Kuzzle answers it with C(404); the module then takes an
    answer from Kuzzle as ready.
seealso:
  - module: community.kuzzle.kuzzle_first_admin
  - name: Kuzzle's server controller
    description: adminExists, healthCheck and info.
    link: https://docs.kuzzle.io/core/2/api/controllers/server/
"""

EXAMPLES = r"""
- name: Wait up to five minutes for a Kuzzle that is starting
  community.kuzzle.kuzzle_server_info:
    url: http://localhost:7512
    wait_timeout: 300
  register: kuzzle_server

- name: Say whether the first administrator is still to be created
  ansible.builtin.debug:
    msg: "{{ 'no administrator yet' if kuzzle_server.admin_exists == false else 'an administrator exists' }}"

- name: Fail when anonymous may still do everything
  community.kuzzle.kuzzle_server_info:
    url: https://kuzzle.example.com
  register: kuzzle_server
  failed_when: not kuzzle_server.default_rights_restricted
"""

RETURN = r"""
ready:
  description: Whether Kuzzle answered C(GET /_ready) with C(200) (running and not overloaded).
  returned: always
  type: bool
  sample: true
seen:
  description: What the last look at C(GET /_ready) saw.
  returned: always
  type: str
  sample: "GET /_ready answered 200"
looks:
  description: How many times the module looked at C(GET /_ready).
  returned: always
  type: int
  sample: 1
health:
  description:
    - The health of Kuzzle's services, as C(server:healthCheck) answers it (V(green) or V(red) for each), or
      C(status=red) and Kuzzle's C(message) when it answers that a service is unavailable.
    - V(null) when Kuzzle is not ready or the caller may not ask.
  returned: always
  type: dict
  sample: {status: green, services: {internalCache: green, memoryStorage: green, storageEngine: green}}
version:
  description: Kuzzle's version (C(server:info)); V(null) when Kuzzle is not ready or the caller may not ask.
  returned: always
  type: str
  sample: 2.56.0
admin_exists:
  description: Whether a user with the C(admin) profile exists; V(null) when Kuzzle is not ready or the caller may not ask.
  returned: always
  type: bool
  sample: false
default_rights_restricted:
  description:
    - V(false) when anonymous may call every action, as on a Kuzzle whose default rights were never restricted
      (see M(community.kuzzle.kuzzle_first_admin)), V(true) otherwise.
    - V(null) when Kuzzle is not ready.
  returned: always
  type: bool
  sample: false
msg:
  description: What the module found, in a few words.
  returned: always
  type: str
  sample: "Kuzzle 2.56.0 is ready; no administrator yet; anonymous may call every action"
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

import time

from ansible_collections.community.kuzzle.plugins.module_utils._connection import (
    fail_kuzzle,
    kuzzle_client,
    kuzzle_module,
)
from ansible_collections.community.kuzzle.plugins.module_utils._errors import KuzzleError
from ansible_collections.community.kuzzle.plugins.module_utils import _server


def look(probe, params, time_left):
    """One look at /_ready: (ready, what was seen)."""
    probe.timeout = params['timeout'] if time_left <= 0 else max(min(params['timeout'], time_left), 1)
    try:
        probe.act_anonymously('server:ready')
    except KuzzleError as err:
        if err.status == 503:
            return False, 'GET /_ready answered 503: Kuzzle is starting, stopping or overloaded'
        if err.status == 404 and err.error_id:
            return True, 'GET /_ready answered 404 (a Kuzzle older than 2.41): Kuzzle answers, taken as ready'
        return False, _server.failure_detail(err)
    return True, 'GET /_ready answered 200'


def ask(client, action):
    """The result of ``action`` asked anonymously, else as the task's user; None when neither may ask."""
    try:
        return client.act_anonymously(action)
    except KuzzleError as err:
        if err.status not in _server.REFUSED:
            raise
        if not client.authenticates:
            return None
    try:
        return client.act(action)
    except KuzzleError as err:
        if err.status not in _server.REFUSED or err.kuzzle_action == 'login':
            raise
    return None


def read_health(client):
    try:
        result = ask(client, 'server:healthCheck')
    except KuzzleError as err:
        if err.status is None or err.status < 500:
            raise
        return {'status': 'red', 'message': _server.failure_detail(err)}  # a service is unavailable
    return None if result is None else _server.health_of(result)


def read_all(client):
    exists = ask(client, 'server:adminExists')
    rights = client.act_anonymously('auth:getMyRights', doing='read the rights of anonymous')
    return dict(health=read_health(client), version=_server.version_of(ask(client, 'server:info')),
                admin_exists=None if exists is None else bool(exists.get('exists')),
                default_rights_restricted=not _server.anonymous_unrestricted(rights['hits']))


def summary(found):
    parts = ['Kuzzle %s is ready' % found['version'] if found['version'] else 'Kuzzle is ready']
    if found['admin_exists'] is not None:
        parts.append('an administrator exists' if found['admin_exists'] else 'no administrator yet')
    parts.append('default rights restricted' if found['default_rights_restricted'] else 'anonymous may call every action')
    return '; '.join(parts)


def main():
    module = kuzzle_module(dict(wait_timeout=dict(type='float', default=0)))
    params = module.params
    if params['wait_timeout'] < 0:
        module.fail_json(msg='wait_timeout must be 0 (one look) or more seconds, got %s' % params['wait_timeout'])
    result = dict(changed=False, health=None, version=None, admin_exists=None, default_rights_restricted=None)
    probe = kuzzle_client(module, retries=0)
    failure = None
    try:
        with probe:
            ready, seen, looks = _server.wait_until_ready(lambda left: look(probe, params, left), params['wait_timeout'],
                                                          time.monotonic, time.sleep)
        result.update(ready=ready, seen=seen, looks=looks)
        if ready:
            with kuzzle_client(module) as client:
                result.update(read_all(client))
    except KuzzleError as err:
        failure = err
    if failure:  # outside the except block: ansible-core 2.18 would add the handled error's traceback at -vvv
        fail_kuzzle(module, failure, **result)
    if not result['ready']:
        where = probe.display_url
        if params['wait_timeout'] > 0:
            module.fail_json(msg='Kuzzle at %s is not ready after %g s (%d looks); last seen: %s' % (
                where, params['wait_timeout'], result['looks'], result['seen']), **result)
        module.exit_json(msg='Kuzzle at %s is not ready: %s' % (where, result['seen']), **result)
    module.exit_json(msg=summary(result), **result)


if __name__ == '__main__':
    main()
