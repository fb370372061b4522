# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Connection options: argument spec vs doc fragment, environment fallbacks vs exclusivity, client wiring."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest
import yaml

from ansible.module_utils import basic

from ansible_collections.community.kuzzle.plugins.doc_fragments._connection import ModuleDocFragment
from ansible_collections.community.kuzzle.plugins.module_utils import _connection
from ansible_collections.community.kuzzle.plugins.module_utils._client import KuzzleClient, KuzzleError
from ansible_collections.community.kuzzle.tests.unit.plugins.modules.utils import patch_module_args
from ansible_collections.community.kuzzle.plugins.module_utils._connection import (
    connection_argument_spec,
    fail_kuzzle,
    kuzzle_client,
    kuzzle_module,
)


ENV = ('KUZZLE_URL', 'KUZZLE_USERNAME', 'KUZZLE_PASSWORD', 'KUZZLE_TOKEN')
MODULE_SPEC = dict(name=dict(type='str', required=True))


class Failed(Exception):
    def __init__(self, result):
        super(Failed, self).__init__(result.get('msg'))
        self.result = result


@pytest.fixture(autouse=True)
def clean(monkeypatch):
    for name in ENV:
        monkeypatch.delenv(name, raising=False)

    def fail_json(self, msg=None, **kwargs):
        kwargs['msg'] = msg
        raise Failed(kwargs)

    monkeypatch.setattr(basic.AnsibleModule, 'fail_json', fail_json)


def make(args, spec=None, **kwargs):
    with patch_module_args(dict(args)):
        return kuzzle_module(spec if spec is not None else dict(MODULE_SPEC), **kwargs)


def failing(args, spec=None, **kwargs):
    with pytest.raises(Failed) as info:
        make(args, spec, **kwargs)
    return info.value.result


# --- the spec and its documentation --------------------------------------------------------------

def test_the_options_and_their_types():
    spec = connection_argument_spec()
    assert sorted(spec) == sorted(['url', 'username', 'password', 'auth_strategy', 'token', 'validate_certs',
                                   'ca_path', 'client_cert', 'client_key', 'timeout', 'retries'])
    assert {k: v['type'] for k, v in spec.items()} == dict(
        url='str', username='str', password='str', auth_strategy='str', token='str', validate_certs='bool',
        ca_path='path', client_cert='path', client_key='path', timeout='float', retries='int')
    assert {k for k, v in spec.items() if v.get('no_log')} == {'password', 'token'}
    assert spec['client_key']['no_log'] is False


def test_the_doc_fragment_matches_the_spec():
    doc = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)
    options = doc['options']
    spec = connection_argument_spec()
    assert sorted(options) == sorted(spec)
    for name, option in spec.items():
        documented = options[name]
        assert documented['type'] == option['type'], name
        assert documented.get('default') == option.get('default'), name
        assert documented.get('choices') == option.get('choices'), name
        assert documented.get('required', False) == option.get('required', False), name
        text = ' '.join(documented['description'])
        if name in _connection.ENV_VARS:
            assert 'E(%s)' % _connection.ENV_VARS[name] in text, name
        else:
            assert 'E(KUZZLE_' not in text, name
    group = yaml.safe_load(ModuleDocFragment.ACTIONGROUP)['attributes']['action_group']
    assert group['membership'] == ['community.kuzzle.kuzzle'] and group['support'] == 'full'


def test_defaults():
    module = make({'name': 'p1'})
    params = module.params
    assert (params['url'], params['auth_strategy'], params['validate_certs'], params['timeout'], params['retries']) == (
        'http://localhost:7512', 'local', True, 10.0, 3)
    assert params['username'] is None and params['password'] is None and params['token'] is None
    assert module.supports_check_mode is True


@pytest.mark.parametrize('declared', [False, True])
def test_a_module_declared_no_log_keeps_its_invocation_out_of_the_system_log(monkeypatch, declared):
    """Ansible always sends the task's no_log (false unless the task sets it), which replaces the module's own
    declaration before the invocation is logged: KuzzleModule keeps the declaration."""
    logged = []
    monkeypatch.setattr(basic.AnsibleModule, 'log', lambda self, msg, log_args=None: logged.append(msg))
    module = make({'name': 'p1', '_ansible_no_log': False}, no_log=declared)
    assert module.no_log is False  # the task's setting, as Ansible sets it
    assert len(logged) == (0 if declared else 1)


def test_module_options_and_constraints_are_kept():
    spec = dict(name=dict(type='str'), other=dict(type='str'))
    result = failing({'name': 'a', 'other': 'b'}, spec, mutually_exclusive=[['name', 'other']])
    assert 'mutually exclusive: name|other' in result['msg']
    module = make({'name': 'a'}, spec, supports_check_mode=False)
    assert module.supports_check_mode is False


# --- environment fallbacks ------------------------------------------------------------------------

def test_the_environment_fills_unset_options(monkeypatch):
    monkeypatch.setenv('KUZZLE_URL', 'https://kuzzle.example:7512')
    monkeypatch.setenv('KUZZLE_USERNAME', 'admin')
    monkeypatch.setenv('KUZZLE_PASSWORD', 'env-password')
    module = make({'name': 'p1'})
    params = module.params
    assert (params['url'], params['username'], params['password'], params['token']) == (
        'https://kuzzle.example:7512', 'admin', 'env-password', None)
    assert 'env-password' in module.no_log_values


def test_the_task_wins_over_the_environment(monkeypatch):
    monkeypatch.setenv('KUZZLE_URL', 'https://kuzzle.example:7512')
    monkeypatch.setenv('KUZZLE_USERNAME', 'env-user')
    monkeypatch.setenv('KUZZLE_PASSWORD', 'env-password')
    params = make({'name': 'p1', 'url': 'http://other:7512', 'username': 'u', 'password': 'pw'}).params
    assert (params['url'], params['username'], params['password']) == ('http://other:7512', 'u', 'pw')


def test_env_token_is_ignored_when_the_task_gives_credentials(monkeypatch):
    monkeypatch.setenv('KUZZLE_TOKEN', 'kapikey-from-env')
    module = make({'name': 'p1', 'username': 'admin', 'password': 'pw'})
    assert (module.params['username'], module.params['password'], module.params['token']) == ('admin', 'pw', None)
    client = kuzzle_client(module)
    assert client.username == 'admin' and client._token is None


def test_env_credentials_are_ignored_when_the_task_gives_a_token(monkeypatch):
    monkeypatch.setenv('KUZZLE_USERNAME', 'admin')
    monkeypatch.setenv('KUZZLE_PASSWORD', 'env-password')
    params = make({'name': 'p1', 'token': 'kapikey-task'}).params
    assert (params['username'], params['password'], params['token']) == (None, None, 'kapikey-task')


def test_a_lone_env_username_does_not_block_a_task_token(monkeypatch):
    monkeypatch.setenv('KUZZLE_USERNAME', 'admin')
    params = make({'name': 'p1', 'token': 'kapikey-task'}).params
    assert (params['username'], params['token']) == (None, 'kapikey-task')


def test_task_username_with_env_password(monkeypatch):
    monkeypatch.setenv('KUZZLE_PASSWORD', 'env-password')
    monkeypatch.setenv('KUZZLE_TOKEN', 'kapikey-from-env')
    params = make({'name': 'p1', 'username': 'admin'}).params
    assert (params['username'], params['password'], params['token']) == ('admin', 'env-password', None)


def test_env_token_alone_is_used(monkeypatch):
    monkeypatch.setenv('KUZZLE_TOKEN', 'kapikey-from-env')
    module = make({'name': 'p1'})
    assert module.params['token'] == 'kapikey-from-env'
    assert 'kapikey-from-env' in module.no_log_values


def test_empty_environment_variables_count_as_unset(monkeypatch):
    for name in ENV:
        monkeypatch.setenv(name, '')
    params = make({'name': 'p1'}).params
    assert (params['url'], params['username'], params['password'], params['token']) == ('http://localhost:7512', None, None, None)


def test_both_kinds_in_the_task_fail():
    result = failing({'name': 'p1', 'username': 'admin', 'password': 'pw', 'token': 't'})
    assert result['msg'] == 'parameters are mutually exclusive: token|username, token|password'


def test_token_and_password_in_the_task_fail(monkeypatch):
    monkeypatch.setenv('KUZZLE_USERNAME', 'admin')
    result = failing({'name': 'p1', 'password': 'pw', 'token': 't'})
    assert result['msg'] == 'parameters are mutually exclusive: token|password'


def test_both_kinds_in_the_environment_fail(monkeypatch):
    monkeypatch.setenv('KUZZLE_USERNAME', 'admin')
    monkeypatch.setenv('KUZZLE_PASSWORD', 'env-password')
    monkeypatch.setenv('KUZZLE_TOKEN', 'kapikey-from-env')
    result = failing({'name': 'p1'})
    assert 'KUZZLE_TOKEN and KUZZLE_USERNAME/KUZZLE_PASSWORD' in result['msg']
    assert 'env-password' not in json.dumps(result) and 'kapikey-from-env' not in json.dumps(result)


def test_username_without_password_fails():
    assert failing({'name': 'p1', 'username': 'admin'})['msg'] == 'parameters are required together: username, password'


def test_env_username_without_password_names_the_variable(monkeypatch):
    monkeypatch.setenv('KUZZLE_USERNAME', 'admin')
    assert failing({'name': 'p1'})['msg'] == ('parameters are required together: username, password; '
                                              'got username (from KUZZLE_USERNAME)')


def test_the_environment_is_read_again_for_each_module(monkeypatch):
    monkeypatch.setenv('KUZZLE_TOKEN', 'kapikey-from-env')
    assert make({'name': 'p1'}).params['token'] == 'kapikey-from-env'
    monkeypatch.delenv('KUZZLE_TOKEN')
    # the token now comes from the task: it must not be taken for the earlier environment value
    result = failing({'name': 'p1', 'token': 'kapikey-from-env', 'username': 'u', 'password': 'p'})
    assert 'mutually exclusive' in result['msg']


# --- other checks --------------------------------------------------------------------------------

def test_client_key_needs_client_cert():
    assert 'client_cert' in failing({'name': 'p1', 'client_key': '/k.pem'})['msg']


@pytest.mark.parametrize('args,message', [
    ({'timeout': 0}, 'timeout must be more than 0 seconds, got 0.0'),
    ({'timeout': -1.5}, 'timeout must be more than 0 seconds, got -1.5'),
    ({'retries': -1}, 'retries must be 0 (no retry) or more, got -1'),
])
def test_bad_timeout_or_retries(args, message):
    assert failing(dict(args, name='p1'))['msg'] == message


def test_timeout_accepts_a_string_number():
    assert make({'name': 'p1', 'timeout': '2.5'}).params['timeout'] == 2.5


def test_missing_requests_fails_cleanly(monkeypatch):
    monkeypatch.setattr(_connection, 'HAS_REQUESTS', False)
    monkeypatch.setattr(_connection, 'REQUESTS_IMPORT_ERROR', 'Traceback: No module named requests')
    result = failing({'name': 'p1'})
    assert 'requests' in result['msg'] and 'Failed to import' in result['msg']
    assert result['exception'] == 'Traceback: No module named requests'


# --- wiring to the client and failures -------------------------------------------------------------

def test_kuzzle_client_from_params():
    module = make({'name': 'p1', 'url': 'https://k.test/kuzzle/', 'username': 'admin', 'password': 'pw',
                   'auth_strategy': 'ldap', 'ca_path': '/ca.pem', 'client_cert': '/c.pem', 'client_key': '/k.pem',
                   'timeout': 3, 'retries': 0})
    client = kuzzle_client(module)
    assert isinstance(client, KuzzleClient)
    assert (client.url, client.username, client.auth_strategy, client.timeout, client.retries) == (
        'https://k.test/kuzzle', 'admin', 'ldap', 3.0, 0)
    assert client._verify == '/ca.pem' and client._cert == ('/c.pem', '/k.pem')
    assert client.request_count == 0 and client.major_version is None


def test_kuzzle_client_with_token_and_no_verification():
    client = kuzzle_client(make({'name': 'p1', 'token': 'kapikey-x', 'validate_certs': False}))
    assert client._token == 'kapikey-x' and client.username is None and client._verify is False


def test_fail_kuzzle_reports_message_id_and_status():
    module = make({'name': 'p1'})
    err = KuzzleError('update profile "p1"', status=404, error_id='security.role.not_found',
                      kuzzle_message='Role "x" not found.')
    with pytest.raises(Failed) as info:
        fail_kuzzle(module, err, changed=False, msg='overridden')
    assert info.value.result == {
        'msg': 'Could not update profile "p1": Kuzzle answered 404 security.role.not_found: Role "x" not found.',
        'error_id': 'security.role.not_found', 'status': 404, 'changed': False}


def test_fail_kuzzle_says_an_unknown_outcome_and_changed():
    module = make({'name': 'p1'})
    err = KuzzleError('create profile "p1"', reason='lost the connection to Kuzzle at http://k: Connection reset by peer',
                      outcome='unknown')
    with pytest.raises(Failed) as info:
        fail_kuzzle(module, err, changed=False)
    assert info.value.result == {
        'msg': 'Could not create profile "p1": lost the connection to Kuzzle at http://k: Connection reset by peer '
               '(the change may or may not have been applied)',
        'error_id': None, 'status': None, 'changed': True, 'outcome': 'unknown'}


@pytest.mark.parametrize('url,message', [
    ('http://[::1', 'url "http://[::1" is not a valid URL (Invalid IPv6 URL)'),
    ('http://admin:pw@127.0.0.1:notaport', 'url "http://127.0.0.1:notaport" is not a valid URL '
                                           "(Port could not be cast to integer value as 'notaport')"),
    ('localhost:7512', 'url "localhost:7512" does not start with http:// or https://'),
])
def test_a_malformed_url_fails_the_module_before_any_request(url, message):
    assert failing({'name': 'p1', 'url': url})['msg'] == message


def test_a_password_in_url_is_masked_not_sent_and_warned_about(monkeypatch):
    warnings = []
    monkeypatch.setattr(basic.AnsibleModule, 'warn', lambda self, warning, **kwargs: warnings.append(warning))
    module = make({'name': 'p1', 'url': 'https://admin:url-pw@k.test/kuzzle'})
    assert 'url-pw' in module.no_log_values
    assert kuzzle_client(module).url == 'https://k.test/kuzzle'
    assert warnings == ['url has a user:password@ part, which is not sent to Kuzzle (it does not read it): '
                        'set username and password, or token, instead']
