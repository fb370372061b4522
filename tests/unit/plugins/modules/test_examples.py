# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every module's EXAMPLES is a list of tasks, each calling one module by its FQCN; the calls to this
collection's modules use options that module documents (its own, or those of its doc fragments)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ast
import os

import pytest
import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))
MODULES_DIR = os.path.join(ROOT, 'plugins', 'modules')
MODULES = sorted(f[:-3] for f in os.listdir(MODULES_DIR) if f.endswith('.py') and not f.startswith('_'))
FRAGMENTS_DIR = os.path.join(ROOT, 'plugins', 'doc_fragments')
# keys of a task that are not the module call
TASK_KEYWORDS = {'name', 'register', 'delegate_to', 'run_once', 'no_log', 'loop', 'loop_control', 'when', 'vars',
                 'check_mode', 'diff', 'changed_when', 'failed_when', 'until', 'retries', 'delay', 'environment',
                 'ignore_errors', 'tags', 'become', 'notify'}


def _strings(path):
    """The string constants assigned at module or class level in a Python file, by name (no import)."""
    with open(path) as handle:
        tree = ast.parse(handle.read())
    found = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found[target.id] = node.value.value
    return found


def _documented_options(module):
    doc = yaml.safe_load(_strings(os.path.join(MODULES_DIR, module + '.py'))['DOCUMENTATION'])
    options = dict(doc.get('options') or {})
    for fragment in doc.get('extends_documentation_fragment') or []:
        if not fragment.startswith('community.kuzzle.'):
            continue
        parts = fragment.split('.')[2:]
        strings = _strings(os.path.join(FRAGMENTS_DIR, parts[0] + '.py'))
        fragment_doc = yaml.safe_load(strings[parts[1].upper() if len(parts) > 1 else 'DOCUMENTATION'])
        options.update((fragment_doc or {}).get('options') or {})
    names = set()
    for name, spec in options.items():
        names.add(name)
        names.update(spec.get('aliases') or [])
    return names


def _flat(tasks):
    for task in tasks:
        if isinstance(task, dict) and 'block' in task:
            for key in ('block', 'rescue', 'always'):
                yield from _flat(task.get(key) or [])
        else:
            yield task


@pytest.mark.parametrize('module', MODULES)
def test_examples_are_tasks_with_documented_options(module):
    tasks = yaml.safe_load(_strings(os.path.join(MODULES_DIR, module + '.py'))['EXAMPLES'])
    assert isinstance(tasks, list) and tasks, 'EXAMPLES of %s is not a list of tasks' % module
    assert any('community.kuzzle.' + module in task for task in _flat(tasks)), '%s has no example of itself' % module
    for task in _flat(tasks):
        assert isinstance(task, dict) and task.get('name'), task
        calls = [key for key in task if key not in TASK_KEYWORDS]
        assert len(calls) == 1 and '.' in calls[0], 'not one module call by its FQCN: %s' % task
        if not calls[0].startswith('community.kuzzle.'):
            continue  # ansible.builtin.copy and the like, around the collection's tasks
        called = calls[0][len('community.kuzzle.'):]
        assert called in MODULES, 'no module %s' % calls[0]
        unknown = set(task[calls[0]] or {}) - _documented_options(called)
        assert not unknown, '%s: options %s are not documented by %s' % (task['name'], sorted(unknown), called)
