"""Stress: 1,000 profiles and their roles converged by community.kuzzle.kuzzle_security through the round-robin
proxy of a two-node cluster of its own, with parallel writes, three times with different definitions (create;
update about half of them and some roles, with new roles the updated profiles use at once; update others, purge
some). After each run both nodes are read directly (their own URLs): every role and profile is exactly as asked,
the purged ones are gone; then the same task again must change nothing and write nothing.

Needs ansible-core (the collection's venv) besides pytest, and root (``serve --nodes 2``).
"""

import copy
import importlib.util
import os
import secrets
import time

import pytest

from contract_helpers import fails, ok
from pytest_kuzzle import KuzzleServer, start_serve, stop_serve

PROFILES = 1000
ROLES = 200
PARALLEL = 8
RESERVED = {'admin', 'default', 'anonymous'}  # Kuzzle's own roles and profiles, which purge keeps
RUN_TIMEOUT = 300  # seconds per ansible-playbook run: a bound far above what it takes (see tests/kuzzle/README.md)


def _integration_conftest():
    """tests/integration/conftest.py under a name of its own (both files are called conftest): its Playbooks."""
    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'integration', 'conftest.py')
    spec = importlib.util.spec_from_file_location('integration_conftest', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


collections_path = _integration_conftest().collections_path  # a fixture: where ansible-playbook finds the collection


@pytest.fixture(scope='module')
def cluster(tmp_path_factory, collections_path):  # pylint: disable=redefined-outer-name
    """A two-node cluster of its own (purge reads every object) with its first administrator:
    (server with an admin token, its nodes with it too, Playbooks whose module_defaults connect as that admin)."""
    proc, url, write_log = start_serve(str(tmp_path_factory.mktemp('stress-kuzzle')), nodes=2)
    try:
        server = KuzzleServer(url, write_log, proc.node_urls)
        password = 'pw-' + secrets.token_hex(8)
        ok(server.api('POST', '/_createFirstAdmin/stress-admin', query={'reset': None},
                      body={'credentials': {'local': {'username': 'stress-admin', 'password': password}}}))
        server.token = server.login('stress-admin', password)
        for node in server.nodes:
            node.token = server.token  # a token is valid on every node (tests/cluster/test_cross_node.py)
        target = {'group/community.kuzzle.kuzzle': {'url': url, 'username': 'stress-admin', 'password': password}}
        runner = _integration_conftest().Playbooks(tmp_path_factory.mktemp('stress-runs'), server, None, collections_path)
        yield server, runner, target
    finally:
        stop_serve(proc)


def _role(i, *more):
    actions = dict({'get': True, 'search': i % 2 == 0}, **dict.fromkeys(more, True))
    return {'controllers': {'document': {'actions': actions}}}


def definitions():
    """The three definitions: [(roles, profiles, purge)]."""
    roles = dict(('sr%03d' % i, _role(i)) for i in range(ROLES))
    profiles = dict(('sp%04d' % i, {'policies': [{'roleId': 'sr%03d' % (i % ROLES)}, {'roleId': 'sr%03d' % ((7 * i + 3) % ROLES)}],
                                    'rateLimit': i % 50}) for i in range(PROFILES))
    first = (copy.deepcopy(roles), copy.deepcopy(profiles), False)
    # run 2: 40 roles updated, 20 created, and half of the profiles updated: every fourth takes a role created
    # by this run (a profile written right after its role, most likely through the other node), the others
    # of the half a new rate limit
    for i in range(40):
        roles['sr%03d' % i] = _role(i, 'count')
    for i in range(20):
        roles['sr%03d' % (ROLES + i)] = _role(i, 'exists')
    for i in range(0, PROFILES, 2):
        if i % 4 == 0:
            profiles['sp%04d' % i]['policies'].append({'roleId': 'sr%03d' % (ROLES + i % 20)})
        else:
            profiles['sp%04d' % i]['rateLimit'] = 100 + i % 50
    second = (copy.deepcopy(roles), copy.deepcopy(profiles), False)
    # run 3, with purge: profiles sp0800 and above gone (200, one mDelete), 20 roles gone (sr190-sr199 and the
    # last ten created by run 2) and the remaining profiles that used them updated, 30 other roles updated,
    # the odd profiles' rate limits changed
    for i in range(800, PROFILES):
        del profiles['sp%04d' % i]
    gone = ['sr%03d' % i for i in list(range(190, 200)) + list(range(ROLES + 10, ROLES + 20))]
    for name in gone:
        del roles[name]
    for i in range(100, 130):
        roles['sr%03d' % i] = _role(i, 'delete')
    for name, body in profiles.items():
        body['policies'] = [p for p in body['policies'] if p['roleId'] not in gone] or [{'roleId': 'sr000'}]
        if int(name[2:]) % 2:
            body['rateLimit'] = 200 + int(name[2:]) % 50
    third = (copy.deepcopy(roles), copy.deepcopy(profiles), True)
    return [first, second, third]


def expected_counts(before, after, purge):
    """kuzzle_security's counts for going from ``before`` to ``after`` ({id: body}) of one kind."""
    return {'created': len(set(after) - set(before)),
            'updated': sum(1 for i in after if i in before and before[i] != after[i]),
            'deleted': len(set(before) - set(after)) if purge else 0,
            'unchanged': sum(1 for i in after if i in before and before[i] == after[i])}


def stored(node, kind, ids):
    """{id: _source} of ``ids`` as that node answers an mGet (roles: from its own memory cache when it has them)."""
    hits = ok(node.api('POST', '/%s/_mGet' % kind, {'ids': sorted(ids)}))['hits']
    return dict((hit['_id'], hit['_source']) for hit in hits)


def all_ids(node, kind):
    return {hit['_id'] for hit in ok(node.api('POST', '/%s/_search' % kind, {}, query={'size': 5000}))['hits']}


def check_nodes(server, roles, profiles, purged):
    """Each node, read directly, answers every role and profile as asked and no other; ``purged``: ids a
    node must say do not exist (a get by id: roles are answered from the node's own cache)."""
    for node in server.nodes:
        assert {i: body['controllers'] for i, body in stored(node, 'roles', roles).items()} == \
            {i: body['controllers'] for i, body in roles.items()}, node.url
        assert {i: {'policies': body['policies'], 'rateLimit': body['rateLimit']} for i, body in stored(node, 'profiles', profiles).items()} == \
            profiles, node.url
        assert all_ids(node, 'roles') == set(roles) | RESERVED, node.url
        assert all_ids(node, 'profiles') == set(profiles) | RESERVED, node.url
        for kind, ids in purged.items():
            for name in ids:
                fails(node.api('GET', '/%s/%s' % (kind, name)), 404, 'security.%s.not_found' % kind[:-1])


def test_a_thousand_profiles_converge_three_times_through_the_cluster(cluster, capsys):
    server, runner, target = cluster
    before = {'roles': {}, 'profiles': {}}
    timings = []
    for number, (roles, profiles, purge) in enumerate(definitions(), 1):
        task = {'name': 'converge', 'community.kuzzle.kuzzle_security': {
            'roles': roles, 'profiles': profiles, 'purge': purge, 'parallel_writes': PARALLEL}}
        mark = server.mark()
        started = time.monotonic()
        run = runner.run([task], module_defaults=target, timeout=RUN_TIMEOUT)
        timings.append(time.monotonic() - started)
        assert run.rc == 0, run.output[-3000:]
        result = run.result('converge')
        assert result['changed'] is True
        assert result['counts'] == {'roles': expected_counts(before['roles'], roles, purge),
                                    'profiles': expected_counts(before['profiles'], profiles, purge)}, number
        # one storage write per object created, updated or deleted, none twice, no other (the write log)
        written = sorted((w['index'], w['id']) for w in server.writes_since(mark))
        assert written == sorted(('%kuzzle.' + op['kind'], op['id']) for op in result['operations'])
        purged = {'roles': sorted(set(before['roles']) - set(roles)), 'profiles': sorted(set(before['profiles']) - set(profiles))}
        check_nodes(server, roles, profiles, purged)

        mark = server.mark()
        started = time.monotonic()
        again = runner.run([task], module_defaults=target, timeout=RUN_TIMEOUT)
        timings.append(time.monotonic() - started)
        assert again.rc == 0, again.output[-3000:]
        assert again.result('converge')['changed'] is False, again.result('converge')['msg']
        assert server.writes_since(mark) == []
        before = {'roles': roles, 'profiles': profiles}
    with capsys.disabled():
        print('\n    [stress] %d profiles, parallel_writes %d: runs and reruns took %s s' % (
            PROFILES, PARALLEL, ', '.join('%.1f' % t for t in timings)))
