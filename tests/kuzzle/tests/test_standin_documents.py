"""Documents: the bodies Kuzzle's ES 7 client and esWrapper.js read."""

import re


def test_index_then_get(es):
    alias = es.index()
    status, body = es('PUT', f'/{alias}/_doc/p1', {'a': 1})
    assert status == 201
    assert (body['_index'], body['_id'], body['_version'], body['result']) == ('%kuzzle.things', 'p1', 1, 'created')
    status, body = es('PUT', f'/{alias}/_doc/p1', {'a': 2})
    assert (status, body['_version'], body['result']) == (200, 2, 'updated')
    status, body = es('GET', f'/{alias}/_doc/p1')
    assert status == 200
    assert (body['found'], body['_source'], body['_version'], body['_index']) == (True, {'a': 2}, 2, '%kuzzle.things')


def test_get_missing(es):
    alias = es.index()
    status, body = es('GET', f'/{alias}/_doc/nope')
    assert status == 404
    assert body == {'_index': '%kuzzle.things', '_type': '_doc', '_id': 'nope', 'found': False}
    assert es('HEAD', f'/{alias}/_doc/nope')[0] == 404


def test_op_type_create_conflict(es):
    alias = es.index()
    assert es('PUT', f'/{alias}/_doc/p1?op_type=create', {'a': 1})[0] == 201
    status, body = es('PUT', f'/{alias}/_doc/p1?op_type=create', {'a': 2})
    assert status == 409
    assert body['status'] == 409 and body['error']['type'] == 'version_conflict_engine_exception'
    # The regex esWrapper.js uses to map this to services.storage.document_already_exists:
    assert re.match(r'^\[(.*)\]: version conflict, document already exists.*', body['error']['reason'])
    assert es('GET', f'/{alias}/_doc/p1')[1]['_source'] == {'a': 1}
    assert es('PUT', f'/{alias}/_create/p1', {'a': 3})[0] == 409


def test_update_returns_get_source_and_deep_merges(es):
    alias = es.index()
    es.put(alias, 'p1', {'a': {'x': 1, 'y': 2}, 'list': [1, 2], 'keep': True})
    status, body = es('POST', f'/{alias}/_update/p1?_source=true&retry_on_conflict=10',
                      {'doc': {'a': {'y': 3}, 'list': [9]}})
    assert status == 200 and body['result'] == 'updated' and body['_version'] == 2
    assert body['get']['_source'] == {'a': {'x': 1, 'y': 3}, 'list': [9], 'keep': True}
    status, body = es('POST', f'/{alias}/_update/p1', {'doc': {'list': [9]}})
    assert (status, body['result'], body['_version'], 'get' in body) == (200, 'noop', 2, False)


def test_update_missing_document(es):
    alias = es.index()
    status, body = es('POST', f'/{alias}/_update/nope?_source=true', {'doc': {'a': 1}})
    assert status == 404 and body['error']['type'] == 'document_missing_exception'
    assert body['error']['reason'] == '[_doc][nope]: document missing'
    status, body = es('POST', f'/{alias}/_update/new', {'doc': {'a': 1}, 'doc_as_upsert': True})
    assert (status, body['result']) == (201, 'created')


def test_delete(es):
    alias = es.index()
    es.put(alias, 'p1', {'a': 1})
    status, body = es('DELETE', f'/{alias}/_doc/p1')
    assert (status, body['result'], body['_id']) == (200, 'deleted', 'p1')
    status, body = es('DELETE', f'/{alias}/_doc/p1')
    assert (status, body['result'], body['_id'], body['_index']) == (404, 'not_found', 'p1', '%kuzzle.things')


def test_unknown_index(es):
    for method, path in (('GET', '/%40%25kuzzle.nope/_doc/x'), ('POST', '/%40%25kuzzle.nope/_search'),
                         ('PUT', '/%40%25kuzzle.nope/_doc/x')):
        status, body = es(method, path, {} if method != 'GET' else None)
        assert status == 404, (method, path)
        assert body['error']['type'] == 'index_not_found_exception'
        assert body['error']['reason'] == 'no such index [@%kuzzle.nope]'


def test_mget(es):
    alias = es.index()
    es.put(alias, 'a', {'n': 1})
    status, body = es('POST', '/_mget', {'docs': [{'_index': '@%kuzzle.things', '_id': 'a'},
                                                  {'_index': '@%kuzzle.things', '_id': 'b'},
                                                  {'_index': '@%kuzzle.nope', '_id': 'c'}]})
    assert status == 200
    first, second, third = body['docs']
    assert (first['found'], first['_source']) == (True, {'n': 1})
    assert second == {'_index': '%kuzzle.things', '_type': '_doc', '_id': 'b', 'found': False}
    assert third['error']['type'] == 'index_not_found_exception'
    status, body = es('POST', f'/{alias}/_mget?_source=false', {'ids': ['a']})
    assert body['docs'][0]['found'] is True and '_source' not in body['docs'][0]


def test_bulk(es):
    alias = es.index()
    es.put(alias, 'old', {'n': 0})
    status, body = es('POST', '/_bulk', ndjson=[
        {'index': {'_index': '@%kuzzle.things', '_id': 'a'}}, {'n': 1},
        {'create': {'_index': '@%kuzzle.things', '_id': 'old'}}, {'n': 2},
        {'update': {'_index': '@%kuzzle.things', '_id': 'a'}}, {'doc': {'m': 3}},
        {'delete': {'_index': '@%kuzzle.things', '_id': 'old'}},
        {'delete': {'_index': '@%kuzzle.things', '_id': 'gone'}},
    ])
    assert status == 200 and body['errors'] is True
    results = [(verb, item['status'], item.get('result'), item.get('error', {}).get('type')) for row in body['items']
               for verb, item in row.items()]
    assert results == [('index', 201, 'created', None), ('create', 409, None, 'version_conflict_engine_exception'),
                       ('update', 200, 'updated', None), ('delete', 200, 'deleted', None),
                       ('delete', 404, 'not_found', None)]
    assert es('GET', f'/{alias}/_doc/a')[1]['_source'] == {'n': 1, 'm': 3}


def test_errors_on_bad_bodies(es):
    alias = es.index()
    status, body = es('PUT', f'/{alias}/_doc/x', b'{not json')
    assert status == 400 and body['error']['type'] == 'parse_exception'
    status, body = es('POST', f'/{alias}/_update/x', {'script': {'source': 'ctx._source.a = 1'}})
    assert status == 400 and 'stand-in' in body['error']['reason']
    status, body = es('GET', '/_nodes/hot_threads')
    assert status == 400 and 'not supported' in body['error']['reason']
