# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks that every version the collection claims is one that its test matrix runs, and no other.

Usage: ``python check_claims.py REPO`` (scripts/test-all, lint stage). tests/matrix.yml is the matrix that
scripts/test-all runs; meta/runtime.yml, tests/config.yml, the modules' requirements (the doc fragment
plugins/doc_fragments/_connection.py), the README, tests/requirements.txt and the CI workflow must say
exactly that. Prints one line per problem and exits 1 if there is any.
"""

import os
import re
import sys

import yaml


def read(repo, path):
    with open(os.path.join(repo, path), encoding='utf-8') as handle:
        return handle.read()


def minor_key(version):
    return tuple(int(part) for part in version.split('.'))


def next_minor(version):
    major, minor = version.split('.')
    return '%s.%d' % (major, int(minor) + 1)


def span(versions):
    """'3.9 to 3.13' style, and the sorted list."""
    ordered = sorted(versions, key=minor_key)
    return ordered[0], ordered[-1], ordered


def check(repo):
    matrix = yaml.safe_load(read(repo, 'tests/matrix.yml'))
    problems = []
    cores = matrix['ansible_core']
    if not all(isinstance(core, str) and isinstance(py, str) for core, py in cores.items()):
        problems.append('tests/matrix.yml: quote every version (2.20 unquoted is the number 2.2)')
        return problems
    core_min, core_max, core_list = span(cores)
    py_min, py_max, py_list = span(matrix['module_pythons'])
    for core in matrix['integration']:
        if core not in cores:
            problems.append('tests/matrix.yml: integration on ansible-core %s, which is not in ansible_core' % core)
    if set(matrix['integration']) != {core_min, core_max}:
        problems.append('tests/matrix.yml: integration must run on the oldest and the newest ansible-core')
    for index, core in enumerate(core_list[1:]):
        if core != next_minor(core_list[index]):
            problems.append('tests/matrix.yml: ansible-core %s follows %s: a minor in between is not tested'
                            % (core, core_list[index]))

    want = '>=%s.0,<%s.0' % (core_min, next_minor(core_max))
    runtime = yaml.safe_load(read(repo, 'meta/runtime.yml'))
    if runtime.get('requires_ansible') != want:
        problems.append('meta/runtime.yml: requires_ansible is %r, the matrix runs %r' % (runtime.get('requires_ansible'), want))

    want = '>=%s,<%s' % (py_min, next_minor(py_max))
    config = yaml.safe_load(read(repo, 'tests/config.yml'))
    if config.get('modules', {}).get('python_requires') != want:
        problems.append('tests/config.yml: modules.python_requires is %r, the matrix runs %r'
                        % (config.get('modules', {}).get('python_requires'), want))

    fragment = read(repo, 'plugins/doc_fragments/_connection.py')
    requirement = 'Python %s to %s on the host that runs the module' % (py_min, py_max)
    if requirement not in fragment:
        problems.append('plugins/doc_fragments/_connection.py: the requirements must say %r' % requirement)

    readme = read(repo, 'README.md')
    supported = readme.split('## Supported versions', 1)[-1].split('\n## ', 1)[0]
    claimed = ', '.join(core_list[:-1]) + ' and ' + core_list[-1]
    if '**ansible-core** %s' % claimed not in supported:
        problems.append('README.md, Supported versions: must say "**ansible-core** %s"' % claimed)
    if '%s to %s' % (py_min, py_max) not in supported:
        problems.append('README.md, Supported versions: must say "%s to %s" for the module host' % (py_min, py_max))
    for core, python in cores.items():
        if '%s on Python %s' % (core, python) not in supported:
            problems.append('README.md, Supported versions: must say that ansible-core %s runs on Python %s' % (core, python))

    requirements = read(repo, 'tests/requirements.txt')
    pinned = re.search(r'^ansible-core>=(\d+\.\d+)\.0,<(\d+\.\d+)$', requirements, re.M)
    if not pinned or pinned.group(1) not in cores or pinned.group(2) != next_minor(pinned.group(1)):
        problems.append('tests/requirements.txt: ansible-core must be bounded to one minor of tests/matrix.yml')

    workflow = yaml.safe_load(read(repo, '.github/workflows/ci.yml'))
    wanted = sorted(set(matrix['module_pythons']) | set(cores.values()), key=minor_key)
    found = []
    for job in workflow.get('jobs', {}).values():
        for step in job.get('steps', []):
            versions = (step.get('with') or {}).get('python-version')
            if versions:
                found += str(versions).split()
    if sorted(set(found), key=minor_key) != wanted:
        problems.append('.github/workflows/ci.yml: sets up Python %s, the matrix needs %s' % (' '.join(found), ' '.join(wanted)))
    return problems


def main():
    problems = check(sys.argv[1])
    for problem in problems:
        print('!! %s' % problem)
    if not problems:
        print('every version claim matches tests/matrix.yml')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
