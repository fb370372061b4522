# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Test-only callback: appends each task result, as Ansible displays it, to $RECORD_RESULTS_FILE (JSON lines).

The integration tests read it to assert on ``changed``, ``msg``, ``diff``... of real
``ansible-playbook`` runs, next to the human-readable output of the default callback.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = """
name: record_results
type: aggregate
short_description: Records task results as JSON lines for the integration tests
description: Records task results as JSON lines for the integration tests.
requirements:
  - the environment variable RECORD_RESULTS_FILE
"""

import json
import os

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'record_results'
    CALLBACK_NEEDS_ENABLED = True

    def _record(self, status, result):
        path = os.environ.get('RECORD_RESULTS_FILE')
        if not path:
            return
        # _clean_results drops the keys Ansible hides; the result is already no_log-censored
        data = dict(result._result)
        self._clean_results(data, result._task.action)
        line = {'task': result._task.get_name(), 'host': result._host.get_name(), 'action': result._task.action, 'status': status, 'result': data}
        with open(path, 'a') as handle:
            handle.write(json.dumps(line, default=str) + '\n')

    def v2_runner_on_ok(self, result):
        self._record('ok', result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record('failed', result)

    def v2_runner_on_skipped(self, result):
        self._record('skipped', result)

    def v2_runner_on_unreachable(self, result):
        self._record('unreachable', result)
