# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Integration tests: real ``ansible-playbook`` runs against the real Kuzzle of tests/kuzzle/serve.

One Kuzzle per test session (the ``kuzzle`` fixture of tests/kuzzle/pytest_kuzzle.py).
The session first creates an admin with ``createFirstAdmin?reset``, so that anonymous
has the restricted rights of a production Kuzzle and every test authenticates.
Tests isolate themselves with object ids of their own.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import secrets
import shutil
import subprocess
import sys
import uuid

import pytest
from ansible.release import __version__ as ansible_core_version

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, 'tests', 'kuzzle'))

from pytest_kuzzle import fresh_kuzzle, kuzzle  # noqa: E402,F401 pylint: disable=unused-import,wrong-import-position

ADMIN = 'ansible-admin'
# the ansible-core that runs the playbooks: the one of this venv (scripts/test-all runs the oldest and the newest)
ANSIBLE_CORE = tuple(int(part) for part in ansible_core_version.split('.')[:2])


class Admin:
    """The test session's administrator: credentials and a token for reading Kuzzle back."""

    def __init__(self, kuzzle_server, password):
        self.kuzzle = kuzzle_server
        self.username = ADMIN
        self.password = password
        self.token = None

    def login(self):
        status, body = self.kuzzle.api('POST', '/_login/local', body={'username': self.username, 'password': self.password})
        assert status == 200, body
        self.token = body['result']['jwt']

    def api(self, method, path, body=None, query=None):
        return self.kuzzle.api(method, path, body=body, token=self.token, query=query)

    def read(self, kind, object_id):
        """The stored _source of a profile, role or user ('profiles', 'roles', 'users'), or None when
        Kuzzle says it does not exist."""
        status, body = self.api('GET', '/%s/%s' % (kind, object_id))
        if status == 404 and body['error']['id'] == 'security.%s.not_found' % kind[:-1]:
            return None
        assert status == 200, body
        return body['result']['_source']

    def profile(self, name):
        return self.read('profiles', name)

    def role(self, name):
        return self.read('roles', name)

    def create_profile(self, name, policies, **extra):
        body = dict(policies=policies, **extra)
        status, answer = self.api('POST', '/profiles/%s/_create' % name, body=body, query={'refresh': 'wait_for'})
        assert status == 200, answer

    def put_role(self, name, body, force=False):
        """Create or replace a role (createOrReplaceRole) with that whole body."""
        query = {'refresh': 'wait_for'}
        if force:
            query['force'] = True
        status, answer = self.api('PUT', '/roles/%s' % name, body=body, query=query)
        assert status == 200, answer

    def create_role(self, name, controllers=None):
        self.put_role(name, {'controllers': controllers or {'document': {'actions': {'get': True, 'search': True}}}})

    def create_user(self, kuid, profile_ids, username=None, password=None):
        body = {'content': {'profileIds': profile_ids}}
        if username:
            body['credentials'] = {'local': {'username': username, 'password': password}}
        status, answer = self.api('POST', '/users/%s/_create' % kuid, body=body, query={'refresh': 'wait_for'})
        assert status == 200, answer


def pytest_configure(config):
    config.addinivalue_line('markers', 'kuzzle_load: concurrency, faults or scale, whose subject is Kuzzle and the '
                                       "collection's HTTP client, not ansible-core: scripts/test-all runs it in the "
                                       'newest cell of the integration matrix only')


@pytest.fixture(scope='session')
def admin(kuzzle):  # pylint: disable=redefined-outer-name
    password = 'pw-' + secrets.token_hex(12)
    status, body = kuzzle.api('POST', '/_createFirstAdmin/%s' % ADMIN, query={'reset': True},
                              body={'credentials': {'local': {'username': ADMIN, 'password': password}}})
    assert status == 200, body
    result = Admin(kuzzle, password)
    result.login()
    for role in ('reader', 'writer', 'auditor'):
        result.create_role(role)
    return result


@pytest.fixture(scope='session')
def collections_path(tmp_path_factory):
    """Where ansible finds community.kuzzle: ANSIBLE_COLLECTIONS_PATH if set, else a fresh copy of this tree."""
    if os.environ.get('ANSIBLE_COLLECTIONS_PATH'):
        return os.environ['ANSIBLE_COLLECTIONS_PATH']
    root = tmp_path_factory.mktemp('collections')
    target = root / 'ansible_collections' / 'community' / 'kuzzle'
    for part in ('plugins', 'roles', 'meta', 'galaxy.yml'):
        source = os.path.join(REPO, part)
        if os.path.isdir(source):
            shutil.copytree(source, str(target / part))
        else:
            shutil.copy(source, str(target))
    return str(root)


class Run:
    """One finished ansible-playbook run."""

    ansible_core = ANSIBLE_CORE  # (major, minor) of the ansible-core that ran it

    def __init__(self, proc, results):
        self.rc = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.results = results

    @property
    def output(self):
        return self.stdout + self.stderr

    def shows(self, text):
        """Whether the output has this text, wherever ansible-core wrapped its lines (2.18 wraps warnings at 79 columns)."""
        return ' '.join(text.split()) in ' '.join(self.output.split())

    def result(self, task):
        """The result dict of the task of that name (the last one if it ran several times)."""
        found = [r for r in self.results if r['task'] == task]
        assert found, 'task %r did not run; output:\n%s' % (task, self.output)
        return found[-1]['result']

    def status(self, task):
        return [r for r in self.results if r['task'] == task][-1]['status']

    def clean_failure(self, task, *fragments):
        """The result of a task that failed cleanly: a message with every fragment, no traceback, no module crash output."""
        result = self.result(task)
        assert self.status(task) == 'failed', self.output
        for key in ('module_stderr', 'module_stdout'):
            assert key not in result, result
        # ansible-core 2.19 adds this placeholder to every failed result that carries no traceback
        exception = result.get('exception', '(traceback unavailable)')
        assert exception == '(traceback unavailable)', exception
        assert 'Traceback' not in self.output
        for fragment in fragments:
            assert fragment in result['msg'], result['msg']
        return result


class Playbooks:
    """Writes a one-play playbook and runs it with ansible-playbook."""

    def __init__(self, tmp_path, kuzzle_server, admin_user, collections):
        self.tmp_path = tmp_path
        self.kuzzle = kuzzle_server
        self.admin = admin_user
        self.collections = collections
        self.count = 0

    def assert_refused_before_any_request(self, module, cases):
        """Run each (options, message fragment) case as a task of ``module`` against an unused port: each one
        must fail cleanly with its fragment and without "cannot reach" (so no request was sent), and Kuzzle
        must receive no write."""
        unreachable = {'group/community.kuzzle.kuzzle': self.connection(url='http://127.0.0.1:9')}
        mark = self.kuzzle.mark()
        run = self.run([{'name': 'case %d' % i, module: case[0], 'ignore_errors': True} for i, case in enumerate(cases)],
                       module_defaults=unreachable)
        for i, case in enumerate(cases):
            result = run.clean_failure('case %d' % i, case[1])
            assert 'cannot reach' not in result['msg']
        assert self.kuzzle.writes_since(mark) == []

    @staticmethod
    def save_token(path, expression='kuzzle_session.token'):
        """A task that writes a registered token to a file the test reads (no_log: it is a secret)."""
        return {'name': 'save token', 'ansible.builtin.copy': {'content': '{{ %s }}' % expression, 'dest': str(path), 'mode': '0600'},
                'no_log': True, 'check_mode': False}

    def connection(self, **overrides):
        """The connection options of the session admin, as module_defaults for the kuzzle group."""
        options = {'url': self.kuzzle.url, 'username': self.admin.username, 'password': self.admin.password}
        options.update(overrides)
        return options

    def run(self, tasks, check=False, diff=False, verbosity=0, env=None, module_defaults='admin', roles=None, hosts=('localhost',), forks=None,
            timeout=300):
        """Run the tasks in one play over ``hosts`` (inventory names, all with the local connection), with ``forks``;
        ``timeout``: seconds the run may take (a run shared by many cases needs more)."""
        play = {'name': 'test play', 'hosts': 'all', 'gather_facts': False, 'tasks': tasks}
        if roles:
            play['roles'] = roles
        if module_defaults == 'admin':
            module_defaults = {'group/community.kuzzle.kuzzle': self.connection()}
        if module_defaults:
            play['module_defaults'] = module_defaults
        playbook = self.tmp_path / ('play%d.yml' % (self.count + 1))  # the number run_file gives this run
        playbook.write_text(json.dumps([play], indent=2))  # JSON is YAML
        return self.run_file(str(playbook), check=check, diff=diff, verbosity=verbosity, env=env, hosts=hosts, forks=forks,
                             timeout=timeout)

    def run_file(self, playbook, check=False, diff=False, verbosity=0, env=None, hosts=('localhost',), forks=None, timeout=300,
                 extra_vars=None):
        """Run a playbook file as it is (a documented example, for instance); ``env``: variables added to the
        environment of ansible-playbook, whose own KUZZLE_* variables are removed; ``extra_vars``: a dict for -e."""
        self.count += 1
        record = self.tmp_path / ('results%d.jsonl' % self.count)
        run_env = dict((k, v) for k, v in os.environ.items() if not k.startswith('KUZZLE_'))
        run_env.update({
            'ANSIBLE_COLLECTIONS_PATH': self.collections,
            'ANSIBLE_CALLBACK_PLUGINS': os.path.join(HERE, 'callback_plugins'),
            'ANSIBLE_CALLBACKS_ENABLED': 'record_results',
            'ANSIBLE_HOME': str(self.tmp_path / 'ansible-home'),
            'ANSIBLE_LOCAL_TEMP': str(self.tmp_path / 'ansible-tmp'),
            'ANSIBLE_NOCOLOR': '1',
            'ANSIBLE_RETRY_FILES_ENABLED': '0',
            'ANSIBLE_PYTHON_INTERPRETER': sys.executable,
            'RECORD_RESULTS_FILE': str(record),
        })
        run_env.update(env or {})
        cmd = [os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), '-i', ','.join(hosts) + ',', '-c', 'local', playbook]
        if extra_vars:
            extra = self.tmp_path / ('extra%d.json' % self.count)
            extra.write_text(json.dumps(extra_vars))
            cmd.extend(['-e', '@' + str(extra)])
        if forks:
            cmd.extend(['-f', str(forks)])
        if check:
            cmd.append('--check')
        if diff:
            cmd.append('--diff')
        if verbosity:
            cmd.append('-' + 'v' * verbosity)
        proc = subprocess.run(cmd, env=run_env, capture_output=True, text=True, timeout=timeout, check=False)
        results = []
        if record.exists():
            results = [json.loads(line) for line in record.read_text().splitlines()]
        return Run(proc, results)


@pytest.fixture
def playbooks(tmp_path, kuzzle, admin, collections_path):  # pylint: disable=redefined-outer-name
    return Playbooks(tmp_path, kuzzle, admin, collections_path)


@pytest.fixture(scope='session')
def make_playbooks(collections_path):  # pylint: disable=redefined-outer-name
    """make_playbooks(directory, kuzzle_server, admin=None): Playbooks for a Kuzzle of a test's own (pass
    module_defaults to run() when admin is None)."""
    return lambda directory, kuzzle_server, admin_user=None: Playbooks(directory, kuzzle_server, admin_user, collections_path)


@pytest.fixture(scope='session')
def make_admin():
    """make_admin(kuzzle_server, username, password): a logged-in Admin of a Kuzzle of a test's own."""
    def make(kuzzle_server, username, password):
        result = Admin(kuzzle_server, password)
        result.username = username
        result.login()
        return result
    return make


@pytest.fixture(scope='module')
def module_playbooks(tmp_path_factory, kuzzle, admin, collections_path):  # pylint: disable=redefined-outer-name
    """Playbooks for runs that several tests of one file share (one task per case, each with ignore_errors),
    so that many cases cost one ansible-playbook run."""
    return Playbooks(tmp_path_factory.mktemp('shared'), kuzzle, admin, collections_path)


@pytest.fixture
def uid(request):
    """An id of this test's own, so tests never see each other's objects."""
    return '%s-%s' % (request.node.name.split('[')[0][5:30].replace('_', '-'), uuid.uuid4().hex[:6])
