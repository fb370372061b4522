# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks a dry-run release made by ``antsibull-changelog release`` in a copy of the collection.

Usage: ``python check_release.py COPY VERSION`` (scripts/test-all, changelog stage). The release must list as new
every module and role whose ``version_added`` is VERSION and consume every fragment; a release without a
release summary gets a warning (it needs one by the time it is published, not at every commit). Prints the
CHANGELOG.rst it produced, so that the log shows what a release would publish.
"""

import ast
import os
import sys

import yaml


def read(path):
    with open(path, encoding='utf-8') as handle:
        return handle.read()


def module_version_added(path):
    """version_added of a module, read from its DOCUMENTATION string without importing it."""
    for node in ast.parse(read(path)).body:
        if isinstance(node, ast.Assign) and any(getattr(t, 'id', None) == 'DOCUMENTATION' for t in node.targets):
            return str(yaml.safe_load(node.value.value).get('version_added'))
    return None


def expected_new(copy, version):
    names = set()
    modules = os.path.join(copy, 'plugins', 'modules')
    for name in sorted(os.listdir(modules)) if os.path.isdir(modules) else []:
        if name.endswith('.py') and name != '__init__.py' and module_version_added(os.path.join(modules, name)) == version:
            names.add(name[:-3])
    roles = os.path.join(copy, 'roles')
    for role in sorted(os.listdir(roles)) if os.path.isdir(roles) else []:
        specs = os.path.join(roles, role, 'meta', 'argument_specs.yml')
        if os.path.exists(specs):
            main = yaml.safe_load(read(specs))['argument_specs']['main']
            if str(main.get('version_added')) == version:
                names.add(role)
    return names


def problems_of(copy, version):
    release = yaml.safe_load(read(os.path.join(copy, 'changelogs', 'changelog.yaml')))['releases'][version]
    problems = []
    listed = {m['name'] for m in release.get('modules', [])}
    listed |= {o['name'] for o in release.get('objects', {}).get('role', [])}
    for name in sorted(expected_new(copy, version) - listed):
        problems.append('%s (version_added %s) is not listed as new' % (name, version))
    left = [f for f in os.listdir(os.path.join(copy, 'changelogs', 'fragments')) if f != '.keep']
    if left:
        problems.append('fragments left after the release: %s' % ', '.join(sorted(left)))
    return listed, problems, bool(release.get('changes', {}).get('release_summary'))


def main():
    copy, version = sys.argv[1:3]
    listed, problems, summary = problems_of(copy, version)
    print(read(os.path.join(copy, 'CHANGELOG.rst')))
    if not summary:
        print('warning: release %s has no release_summary fragment yet' % version)
    for problem in problems:
        print('!! dry-run release %s: %s' % (version, problem))
    print('dry-run release %s: %d new modules and roles listed' % (version, len(listed)))
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
