# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures that run a module's main() in-process with given arguments, against Kuzzle answers mocked at the
transport. The helpers that build answers and read requests are in utils.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
import responses

from ansible.module_utils import basic

from ansible_collections.community.kuzzle.tests.unit.plugins.modules.utils import URL, ModuleExit, run_main


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
        done = run_main(main, args)
        assert done is not None, 'main() returned without exit_json or fail_json'
        return done.failed, done.result

    return run
