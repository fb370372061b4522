"""Cluster, index and alias endpoints Kuzzle calls at startup and for collections."""


def test_info_and_health(es):
    status, body = es('GET', '/')
    assert status == 200 and body['version']['number'].startswith('7.')
    status, body = es('GET', '/_cluster/health?wait_for_no_initializing_shards=true')
    assert (body['status'], body['number_of_pending_tasks']) == ('green', 0)
    status, body = es('GET', '/_cluster/stats?human=true')
    assert status == 200 and 'size' in body['indices']['store'] and body['nodes']['count']['total'] == 1
    assert len(es('GET', '/_cat/nodes?format=json')[1]) == 1


def test_index_lifecycle(es):
    assert es('HEAD', '/%25kuzzle.things')[0] == 404
    alias = es.index(mappings={'dynamic': 'false', 'properties': {'a': {'type': 'keyword'}}})
    assert es('HEAD', '/%25kuzzle.things')[0] == 200
    assert es('HEAD', f'/{alias}')[0] == 200  # an alias answers like an index
    status, body = es('PUT', '/%25kuzzle.things', {})
    assert status == 400 and body['error']['type'] == 'resource_already_exists_exception'
    status, body = es('PUT', '/BadName', {})
    assert status == 400 and body['error']['type'] == 'invalid_index_name_exception'
    assert es('GET', '/_cat/indices?format=json')[1][0]['index'] == '%kuzzle.things'
    status, body = es('GET', '/%25kuzzle.things/_mapping')
    assert body == {'%kuzzle.things': {'mappings': {'dynamic': 'false', 'properties': {'a': {'type': 'keyword'}}}}}
    assert es('PUT', '/%25kuzzle.things/_mapping', {'properties': {'b': {'type': 'long'}}})[0] == 200
    assert set(es('GET', '/%25kuzzle.things/_mapping')[1]['%kuzzle.things']['mappings']['properties']) == {'a', 'b'}
    settings = es('GET', '/%25kuzzle.things/_settings')[1]['%kuzzle.things']['settings']['index']
    assert settings['number_of_shards'] == '1'
    assert es('DELETE', '/%25kuzzle.things')[1] == {'acknowledged': True}
    assert es('HEAD', f'/{alias}')[0] == 404
    assert es('GET', '/_cat/aliases?format=json')[1] == []


def test_aliases(es):
    alias = es.index()
    rows = es('GET', '/_cat/aliases?format=json')[1]
    assert [(r['alias'], r['index']) for r in rows] == [('@%kuzzle.things', '%kuzzle.things')]
    assert es('GET', f'/_cat/aliases/{alias}?format=json')[1] == rows
    assert es('GET', '/_cat/aliases/nope?format=json')[1] == []
    assert es('HEAD', f'/_alias/{alias}')[0] == 200
    assert es('HEAD', '/_alias/nope')[0] == 404
    assert es('GET', '/%25kuzzle.things/_alias')[1] == {'%kuzzle.things': {'aliases': {'@%kuzzle.things': {}}}}
    status, _body = es('POST', '/_aliases', {'actions': [{'add': {'index': '%kuzzle.things', 'alias': '@%kuzzle.extra'}},
                                                         {'remove': {'index': '%kuzzle.things', 'alias': '@%kuzzle.things'}}]})
    assert status == 200
    assert [r['alias'] for r in es('GET', '/_cat/aliases?format=json')[1]] == ['@%kuzzle.extra']
    assert es('DELETE', '/%25kuzzle.things/_alias/%40%25kuzzle.extra')[0] == 200
    assert es('GET', '/_cat/aliases?format=json')[1] == []


def test_refresh_and_stats(es):
    alias = es.index()
    es.put(alias, 'a', {'n': 1})
    assert es('POST', f'/{alias}/_refresh')[1]['_shards']['failed'] == 0
    assert es('POST', '/%40%25kuzzle.nope/_refresh')[0] == 404
    stats = es('GET', '/_stats/docs,store')[1]
    assert stats['indices']['%kuzzle.things']['total']['docs']['count'] == 1
