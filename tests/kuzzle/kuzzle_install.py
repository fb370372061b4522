"""Installs what ``serve`` needs: Kuzzle and its npm dependencies in a cache folder, and Redis.

The cache folder is keyed by Kuzzle's version and reused once complete: a marker file holding a
fingerprint of package.json, package-lock.json and the Node.js ABI is written last, so an
interrupted install is redone, and a change of the harness's npm files triggers a new one.
"""

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
KUZZLE_VERSION = '2.56.0'
NODE_MAJOR = 20  # the uWS binary we use is built for Node 20's ABI (115)
# Native addons Kuzzle loads; npm is run with --ignore-scripts, so we build them ourselves
# (re2's own install script would first try a download from GitHub).
ADDONS = ('re2', 'dumpme', 'boost-geospatial-index', 'kuzzle-espresso-logic-minimizer')
NPM_TIMEOUT = 20 * 60
BUILD_TIMEOUT = 20 * 60
APT_TIMEOUT = 10 * 60
_STARTED = time.monotonic()


class SetupError(Exception):
    """Something serve needs cannot be had; the message says what and how to fix it."""


def log(message):
    sys.stderr.write(f'[serve {time.monotonic() - _STARTED:6.1f}s] {message}\n')
    sys.stderr.flush()


def cache_root():
    base = os.environ.get('KUZZLE_HARNESS_CACHE')
    if not base:
        xdg = os.environ.get('XDG_CACHE_HOME') or os.path.join(os.path.expanduser('~'), '.cache')
        base = os.path.join(xdg, 'community-kuzzle')
    return base


def install_dir():
    return os.path.join(cache_root(), f'kuzzle-{KUZZLE_VERSION}')


def logs_dir():
    path = os.path.join(cache_root(), 'logs')
    os.makedirs(path, exist_ok=True)
    return path


def tail(path, lines=40):
    try:
        with open(path, encoding='utf-8', errors='replace') as handle:
            return ''.join(handle.readlines()[-lines:])
    except OSError:
        return ''


def run(cmd, what, timeout, cwd=None, env=None, log_file=None):
    """Run ``cmd`` in its own process group, output to ``log_file``; kill the group on timeout
    or interruption so no compiler or npm child outlives us."""
    log_file = log_file or os.path.join(logs_dir(), 'last-command.log')
    with open(log_file, 'w', encoding='utf-8') as out:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,  # pylint: disable=consider-using-with
                                stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            code = None
        finally:
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, 9)
                proc.wait()
    if code is None:
        raise SetupError(f'{what}: no result after {timeout} s, stopped. Log: {log_file}\n{tail(log_file)}')
    if code != 0:
        raise SetupError(f'{what} failed (exit {code}). Log: {log_file}\n{tail(log_file)}')


@contextlib.contextmanager
def locked(path):
    """An exclusive lock file, so two serve processes never install into the same place at once."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w', encoding='utf-8') as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def node_info():
    """(ABI, node install prefix) of the Node.js on PATH; SetupError if it is not Node 20."""
    node = shutil.which('node')
    if not node:
        raise SetupError(f'Node.js {NODE_MAJOR} is required and "node" is not on PATH.')
    script = 'console.log(JSON.stringify([process.versions.node, process.versions.modules, process.execPath]))'
    try:
        version, abi, exe = json.loads(subprocess.run([node, '-e', script], capture_output=True, text=True,
                                                      timeout=60, check=True).stdout)
    except (subprocess.SubprocessError, ValueError) as exc:
        raise SetupError(f'cannot run "{node}": {exc}') from exc
    if int(version.split('.')[0]) != NODE_MAJOR:
        raise SetupError(f'Node.js {NODE_MAJOR} is required (Kuzzle {KUZZLE_VERSION} with the uWS build we use); '
                         f'found {version} at {node}.')
    return abi, os.path.dirname(os.path.dirname(os.path.realpath(exe)))


def _fingerprint(abi):
    digest = hashlib.sha256(f'{abi}:{sys.platform}:{os.uname().machine}'.encode())
    for name in ('package.json', 'package-lock.json'):
        with open(os.path.join(HERE, name), 'rb') as handle:
            digest.update(handle.read())
    return digest.hexdigest()


def _copy_wrapper(target):
    """The local uWebSockets.js package; refreshed at every start (node_modules links to it)."""
    os.makedirs(os.path.join(target, 'uws'), exist_ok=True)
    for name in ('package.json', 'index.js'):
        shutil.copyfile(os.path.join(HERE, 'uws', name), os.path.join(target, 'uws', name))


def _npm_gyp():
    npm = shutil.which('npm')
    if not npm:
        raise SetupError('npm is required and is not on PATH.')
    npm_root = os.path.dirname(os.path.dirname(os.path.realpath(npm)))
    gyp = os.path.join(npm_root, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js')
    if not os.path.isfile(gyp):
        raise SetupError(f'npm\'s bundled node-gyp was not found at {gyp}.')
    return npm, gyp


def _check_toolchain(nodedir):
    missing = [tool for tool in ('make', 'python3') if not shutil.which(tool)]
    if not (shutil.which('g++') or shutil.which('c++')):
        missing.append('a C++ compiler (g++)')
    if missing:
        raise SetupError('building Kuzzle\'s native addons needs ' + ', '.join(missing) +
                         ' (Debian: apt-get install -y make g++ python3).')
    header = os.path.join(nodedir, 'include', 'node', 'node.h')
    if not os.path.isfile(header):
        raise SetupError(f'the Node.js headers are missing ({header} not found); node-gyp is run with '
                         f'--nodedir={nodedir} so that it downloads nothing. Install the headers that match '
                         'your Node.js (the nodejs package of NodeSource ships them; Debian: libnode-dev).')


def _build_addons(staging, gyp, nodedir):
    """node-gyp rebuild of each addon: re2 (minutes, compiles abseil) on every core, the
    small ones one after the other beside it."""
    jobs = str(os.cpu_count() or 1)
    errors = []

    def build(names, jobs_arg):
        for name in names:
            try:
                started = time.monotonic()
                run(['node', gyp, 'rebuild', f'--nodedir={nodedir}', '-j', jobs_arg], f'building {name}',
                    BUILD_TIMEOUT, cwd=os.path.join(staging, 'node_modules', name),
                    log_file=os.path.join(logs_dir(), f'build-{name}.log'))
                log(f'built {name} in {time.monotonic() - started:.0f} s')
            except SetupError as exc:
                errors.append(exc)
                return

    log(f'building native addons {", ".join(ADDONS)} with node-gyp --nodedir={nodedir} (re2 takes minutes)')
    small = threading.Thread(target=build, args=(ADDONS[1:], '1'))
    small.start()
    build(ADDONS[:1], jobs)
    small.join()
    if errors:
        raise errors[0]


def _verify(staging):
    script = ';'.join([f'require({json.dumps(name)})' for name in ADDONS] +
                      ['const u = require("uWebSockets.js")',
                       'if (typeof u.App !== "function") throw new Error("uWebSockets.js has no App")',
                       'require.resolve("kuzzle/dist/bin/start-kuzzle-server")'])
    run(['node', '-e', script], 'checking the installed modules load', 120, cwd=staging,
        log_file=os.path.join(logs_dir(), 'verify.log'))


def ensure_kuzzle():
    """The ready install folder of Kuzzle, installing it first when it is missing or stale."""
    abi, nodedir = node_info()
    target = install_dir()
    marker = os.path.join(target, '.install-complete')
    fingerprint = _fingerprint(abi)
    with locked(target + '.lock'):
        with contextlib.suppress(OSError):
            with open(marker, encoding='utf-8') as handle:
                if handle.read().strip() == fingerprint:
                    _copy_wrapper(target)
                    return target
        started = time.monotonic()
        log(f'installing Kuzzle {KUZZLE_VERSION} into {target} (first run: several minutes)')
        npm, gyp = _npm_gyp()
        _check_toolchain(nodedir)
        staging = target + '.partial'
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(target, ignore_errors=True)
        os.makedirs(staging)
        for name in ('package.json', 'package-lock.json'):
            shutil.copyfile(os.path.join(HERE, name), os.path.join(staging, name))
        _copy_wrapper(staging)
        log('npm ci (Kuzzle and its dependencies, from the npm registry)')
        run([npm, 'ci', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=warn',
             '--fetch-timeout=60000', '--fetch-retries=3', '--fetch-retry-maxtimeout=30000'],
            'npm ci (is the npm registry reachable?)', NPM_TIMEOUT, cwd=staging,
            log_file=os.path.join(logs_dir(), 'npm-ci.log'))
        binary = os.path.join(staging, 'node_modules', '@trufflesuite', 'uws-js-unofficial', 'binaries',
                              f'uws_linux_x64_{abi}.node')
        if not os.path.isfile(binary):
            raise SetupError(f'no uWebSockets.js binary for this platform and Node ABI {abi} ({binary}).')
        _build_addons(staging, gyp, nodedir)
        _verify(staging)
        os.rename(staging, target)
        with open(marker, 'w', encoding='utf-8') as handle:
            handle.write(fingerprint + '\n')
        log(f'Kuzzle {KUZZLE_VERSION} installed in {time.monotonic() - started:.0f} s')
        return target


def ensure_redis():
    """Path of redis-server; installed with apt-get when absent and we are root."""
    found = shutil.which('redis-server')
    if found:
        return found
    if os.geteuid() != 0 or not shutil.which('apt-get'):
        raise SetupError('redis-server is required: install it (Debian: apt-get install -y redis-server) '
                         'or run serve as root on Debian so that it installs it.')
    with locked(os.path.join(cache_root(), 'apt.lock')):
        found = shutil.which('redis-server')
        if found:
            return found
        log('installing redis-server with apt-get')
        env = dict(os.environ, DEBIAN_FRONTEND='noninteractive')
        apt_log = os.path.join(logs_dir(), 'apt.log')
        with _no_service_start():
            run(['apt-get', 'update'], 'apt-get update', APT_TIMEOUT, env=env, log_file=apt_log)
            run(['apt-get', 'install', '-y', '--no-install-recommends', 'redis-server'],
                'apt-get install redis-server', APT_TIMEOUT, env=env, log_file=apt_log)
    found = shutil.which('redis-server')
    if not found:
        raise SetupError('apt-get installed redis-server but it is not on PATH.')
    return found


@contextlib.contextmanager
def _no_service_start():
    """Keep the package's post-install from starting a system Redis on port 6379 (and ::1)."""
    policy = '/usr/sbin/policy-rc.d'
    created = not os.path.exists(policy)
    if created:
        with open(policy, 'w', encoding='utf-8') as handle:
            handle.write('#!/bin/sh\n# written by community.kuzzle tests/kuzzle/serve during apt-get install\nexit 101\n')
        os.chmod(policy, 0o755)
    try:
        yield
    finally:
        if created:
            os.remove(policy)
