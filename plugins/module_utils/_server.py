# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""What kuzzle_server_info and kuzzle_first_admin decide: waiting for readiness, reading what a caller may know,
the first administrator. No I/O of its own: the Kuzzle calls are functions the modules pass in.

For internal use of the community.kuzzle collection only: no compatibility promise.

Facts of Kuzzle 2.56 this relies on (lib/core/network/router.js, lib/api/controllers/serverController.js and
securityController.js, lib/config/default.config.ts; pinned by tests/contract/test_server.py):

- ``GET /_ready`` answers 200 once Kuzzle runs and is not overloaded, 503 before; no rights needed.
- ``server:adminExists``, ``server:healthCheck`` and ``server:info`` go through the rights check: anonymous may
  call them on a fresh Kuzzle, and gets 401 once the default rights are restricted (the restricted anonymous
  role keeps only ``auth:checkToken|getCurrentUser|getMyRights|login`` and ``server:publicApi|openapi``).
- ``auth:getMyRights`` stays open to anonymous: its answer tells whether anonymous may still call everything.
- ``security:createFirstAdmin`` refuses with 412 ``api.process.admin_exists`` once any user has the ``admin``
  profile; with ``reset`` it then restricts the default rights (``security:restrictDefaultRights``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

# Kuzzle's refusals of a caller's rights: 401 for anonymous, 403 for an authenticated user.
REFUSED = (401, 403)
POLL_INTERVAL = 1.0  # seconds between two looks at /_ready while waiting (at most)
ADMIN_PROFILE = 'admin'
STRATEGY = 'local'


def wait_until_ready(look, wait_timeout, clock, sleep, interval=POLL_INTERVAL):
    """Look until Kuzzle is ready or ``wait_timeout`` seconds have passed (0: one look).

    ``look(time_left)`` makes one look and returns ``(ready, seen)``, ``seen`` saying what it saw (for a
    failure message); ``clock()`` gives monotonic seconds, ``sleep(seconds)`` waits. Returns ``(ready, seen,
    looks)``. Looks are at least ``interval`` seconds apart (from start to start), so it never spins,
    and the last one starts before the deadline.
    """
    start = clock()
    deadline = start + max(wait_timeout, 0)
    looks = 0
    while True:
        began = clock()
        looks += 1
        ready, seen = look(max(deadline - began, 0))
        if ready:
            return True, seen, looks
        now = clock()
        if now >= deadline:
            return False, seen, looks
        sleep(max(min(began + interval, deadline) - now, 0))


def anonymous_unrestricted(hits):
    """Whether a rights list (auth:getMyRights' hits) allows every action of every controller on every index:
    the rights of anonymous on a Kuzzle whose default rights were never restricted."""
    return any(hit.get('controller') == '*' and hit.get('action') == '*' and hit.get('index', '*') == '*'
               and hit.get('collection', '*') == '*' and hit.get('value') == 'allowed'
               for hit in hits if isinstance(hit, dict))


def health_of(result):
    """{status, services} of a server:healthCheck result."""
    return {'status': result.get('status'), 'services': dict(result.get('services') or {})}


def version_of(result):
    """Kuzzle's version from a server:info result (None when absent)."""
    kuzzle = ((result or {}).get('serverInfo') or {}).get('kuzzle') or {}
    version = kuzzle.get('version')
    return version if isinstance(version, str) else None


def first_admin_problems(params):
    """Why the options of kuzzle_first_admin cannot create an administrator, before any request."""
    problems = []
    if params.get('token'):
        problems.append('the first administrator is created with the local credentials username and password, '
                        'not with a token')
    for option in ('username', 'password'):
        value = params.get(option)
        if not isinstance(value, str) or not value.strip():
            problems.append('%s must be a non-empty string: it is the local %s of the administrator to create' % (option, option))
    if params.get('auth_strategy') not in (None, STRATEGY):
        problems.append('auth_strategy must be local: the first administrator gets local credentials')
    name = params.get('name')
    if not isinstance(name, str) or not name.strip() or name.startswith('_') or name in ('.', '..'):
        problems.append('name must be a non-empty kuid that does not start with "_"')
    content = params.get('content') or {}
    if 'profileIds' in content:
        problems.append('content.profileIds cannot be given: the first administrator has the profile "admin" only')
    return problems


def first_admin_body(params):
    """The body of security:createFirstAdmin: the content and the local credentials (with the password)."""
    return {'content': dict(params.get('content') or {}),
            'credentials': {STRATEGY: {'username': params['username'], 'password': params['password']}}}


def first_admin_view(params):
    """The administrator the task creates, as a diff and the result show it (no password)."""
    view = {'kuid': params['name'], 'profileIds': [ADMIN_PROFILE], 'username': params['username'],
            'default_rights_restricted': bool(params['restrict_default_rights'])}
    if params.get('content'):
        view['content'] = dict(params['content'])
    return view


def failure_detail(err):
    """What a KuzzleError saw, without its ``Could not <doing>:`` lead (for a message that says the doing itself)."""
    text = str(err)
    lead = 'Could not %s: ' % err.doing
    return text[len(lead):] if text.startswith(lead) else text
