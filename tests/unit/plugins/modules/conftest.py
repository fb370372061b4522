# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Runs a module's main() in-process with given arguments, against Kuzzle answers mocked at the transport."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import json

import pytest
import responses

from ansible.module_utils import basic
from ansible.module_utils.common.text.converters import to_bytes

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core before 2.19
    from unittest import mock

    @contextlib.contextmanager
    def patch_module_args(args=None):
        with mock.patch.object(basic, '_ANSIBLE_ARGS', to_bytes(json.dumps({'ANSIBLE_MODULE_ARGS': args or {}}))):
            yield

URL = 'http://kuzzle.test:7512'


class ModuleExit(Exception):
    def __init__(self, failed, result):
        super(ModuleExit, self).__init__(result.get('msg'))
        self.failed = failed
        self.result = result


def envelope(result=None, status=200, error=None, action='getProfile', controller='security', v1=False):
    """A Kuzzle answer: 2.x envelope, or the 1.x one (no node, no headers; kuzzle-api.md 2.5)."""
    body = {'action': action, 'controller': controller, 'error': error, 'requestId': 'req-1',
            'result': result, 'status': status, 'volatile': None}
    if v1:
        body.update(collection=None, index=None)
    else:
        body.update(headers={}, node='knode-test')
    return body


def kuzzle_error(error_id, status, message, action='getProfile', v1=False):
    error = {'id': error_id, 'status': status, 'message': message, 'code': 1, 'props': []}
    if error_id is None:  # Kuzzle 1.x before 1.10: no id, no code
        error = {'status': status, 'message': message}
    return envelope(None, status, error, action=action, v1=v1)


def calls(mocked):
    """(method, path and query) of every request the mocked transport received, in order."""
    return [(c.request.method, c.request.url.replace(URL, '')) for c in mocked.calls]


def methods(mocked):
    return [c.request.method for c in mocked.calls]


def body_of(call):
    return json.loads(call.request.body)


@pytest.fixture
def kuzzle_http():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mocked:
        yield mocked


@pytest.fixture
def warnings(monkeypatch):
    """The warnings the module under test emits, in order."""
    seen = []
    monkeypatch.setattr(basic.AnsibleModule, 'warn', lambda self, warning, **kwargs: seen.append(warning))
    return seen


@pytest.fixture
def run_module(monkeypatch):
    """run_module(main, args, check=False, diff=False) -> (failed, result)."""
    for name in ('KUZZLE_URL', 'KUZZLE_USERNAME', 'KUZZLE_PASSWORD', 'KUZZLE_TOKEN'):
        monkeypatch.delenv(name, raising=False)

    def exit_json(self, **kwargs):
        raise ModuleExit(False, kwargs)

    def fail_json(self, msg=None, **kwargs):
        kwargs['msg'] = msg
        raise ModuleExit(True, kwargs)

    monkeypatch.setattr(basic.AnsibleModule, 'exit_json', exit_json)
    monkeypatch.setattr(basic.AnsibleModule, 'fail_json', fail_json)

    def run(main, args, check=False, diff=False):
        args = dict(args)
        args.setdefault('url', URL)
        args['_ansible_check_mode'] = check
        args['_ansible_diff'] = diff
        with patch_module_args(args):
            with pytest.raises(ModuleExit) as info:
                main()
        return info.value.failed, info.value.result

    return run
