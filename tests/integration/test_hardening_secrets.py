# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Issue 10, case 2: no secret at -vvv, on any path. Every module is failed in every early way (and run once
successfully with a password in its url), each case with secrets of its own; the whole output of
ansible-playbook -vvv and every recorded result are searched for each secret."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import uuid

import pytest

UNREACHABLE = 'http://127.0.0.1:9'

# the options each module needs to pass its own validation; SECRET_IN_ARGS is replaced by a secret of the case
MODULES = {
    'kuzzle_profile': {'name': 'UID', 'policies': [{'role_id': 'reader'}]},
    'kuzzle_role': {'name': 'UID', 'controllers': {'document': {'actions': {'get': True}}}},
    'kuzzle_user': {'name': 'UID', 'profile_ids': ['default'], 'credentials': {'username': 'UID', 'password': 'SECRET_IN_ARGS'}},
    'kuzzle_api_key': {'user': 'UID', 'description': 'a key'},
    'kuzzle_login': {},
    'kuzzle_profile_info': {'name': 'UID'},
    'kuzzle_role_info': {'name': 'UID'},
    'kuzzle_user_info': {'name': 'UID'},
    'kuzzle_security': {'users': {'UID': {'content': {'profileIds': ['default']},
                                          'credentials': {'local': {'username': 'UID', 'password': 'SECRET_IN_ARGS'}}}}},
    'kuzzle_security_info': {'kinds': ['roles']},
}

# options that succeed against the real Kuzzle (url given by the case), without writing anything a test reads
SUCCEEDING = {
    'kuzzle_profile': {'name': 'UID', 'state': 'absent'},
    'kuzzle_role': {'name': 'UID', 'state': 'absent'},
    'kuzzle_user': {'name': 'UID', 'state': 'absent'},
    'kuzzle_api_key': {'user': 'ADMIN', 'id': 'UID', 'state': 'absent'},
    'kuzzle_login': {'state': 'absent', 'token': 'kauth-SECRET_IN_ARGS'},
    'kuzzle_profile_info': {'name': 'UID'},
    'kuzzle_role_info': {'name': 'UID'},
    'kuzzle_user_info': {'name': 'UID'},
    'kuzzle_security': MODULES['kuzzle_security'],
    'kuzzle_security_info': {'kinds': ['roles']},
}


def early_failures(module):
    """(case name, options added to the module's own): each must fail the task."""
    cases = [
        ('bad timeout', {'timeout': 0, 'username': 'someone', 'password': 'SECRET'}),
        ('bad retries', {'retries': -1, 'username': 'someone', 'password': 'SECRET'}),
        ('token and username', {'token': 'SECRET', 'username': 'someone', 'password': 'SECRET2'}),
        ('unsupported option', {'no_such_option': 1, 'username': 'someone', 'password': 'SECRET'}),
        ('bad boolean', {'validate_certs': 'maybe', 'username': 'someone', 'password': 'SECRET'}),
        ('password in the url, unreachable', {'url': 'http://someone:SECRET@127.0.0.1:9'}),
        ('password in a malformed url', {'url': 'http://someone:SECRET@[::1', 'username': 'someone', 'password': 'SECRET2'}),
        ('password in a url with a bad scheme', {'url': 'ftp://someone:SECRET@127.0.0.1:9'}),
        # KUZZLE_USERNAME and KUZZLE_PASSWORD are set for the whole run (see the test)
        ('password from the environment, bad timeout', {'timeout': 0}),
        ('password from the environment, token in the task', {'token': 'SECRET2', 'retries': -1}),
        ('password from the environment, unreachable', {}),
    ]
    if module == 'kuzzle_security':
        cases.append(('bad purge', {'purge': 'maybe', 'username': 'someone', 'password': 'SECRET'}))
    if module == 'kuzzle_user':
        cases.append(('bad update_password', {'update_password': 'sometimes', 'username': 'someone', 'password': 'SECRET'}))
    return cases


def _fill(value, replacements):
    """value with every placeholder string replaced, in nested dicts and lists."""
    if isinstance(value, dict):
        return dict((_fill(k, replacements), _fill(v, replacements)) for k, v in value.items())
    if isinstance(value, list):
        return [_fill(v, replacements) for v in value]
    if isinstance(value, str):
        for placeholder, replacement in replacements:
            value = value.replace(placeholder, replacement)
    return value


@pytest.fixture(scope='module')
def vvv_run(module_playbooks, admin, kuzzle):
    """One ansible-playbook -vvv run with every case of every module (task '<module>: <case>'); (run, {module: {case:
    secrets}}). Each secret names its module and case, so a leak says where it came from."""
    group = uuid.uuid4().hex[:6]
    tasks, secrets = [], {}
    for module in sorted(MODULES):
        short = module[len('kuzzle_'):].replace('_', '')
        uid = '%s-%s' % (short, group)
        secrets[module] = {}
        for number, (case, options) in enumerate(early_failures(module)):
            marks = [('SECRET_IN_ARGS', 'argpw%02d-%s' % (number, uid)), ('SECRET2', 'pwb%02d-%s' % (number, uid)),
                     ('SECRET', 'pwa%02d-%s' % (number, uid)), ('UID', '%s-%d' % (uid, number))]
            tasks.append({'name': '%s: %s' % (module, case), 'community.kuzzle.' + module: _fill(dict(MODULES[module], **options), marks),
                          'ignore_errors': True})
            secrets[module][case] = [secret for placeholder, secret in marks if placeholder != 'UID']
        marks = [('SECRET_IN_ARGS', 'argpw-%s-ok' % uid), ('SECRET', 'pw-%s-ok' % uid), ('UID', uid + '-ok'), ('ADMIN', admin.username)]
        url = kuzzle.url.replace('http://', 'http://someone:SECRET@')
        succeeding = dict(SUCCEEDING[module], url=url)
        if 'token' not in succeeding:
            succeeding.update(username=admin.username, password=admin.password)
        tasks.append({'name': '%s: %s' % (module, SUCCESS), 'community.kuzzle.' + module: _fill(succeeding, marks)})
        secrets[module][SUCCESS] = [secret for placeholder, secret in marks if placeholder in ('SECRET', 'SECRET_IN_ARGS')]
        secrets[module]['the admin password'] = [admin.password]
        secrets[module]['KUZZLE_PASSWORD'] = [ENVIRONMENT['KUZZLE_PASSWORD'] % group]
    environment = dict(ENVIRONMENT, KUZZLE_PASSWORD=ENVIRONMENT['KUZZLE_PASSWORD'] % group)
    # retries 0: the unreachable cases fail at once (every retry would find the port closed again)
    # 122 tasks: about a minute of CPU, several on a loaded machine
    run = module_playbooks.run(tasks, verbosity=3, env=environment, timeout=1200,
                               module_defaults={'group/community.kuzzle.kuzzle': {'url': UNREACHABLE, 'retries': 0}})
    return run, secrets


SUCCESS = 'success with a password in the url'
# in the environment of ansible-playbook, as an operator exports it (a task's environment: keyword is shown by
# Ansible itself at -vvv, in the command line it runs: nothing a module can hide)
ENVIRONMENT = {'KUZZLE_USERNAME': 'someone', 'KUZZLE_PASSWORD': 'envpw-%s'}


@pytest.mark.parametrize('module', sorted(MODULES))
def test_no_secret_at_vvv_in_any_early_failure_nor_with_a_password_in_the_url(vvv_run, module):
    run, secrets = vvv_run
    recorded = str(run.results)
    leaks = sorted('%s: %s' % (case, where) for case, values in secrets[module].items() for secret in values
                   for where, text in (('output', run.output), ('results', recorded)) if secret in text)
    assert leaks == [], 'secrets shown at -vvv (case: where):\n' + '\n'.join(leaks)
    statuses = dict((r['task'], r['status']) for r in run.results if r['task'].startswith(module + ': '))
    assert statuses.pop('%s: %s' % (module, SUCCESS)) == 'ok', run.output
    assert len(statuses) == len(early_failures(module)) and set(statuses.values()) == {'failed'}, statuses  # every early case failed
