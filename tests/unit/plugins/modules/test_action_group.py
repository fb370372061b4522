# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every module is in the kuzzle action group and documents it, so module_defaults reaches all of them."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import pytest
import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))
MODULES_DIR = os.path.join(ROOT, 'plugins', 'modules')
MODULES = sorted(f[:-3] for f in os.listdir(MODULES_DIR) if f.endswith('.py') and not f.startswith('_'))


def test_the_action_group_lists_exactly_the_modules():
    with open(os.path.join(ROOT, 'meta', 'runtime.yml')) as handle:
        runtime = yaml.safe_load(handle)
    assert MODULES, 'no module found in %s' % MODULES_DIR
    assert sorted(runtime['action_groups']['kuzzle']) == MODULES


@pytest.mark.parametrize('module', MODULES)
def test_each_module_documents_the_group_and_the_connection_options(module):
    with open(os.path.join(MODULES_DIR, module + '.py')) as handle:
        source = handle.read()
    assert '- community.kuzzle._connection.actiongroup\n' in source
    assert '- community.kuzzle._connection\n' in source
