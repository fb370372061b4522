# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""Connection options shared by every module of the collection, and the glue from them to KuzzleClient.

For internal use of the collection only: no compatibility promise, it can change at any time.
The options are documented by the doc fragment community.kuzzle._connection.

Environment variables fill options the task leaves unset (an empty variable counts as unset).
Credentials given in the task win over credentials of the other kind found in the environment:
a task with token ignores KUZZLE_USERNAME/KUZZLE_PASSWORD, a task with username or password
ignores KUZZLE_TOKEN. Only a real conflict fails: both kinds in the task, or both kinds in the
environment and none in the task.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible.module_utils.common.validation import check_mutually_exclusive, check_required_together
from ansible.module_utils.errors import AnsibleFallbackNotFound

from ansible_collections.community.kuzzle.plugins.module_utils._client import (
    HAS_REQUESTS,
    REQUESTS_IMPORT_ERROR,
    KuzzleClient,
)

ENV_VARS = {
    'url': 'KUZZLE_URL',
    'username': 'KUZZLE_USERNAME',
    'password': 'KUZZLE_PASSWORD',
    'token': 'KUZZLE_TOKEN',
}

# Checked by kuzzle_module() on the values the task gives, after the environment is read (see above).
CONNECTION_MUTUALLY_EXCLUSIVE = [['token', 'username'], ['token', 'password']]
CONNECTION_REQUIRED_TOGETHER = [['username', 'password']]
CONNECTION_REQUIRED_BY = {'client_key': ['client_cert']}

_FROM_ENVIRONMENT = set()  # the options that the last kuzzle_module() call filled from the environment


def _environment(option):
    """An Ansible fallback: the option's KUZZLE_* variable, remembering that it was used."""
    value = os.environ.get(ENV_VARS[option])
    if not value:
        raise AnsibleFallbackNotFound
    _FROM_ENVIRONMENT.add(option)
    return value


def connection_argument_spec():
    """The connection options, to merge into a module's argument_spec."""
    return dict(
        url=dict(type='str', default='http://localhost:7512', fallback=(_environment, ['url'])),
        username=dict(type='str', fallback=(_environment, ['username'])),
        password=dict(type='str', no_log=True, fallback=(_environment, ['password'])),
        auth_strategy=dict(type='str', default='local'),
        token=dict(type='str', no_log=True, fallback=(_environment, ['token'])),
        validate_certs=dict(type='bool', default=True),
        ca_path=dict(type='path'),
        client_cert=dict(type='path'),
        client_key=dict(type='path', no_log=False),
        timeout=dict(type='float', default=10),
        retries=dict(type='int', default=3),
    )


def kuzzle_module(argument_spec, **kwargs):
    """AnsibleModule with the connection options added, check mode on by default, requests checked."""
    spec = connection_argument_spec()
    spec.update(argument_spec)
    kwargs.setdefault('supports_check_mode', True)
    required_by = dict(CONNECTION_REQUIRED_BY)
    required_by.update(kwargs.pop('required_by', None) or {})
    _FROM_ENVIRONMENT.clear()
    module = AnsibleModule(argument_spec=spec, required_by=required_by, **kwargs)
    if not HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib('requests'), exception=REQUESTS_IMPORT_ERROR)
    _settle_credentials(module)
    if module.params['timeout'] <= 0:
        module.fail_json(msg='timeout must be more than 0 seconds, got %s' % module.params['timeout'])
    if module.params['retries'] < 0:
        module.fail_json(msg='retries must be 0 (no retry) or more, got %d' % module.params['retries'])
    return module


def _settle_credentials(module):
    params = module.params
    credentials = ('username', 'password', 'token')
    from_task = dict((o, params[o]) for o in credentials if params[o] is not None and o not in _FROM_ENVIRONMENT)
    try:
        check_mutually_exclusive(CONNECTION_MUTUALLY_EXCLUSIVE, from_task)
    except TypeError as exc:
        module.fail_json(msg=str(exc))
    if 'token' in from_task:
        params['username'] = params['password'] = None
    elif 'username' in from_task or 'password' in from_task:
        params['token'] = None
    elif params['token'] is not None and (params['username'] is not None or params['password'] is not None):
        module.fail_json(msg='The environment sets both KUZZLE_TOKEN and KUZZLE_USERNAME/KUZZLE_PASSWORD: '
                             'unset one of them, or set token or username and password in the task')
    try:
        check_required_together(CONNECTION_REQUIRED_TOGETHER, dict((o, v) for o, v in params.items() if v is not None))
    except TypeError as exc:
        used = ['%s (from %s)' % (o, ENV_VARS[o]) for o in ('username', 'password')
                if o in _FROM_ENVIRONMENT and params[o] is not None]
        module.fail_json(msg=str(exc) + ('; got ' + ', '.join(used) if used else ''))


def kuzzle_client(module):
    """The KuzzleClient for the module's connection options."""
    params = module.params
    return KuzzleClient(params['url'], username=params['username'], password=params['password'],
                        auth_strategy=params['auth_strategy'], token=params['token'], validate_certs=params['validate_certs'],
                        ca_path=params['ca_path'], client_cert=params['client_cert'], client_key=params['client_key'],
                        timeout=params['timeout'], retries=params['retries'])


def fail_kuzzle(module, err, **result):
    """Fail the task with a KuzzleError or a PredictedRefusal (_errors.py): its message, the error id and status
    Kuzzle answered or would answer, plus ``result``."""
    result.update(msg=str(err), error_id=err.error_id, status=err.status)
    module.fail_json(**result)
