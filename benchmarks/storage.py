# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Storage benchmark (issue 12): I indexes x C collections (50 x 10 by default) converged by one
``kuzzle_storage`` task (s) against a loop of ``kuzzle_collection`` (l), Kuzzle's requests counted.

Standard library only, like run.py, whose pieces it reuses: it builds and installs the collection, starts one
tests/kuzzle/serve, creates the first admin, counts every request through counting_proxy.py, then for each
method runs the phases **new** (the method's own index prefix, so it starts from nothing) and **unchanged**
(the same again), each one ``ansible-playbook`` run, timed. The loop's phase "new" is skipped unless asked
(``--loop-new``): creating 500 collections one task each measures Kuzzle's index creation more than the module.

Run by hand (timings on a busy machine mean little): ``benchmarks/storage --indexes 50 --collections 10``.
"""

import argparse
import json
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path[:0] = [HERE, os.path.join(REPO, 'tests', 'kuzzle')]

# pylint: disable=wrong-import-position
from counting_proxy import Stats  # noqa: E402
from run import ADMIN, Ansible, CountingProxy, Failure, Kuzzle, RECAP, start_serve, stop_process  # noqa: E402
# pylint: enable=wrong-import-position

FIELD_TYPES = ('keyword', 'text', 'long', 'float', 'date', 'boolean')


def definition(prefix, indexes, collections):
    """{index: {collection: mapping}}: each collection with 8 fields (one of them an object with a multi-field)."""
    out = {}
    for i in range(indexes):
        index = '%s-idx%03d' % (prefix, i)
        out[index] = {}
        for c in range(collections):
            properties = dict(('f%d' % f, {'type': FIELD_TYPES[(i + c + f) % len(FIELD_TYPES)]}) for f in range(7))
            properties['customer'] = {'properties': {'name': {'type': 'text', 'fields': {'raw': {'type': 'keyword'}}}}}
            out[index]['coll%02d' % c] = {'dynamic': 'strict', 'properties': properties}
    return out


def run_phase(ansible, proxy, playbook, variables, workdir, expect_changed):
    path = os.path.join(workdir, 'vars-%s.json' % playbook)
    with open(path, 'w', encoding='utf-8') as handle:
        json.dump(variables, handle)
    before = proxy.stats.snapshot()
    returncode, output, seconds = ansible.playbook(playbook, [path], timeout=7200)
    delta = Stats.since(before, proxy.stats.snapshot())
    recap = RECAP.search(output)
    if returncode or not recap:
        raise Failure('%s failed (rc %s):\n%s' % (playbook, returncode, output[-3000:]))
    changed = int(recap.group(2)) > 0
    if changed != expect_changed:
        raise Failure('%s: changed=%s, expected %s' % (playbook, changed, expect_changed))
    return {'seconds': seconds, 'cpu': ansible.cpu, 'requests': sum(count for count, _s in delta.values()),
            'in_kuzzle': sum(spent for _c, spent in delta.values()),
            'routes': dict((route, count) for route, (count, _s) in sorted(delta.items()))}


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--indexes', type=int, default=50)
    parser.add_argument('--collections', type=int, default=10)
    parser.add_argument('--loop-new', action='store_true', help='also time the loop creating every collection')
    parser.add_argument('--venv', default=os.environ.get('KUZZLE_VENV', os.path.join(REPO, '.venv')))
    parser.add_argument('--json', help='write the figures to this file')
    args = parser.parse_args(argv)
    workdir = tempfile.mkdtemp(prefix='kuzzle-storage-bench-')
    serve = proxy = ansible = None
    rows = []
    try:
        ansible = Ansible(args.venv, workdir, {})
        ansible.install_collection()
        serve, url = start_serve(workdir, write_log=False, new_session=True)[:2]
        kuzzle = Kuzzle(url)
        kuzzle.ok('POST', '/_createFirstAdmin/%s' % ADMIN,
                  {'credentials': {'local': {'username': ADMIN, 'password': kuzzle.password}}}, query={'reset': 'true'}, auth=False)
        proxy = CountingProxy(url).start()
        connection = {'kuzzle_url': proxy.url, 'kuzzle_username': ADMIN, 'kuzzle_password': kuzzle.password}
        size = '%d x %d' % (args.indexes, args.collections)
        for method, prefix, playbook in (('(s) kuzzle_storage, one task', 's', 'storage.yml'),
                                         ('(l) loop of kuzzle_collection', 'l', 'collection_loop.yml')):
            wanted = definition(prefix, args.indexes, args.collections)
            if playbook == 'storage.yml':
                variables = dict(connection, bench_indexes=wanted)
            else:
                variables = dict(connection, bench_collections=[
                    {'index': index, 'name': name, 'mappings': mapping}
                    for index, collections in sorted(wanted.items()) for name, mapping in sorted(collections.items())])
                if not args.loop_new:  # the same state, made fast and untimed
                    kuzzle.ok('POST', '/admin/_loadMappings', wanted, query={'refresh': 'wait_for'})
            for phase in ('new', 'unchanged'):
                if phase == 'new' and playbook != 'storage.yml' and not args.loop_new:
                    continue
                print('%s: %s, %s' % (size, method, phase), file=sys.stderr, flush=True)
                row = run_phase(ansible, proxy, playbook, variables, workdir, phase == 'new')
                row.update(method=method, phase=phase, size=size)
                rows.append(row)
    except Failure as exc:
        print('benchmarks/storage: %s' % exc, file=sys.stderr)
    finally:
        if ansible is not None:
            stop_process(ansible.current)
        if proxy is not None:
            proxy.stop()
        if serve is not None:
            stop_process(serve, grace=90)
        shutil.rmtree(workdir, ignore_errors=True)
    print('| collections | method | phase | wall s | CPU s | requests | in Kuzzle s |')
    print('| --- | --- | --- | ---: | ---: | ---: | ---: |')
    for row in rows:
        figures = (row['size'], row['method'], row['phase'], row['seconds'], row['cpu'], row['requests'], row['in_kuzzle'])
        print('| %s | %s | %s | %.1f | %.1f | %d | %.1f |' % figures)
    for row in rows:
        print('%s %s: %s' % (row['method'], row['phase'], ', '.join('%s %d' % item for item in row['routes'].items())))
    if args.json:
        with open(args.json, 'w', encoding='utf-8') as handle:
            json.dump(rows, handle, indent=1)
    return 0 if len(rows) >= 3 else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
