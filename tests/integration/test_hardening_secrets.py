# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Issue 10, case 2: no secret at -vvv, on any path. Every module is failed in every early way (and run once
successfully with a password in its url), each case with secrets of its own; the whole output of
ansible-playbook -vvv and every recorded result are searched for each secret."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

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


@pytest.mark.parametrize('module', sorted(MODULES))
def test_no_secret_at_vvv_in_any_early_failure_nor_with_a_password_in_the_url(playbooks, admin, kuzzle, uid, module):
    tasks, secrets = [], {}
    for number, (case, options) in enumerate(early_failures(module)):
        marks = [('SECRET_IN_ARGS', 'argpw%02d-%s' % (number, uid)), ('SECRET2', 'pwb%02d-%s' % (number, uid)),
                 ('SECRET', 'pwa%02d-%s' % (number, uid)), ('UID', '%s-%d' % (uid, number))]
        tasks.append({'name': case, 'community.kuzzle.' + module: _fill(dict(MODULES[module], **options), marks), 'ignore_errors': True})
        secrets[case] = [secret for placeholder, secret in marks if placeholder != 'UID']
    marks = [('SECRET_IN_ARGS', 'argpw-%s-ok' % uid), ('SECRET', 'pw-%s-ok' % uid), ('UID', uid + '-ok'), ('ADMIN', admin.username)]
    url = kuzzle.url.replace('http://', 'http://someone:SECRET@')
    succeeding = dict(SUCCEEDING[module], url=url)
    if 'token' not in succeeding:
        succeeding.update(username=admin.username, password=admin.password)
    tasks.append({'name': 'success with a password in the url', 'community.kuzzle.' + module: _fill(succeeding, marks)})
    secrets['success with a password in the url'] = [secret for placeholder, secret in marks if placeholder in ('SECRET', 'SECRET_IN_ARGS')]
    secrets['the admin password'] = [admin.password]
    # in the environment of ansible-playbook, as an operator exports it (a task's environment: keyword is shown by
    # Ansible itself at -vvv, in the command line it runs: nothing a module can hide)
    environment = {'KUZZLE_USERNAME': 'someone', 'KUZZLE_PASSWORD': 'envpw-' + uid}
    secrets['KUZZLE_PASSWORD'] = [environment['KUZZLE_PASSWORD']]

    run = playbooks.run(tasks, verbosity=3, env=environment, module_defaults={'group/community.kuzzle.kuzzle': {'url': UNREACHABLE}})

    recorded = str(run.results)
    leaks = sorted('%s: %s' % (case, where) for case, values in secrets.items() for secret in values
                   for where, text in (('output', run.output), ('results', recorded)) if secret in text)
    assert leaks == [], 'secrets shown at -vvv (case: where):\n' + '\n'.join(leaks)
    statuses = dict((r['task'], r['status']) for r in run.results)
    assert statuses.pop('success with a password in the url') == 'ok', run.output
    assert set(statuses.values()) == {'failed'}, statuses  # every early case failed
