# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Helpers of the modules' unit tests: Kuzzle answers as the transport receives them, and what was sent.

The fixtures that run a module (run_module, kuzzle_http, warnings) are in conftest.py, which pytest loads
by itself; tests import these helpers from here.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import json

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
    """What exit_json or fail_json would have returned to Ansible."""

    def __init__(self, failed, result):
        super(ModuleExit, self).__init__(result.get('msg'))
        self.failed = failed
        self.result = result


def envelope(result=None, status=200, error=None, action='getProfile', controller='security', v1=False):
    """A Kuzzle answer: the 2.x envelope (with headers; tests/contract/test_protocol.py::test_success_envelope),
    or the 1.x one, which has index and collection instead of headers and node."""
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


def run_main(main, args):
    """Run a module's main() with these task arguments; main() must end in exit_json or fail_json, which the
    caller has replaced by functions raising ModuleExit. The ModuleExit, or None if main() returned."""
    with patch_module_args(args):
        try:
            main()
        except ModuleExit as done:
            return done
    return None


def calls(mocked):
    """(method, path and query) of every request the mocked transport received, in order."""
    return [(c.request.method, c.request.url.replace(URL, '')) for c in mocked.calls]


def methods(mocked):
    return [c.request.method for c in mocked.calls]


def body_of(call):
    return json.loads(call.request.body)
