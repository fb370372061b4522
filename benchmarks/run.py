# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""benchmarks/run: converge N Kuzzle profiles or users several ways; print wall time, module time and HTTP requests.

Methods: (a) community.kuzzle.kuzzle_security in one task, (b) a loop of community.kuzzle.kuzzle_profile,
(c) the ansible.builtin.uri play a user would write (log in, GET each profile, conditional create/update),
and the limit: (r) a plain ``requests`` client doing (a)'s work (raw_client.py), sequential and with a pool
of threads. Kinds: profiles, users with a password, users without credentials. Phases, for each N, kind and
method, on ids of the method's own: all new, then all unchanged, then 10% changed.

Starts one tests/kuzzle/serve (127.0.0.1), builds and installs the collection into a temporary
collections path, counts Kuzzle's requests with counting_proxy.py, times (a)'s module process with an
interpreter wrapper, checks every phase (the reported changes, and Kuzzle's content read back outside
the timed part) and stops everything at the end, on Ctrl-C too. Standard library only; Ansible and
requests come from the project's virtualenv. See README.md.
"""

import argparse
import datetime
import http.client
import json
import os
import platform
import re
import resource
import secrets
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
PLAYBOOKS = os.path.join(HERE, 'playbooks')
RAW_CLIENT = os.path.join(HERE, 'raw_client.py')
sys.path[:0] = [HERE, os.path.join(REPO, 'tests', 'kuzzle')]

# pylint: disable=wrong-import-position
from bench_data import KINDS, ROLES, USER_PROFILES, changed_indexes, dataset, normalize_profile, user_differs  # noqa: E402
from bench_report import PHASES, print_report  # noqa: E402
from counting_proxy import CountingProxy, Stats  # noqa: E402
from serve_process import start_serve  # noqa: E402 pylint: disable=import-error
# pylint: enable=wrong-import-position

ADMIN = 'bench-admin'
HTTP_TIMEOUT = 600

# key: (label, playbook or None for the requests client, the module it needs). b-login is opt-in (not one
# of issue 5's methods): it shows what (b)'s login and logout per item cost, with the log-in-once pattern
# kuzzle_login documents. raw and raw-pool are the limit of issue 15: raw_client.py, one request at a time
# or from --pool threads.
METHODS = {
    'a': ('(a) kuzzle_security, one task', 'security.yml', 'kuzzle_security'),
    'b': ('(b) loop of kuzzle_profile', 'profile_loop.yml', 'kuzzle_profile'),
    'c': ('(c) uri: GET + create/update', 'uri.yml', None),
    'b-login': ('(b) after one kuzzle_login', 'profile_loop_login.yml', 'kuzzle_login'),
    'raw': ('(r) requests, sequential', None, None),
    'raw-pool': ('(r) requests, pool of %d', None, None),
}
LOOP_METHODS = ('b', 'c', 'b-login')  # profiles only
RAW_METHODS = ('raw', 'raw-pool')
# What Kuzzle must hold before each phase: nothing, or the first version of the data.
PHASE_NEEDS = {'new': None, 'unchanged': 'v1', 'changed': 'v1'}
PHASE_LEAVES = {'new': 'v1', 'unchanged': 'v1', 'changed': 'v2'}
SEED_POOL = 8  # threads of the requests client when it brings Kuzzle to a phase's state (untimed)

# The interpreter wrapper that times (a)'s module process: Ansible runs "<interpreter> AnsiballZ_<module>.py",
# the wrapper runs the real Python as its only child and logs that child's wall time, CPU time and peak
# resident memory (RUSAGE_CHILDREN of a process with one child). Its own start-up is outside the interval.
TIMED_PYTHON = '''#!%(python)s
import json, os, resource, subprocess, sys, time
started = time.perf_counter()
code = subprocess.call([%(python)r] + sys.argv[1:])
wall = time.perf_counter() - started
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(%(log)r, 'a') as handle:
    handle.write(json.dumps({'script': os.path.basename(sys.argv[1]) if len(sys.argv) > 1 else '(stdin)', 'wall': wall,
                             'cpu': usage.ru_utime + usage.ru_stime, 'rss_kb': usage.ru_maxrss}) + '\\n')
sys.exit(code)
'''


class Interrupted(Exception):
    """SIGINT, SIGTERM or SIGHUP: stop, clean up, report what was measured."""


class Failure(Exception):
    """A run that cannot be trusted (failed, or did something else than expected)."""


# -- talking to Kuzzle directly (setup and checks, never timed) -------------------------------------
class Kuzzle:
    """Plain HTTP calls to Kuzzle as the benchmark's admin."""

    def __init__(self, url):
        self.url = url
        self.password = 'bench-' + secrets.token_hex(12)
        self._token = None
        self._token_time = 0

    def call(self, method, path, body=None, query=None, auth=True):
        """(status, parsed JSON answer); ``auth``: True for the admin's token, False for none, or a token."""
        url = self.url + path + ('?' + urllib.parse.urlencode(query) if query else '')
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(url, data=data, method=method, headers={'Content-Type': 'application/json'})
        if auth:
            request.add_header('Authorization', 'Bearer ' + (self.token() if auth is True else auth))
        try:
            with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as answer:
                return answer.status, json.load(answer)
        except urllib.error.HTTPError as exc:
            text = exc.read().decode('utf-8', 'replace')
            try:
                return exc.code, json.loads(text)
            except ValueError:
                return exc.code, {'error': {'message': text[:300]}}

    def ok(self, method, path, body=None, query=None, auth=True):
        """The ``result`` of a call that must succeed."""
        status, answer = self.call(method, path, body, query, auth)
        if status != 200:
            raise Failure('%s %s: HTTP %s %s' % (method, path, status, (answer.get('error') or {}).get('message')))
        return answer['result']

    def token(self):
        # A fresh login every 10 minutes: a full run lasts longer than Kuzzle's 1 h token lifetime.
        if not self._token or time.monotonic() - self._token_time > 600:
            self._token = self.ok('POST', '/_login/local', {'username': ADMIN, 'password': self.password}, auth=False)['jwt']
            self._token_time = time.monotonic()
        return self._token

    def setup(self):
        """The first admin (anonymous then loses its rights, as in production), the roles the profiles use
        and the profiles the users use."""
        self.ok('POST', '/_createFirstAdmin/%s' % ADMIN, {'credentials': {'local': {'username': ADMIN, 'password': self.password}}},
                query={'reset': 'true'}, auth=False)
        for role in ROLES:
            self.ok('PUT', '/roles/%s' % role, {'controllers': {'document': {'actions': {'get': True, 'search': True}}}},
                    query={'refresh': 'wait_for'})
        for profile, roles in sorted(USER_PROFILES.items()):
            self.ok('PUT', '/profiles/%s' % profile, {'policies': [{'roleId': role} for role in roles]}, query={'refresh': 'wait_for'})

    def version(self):
        return self.ok('GET', '/_serverInfo')['serverInfo']['kuzzle']['version']

    def seed(self, collection, data):
        """Store ``data`` fast (admin:loadSecurities, 1,000 objects per call), for a phase whose predecessor is not
        measured. Only for objects that do not exist yet (users that exist would make it fail)."""
        ids = sorted(data)
        for start in range(0, len(ids), 1000):
            self.ok('POST', '/admin/_loadSecurities', {collection: dict((i, data[i]) for i in ids[start:start + 1000])},
                    query={'refresh': 'wait_for'})

    def stored(self, collection, ids):
        """dict id -> stored _source for the ids that exist (mGetProfiles fails as a whole on a missing id,
        mGetUsers leaves missing ones out)."""
        found = {}
        for start in range(0, len(ids), 1000):
            chunk = ids[start:start + 1000]
            status, answer = self.call('POST', '/%s/_mGet' % collection, {'ids': chunk})
            if status == 200:
                found.update((hit['_id'], hit['_source']) for hit in answer['result']['hits'])
                continue
            for object_id in chunk:
                status, answer = self.call('GET', '/%s/%s' % (collection, urllib.parse.quote(object_id, safe='')))
                if status == 200:
                    found[object_id] = answer['result']['_source']
        return found

    def check(self, kind, data, purge):
        """Fail unless Kuzzle holds exactly ``data`` (compared as Kuzzle means it); users with a password must
        have it; with ``purge``, no other user than the admin may be left."""
        collection, credentials = KINDS[kind]
        stored = self.stored(collection, sorted(data))
        missing = sorted(set(data) - set(stored))
        if collection == 'profiles':
            wrong = sorted(i for i, body in stored.items() if normalize_profile(body) != normalize_profile(data[i]))
        else:
            wrong = sorted(i for i, body in stored.items() if user_differs(body, data[i]))
        if missing or wrong:
            raise Failure('Kuzzle does not hold the wanted %s: %d missing (%s), %d different (%s)'
                          % (collection, len(missing), ', '.join(missing[:3]), len(wrong), ', '.join(wrong[:3])))
        if credentials and data:
            self.check_credentials(data)
        if purge:
            total = self.ok('POST', '/%s/_search' % collection, {}, query={'size': 0})['total']
            if total != len(data) + 1:
                raise Failure('Kuzzle holds %d %s, expected the %d wanted and the admin' % (total, collection, len(data)))

    def check_credentials(self, data):
        """Every wanted username belongs to its user, and the first user's password logs it in."""
        owners = {}
        usernames = sorted(body['credentials']['local']['username'] for body in data.values())
        for start in range(0, len(usernames), 1000):
            chunk = usernames[start:start + 1000]
            hits = self.ok('POST', '/credentials/local/users/_search', {'query': {'terms': {'username': chunk}}}, query={'size': len(chunk)})['hits']
            owners.update((hit['username'], hit['kuid']) for hit in hits)
        wrong = sorted(kuid for kuid, body in data.items() if owners.get(body['credentials']['local']['username']) != kuid)
        if wrong:
            raise Failure('%d users lack their local credentials (%s)' % (len(wrong), ', '.join(wrong[:3])))
        kuid = min(data)
        session = self.ok('POST', '/_login/local', dict(data[kuid]['credentials']['local']), auth=False)
        self.ok('POST', '/_logout', auth=session['jwt'])


# -- processes ---------------------------------------------------------------------------------------
def stop_process(proc, grace=10):
    """SIGTERM the process group of ``proc`` (started with start_new_session), then SIGKILL."""
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    except ProcessLookupError:
        pass


# Set by the runner for every ansible-* command: --env cannot change them.
FIXED_ENV = ('PATH', 'ANSIBLE_CONFIG', 'ANSIBLE_COLLECTIONS_PATH', 'ANSIBLE_HOME', 'ANSIBLE_LOCAL_TEMP', 'ANSIBLE_REMOTE_TEMP',
             'ANSIBLE_PYTHON_INTERPRETER', 'ANSIBLE_NOCOLOR', 'ANSIBLE_RETRY_FILES_ENABLED')


class Ansible:
    """Builds the collection into a temporary collections path and runs playbooks (and the requests client) against it."""

    def __init__(self, venv, workdir, extra_env):
        self.bin = os.path.join(venv, 'bin')
        self.python = os.path.join(self.bin, 'python')
        self.workdir = workdir
        self.current = None  # the running process, stopped on Ctrl-C
        self.cpu = 0.0
        config = os.path.join(workdir, 'ansible.cfg')
        with open(config, 'w', encoding='utf-8') as handle:
            handle.write('[defaults]\n')  # so that no ansible.cfg of the user or of the cwd changes the runs
        self.collections = os.path.join(workdir, 'collections')
        self.env = dict((k, v) for k, v in os.environ.items() if not k.startswith(('ANSIBLE_', 'KUZZLE_')))
        self.env.update(extra_env)
        self.env.update({
            'PATH': self.bin + os.pathsep + os.environ.get('PATH', ''),
            'ANSIBLE_CONFIG': config,
            'ANSIBLE_COLLECTIONS_PATH': self.collections,
            'ANSIBLE_HOME': os.path.join(workdir, 'ansible-home'),
            'ANSIBLE_LOCAL_TEMP': os.path.join(workdir, 'ansible-tmp'),
            'ANSIBLE_REMOTE_TEMP': os.path.join(workdir, 'remote-tmp'),  # so that a killed run leaves nothing in ~/.ansible
            'ANSIBLE_PYTHON_INTERPRETER': self.python,
            'ANSIBLE_NOCOLOR': '1',
            'ANSIBLE_RETRY_FILES_ENABLED': '0',
        })  # keep in line with FIXED_ENV

    def run(self, args, timeout, env=None, merge_stderr=True):
        """(returncode, output, seconds) of one command; its CPU seconds (processes included) in ``self.cpu``.

        ``env``: variables that replace the runner's for this command only."""
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        self.current = subprocess.Popen(args, env=dict(self.env, **(env or {})), stdout=subprocess.PIPE,  # pylint: disable=consider-using-with
                                        stderr=subprocess.STDOUT if merge_stderr else None,
                                        stdin=subprocess.DEVNULL, text=True, start_new_session=True, cwd=self.workdir)
        try:
            output = self.current.communicate(timeout=timeout)[0]
        except subprocess.TimeoutExpired as exc:
            stop_process(self.current)
            raise Failure('%s did not finish within %d s' % (os.path.basename(args[0]), timeout)) from exc
        finally:
            seconds = time.perf_counter() - started
            stop_process(self.current)
        # Every module process is reaped by its parent, so RUSAGE_CHILDREN covers the whole tree. Less
        # sensitive than wall time to other load on the machine; it excludes Kuzzle (not reaped yet).
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.cpu = after.ru_utime - usage.ru_utime + after.ru_stime - usage.ru_stime
        return self.current.returncode, output, seconds

    def install_collection(self):
        """Build the working tree (as it is now) and install it; the path of the installed collection."""
        galaxy = os.path.join(self.bin, 'ansible-galaxy')
        dist = os.path.join(self.workdir, 'dist')
        self._must(galaxy, 'collection', 'build', REPO, '--output-path', dist)
        tarball = os.path.join(dist, os.listdir(dist)[0])
        self._must(galaxy, 'collection', 'install', '-p', self.collections, tarball)
        return os.path.join(self.collections, 'ansible_collections', 'community', 'kuzzle')

    def _must(self, *args):
        returncode, output = self.run(list(args), timeout=300)[:2]
        if returncode:
            raise Failure('%s failed:\n%s' % (' '.join(args[1:3]), output[-2000:]))

    def playbook(self, name, var_files, timeout, env=None):
        args = [os.path.join(self.bin, 'ansible-playbook'), '-i', 'localhost,', '-c', 'local', os.path.join(PLAYBOOKS, name)]
        for path in var_files:
            args += ['-e', '@' + path]
        return self.run(args, timeout, env)

    def raw_client(self, connection, job, timeout):
        """(result dict, seconds, CPU seconds) of one run of raw_client.py; Failure if it failed."""
        returncode, output, seconds = self.run([self.python, RAW_CLIENT, connection, job], timeout, merge_stderr=False)
        if returncode:
            raise Failure('raw_client.py failed (rc %d); its stderr is above' % returncode)
        return json.loads(output.strip().splitlines()[-1]), seconds, self.cpu

    def version(self, code):
        return subprocess.run([self.python, '-c', code], capture_output=True, text=True, timeout=60, check=True).stdout.strip()


# -- reading Ansible's output ------------------------------------------------------------------------
RECAP = re.compile(r'^localhost\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)', re.M)
ITEM_CHANGED = re.compile(r'^changed: \[localhost\] => \(item=', re.M)
# Requests that write security objects (routes as counting_proxy.route_of names them).
WRITE_ROUTE = re.compile(r'^(DELETE |PUT /(profiles|roles|users)/\{id\}$)|/_(create|update|replace|createOrReplace|loadSecurities|mDelete)$')


def reported_changes(method, returncode, output):
    """How many objects Ansible reported as changed; Failure if the run failed."""
    recap = RECAP.findall(output)
    if returncode or not recap or int(recap[-1][2]) or int(recap[-1][3]):
        raise Failure('ansible-playbook failed (rc %d):\n%s' % (returncode, output[-3000:]))
    if method == 'a':  # one task for everything: changed or not
        return int(recap[-1][1])
    return len(ITEM_CHANGED.findall(output))


# -- the benchmark -----------------------------------------------------------------------------------
class Bench:  # pylint: disable=too-many-instance-attributes
    """Measures the phases of each method and collects the rows of the table."""

    def __init__(self, args, kuzzle, proxy, ansible, workdir, parallel_writes):
        self.args = args
        self.kuzzle = kuzzle
        self.proxy = proxy
        self.ansible = ansible
        self.workdir = workdir
        self.parallel_writes = parallel_writes  # whether the installed kuzzle_security has that option
        self.rows = []
        self.started = time.monotonic()
        self.shared = {}  # with --purge: (size, kind) -> what Kuzzle holds of the ids all methods share
        self.connection = self.write_json('connection.json', {
            'kuzzle_url': proxy.url, 'kuzzle_username': ADMIN, 'kuzzle_password': kuzzle.password})
        self.module_log = os.path.join(workdir, 'module-times.jsonl')
        self.timed_python = os.path.join(workdir, 'timed-python')
        with open(self.timed_python, 'w', encoding='utf-8') as handle:
            handle.write(TIMED_PYTHON % {'python': ansible.python, 'log': self.module_log})
        os.chmod(self.timed_python, 0o700)

    def write_json(self, name, data):
        path = os.path.join(self.workdir, name)
        with open(path, 'w', encoding='utf-8') as handle:
            json.dump(data, handle)
        os.chmod(path, 0o600)  # the connection and the users' data hold passwords
        return path

    def progress(self, text):
        print('[%7.1f s] %s' % (time.monotonic() - self.started, text), file=sys.stderr, flush=True)

    def label(self, method):
        if method == 'raw-pool':
            return METHODS[method][0] % self.args.pool
        if method == 'a' and self.parallel_writes:
            return '(a) kuzzle_security, parallel_writes=%d' % self.args.pool
        return METHODS[method][0]

    def baseline(self, items, kind=None, size=0):
        """Median (wall, CPU) seconds of 3 runs of the baseline playbook with ``items`` pings.

        ``kind`` and ``size``: also load that many generated objects as extra vars, as the methods do, to
        show what parsing them costs the controller whatever the method.
        """
        var_files = [self.write_json('baseline-%d.json' % items, {'bench_items': items})]
        if size:
            var_files.append(self.write_json('baseline-%s-%d.json' % (kind, size), {
                'bench_' + KINDS[kind][0]: dataset(self.args.seed, kind, size, 'baseline-', 'v1')}))
        times, cpus = [], []
        while len(times) < 3:
            returncode, output, seconds = self.ansible.playbook('baseline.yml', var_files, timeout=600 + 5 * items)
            if returncode:
                raise Failure('baseline playbook failed:\n%s' % output[-2000:])
            times.append(seconds)
            cpus.append(self.ansible.cpu)
        return statistics.median(times), statistics.median(cpus)

    def new_row(self, size, kind, method, rep, phase, result=None):
        row = {'size': size, 'kind': kind, 'method': method, 'label': self.label(method), 'rep': rep, 'phase': phase,
               'seconds': None, 'cpu': None, 'work': None, 'steps': None, 'routes': {}, 'requests': None, 'in_kuzzle': None,
               'seeded': False, 'result': result or ''}
        self.rows.append(row)
        return row

    def prefix(self, size, kind, method, rep):
        """The ids' prefix: the method's own (a phase starts from what this method left), or with --purge one
        per size and kind that every method shares (purge deletes whatever else the kind holds)."""
        if self.args.purge:
            return 'bench-%s%d-' % (kind, size)
        return 'bench-%s%s%d-%s' % ('' if kind == 'profiles' else kind + '-', method, size, 'r%d-' % rep if self.args.repeat > 1 else '')

    def measure(self, size, kind, method, rep, available):
        """Every phase of one method at one size, for one kind; stops at the first phase that fails."""
        if not available or (method in LOOP_METHODS and kind != 'profiles'):
            why = 'not available (no module %s in the collection)' % METHODS[method][2] if not available else 'not available (profiles only)'
            self.new_row(size, kind, method, rep, 'all', why)
            self.progress('N=%d %s %s: %s' % (size, kind, self.label(method), why))
            return
        prefix = self.prefix(size, kind, method, rep)
        versions = dict((v, dataset(self.args.seed, kind, size, prefix, v)) for v in ('v1', 'v2'))
        phases = [p for p in PHASES if p in self.args.phases]
        if method in LOOP_METHODS and self.args.bound_loops_at and size >= self.args.bound_loops_at:
            phases = [p for p in phases if p in self.args.bounded_phases]
        state = self.shared.get((size, kind), 'unknown') if self.args.purge else None  # what Kuzzle holds of these ids
        for phase in phases:
            row = self.new_row(size, kind, method, rep, phase)
            try:
                if state != PHASE_NEEDS[phase]:
                    self.bring(kind, versions, PHASE_NEEDS[phase])
                    row['seeded'] = True
                self.run_phase(row, versions[PHASE_LEAVES[phase]])
            except Failure as exc:
                row.update(result='FAILED', error=str(exc))
                self.shared[(size, kind)] = 'unknown'
                self.progress('N=%d %s %s %s: FAILED: %s' % (size, kind, row['label'], phase, exc))
                return  # what Kuzzle holds is unknown: the next phases would measure nothing useful
            state = self.shared[(size, kind)] = PHASE_LEAVES[phase]
            inside = ', work %.1f s' % row['work']['wall'] if row['work'] else ''
            self.progress('N={size} {kind} {label} {phase}: {seconds:.1f} s{inside}, {requests} requests, {result}'.format(inside=inside, **row))

    def bring(self, kind, versions, need):
        """Make Kuzzle hold ``versions[need]`` (or none of them), untimed. With --purge, through the requests client
        (which also deletes whatever else the kind holds); else the ids are the method's own and untouched, so
        admin:loadSecurities stores them."""
        if self.args.purge:
            self.progress('bringing Kuzzle to the %s state (requests client, untimed)' % (need or 'empty'))
            job = self.write_json('seed-job.json', {'kind': KINDS[kind][0], 'wanted': versions[need] if need else {},
                                                    'pool': SEED_POOL, 'purge': True})
            self.ansible.raw_client(self.connection, job, self.run_timeout(len(versions['v1'])))
        else:
            self.kuzzle.seed(KINDS[kind][0], versions[need])

    def run_timeout(self, size):
        return self.args.run_timeout or 600 + 6 * size

    def run_phase(self, row, wanted):
        """Time one run (ansible-playbook, or the requests client) that converges to ``wanted``, then check it; fills ``row``."""
        size, kind, method, phase = row['size'], row['kind'], row['method'], row['phase']
        expected = {'new': size, 'unchanged': 0, 'changed': len(changed_indexes(self.args.seed, size))}[phase]
        before = self.proxy.stats.snapshot()
        try:
            changes = self.run_raw(row, wanted) if method in RAW_METHODS else self.run_playbook(row, wanted)
        finally:  # a failed run's requests are figures too
            routes = Stats.since(before, self.proxy.stats.snapshot())
            row.update(routes=routes, requests=sum(v[0] for v in routes.values()), in_kuzzle=sum(v[1] for v in routes.values()))
        # What was reported: one changed task for (a), one changed item per changed object for the loops, the
        # objects written for the requests client.
        want = min(expected, 1) if method == 'a' else expected
        if changes != want:
            raise Failure('%d reported changed, expected %d' % (changes, want))
        # What Kuzzle received: no write when nothing changes, one per changed object for the loops and the
        # requests client ((a) may write several objects per request). Writes Kuzzle refused before running them
        # (429, 503: counting_proxy.REFUSED), which a client may send again, are not writes.
        writes = sum(value[0] for route, value in routes.items() if WRITE_ROUTE.search(route) and '(refused' not in route)
        right = 1 <= writes <= expected if method == 'a' and expected else writes == expected
        if not right:
            raise Failure('Kuzzle received %d writes, expected %d' % (writes, expected))
        # What Kuzzle holds, read back.
        self.kuzzle.check(kind, wanted, self.args.purge)
        row['result'] = 'ok, %d changed' % expected + (' (state seeded first)' if row['seeded'] else '')

    def run_raw(self, row, wanted):
        """One timed run of the requests client; the number of objects it wrote."""
        job = self.write_json('job-%s-%d.json' % (row['method'], row['size']), {
            'kind': KINDS[row['kind']][0], 'wanted': wanted, 'pool': self.args.pool if row['method'] == 'raw-pool' else 1,
            'purge': self.args.purge})
        result, seconds, cpu = self.ansible.raw_client(self.connection, job, self.run_timeout(row['size']))
        row.update(seconds=seconds, cpu=cpu, steps=result['seconds'], work={'wall': seconds, 'cpu': cpu, 'rss_kb': result['rss_kb']})
        if result['deleted']:
            raise Failure('the requests client deleted %d objects; none was expected' % result['deleted'])
        return result['created'] + result['updated']

    def run_playbook(self, row, wanted):
        """One timed ansible-playbook run; the changes Ansible reported. For (a), the module process is timed too."""
        method = row['method']
        variables = {'bench_' + KINDS[row['kind']][0]: wanted}
        env = None
        if method == 'a':
            variables['bench_purge'] = self.args.purge
            if self.parallel_writes:
                variables['bench_parallel_writes'] = self.args.pool
            env = {'ANSIBLE_PYTHON_INTERPRETER': self.timed_python}
            if os.path.exists(self.module_log):
                os.remove(self.module_log)
        name = '%s-%s-%d-%s' % (row['kind'], method, row['size'], row['phase'])
        var_file = self.write_json('vars-%s.json' % name, variables)
        returncode, output, seconds = self.ansible.playbook(METHODS[method][1], [self.connection, var_file], self.run_timeout(row['size']), env)
        with open(os.path.join(self.workdir, 'output-%s.txt' % name), 'w', encoding='utf-8') as handle:
            handle.write(output)
        row.update(seconds=seconds, cpu=self.ansible.cpu)
        if method == 'a':
            row['work'] = self.module_time()
        return reported_changes(method, returncode, output)

    def module_time(self):
        """The kuzzle_security process of the last (a) run, as the interpreter wrapper logged it; None if it did not."""
        try:
            with open(self.module_log, encoding='utf-8') as handle:
                runs = [json.loads(line) for line in handle if line.strip()]
        except OSError:
            return None
        runs = [r for r in runs if 'kuzzle_security' in r['script'] or r['script'] == '(stdin)']
        if len(runs) != 1:
            return None
        return {'wall': runs[0]['wall'], 'cpu': runs[0]['cpu'], 'rss_kb': runs[0]['rss_kb']}


def measure_proxy_overhead(direct_url, proxy_url, count):
    """Mean seconds per GET /_healthcheck, (direct, through the proxy), alternating blocks of 100."""
    def block(url, requests_count):
        parts = urllib.parse.urlsplit(url)
        started = time.perf_counter()
        for path in ['/_healthcheck'] * requests_count:
            # A new connection each time, as Kuzzle closes every HTTP connection anyway.
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=HTTP_TIMEOUT)
            connection.request('GET', path)
            response = connection.getresponse()
            response.read()
            connection.close()
            if response.status != 200:
                raise Failure('GET /_healthcheck on %s: HTTP %d' % (url, response.status))
        return time.perf_counter() - started

    totals = {direct_url: 0.0, proxy_url: 0.0}
    block(direct_url, 20)  # warm-up
    block(proxy_url, 20)
    for done in range(0, count, 100):
        for url in (direct_url, proxy_url):
            totals[url] += block(url, min(100, count - done))
    return totals[direct_url] / count, totals[proxy_url] / count


def machine(ansible, kuzzle_version):
    cpu = platform.processor() or 'unknown'
    ram = 'unknown'
    try:
        with open('/proc/cpuinfo', encoding='utf-8') as handle:
            cpu = next((line.split(':', 1)[1].strip() for line in handle if line.startswith('model name')), cpu)
        with open('/proc/meminfo', encoding='utf-8') as handle:
            ram = '%.1f GiB' % (int(next(line.split()[1] for line in handle if line.startswith('MemTotal'))) / 1048576)
    except (OSError, StopIteration, ValueError):
        pass
    try:
        node = subprocess.run(['node', '--version'], capture_output=True, text=True, timeout=30, check=False).stdout.strip()
    except OSError:
        node = 'unknown'
    return {
        'cpu': cpu,
        'cores': os.cpu_count(),
        'ram': ram,
        'os': platform.platform(),
        'python': ansible.version('import platform; print(platform.python_version())'),
        'ansible-core': ansible.version('from ansible.release import __version__; print(__version__)'),
        'kuzzle': '%s (tests/kuzzle/serve: Node.js %s, Redis, in-memory Elasticsearch stand-in)' % (kuzzle_version, node),
    }


def collection_revision():
    def git(*args):
        return subprocess.run(['git', '-C', REPO] + list(args), capture_output=True, text=True, timeout=60, check=False).stdout.strip()
    dirty = git('status', '--porcelain', '--', 'plugins', 'meta', 'galaxy.yml')
    return git('rev-parse', '--short', 'HEAD') + (' + uncommitted changes in plugins/ or meta/' if dirty else '')


def parse_args(argv):  # pylint: disable=too-many-branches
    parser = argparse.ArgumentParser(prog='benchmarks/run', description=__doc__.split('\n', 1)[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--sizes', default='100,1000', help='numbers of objects, comma-separated (default 100,1000)')
    parser.add_argument('--kinds', default='profiles',
                        help='what to converge, among profiles, users (with a password), users-content (no credentials); default profiles')
    parser.add_argument('--methods', default='a,b,c,raw,raw-pool',
                        help='methods among %s (default a,b,c,raw,raw-pool)' % ','.join(METHODS))
    parser.add_argument('--phases', default=','.join(PHASES),
                        help='phases to time among new,unchanged,changed (default all); the state a timed phase needs is seeded')
    parser.add_argument('--pool', type=int, default=4,
                        help='threads of raw-pool, and parallel_writes of (a) when its module has that option (default 4)')
    parser.add_argument('--repeat', type=int, default=1,
                        help='measure every method this many times, interleaved (each time on ids of its own); ratios use medians')
    parser.add_argument('--purge', action='store_true',
                        help='users kinds only: converge with purge (every user of Kuzzle is read); all methods share the ids')
    parser.add_argument('--bound-loops-at', type=int, default=0, metavar='N',
                        help='for the loop methods at sizes >= N, time only the --bounded-phases (bounds a full run; default: off)')
    parser.add_argument('--bounded-phases', default='unchanged', metavar='PHASES',
                        help='the phases --bound-loops-at keeps (default unchanged, the one the targets compare)')
    parser.add_argument('--venv', default=os.environ.get('KUZZLE_VENV') or os.path.join(REPO, '.venv'),
                        help='the virtualenv with ansible-core and requests (default $KUZZLE_VENV or <repo>/.venv)')
    parser.add_argument('--seed', default='community.kuzzle', help='seed of the generated objects')
    parser.add_argument('--overhead-requests', type=int, default=1000, help='requests for the proxy overhead measurement (0: skip)')
    parser.add_argument('--run-timeout', type=int, default=0, help='seconds allowed per timed run (default 600 + 6 per object)')
    parser.add_argument('--env', action='append', default=[], metavar='NAME=VALUE',
                        help='extra environment for ansible-playbook, e.g. ANSIBLE_PIPELINING=1 (repeatable)')
    parser.add_argument('--json', metavar='FILE', help='also write every figure to FILE')
    parser.add_argument('--keep', action='store_true', help='keep the temporary directory (playbook outputs, vars files)')
    args = parser.parse_args(argv)
    try:
        args.sizes = [int(s) for s in args.sizes.split(',')]
    except ValueError:
        parser.error('--sizes: comma-separated integers, for example 100,1000')
    for name in ('kinds', 'methods', 'phases', 'bounded_phases'):
        setattr(args, name, [item.strip() for item in getattr(args, name).split(',')])
    if any(s < 1 for s in args.sizes) or any(m not in METHODS for m in args.methods) or any(k not in KINDS for k in args.kinds) or \
            any(p not in PHASES for p in args.phases + args.bounded_phases):
        parser.error('--sizes must be >= 1, --methods among %s, --kinds among %s, --phases among %s' % (
            ','.join(METHODS), ','.join(KINDS), ','.join(PHASES)))
    if args.pool < 1 or args.repeat < 1:
        parser.error('--pool and --repeat must be >= 1')
    if args.purge and 'profiles' in args.kinds:
        parser.error('--purge is for the users kinds only (purging profiles would meet the profiles the users use)')
    if any('=' not in e for e in args.env):
        parser.error('--env takes NAME=VALUE')
    args.env = dict(e.split('=', 1) for e in args.env)
    fixed = sorted(set(args.env) & set(FIXED_ENV))
    if fixed:
        parser.error('--env cannot change %s: the runner sets it' % ', '.join(fixed))
    if not os.access(os.path.join(args.venv, 'bin', 'ansible-playbook'), os.X_OK):
        here = os.path.dirname(sys.executable)
        if os.access(os.path.join(here, 'ansible-playbook'), os.X_OK):
            args.venv = os.path.dirname(here)
        else:
            parser.error('no ansible-playbook in %s/bin: run scripts/test-all once (it creates <repo>/.venv), '
                         'or pass --venv / set KUZZLE_VENV' % args.venv)
    return args


def has_option(installed, module, option):
    """Whether the installed module documents ``option`` (so that a benchmark of an older tree still runs)."""
    try:
        with open(os.path.join(installed, 'plugins', 'modules', module + '.py'), encoding='utf-8') as handle:
            return re.search(r'^  %s:$' % re.escape(option), handle.read(), re.M) is not None
    except OSError:
        return False


def main(argv):  # pylint: disable=too-many-locals,too-many-branches,too-many-statements
    args = parse_args(argv)
    # As typed from the repository root, which is where README.md says to run it.
    command = ' '.join(['benchmarks/run'] + [shlex.quote(a) for a in argv])

    def interrupt(signum, _frame):
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)  # the cleanup has its own timeouts
        raise Interrupted(signal.Signals(signum).name)
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, interrupt)

    workdir = tempfile.mkdtemp(prefix='community-kuzzle-bench-')
    serve = proxy = bench = ansible = None
    report = {'command': command, 'started': datetime.datetime.now().isoformat(timespec='seconds')}
    status = 0
    try:
        ansible = Ansible(args.venv, workdir, args.env)
        if any(m in RAW_METHODS for m in args.methods) or args.purge:
            ansible.version('import requests')  # the requests client needs it: fail now rather than after the setup
        report['collection'] = collection_revision()
        print('building and installing the collection from %s (%s)' % (REPO, report['collection']), file=sys.stderr, flush=True)
        installed = ansible.install_collection()
        available = dict((m, not METHODS[m][2] or os.path.exists(os.path.join(installed, 'plugins', 'modules', METHODS[m][2] + '.py')))
                         for m in args.methods)
        print('starting tests/kuzzle/serve', file=sys.stderr, flush=True)
        try:
            serve, url = start_serve(workdir, write_log=False, new_session=True)[:2]
        except RuntimeError as exc:
            raise Failure(str(exc)) from exc
        kuzzle = Kuzzle(url)
        kuzzle.setup()
        proxy = CountingProxy(url).start()
        bench = Bench(args, kuzzle, proxy, ansible, workdir, has_option(installed, 'kuzzle_security', 'parallel_writes'))
        report['machine'] = machine(ansible, kuzzle.version())
        report['load_before'] = os.getloadavg()
        if args.overhead_requests:
            bench.progress('proxy overhead: %d GET /_healthcheck direct and through the proxy' % args.overhead_requests)
            report['proxy'] = measure_proxy_overhead(url, proxy.url, args.overhead_requests)
        items = min(args.sizes + [50])  # enough to see the per-item cost
        bench.progress('baselines: an empty play, and a loop of %d ansible.builtin.ping' % items)
        report['baseline'] = (bench.baseline(0), bench.baseline(items), items)
        report['baseline_vars'] = [(size, kind) + bench.baseline(0, kind, size) for size in args.sizes for kind in args.kinds]
        for size in args.sizes:
            for kind in args.kinds:
                for rep in range(1, args.repeat + 1):  # interleaved: each repetition runs every method once
                    for method in args.methods:
                        bench.measure(size, kind, method, rep, available[method])
        report['load_after'] = os.getloadavg()
    except Interrupted as exc:
        print('\ninterrupted (%s): stopping; the figures below are partial' % exc, file=sys.stderr)
        status = 130
    except (Failure, subprocess.CalledProcessError) as exc:
        print('benchmarks/run: %s' % exc, file=sys.stderr)
        status = 1
    finally:
        if ansible is not None:
            stop_process(ansible.current)
        if proxy is not None:
            proxy.stop()
        if serve is not None:
            print('stopping tests/kuzzle/serve', file=sys.stderr, flush=True)
            stop_process(serve, grace=90)
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print('kept %s' % workdir, file=sys.stderr)

    if bench is None or not bench.rows:
        return status or 1
    report['rows'] = bench.rows
    if args.json:
        with open(args.json, 'w', encoding='utf-8') as handle:
            json.dump(report, handle, indent=1, default=list)
    print_report(report, args)
    return status or (1 if any(row.get('error') for row in bench.rows) else 0)


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
