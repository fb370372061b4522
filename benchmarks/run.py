# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""benchmarks/run: converge N Kuzzle profiles three ways and print wall time and HTTP request counts.

Methods: (a) community.kuzzle.kuzzle_security in one task, (b) a loop of community.kuzzle.kuzzle_profile,
(c) the ansible.builtin.uri play a user would write (log in, GET each profile, conditional create/update).
Phases, for each N and method, on ids of the method's own: all new, then all unchanged, then 10% changed.

Starts one tests/kuzzle/serve (127.0.0.1), builds and installs the collection into a temporary
collections path, counts Kuzzle's requests with counting_proxy.py, checks every phase (Ansible's
reported changes, and Kuzzle's content read back outside the timed part) and stops everything at the
end, on Ctrl-C too. Standard library only; Ansible comes from the project's virtualenv. See README.md.
"""

import argparse
import copy
import datetime
import http.client
import json
import os
import platform
import random
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
sys.path[:0] = [HERE, os.path.join(REPO, 'tests', 'kuzzle')]

from counting_proxy import CountingProxy, Stats  # noqa: E402 pylint: disable=wrong-import-position
from serve_process import start_serve  # noqa: E402 pylint: disable=wrong-import-position,import-error

ADMIN = 'bench-admin'
HTTP_TIMEOUT = 120

# key: (label, playbook, the module it needs). b-login is opt-in (not one of issue 5's methods): it shows
# what (b)'s login and logout per item cost, with the log-in-once pattern kuzzle_login documents.
METHODS = {
    'a': ('(a) kuzzle_security, one task', 'security.yml', 'kuzzle_security'),
    'b': ('(b) loop of kuzzle_profile', 'profile_loop.yml', 'kuzzle_profile'),
    'c': ('(c) uri: GET + create/update', 'uri.yml', None),
    'b-login': ('(b) after one kuzzle_login', 'profile_loop_login.yml', 'kuzzle_login'),
}
LOOP_METHODS = ('b', 'c', 'b-login')
PHASES = ('new', 'unchanged', 'changed')
PHASE_TITLES = {'new': 'all new', 'unchanged': 'unchanged', 'changed': '10% changed', 'all': '-'}
# What Kuzzle must hold before each phase: nothing, or the first version of the data.
PHASE_NEEDS = {'new': None, 'unchanged': 'v1', 'changed': 'v1'}
PHASE_LEAVES = {'new': 'v1', 'unchanged': 'v1', 'changed': 'v2'}

# The profile data: roles, indexes and collections of a plausible shop back office.
ROLES = ('bench-reader', 'bench-writer', 'bench-auditor', 'bench-support', 'bench-billing', 'bench-ops')
INDEXES = {
    'shop': ('products', 'carts', 'orders', 'invoices'),
    'crm': ('contacts', 'accounts', 'leads'),
    'logs': ('access', 'audit', 'errors'),
    'analytics': ('events', 'sessions'),
}
RATE_LIMITS = (0, 10, 20, 50, 100, 200)


class Interrupted(Exception):
    """SIGINT, SIGTERM or SIGHUP: stop, clean up, report what was measured."""


class Failure(Exception):
    """A run that cannot be trusted (failed, or did something else than expected)."""


# -- the profile data -------------------------------------------------------------------------------
def profile_body(seed, index):
    """Profile number ``index``: 2 or 3 policies, about half restricted to indexes/collections, a rate limit.

    Seeded per index, so a profile is the same whatever N and method it is generated for.
    """
    rng = random.Random('%s/profile/%d' % (seed, index))
    policies = []
    for role in rng.sample(ROLES, rng.choice((2, 2, 3))):
        policy = {'roleId': role}
        if rng.random() < 0.5:
            restricted = []
            for index_name in rng.sample(sorted(INDEXES), rng.choice((1, 1, 2))):
                entry = {'index': index_name}
                count = rng.randint(0, 2)  # 0: the whole index
                if count:
                    entry['collections'] = rng.sample(INDEXES[index_name], count)
                restricted.append(entry)
            policy['restrictedTo'] = restricted
        policies.append(policy)
    return {'policies': policies, 'rateLimit': rng.choice(RATE_LIMITS)}


def changed_body(seed, index, body):
    """A deterministic change of one profile: its rate limit, one role, or one restriction."""
    rng = random.Random('%s/change/%d' % (seed, index))
    body = copy.deepcopy(body)
    kind = ('rate', 'role', 'restriction')[index % 3]
    policy = rng.choice(body['policies'])
    if kind == 'rate':
        body['rateLimit'] = rng.choice([r for r in RATE_LIMITS if r != body['rateLimit']])
    elif kind == 'role':
        used = set(p['roleId'] for p in body['policies'])
        policy['roleId'] = rng.choice([r for r in ROLES if r not in used])
    else:
        restricted = policy.setdefault('restrictedTo', [])
        present = set(entry['index'] for entry in restricted)
        free = [name for name in sorted(INDEXES) if name not in present]
        if free:
            name = rng.choice(free)
            restricted.append({'index': name, 'collections': [rng.choice(INDEXES[name])]})
        else:
            del policy['restrictedTo']  # already on every index: lift the restriction instead
    return body


def changed_indexes(seed, size):
    """The 10% of the profiles that the 'changed' phase modifies (at least one)."""
    return sorted(random.Random('%s/changed-set/%d' % (seed, size)).sample(range(size), max(1, size // 10)))


def dataset(seed, size, prefix, version):
    """dict id -> profile body in Kuzzle's shape, version 'v1' or 'v2' (10% changed)."""
    changed = set(changed_indexes(seed, size)) if version == 'v2' else set()
    data = {}
    for index in range(size):
        body = profile_body(seed, index)
        data['%s%04d' % (prefix, index)] = changed_body(seed, index, body) if index in changed else body
    return data


def normalize(body):
    """What Kuzzle means by a profile: order and duplicates of policies, restrictions and collections do not count."""
    policies = sorted(
        (p['roleId'], tuple(sorted(set((r['index'], tuple(sorted(set(r.get('collections') or [])))) for r in p.get('restrictedTo') or []))))
        for p in body.get('policies') or [])
    return policies, body.get('rateLimit') or 0


# -- talking to Kuzzle directly (setup and checks, never timed) -------------------------------------
class Kuzzle:
    """Plain HTTP calls to Kuzzle as the benchmark's admin."""

    def __init__(self, url):
        self.url = url
        self.password = 'bench-' + secrets.token_hex(12)
        self._token = None
        self._token_time = 0

    def call(self, method, path, body=None, query=None, auth=True):
        """(status, parsed JSON answer)."""
        url = self.url + path + ('?' + urllib.parse.urlencode(query) if query else '')
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(url, data=data, method=method, headers={'Content-Type': 'application/json'})
        if auth:
            request.add_header('Authorization', 'Bearer ' + self.token())
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
        """The first admin (anonymous then loses its rights, as in production) and the roles the profiles use."""
        self.ok('POST', '/_createFirstAdmin/%s' % ADMIN, {'credentials': {'local': {'username': ADMIN, 'password': self.password}}},
                query={'reset': 'true'}, auth=False)
        for role in ROLES:
            self.ok('PUT', '/roles/%s' % role, {'controllers': {'document': {'actions': {'get': True, 'search': True}}}},
                    query={'refresh': 'wait_for'})

    def version(self):
        return self.ok('GET', '/_serverInfo')['serverInfo']['kuzzle']['version']

    def seed(self, data):
        """Store ``data`` at once (admin:loadSecurities), for a phase whose predecessor is not measured."""
        self.ok('POST', '/admin/_loadSecurities', {'profiles': data}, query={'refresh': 'wait_for'})

    def stored(self, ids):
        """dict id -> stored _source for the ids that exist (mGetProfiles fails as a whole on a missing id)."""
        found = {}
        for start in range(0, len(ids), 1000):
            chunk = ids[start:start + 1000]
            status, answer = self.call('POST', '/profiles/_mGet', {'ids': chunk})
            if status == 200:
                found.update((hit['_id'], hit['_source']) for hit in answer['result']['hits'])
                continue
            for profile_id in chunk:
                status, answer = self.call('GET', '/profiles/%s' % urllib.parse.quote(profile_id, safe=''))
                if status == 200:
                    found[profile_id] = answer['result']['_source']
        return found

    def check(self, data):
        """Fail unless Kuzzle holds exactly ``data`` (compared as Kuzzle means it)."""
        stored = self.stored(sorted(data))
        missing = sorted(set(data) - set(stored))
        wrong = sorted(i for i, body in stored.items() if normalize(body) != normalize(data[i]))
        if missing or wrong:
            raise Failure('Kuzzle does not hold the wanted profiles: %d missing (%s), %d different (%s)'
                          % (len(missing), ', '.join(missing[:3]), len(wrong), ', '.join(wrong[:3])))


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
    """Builds the collection into a temporary collections path and runs playbooks against it."""

    def __init__(self, venv, workdir, extra_env):
        self.bin = os.path.join(venv, 'bin')
        self.workdir = workdir
        self.current = None  # the running ansible-playbook, stopped on Ctrl-C
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
            'ANSIBLE_PYTHON_INTERPRETER': os.path.join(self.bin, 'python'),
            'ANSIBLE_NOCOLOR': '1',
            'ANSIBLE_RETRY_FILES_ENABLED': '0',
        })  # keep in line with FIXED_ENV

    def run(self, args, timeout):
        """(returncode, output, seconds) of one ansible-* command; its CPU seconds (processes included) in ``self.cpu``."""
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        self.current = subprocess.Popen(args, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,  # pylint: disable=consider-using-with
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

    def playbook(self, name, var_files, timeout):
        args = [os.path.join(self.bin, 'ansible-playbook'), '-i', 'localhost,', '-c', 'local', os.path.join(PLAYBOOKS, name)]
        for path in var_files:
            args += ['-e', '@' + path]
        return self.run(args, timeout)

    def version(self, code):
        return subprocess.run([os.path.join(self.bin, 'python'), '-c', code], capture_output=True, text=True,
                              timeout=60, check=True).stdout.strip()


# -- reading Ansible's output ------------------------------------------------------------------------
RECAP = re.compile(r'^localhost\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)', re.M)
ITEM_CHANGED = re.compile(r'^changed: \[localhost\] => \(item=', re.M)
# Requests that write security objects (routes as counting_proxy.route_of names them).
WRITE_ROUTE = re.compile(r'^(DELETE |PUT /(profiles|roles|users)/\{id\}$)|/_(create|update|replace|createOrReplace|loadSecurities)$')


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

    def __init__(self, args, kuzzle, proxy, ansible, workdir):
        self.args = args
        self.kuzzle = kuzzle
        self.proxy = proxy
        self.ansible = ansible
        self.workdir = workdir
        self.rows = []
        self.started = time.monotonic()
        self.connection = self.write_json('connection.json', {
            'kuzzle_url': proxy.url, 'kuzzle_username': ADMIN, 'kuzzle_password': kuzzle.password})

    def write_json(self, name, data):
        path = os.path.join(self.workdir, name)
        with open(path, 'w', encoding='utf-8') as handle:
            json.dump(data, handle)
        os.chmod(path, 0o600)
        return path

    def progress(self, text):
        print('[%7.1f s] %s' % (time.monotonic() - self.started, text), file=sys.stderr, flush=True)

    def baseline(self, items, profiles=0):
        """Median (wall, CPU) seconds of 3 runs of the baseline playbook with ``items`` pings.

        ``profiles``: also load that many generated profiles as extra vars, as the methods do, to show
        what parsing them costs the controller whatever the method.
        """
        var_files = [self.write_json('baseline-%d.json' % items, {'bench_items': items})]
        if profiles:
            var_files.append(self.write_json('baseline-profiles-%d.json' % profiles,
                                             {'bench_profiles': dataset(self.args.seed, profiles, 'baseline-', 'v1')}))
        times, cpus = [], []
        while len(times) < 3:
            returncode, output, seconds = self.ansible.playbook('baseline.yml', var_files, timeout=600 + 5 * items)
            if returncode:
                raise Failure('baseline playbook failed:\n%s' % output[-2000:])
            times.append(seconds)
            cpus.append(self.ansible.cpu)
        return statistics.median(times), statistics.median(cpus)

    def measure(self, size, method, available):
        """Every phase of one method at one size; stops at the first phase that fails."""
        if not available:
            self.rows.append({'size': size, 'method': method, 'phase': 'all', 'seconds': None, 'routes': {},
                              'result': 'not available (no module %s in the collection)' % METHODS[method][2]})
            self.progress('N=%d %s: not available' % (size, METHODS[method][0]))
            return
        prefix = 'bench-%s%d-' % (method, size)
        versions = {'v1': dataset(self.args.seed, size, prefix, 'v1'), 'v2': dataset(self.args.seed, size, prefix, 'v2')}
        phases = [p for p in PHASES if p in self.args.phases]
        if method in LOOP_METHODS and self.args.bound_loops_at and size >= self.args.bound_loops_at:
            phases = [p for p in phases if p in self.args.bounded_phases]
        state = None  # what Kuzzle holds for this prefix
        for phase in phases:
            row = {'size': size, 'method': method, 'phase': phase, 'seconds': None, 'routes': {}, 'seeded': False}
            self.rows.append(row)
            try:
                if state != PHASE_NEEDS[phase]:
                    self.kuzzle.seed(versions[PHASE_NEEDS[phase]])
                    row['seeded'] = True
                self.run_phase(row, prefix, versions[PHASE_LEAVES[phase]])
            except Failure as exc:
                row.update(result='FAILED', error=str(exc))
                self.progress('N=%d %s %s: FAILED: %s' % (size, METHODS[method][0], phase, exc))
                return  # what Kuzzle holds is unknown: the next phases would measure nothing useful
            state = PHASE_LEAVES[phase]
            self.progress('N={size} {label} {phase}: {seconds:.1f} s, {requests} requests, {result}'.format(label=METHODS[method][0], **row))

    def run_phase(self, row, prefix, wanted):  # pylint: disable=too-many-locals
        """Time one ansible-playbook run that converges to ``wanted``, then check it; fills ``row``."""
        size, method, phase = row['size'], row['method'], row['phase']
        expected = {'new': size, 'unchanged': 0, 'changed': len(changed_indexes(self.args.seed, size))}[phase]
        var_file = self.write_json('profiles-%s.json' % prefix.rstrip('-'), {'bench_profiles': wanted})
        before = self.proxy.stats.snapshot()
        returncode, output, seconds = self.ansible.playbook(
            METHODS[method][1], [self.connection, var_file], timeout=self.args.run_timeout or 600 + 6 * size)
        routes = Stats.since(before, self.proxy.stats.snapshot())
        with open(os.path.join(self.workdir, 'output-%s-%s.txt' % (prefix.rstrip('-'), phase)), 'w', encoding='utf-8') as handle:
            handle.write(output)
        row.update(seconds=seconds, cpu=self.ansible.cpu, routes=routes, requests=sum(v[0] for v in routes.values()),
                   in_kuzzle=sum(v[1] for v in routes.values()))
        # What Ansible reported: one changed task for (a), one changed item per changed profile for the loops.
        changes = reported_changes(method, returncode, output)
        want = min(expected, 1) if method == 'a' else expected
        if changes != want:
            raise Failure('Ansible reported %d changed, expected %d' % (changes, want))
        # What Kuzzle received: no write when nothing changes, one per changed profile for the loops
        # ((a) may write several profiles per request).
        writes = sum(value[0] for route, value in routes.items() if WRITE_ROUTE.search(route))
        if method in LOOP_METHODS or not expected:
            right = writes == expected
        else:
            right = 1 <= writes <= expected
        if not right:
            raise Failure('Kuzzle received %d writes, expected %d' % (writes, expected))
        # What Kuzzle holds, read back.
        self.kuzzle.check(wanted)
        row['result'] = 'ok, %d changed' % expected + (' (state seeded first)' if row['seeded'] else '')


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


# -- the report --------------------------------------------------------------------------------------
def table(rows):
    header = ('N', 'method', 'phase', 'wall s', 'Ansible CPU s', 'requests', 'req/object', 'in Kuzzle s', 'result')
    lines = []
    for row in rows:
        measured = row['seconds'] is not None
        lines.append((
            str(row['size']), METHODS[row['method']][0], PHASE_TITLES[row['phase']],
            '%.2f' % row['seconds'] if measured else '-',
            '%.2f' % row['cpu'] if measured else '-',
            str(row['requests']) if measured else '-',
            '%.2f' % (row['requests'] / row['size']) if measured else '-',
            '%.2f' % row['in_kuzzle'] if measured else '-',
            row['result'],
        ))
    widths = [max(len(line[i]) for line in [header] + lines) for i in range(len(header))]
    right = (True, False, False, True, True, True, True, True, False)

    def fmt(line):
        return '  '.join(cell.rjust(w) if r else cell.ljust(w) for cell, w, r in zip(line, widths, right)).rstrip()
    return '\n'.join([fmt(header), fmt(tuple('-' * w for w in widths))] + [fmt(line) for line in lines])


def ratios(rows):
    """The figures the targets of issue 5 are about, for every N measured."""
    def seconds(size, method, phase):
        found = [r for r in rows if (r['size'], r['method'], r['phase']) == (size, method, phase) and r['result'].startswith('ok')]
        return found[0]['seconds'] if found else None

    lines = []
    for size in sorted(set(r['size'] for r in rows)):
        a, b = seconds(size, 'a', 'unchanged'), seconds(size, 'b', 'unchanged')
        lines.append('N=%d unchanged: (a) %s (target < 5 s at N=1000); (b)/(a) %s (target >= 20 at N=1000)' % (
            size, '%.2f s' % a if a else 'not measured', '%.1f' % (b / a) if a and b else 'not measured'))
        for phase in PHASES:
            b, c, login = seconds(size, 'b', phase), seconds(size, 'c', phase), seconds(size, 'b-login', phase)
            lines.append('N=%d %s: (c)/(b) %s (target >= 1: (b) no slower than (c))%s' % (
                size, PHASE_TITLES[phase], '%.2f' % (c / b) if b and c else 'not measured',
                '; (c)/(b after one kuzzle_login) %.2f' % (c / login) if c and login else ''))
    return '\n'.join(lines)


def routes_report(rows):
    lines = []
    for row in rows:
        if row['routes']:
            parts = ['%s %d (%.1f ms)' % (route, count, 1000 * secs / count) for route, (count, secs) in sorted(row['routes'].items())]
            lines.append('N=%d %s, %s: %s' % (row['size'], row['method'], PHASE_TITLES[row['phase']], '; '.join(parts)))
    return '\n'.join(lines)


def parse_args(argv):
    parser = argparse.ArgumentParser(prog='benchmarks/run', description=__doc__.split('\n', 1)[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--sizes', default='100,1000', help='numbers of profiles, comma-separated (default 100,1000)')
    parser.add_argument('--methods', default='a,b,c', help='methods among a,b,c,b-login (default a,b,c)')
    parser.add_argument('--phases', default=','.join(PHASES),
                        help='phases to time among new,unchanged,changed (default all); the state a timed phase needs is seeded')
    parser.add_argument('--bound-loops-at', type=int, default=0, metavar='N',
                        help='for the loop methods at sizes >= N, time only the --bounded-phases (bounds a full run; default: off)')
    parser.add_argument('--bounded-phases', default='unchanged', metavar='PHASES',
                        help='the phases --bound-loops-at keeps (default unchanged, the one the targets compare)')
    parser.add_argument('--venv', default=os.environ.get('KUZZLE_VENV') or os.path.join(REPO, '.venv'),
                        help='the virtualenv with ansible-core and requests (default $KUZZLE_VENV or <repo>/.venv)')
    parser.add_argument('--seed', default='community.kuzzle', help='seed of the generated profiles')
    parser.add_argument('--overhead-requests', type=int, default=1000, help='requests for the proxy overhead measurement (0: skip)')
    parser.add_argument('--run-timeout', type=int, default=0, help='seconds allowed per ansible-playbook run (default 600 + 6 per profile)')
    parser.add_argument('--env', action='append', default=[], metavar='NAME=VALUE',
                        help='extra environment for ansible-playbook, e.g. ANSIBLE_PIPELINING=1 (repeatable)')
    parser.add_argument('--json', metavar='FILE', help='also write every figure to FILE')
    parser.add_argument('--keep', action='store_true', help='keep the temporary directory (playbook outputs, vars files)')
    args = parser.parse_args(argv)
    try:
        args.sizes = [int(s) for s in args.sizes.split(',')]
    except ValueError:
        parser.error('--sizes: comma-separated integers, for example 100,1000')
    args.methods = [m.strip() for m in args.methods.split(',')]
    args.phases = [p.strip() for p in args.phases.split(',')]
    args.bounded_phases = [p.strip() for p in args.bounded_phases.split(',')]
    if any(s < 1 for s in args.sizes) or any(m not in METHODS for m in args.methods) or \
            any(p not in PHASES for p in args.phases + args.bounded_phases):
        parser.error('--sizes must be >= 1, --methods among %s, --phases among %s' % (','.join(METHODS), ','.join(PHASES)))
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
        bench = Bench(args, kuzzle, proxy, ansible, workdir)
        report['machine'] = machine(ansible, kuzzle.version())
        report['load_before'] = os.getloadavg()
        if args.overhead_requests:
            bench.progress('proxy overhead: %d GET /_healthcheck direct and through the proxy' % args.overhead_requests)
            report['proxy'] = measure_proxy_overhead(url, proxy.url, args.overhead_requests)
        items = min(args.sizes + [50])  # enough to see the per-item cost
        bench.progress('baselines: an empty play, and a loop of %d ansible.builtin.ping' % items)
        report['baseline'] = (bench.baseline(0), bench.baseline(items), items)
        report['baseline_vars'] = dict((size, bench.baseline(0, size)) for size in args.sizes)
        for size in args.sizes:
            for method in args.methods:
                bench.measure(size, method, available[method])
        report['load_after'] = os.getloadavg()
    except Interrupted as exc:
        print('\ninterrupted (%s): stopping; the figures below are partial' % exc, file=sys.stderr)
        status = 130
    except Failure as exc:
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


def print_report(report, args):
    rows = report['rows']
    print()
    print(table(rows))
    print()
    print('Ratios (wall time):')
    print(ratios(rows))
    print()
    print('Requests by route (count, mean time Kuzzle took to answer):')
    print(routes_report(rows))
    print()
    if 'baseline' in report:
        (empty, empty_cpu), (loop, loop_cpu), items = report['baseline']
        print('Baselines (median of 3): an empty play takes %.2f s (%.2f s CPU); a loop of ansible.builtin.ping adds %.3f s '
              '(%.3f s CPU) per item (%d items).' % (empty, empty_cpu, (loop - empty) / items, (loop_cpu - empty_cpu) / items, items))
        print('The empty play with the N generated profiles loaded as extra vars (as every method loads them): ' + '; '.join(
            'N=%d %.2f s (%.2f s CPU)' % (size, wall, cpu) for size, (wall, cpu) in sorted(report['baseline_vars'].items())) + '.')
    if 'proxy' in report:
        direct, proxied = report['proxy']
        print('Counting proxy overhead: GET /_healthcheck %.2f ms direct, %.2f ms through the proxy: +%.2f ms per request (%d requests each).'
              % (1000 * direct, 1000 * proxied, 1000 * (proxied - direct), args.overhead_requests))
    if 'machine' in report:
        print('Machine: ' + '; '.join('%s: %s' % item for item in report['machine'].items()))
        print('Collection: %s. Load average (1, 5, 15 min) before: %s, after: %s.' % (
            report['collection'], ' '.join('%.2f' % x for x in report['load_before']),
            ' '.join('%.2f' % x for x in report.get('load_after', ())) or 'n/a'))
    print('Command: %s' % report['command'])
    for row in rows:
        if row.get('error'):
            print('\nN=%d %s %s failed:\n%s' % (row['size'], METHODS[row['method']][0], PHASE_TITLES[row['phase']], row['error']))


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
