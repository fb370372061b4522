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

Secrets: Ansible returns a module's arguments with its result (``invocation``, shown at -vvv) and masks only
the values registered in ``no_log_values``, which it fills while it validates the arguments. A task can fail
before that, or carry secrets that no option declares (a password in ``url``, the passwords of a security
definition). KuzzleModule registers every one of them as soon as the arguments are read, before anything can
fail: ``password``, ``token``, the password of ``url``, those of KUZZLE_PASSWORD, KUZZLE_TOKEN and
KUZZLE_URL, and what the module's own ``secrets`` function finds in its raw arguments.
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
    url_problem,
    userinfo_secrets,
    without_userinfo,
)
from ansible_collections.community.kuzzle.plugins.module_utils._errors import UNKNOWN

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


def _as_secret(value):
    """A secret as Ansible would show it once converted to a string (None for no value)."""
    if value is None or isinstance(value, (bool, dict, list)) or value == '':
        return None
    return value if isinstance(value, str) else str(value)


def task_secrets(params, secrets=None):
    """Every secret a task may carry, from its raw arguments (not validated yet: any shape) and the environment:
    the password and token options, the password of url, KUZZLE_PASSWORD, KUZZLE_TOKEN, the password of
    KUZZLE_URL, and what ``secrets(params)`` finds (the module's own: the passwords it sets)."""
    params = params if isinstance(params, dict) else {}
    found = [params.get('password'), params.get('token'), os.environ.get('KUZZLE_PASSWORD'), os.environ.get('KUZZLE_TOKEN')]
    for url in (params.get('url'), os.environ.get('KUZZLE_URL')):
        found.extend(userinfo_secrets(url))
    if secrets is not None:
        found.extend(secrets(params))
    return set(value for value in (_as_secret(item) for item in found) if value)


class KuzzleModule(AnsibleModule):
    """AnsibleModule that registers the task's secrets (task_secrets) as no_log values as soon as it has read its
    arguments, before anything can fail and echo them. Ansible (2.18 to 2.21 at least) empties no_log_values,
    then calls _load_params(), then validates; the unit tests check it on the installed ansible-core."""

    def __init__(self, *args, **kwargs):
        self._find_secrets = kwargs.pop('secrets', None)
        self._declared_no_log = bool(kwargs.get('no_log'))
        super(KuzzleModule, self).__init__(*args, **kwargs)

    def _log_invocation(self):
        # A module declared no_log keeps its invocation out of the system log. Ansible replaces the declaration with
        # the task's own no_log (always sent, false by default) before logging, and logging a definition of thousands
        # of objects, masked against thousands of passwords, took kuzzle_security a quarter of a second.
        if not self._declared_no_log:
            super(KuzzleModule, self)._log_invocation()

    def _load_params(self):
        super(KuzzleModule, self)._load_params()
        self.no_log_values.update(task_secrets(self.params, self._find_secrets))


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


def kuzzle_module(argument_spec, secrets=None, **kwargs):
    """KuzzleModule with the connection options added, check mode on by default, requests checked, the url checked
    before any request. ``secrets(params)``: the secrets of the module's own options, found in its raw arguments
    (see task_secrets)."""
    spec = connection_argument_spec()
    spec.update(argument_spec)
    kwargs.setdefault('supports_check_mode', True)
    required_by = dict(CONNECTION_REQUIRED_BY)
    required_by.update(kwargs.pop('required_by', None) or {})
    _FROM_ENVIRONMENT.clear()
    module = KuzzleModule(argument_spec=spec, required_by=required_by, secrets=secrets, **kwargs)
    if not HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib('requests'), exception=REQUESTS_IMPORT_ERROR)
    _settle_credentials(module)
    if module.params['timeout'] <= 0:
        module.fail_json(msg='timeout must be more than 0 seconds, got %s' % module.params['timeout'])
    if module.params['retries'] < 0:
        module.fail_json(msg='retries must be 0 (no retry) or more, got %d' % module.params['retries'])
    url = module.params['url']
    problem = url_problem(url)
    if problem:
        module.fail_json(msg='url "%s" %s' % (without_userinfo(url), problem))
    if without_userinfo(url) != url:
        module.warn('url has a user:password@ part, which is not sent to Kuzzle (it does not read it): '
                    'set username and password, or token, instead')
    return module


def _settle_credentials(module):
    params = module.params
    credentials = ('username', 'password', 'token')
    from_task = dict((o, params[o]) for o in credentials if params[o] is not None and o not in _FROM_ENVIRONMENT)
    problem = _type_error(check_mutually_exclusive, CONNECTION_MUTUALLY_EXCLUSIVE, from_task)
    if problem:
        module.fail_json(msg=problem)
    if 'token' in from_task:
        params['username'] = params['password'] = None
    elif 'username' in from_task or 'password' in from_task:
        params['token'] = None
    elif params['token'] is not None and (params['username'] is not None or params['password'] is not None):
        module.fail_json(msg='The environment sets both KUZZLE_TOKEN and KUZZLE_USERNAME/KUZZLE_PASSWORD: '
                             'unset one of them, or set token or username and password in the task')
    problem = _type_error(check_required_together, CONNECTION_REQUIRED_TOGETHER,
                          dict((o, v) for o, v in params.items() if v is not None))
    if problem:
        used = ['%s (from %s)' % (o, ENV_VARS[o]) for o in ('username', 'password')
                if o in _FROM_ENVIRONMENT and params[o] is not None]
        module.fail_json(msg=problem + ('; got ' + ', '.join(used) if used else ''))


def _type_error(check, *args):
    """The message of the TypeError ``check(*args)`` raises, or None. Modules fail outside except blocks:
    there, ansible-core 2.18's fail_json adds the traceback of the handled error to the result at -vvv."""
    try:
        check(*args)
    except TypeError as exc:
        return str(exc)
    return None


def kuzzle_client(module, **overrides):
    """The KuzzleClient for the module's connection options; ``overrides`` replace some of them (``retries=0``...)."""
    params = dict(module.params)
    params.update(overrides)
    return KuzzleClient(params['url'], username=params['username'], password=params['password'],
                        auth_strategy=params['auth_strategy'], token=params['token'], validate_certs=params['validate_certs'],
                        ca_path=params['ca_path'], client_cert=params['client_cert'], client_key=params['client_key'],
                        timeout=params['timeout'], retries=params['retries'])


def fail_kuzzle(module, err, **result):
    """Fail the task with a KuzzleError or a PredictedRefusal (_errors.py): its message, the error id and status
    Kuzzle answered or would answer, plus ``result``. A write whose outcome is unknown (the change may have
    been applied) adds ``outcome: unknown`` and makes ``changed`` true.

    Call it after the ``except`` block that caught ``err``, never inside: there, ansible-core 2.18's fail_json
    adds the traceback of the handled error to the result at -vvv."""
    result.update(msg=str(err), error_id=err.error_id, status=err.status)
    if err.outcome == UNKNOWN:
        result.update(outcome=UNKNOWN, changed=True)
    module.fail_json(**result)
