"""Read-your-write, tokens and refreshes across the two nodes of ``serve --nodes 2``.

Where Kuzzle 2.56 keeps what (read from its source, pinned here):

* documents (roles, profiles, users, API keys, credentials) live in the one Elasticsearch: a
  get by id sees a write at once from any node; a search sees it once the index is refreshed
  (``refresh=wait_for``, the default of the security writes, or ``security:refresh``);
* profiles, users and auth tokens are cached in the one Redis (``internalCache``): shared, so
  a node never serves another node's stale copy;
* roles are cached in each node's memory. A role write updates the writing node's copy and
  publishes an invalidation that the other nodes apply asynchronously: until then they may
  answer with, and check rights against, the previous role, and a node that failed to find a
  role keeps that failure until the invalidation arrives. Nothing makes this synchronous:
  ``refresh`` and ``security:refresh`` act on Elasticsearch only.

Tests of the deterministic guarantees assert them on every try. The asynchronous part is
asserted as what it is: every node converges within CONVERGE seconds; how often the first
read after a write was stale is printed (a measurement, not an assertion).
"""

import pytest

from contract_helpers import create_user, fails, ok, profile_body
from convergence import TRIES, converge, report


@pytest.fixture(scope='module')
def nodes(kuzzle_cluster):
    first, second = kuzzle_cluster.nodes
    return first, second


def _role(actions):
    return {'controllers': {'document': {'actions': actions}}}


# -- the cluster itself ------------------------------------------------------------------------

def test_every_node_and_the_proxy_report_two_nodes(kuzzle_cluster, nodes):
    addresses = {node.url.split('//')[1].split(':')[0] for node in nodes}
    for server in (*nodes, kuzzle_cluster):
        status = ok(server.api('GET', '/cluster/_status'))
        assert status['activeNodes'] == 2
        assert {node['address'] for node in status['nodes']} == addresses


# -- read-your-write: deterministic ------------------------------------------------------------

def test_role_created_on_one_node_is_read_on_the_other_at_once(kuzzle_cluster, nodes):
    for writer, reader in (nodes, nodes[::-1]):
        for dummy in range(TRIES // 3):
            role_id = kuzzle_cluster.uid('role')
            ok(writer.api('PUT', f'/roles/{role_id}', _role({'get': True}), query={'refresh': 'false'}))
            assert ok(reader.api('GET', f'/roles/{role_id}'))['_source']['controllers'] == _role({'get': True})['controllers']


def test_profile_can_use_a_role_just_created_on_the_other_node(kuzzle_cluster, nodes):
    for writer, reader in (nodes, nodes[::-1]):
        for dummy in range(TRIES // 3):
            role_id, profile_id = kuzzle_cluster.uid('role'), kuzzle_cluster.uid('profile')
            ok(writer.api('PUT', f'/roles/{role_id}', _role({'get': True})))
            ok(reader.api('POST', f'/profiles/{profile_id}/_create', profile_body(role_id)))
            ok(writer.api('POST', '/profiles/_mGet', {'ids': [profile_id]}))


def test_profile_updates_are_read_on_the_other_node_at_once(kuzzle_cluster, nodes):
    profile_id = kuzzle_cluster.uid('profile')
    ok(nodes[0].api('PUT', f'/profiles/{profile_id}', profile_body('default')))
    for i in range(TRIES):
        writer, reader = nodes[i % 2], nodes[1 - i % 2]
        ok(reader.api('GET', f'/profiles/{profile_id}'))  # the reader has it cached (in Redis, shared)
        ok(writer.api('PUT', f'/profiles/{profile_id}', profile_body('default', rateLimit=i), query={'refresh': 'false'}))
        assert ok(reader.api('GET', f'/profiles/{profile_id}'))['_source']['rateLimit'] == i


def test_users_content_and_credentials_are_read_on_the_other_node_at_once(kuzzle_cluster, nodes):
    for i in range(TRIES // 3):
        writer, reader = nodes[i % 2], nodes[1 - i % 2]
        user_id = create_user(writer, kuzzle_cluster.uid('user'), password=f'first-password-{i}', step=0)
        assert ok(reader.api('GET', f'/users/{user_id}'))['_source']['step'] == 0
        reader.login(user_id, f'first-password-{i}')
        ok(writer.api('PUT', f'/users/{user_id}/_update', {'step': 1}, query={'refresh': 'false'}))
        assert ok(reader.api('GET', f'/users/{user_id}'))['_source']['step'] == 1
        ok(writer.api('PUT', f'/credentials/local/{user_id}/_update', {'password': f'second-password-{i}'}))
        fails(reader.api('POST', '/_login/local', {'username': user_id, 'password': f'first-password-{i}'}, token=''),
              401, 'plugin.strategy.missing_user')  # the local strategy's id for a wrong password too
        reader.login(user_id, f'second-password-{i}')
        ok(writer.api('DELETE', f'/users/{user_id}'))
        fails(reader.api('GET', f'/users/{user_id}'), 404, 'security.user.not_found')


# -- tokens and API keys -----------------------------------------------------------------------

@pytest.fixture(scope='module')
def member(kuzzle_cluster, nodes):
    user_id = kuzzle_cluster.uid('member')
    create_user(nodes[0], user_id, password='member-password-1')
    return user_id, 'member-password-1'


def test_a_token_from_one_node_is_valid_on_the_other(nodes, member):
    for issuer, other in (nodes, nodes[::-1]):
        token = issuer.login(*member)
        assert other.whoami(token) == (200, member[0])
        assert issuer.whoami(token) == (200, member[0])


def test_logout_on_one_node_applies_on_the_other_at_once(nodes, member):
    for dummy in range(TRIES // 3):
        for issuer, other in (nodes, nodes[::-1]):
            token = issuer.login(*member)
            assert other.whoami(token) == (200, member[0])  # known (and cached) on both
            ok(other.api('POST', '/_logout', token=token))
            assert issuer.whoami(token) == (401, 'security.token.invalid')
            assert other.whoami(token) == (401, 'security.token.invalid')


def test_api_keys_work_on_the_other_node_and_their_deletion_applies_at_once(nodes, member):
    for writer, other in (nodes, nodes[::-1]):
        key = ok(writer.api('POST', f'/users/{member[0]}/api-keys/_create', {'description': 'cross-node'}))
        token = key['_source']['token']
        assert other.whoami(token) == (200, member[0])
        found = ok(other.api('POST', f'/users/{member[0]}/api-keys/_search', {}))
        assert key['_id'] in [hit['_id'] for hit in found['hits']]
        ok(writer.api('DELETE', f'/users/{member[0]}/api-keys/{key["_id"]}'))
        assert other.whoami(token) == (401, 'security.token.invalid')
        assert writer.whoami(token) == (401, 'security.token.invalid')


# -- refresh -----------------------------------------------------------------------------------

def test_wait_for_makes_a_write_searchable_on_the_other_node(kuzzle_cluster, nodes):
    profile_id = kuzzle_cluster.uid('profile')
    ok(nodes[0].api('POST', f'/profiles/{profile_id}/_create', profile_body('default'), query={'refresh': 'wait_for'}))
    hits = ok(nodes[1].api('POST', '/profiles/_search', {'query': {'ids': {'values': [profile_id]}}}))['hits']
    assert [hit['_id'] for hit in hits] == [profile_id]


def test_refresh_false_is_read_by_id_at_once_and_searchable_after_security_refresh(kuzzle_cluster, nodes):
    # Real Elasticsearch: a get by id is real-time, a search waits for a refresh. (The stand-in makes
    # every write searchable at once, so only the guaranteed half is asserted before the refresh.)
    writes = (('roles', 'PUT', '/roles/{}', _role({'get': True})),
              ('profiles', 'PUT', '/profiles/{}', profile_body('default')),
              ('users', 'POST', '/users/{}/_create', {'content': {'profileIds': ['default']}}))
    for collection, method, path, body in writes:
        object_id = kuzzle_cluster.uid(collection[:-1])
        ok(nodes[0].api(method, path.format(object_id), body, query={'refresh': 'false'}))
        assert ok(nodes[1].api('GET', f'/{collection}/{object_id}'))['_id'] == object_id
        assert ok(nodes[1].api('POST', f'/_security/{collection}/_refresh')) is None
        hits = ok(nodes[1].api('POST', f'/{collection}/_search', {'query': {'ids': {'values': [object_id]}}}))['hits']
        assert [hit['_id'] for hit in hits] == [object_id]


# -- roles: per-node memory, asynchronous invalidation ----------------------------------------

def test_role_updates_reach_the_other_node_within_the_bound(kuzzle_cluster, nodes, capsys):
    role_id = kuzzle_cluster.uid('role')
    ok(nodes[0].api('PUT', f'/roles/{role_id}', _role({'get': True})))
    stale, seconds = 0, []
    for i in range(TRIES):
        writer, reader = nodes[i % 2], nodes[1 - i % 2]
        ok(reader.api('GET', f'/roles/{role_id}'))  # the reader holds the current version in memory
        actions = {'get': True, 'count': i % 2 == 0}
        ok(writer.api('PUT', f'/roles/{role_id}', _role(actions)))
        was_stale, took = converge(lambda: ok(reader.api('GET', f'/roles/{role_id}'))['_source']['controllers'],  # pylint: disable=cell-var-from-loop
                                   _role(actions)['controllers'])
        stale += was_stale
        seconds.append(took)
    report(capsys, 'role update, then getRole on the other node', stale, seconds)


def test_rights_follow_a_role_update_on_the_other_node_within_the_bound(kuzzle_cluster, nodes, capsys):
    role_id, profile_id = kuzzle_cluster.uid('role'), kuzzle_cluster.uid('profile')

    def role(allowed):
        return {'controllers': {'auth': {'actions': {'*': True}}, 'server': {'actions': {'now': allowed}}}}
    ok(nodes[0].api('PUT', f'/roles/{role_id}', role(True)))
    ok(nodes[0].api('PUT', f'/profiles/{profile_id}', profile_body(role_id)))
    user_id = create_user(nodes[0], kuzzle_cluster.uid('user'), profile_ids=[profile_id], password='rights-password-1')
    token = nodes[1].login(user_id, 'rights-password-1')
    stale, seconds = 0, []
    for i in range(TRIES):
        writer, reader = nodes[i % 2], nodes[1 - i % 2]
        allowed = i % 2 == 1
        ok(writer.api('PUT', f'/roles/{role_id}', role(allowed)))
        was_stale, took = converge(lambda: reader.api('GET', '/_now', token=token)[0] == 200, allowed)  # pylint: disable=cell-var-from-loop
        stale += was_stale
        seconds.append(took)
    report(capsys, 'role update, then a request checked against it on the other node', stale, seconds)


def test_a_role_missing_on_a_node_is_found_there_once_created_elsewhere(kuzzle_cluster, nodes, capsys):
    # mGetRoles and profile validation remember a role they did not find (a rejected promise in the
    # node's role map) until an invalidation for that id arrives from the node that creates it.
    stale, seconds = 0, []
    for i in range(TRIES):
        writer, reader = nodes[i % 2], nodes[1 - i % 2]
        role_id = kuzzle_cluster.uid('role')
        fails(reader.api('POST', '/roles/_mGet', {'ids': [role_id]}), 404, 'security.role.not_found')
        ok(writer.api('PUT', f'/roles/{role_id}', _role({'get': True})))
        was_stale, took = converge(lambda: reader.api('POST', '/roles/_mGet', {'ids': [role_id]})[0], 200)  # pylint: disable=cell-var-from-loop
        stale += was_stale
        seconds.append(took)
        ok(reader.api('POST', f'/profiles/{kuzzle_cluster.uid("profile")}/_create', profile_body(role_id)))
    report(capsys, 'role not found on a node, created on the other, then mGetRoles on the first', stale, seconds)


def test_a_role_deleted_on_one_node_is_gone_on_the_other_within_the_bound(kuzzle_cluster, nodes, capsys):
    stale, seconds = 0, []
    for i in range(TRIES):
        writer, reader = nodes[i % 2], nodes[1 - i % 2]
        role_id = kuzzle_cluster.uid('role')
        ok(writer.api('PUT', f'/roles/{role_id}', _role({'get': True})))
        ok(reader.api('GET', f'/roles/{role_id}'))  # now in the reader's memory
        ok(writer.api('DELETE', f'/roles/{role_id}'))
        was_stale, took = converge(lambda: reader.api('GET', f'/roles/{role_id}')[0], 404)  # pylint: disable=cell-var-from-loop
        stale += was_stale
        seconds.append(took)
    report(capsys, 'role deletion, then getRole on the other node', stale, seconds)


# -- the first admin (restricts anonymous: runs last) ------------------------------------------

@pytest.mark.kuzzle_restricted
def test_first_admin_on_one_node_restricts_anonymous_on_the_other_within_the_bound(kuzzle_cluster, nodes, capsys):
    username, password = 'cluster-admin', 'cluster-admin-password-1'
    ok(nodes[0].api('POST', f'/_createFirstAdmin/{username}', query={'reset': None}, token='', body={
        'content': {}, 'credentials': {'local': {'username': username, 'password': password}}}))
    was_stale, took = converge(lambda: nodes[1].api('GET', '/roles/default', token='')[0], 401)
    fails(nodes[0].api('GET', '/roles/default', token=''), 401, 'security.rights.unauthorized')
    fails(nodes[1].api('GET', '/roles/default', token=''), 401, 'security.rights.unauthorized')
    kuzzle_cluster.token = nodes[1].login(username, password)
    assert nodes[0].whoami(kuzzle_cluster.token) == (200, username)
    with capsys.disabled():
        print(f'\n    [cross-node] createFirstAdmin?reset, then an anonymous request on the other node: '
              f'first read {"stale" if was_stale else "already restricted"}, converged in {took * 1000:.0f} ms')
