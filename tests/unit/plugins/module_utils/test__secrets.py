# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Secrets are registered before the first possible failure, on the installed ansible-core: modules fail early in
every way, Ansible's own fail_json writes the result (with the module arguments, as -vvv shows them), and the
output is searched for each secret. A control run with a plain AnsibleModule shows that the search would see a
leak on this ansible-core."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible.module_utils import basic
from ansible.module_utils.common import parameters

from ansible_collections.community.kuzzle.plugins.module_utils import _connection
from ansible_collections.community.kuzzle.plugins.modules import kuzzle_security, kuzzle_user
from ansible_collections.community.kuzzle.tests.unit.plugins.modules.utils import patch_module_args

ENV = ('KUZZLE_URL', 'KUZZLE_USERNAME', 'KUZZLE_PASSWORD', 'KUZZLE_TOKEN')
# ansible-core 2.21 returns the module arguments (invocation) only when asked to
INJECT = {'_ansible_inject_invocation': True} if 'inject_invocation' in parameters.PASS_VARS else {}


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in ENV:
        monkeypatch.delenv(name, raising=False)


def output_of(main, args, capsys):
    """What the module writes for Ansible when main() fails: its result, as JSON text."""
    with patch_module_args(dict(args, **INJECT)):
        with pytest.raises(SystemExit) as info:
            main()
    assert info.value.code == 1  # a failure
    text = capsys.readouterr().out
    assert json.loads(text)['failed'] is True
    return text


def connection_main(spec=None):
    def main():
        _connection.kuzzle_module(spec or dict(name=dict(type='str', required=True)))
        raise AssertionError('the module should have failed')
    return main


EARLY = [
    ('bad timeout', {'timeout': 0, 'username': 'u', 'password': 'pw-secret-1'}),
    ('bad retries', {'retries': -1, 'username': 'u', 'password': 'pw-secret-1'}),
    ('a value of the wrong type', {'validate_certs': 'maybe', 'username': 'u', 'password': 'pw-secret-1'}),
    ('an unsupported option', {'no_such_option': 1, 'username': 'u', 'password': 'pw-secret-1'}),
    ('token and username', {'token': 'tok-secret-1', 'username': 'u', 'password': 'pw-secret-1'}),
    ('a password in a malformed url', {'url': 'http://u:pw-secret-1@[::1'}),
    ('a percent-encoded password in a url with a bad scheme', {'url': 'ftp://u:pw%2Dsecret%2D1@127.0.0.1:9'}),
]


@pytest.mark.parametrize('case,args', EARLY, ids=[case for case, args in EARLY])
def test_connection_secrets_never_reach_an_early_failure(capsys, case, args):  # pylint: disable=unused-argument
    text = output_of(connection_main(), dict(args, name='n'), capsys)
    assert 'pw-secret-1' not in text and 'tok-secret-1' not in text
    if INJECT or 'invocation' in text:
        assert 'invocation' in text  # the arguments were echoed, masked


@pytest.mark.parametrize('variable,value,secret', [
    ('KUZZLE_PASSWORD', 'env-secret-2', 'env-secret-2'),
    ('KUZZLE_TOKEN', 'env-secret-3', 'env-secret-3'),
    ('KUZZLE_URL', 'http://u:env-secret-4@127.0.0.1:9', 'env-secret-4'),
])
def test_environment_secrets_never_reach_an_early_failure(capsys, monkeypatch, variable, value, secret):
    monkeypatch.setenv(variable, value)
    text = output_of(connection_main(), {'name': 'n', 'timeout': 0}, capsys)
    assert secret not in text


def test_the_password_of_url_is_masked_when_the_url_is_used(monkeypatch, capsys):
    """A url with a password that the task goes on with: masked in the arguments Ansible gets back, with a warning."""
    with patch_module_args(dict(name='n', url='http://someone:url-secret-5@127.0.0.1:9', **INJECT)):
        module = _connection.kuzzle_module(dict(name=dict(type='str', required=True)))
        assert 'url-secret-5' in module.no_log_values
        with pytest.raises(SystemExit):
            module.exit_json(changed=False, url=module.params['url'])
    text = capsys.readouterr().out
    assert 'url-secret-5' not in text and 'someone:********@127.0.0.1' in text
    assert 'is not sent to Kuzzle' in text  # the warning (its shape differs between ansible-core versions)


DEFINITION_USERS = {'u1': {'content': {'profileIds': ['default']}, 'credentials': {'local': {'username': 'u1', 'password': 'def-secret-6'}}}}


@pytest.mark.parametrize('args', [
    {'timeout': 0},
    {'purge': 'maybe'},
    {'token': 't', 'username': 'u', 'password': 'p'},
    {'no_such_option': True},
    {'url': 'http://[::1'},
])
def test_kuzzle_security_definition_passwords_never_reach_an_early_failure(capsys, args):
    text = output_of(kuzzle_security.main, dict(args, users=DEFINITION_USERS), capsys)
    assert 'def-secret-6' not in text


@pytest.mark.parametrize('args', [
    {'update_password': 'sometimes'},
    {'credentials': {'username': 'u1', 'password': 'cred-secret-7', 'unknown': 1}},
    {'timeout': 0},
])
def test_kuzzle_user_password_never_reaches_an_early_failure(capsys, args):
    full = dict({'name': 'u1', 'profile_ids': ['default'], 'credentials': {'username': 'u1', 'password': 'cred-secret-7'}}, **args)
    text = output_of(kuzzle_user.main, full, capsys)
    assert 'cred-secret-7' not in text


def test_control_a_plain_ansible_module_would_show_a_definition_password(capsys):
    """Without KuzzleModule the same early failure shows the password: the searches above can see a leak."""
    def main():
        basic.AnsibleModule(argument_spec=dict(users=dict(type='dict'), purge=dict(type='bool')))
    text = output_of(main, {'users': DEFINITION_USERS, 'purge': 'maybe'}, capsys)
    if 'invocation' not in text:
        pytest.skip('this ansible-core returns no module arguments with a failure')
    assert 'def-secret-6' in text


def test_task_secrets_takes_any_shape():
    assert _connection.task_secrets({'password': 12345, 'token': ['x'], 'url': None}) == {'12345'}
    assert _connection.task_secrets('not a dict') == set()
    assert _connection.task_secrets({'url': 'https://a:p%40ss@h'}) == {'p%40ss', 'p@ss'}
    assert _connection.task_secrets({}, lambda params: ['x', None, True]) == {'x'}
