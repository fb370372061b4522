"""Indexes and collections across the two nodes of ``serve --nodes 2``: what the storage modules and the
provision role meet when consecutive requests land on different nodes.

Kuzzle 2.56 keeps the list of indexes and collections in each node's memory (``lib/core/storage/indexCache``):
``index:exists``, ``index:list``, ``collection:exists`` and ``collection:list`` answer from it, and every
collection and document action first checks it (``services.storage.unknown_index`` / ``unknown_collection``).
A node that creates an index or a collection adds it to its own list and publishes it to the other nodes,
which add it when the message arrives (``lib/cluster/subscriber.js``): asynchronously, as roles. Asserted as
such: every node converges within CONVERGE seconds; how often the first request was early is printed.
"""

from contract_helpers import ok
from convergence import TRIES, converge, report


def _name(kuzzle_cluster, prefix):
    return kuzzle_cluster.uid(prefix).lower()


def _measure(kuzzle_cluster, capsys, what, write, read, expected):
    """TRIES times: ``write(writer, i)`` on one node, then ``read(reader, i)`` on the other until ``expected``."""
    nodes = kuzzle_cluster.nodes
    stale, seconds = 0, []
    for i in range(TRIES):
        writer, reader = nodes[i % 2], nodes[1 - i % 2]
        names = write(writer, i)
        was_stale, took = converge(lambda: read(reader, names), expected)  # pylint: disable=cell-var-from-loop
        stale += was_stale
        seconds.append(took)
    report(capsys, what, stale, seconds, early='first request early')


def test_an_index_created_on_one_node_is_known_on_the_other_within_the_bound(kuzzle_cluster, capsys):
    def write(writer, i):
        index = _name(kuzzle_cluster, 'ix')
        ok(writer.api('POST', f'/{index}/_create'))
        return index
    _measure(kuzzle_cluster, capsys, 'index:create, then index:exists on the other node',
             write, lambda reader, index: ok(reader.api('GET', f'/{index}/_exists')), True)


def test_a_collection_created_on_one_node_is_listed_on_the_other_within_the_bound(kuzzle_cluster, capsys):
    index = _name(kuzzle_cluster, 'ix')
    ok(kuzzle_cluster.nodes[0].api('POST', f'/{index}/_create'))

    def write(writer, i):
        ok(writer.api('PUT', f'/{index}/c{i}', {}))
        return f'c{i}'

    def listed(reader, collection):
        return collection in [c['name'] for c in ok(reader.api('GET', f'/{index}/_list'))['collections']]
    _measure(kuzzle_cluster, capsys, 'collection:create, then collection:list on the other node', write, listed, True)


def test_a_collection_created_on_one_node_accepts_updates_on_the_other_within_the_bound(kuzzle_cluster, capsys):
    # what kuzzle_storage and kuzzle_collection send: create, then at once collection:update (settings or
    # mapping) and updateSpecifications, each maybe on the other node
    index = _name(kuzzle_cluster, 'ix')
    ok(kuzzle_cluster.nodes[0].api('POST', f'/{index}/_create'))

    def write(writer, i):
        ok(writer.api('PUT', f'/{index}/u{i}', {'mappings': {'properties': {'a': {'type': 'keyword'}}}}))
        return f'u{i}'

    def update(reader, collection):
        status, body = reader.api('POST', f'/{index}/{collection}', {'mappings': {'properties': {'b': {'type': 'keyword'}}}})
        assert status == 200 or body['error']['id'] == 'services.storage.unknown_collection', body
        return status
    _measure(kuzzle_cluster, capsys, 'collection:create, then collection:update on the other node', write, update, 200)

    def write_spec(writer, i):
        ok(writer.api('PUT', f'/{index}/s{i}', {}))
        return f's{i}'

    def specify(reader, collection):
        status, body = reader.api('PUT', f'/{index}/{collection}/_specifications', {'strict': False, 'fields': {}})
        assert status == 200 or body['error']['id'] in ('services.storage.unknown_collection', 'validation.assert.invalid_specifications'), body
        return status
    _measure(kuzzle_cluster, capsys, 'collection:create, then collection:updateSpecifications on the other node', write_spec, specify, 200)
