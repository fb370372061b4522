# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The limit for benchmarks/run: the work of one kuzzle_security task, done by a plain ``requests`` client.

    python raw_client.py CONNECTION.json JOB.json

run.py starts it with the project's virtualenv (it needs ``requests``) and times the process.
CONNECTION: ``{kuzzle_url, kuzzle_username, kuzzle_password}``. JOB: ``{kind: profiles|users, wanted:
{id: body in kuzzle_security's shape}, pool: N, purge: bool}``. It does what the module does, as
directly as Kuzzle allows, and nothing else: log in; read (the listed ids, one search per 1,000 ids, or
every object of the kind with a scroll when purging; for users with credentials, their local usernames,
one credentials search per 1,000 usernames); compare; write each object that differs (create or
update, ``refresh=false``), one at a time (``pool`` 1) or from ``pool`` threads; deletes in chunks of
200 ids (``mDelete*``, Kuzzle's write limit), 25 for users as the module; one ``security:refresh`` of the kind; log out.

It prints one JSON object: the seconds of each step (``login``, ``read``, ``decide``, ``write``,
``refresh``, ``logout``, ``total``, measured inside this process), what it wrote, the requests it sent
and its peak resident memory. The comparison is the one the benchmark's data needs (order-insensitive
policies, the content keys given, profileIds as a set); the module's is more general, which is part of
what the ratio measures.
"""

import concurrent.futures
import json
import resource
import sys
import threading
import time

import requests

from bench_data import normalize_profile, user_differs

PAGE = 1000          # ids per search, hits per scroll page (the module reads 1,000 at a time too)
WRITE_LIMIT = 200    # limits.documentsWriteCount: ids per mDelete
USER_CHUNK = 25      # users per mDeleteUsers, as the module (plugins/module_utils/_bulk_write.py)
SCROLL_TTL = '30s'   # under Kuzzle's maxScrollDuration (1m)


class KuzzleFailure(Exception):
    """An answer that is not the expected success."""


class Client:
    """One ``requests.Session`` per thread (a session is not meant to be shared), one token."""

    def __init__(self, url):
        self.url = url.rstrip('/')
        self.token = None
        self.local = threading.local()
        self.sent = 0
        self.lock = threading.Lock()

    def session(self):
        if not hasattr(self.local, 'session'):
            self.local.session = requests.Session()
        return self.local.session

    def call(self, method, path, body=None, query=None, accept=(200,)):
        """(status, result) of one request; KuzzleFailure unless the status is in ``accept``."""
        headers = {'Authorization': 'Bearer ' + self.token} if self.token else {}
        with self.lock:
            self.sent += 1
        answer = self.session().request(method, self.url + path, json=body, params=query, headers=headers, timeout=600)
        payload = answer.json()
        if answer.status_code not in accept:
            error = payload.get('error') or {}
            raise KuzzleFailure('%s %s: %s %s' % (method, path, answer.status_code, error.get('id') or error.get('message')))
        return answer.status_code, payload.get('result')


# -- reading ---------------------------------------------------------------------------------------
def read_ids(client, kind, ids):
    """dict id -> _source of the listed ids that exist (missing ones are absent)."""
    found = {}
    for start in range(0, len(ids), PAGE):
        chunk = ids[start:start + PAGE]
        result = client.call('POST', '/%s/_search' % kind, {'query': {'ids': {'values': chunk}}}, {'size': len(chunk)})[1]
        found.update((hit['_id'], hit['_source']) for hit in result['hits'])
    return found


def read_all(client, kind):
    """dict id -> _source of every object of ``kind`` ('profiles' or 'users'), through a scroll."""
    result = client.call('POST', '/%s/_search' % kind, {}, {'size': PAGE, 'scroll': SCROLL_TTL})[1]
    found = dict((hit['_id'], hit['_source']) for hit in result['hits'])
    while len(found) < result['total'] and result['hits']:
        # Kuzzle forgets the scroll after its last page: stop at the total, never ask once more
        result = client.call('GET', '/%s/_scroll/%s' % (kind, result['scrollId']), query={'scroll': SCROLL_TTL})[1]
        found.update((hit['_id'], hit['_source']) for hit in result['hits'])
    return found


def local_owners(client, usernames):
    """dict username -> kuid for the given local usernames that exist."""
    owners = {}
    for start in range(0, len(usernames), PAGE):
        chunk = usernames[start:start + PAGE]
        result = client.call('POST', '/credentials/local/users/_search', {'query': {'terms': {'username': chunk}}},
                             {'size': len(chunk)})[1]
        owners.update((hit['username'], hit['kuid']) for hit in result['hits'])
    return owners


# -- deciding --------------------------------------------------------------------------------------
def decide_profiles(wanted, stored):
    """[(id, action, method, path, body)] of the writes that make Kuzzle hold ``wanted``."""
    writes = []
    for object_id, body in sorted(wanted.items()):
        if object_id not in stored:
            writes.append((object_id, 'create', 'POST', '/profiles/%s/_create' % object_id, body))
        elif normalize_profile(stored[object_id]) != normalize_profile(body):
            writes.append((object_id, 'update', 'PUT', '/profiles/%s/_update' % object_id, body))
    return writes


def wanted_usernames(wanted):
    return sorted(body['credentials']['local']['username'] for body in wanted.values() if body.get('credentials'))


def decide_users(client, wanted, stored, owners):
    """The same for users: content (the keys given, profileIds as a set) and local credentials;
    ``owners``: username -> kuid of the wanted local usernames that exist."""
    writes = []
    with_credentials = dict((kuid, body['credentials']['local']) for kuid, body in wanted.items() if body.get('credentials'))
    for kuid, body in sorted(wanted.items()):
        content = body['content']
        local = with_credentials.get(kuid)
        if kuid not in stored:
            create = {'content': content}
            if local:
                create['credentials'] = {'local': local}
            writes.append((kuid, 'create', 'POST', '/users/%s/_create' % kuid, create))
            continue
        if user_differs(stored[kuid], body):
            writes.append((kuid, 'update', 'PUT', '/users/%s/_update' % kuid, content))
        if local and owners.get(local['username']) != kuid:
            # the user exists without this username: its credentials are missing or have another username
            status = client.call('GET', '/credentials/local/%s' % kuid, accept=(200, 412))[0]
            if status == 200:
                writes.append((kuid, 'update', 'PUT', '/credentials/local/%s/_update' % kuid, {'username': local['username']}))
            else:
                writes.append((kuid, 'update', 'POST', '/credentials/local/%s/_create' % kuid, local))
    return writes


# -- writing ---------------------------------------------------------------------------------------
def run_writes(client, writes, pool):
    """Send every write; on the first failure no new one starts, and it is raised."""
    def send(write):
        client.call(write[2], write[3], write[4], {'refresh': 'false'})
    if pool <= 1:
        for write in writes:
            send(write)
        return
    executor = concurrent.futures.ThreadPoolExecutor(pool)
    try:
        for future in [executor.submit(send, write) for write in writes]:
            future.result()
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


def main(argv):
    with open(argv[0], encoding='utf-8') as handle:
        connection = json.load(handle)
    with open(argv[1], encoding='utf-8') as handle:
        job = json.load(handle)
    kind, wanted, pool, purge = job['kind'], job['wanted'], int(job.get('pool') or 1), bool(job.get('purge'))
    client = Client(connection['kuzzle_url'])
    seconds = {}
    started = mark = time.perf_counter()

    def step(name):
        nonlocal mark
        now = time.perf_counter()
        seconds[name] = now - mark
        mark = now

    client.token = client.call('POST', '/_login/local', {'username': connection['kuzzle_username'],
                                                         'password': connection['kuzzle_password']})[1]['jwt']
    step('login')
    stored = read_all(client, kind) if purge else read_ids(client, kind, sorted(wanted))
    keep = set(wanted)
    if purge:  # never delete the reserved profiles, nor the user this client is (the module reads it too)
        keep |= {'admin', 'default', 'anonymous'} if kind == 'profiles' else {client.call('GET', '/_me')[1]['_id']}
    owners = local_owners(client, wanted_usernames(wanted)) if kind == 'users' and wanted_usernames(wanted) else {}
    step('read')
    writes = decide_profiles(wanted, stored) if kind == 'profiles' else decide_users(client, wanted, stored, owners)
    gone = sorted(set(stored) - keep) if purge else []
    size = USER_CHUNK if kind == 'users' else WRITE_LIMIT
    deletes = [(None, 'delete', 'POST', '/%s/_mDelete' % kind, {'ids': gone[start:start + size]})
               for start in range(0, len(gone), size)]
    step('decide')
    run_writes(client, writes, pool)
    run_writes(client, deletes, pool)
    step('write')
    if writes or deletes:
        client.call('POST', '/_security/%s/_refresh' % kind)
    step('refresh')
    client.call('POST', '/_logout')
    step('logout')
    seconds['total'] = time.perf_counter() - started
    actions = dict((write[0], write[1]) for write in writes)
    json.dump({
        'seconds': seconds,
        'created': sum(1 for action in actions.values() if action == 'create'),
        'updated': sum(1 for action in actions.values() if action == 'update'),
        'deleted': len(gone),
        'requests': client.sent,
        'rss_kb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }, sys.stdout)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
