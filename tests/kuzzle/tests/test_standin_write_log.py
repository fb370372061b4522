"""The write log: one JSON line per write attempt, none for reads."""


def test_one_line_per_write(es):
    alias = es.index()
    es.put(alias, 'a', {'n': 1})
    es('PUT', f'/{alias}/_doc/a?op_type=create', {'n': 2})
    es('POST', f'/{alias}/_update/a', {'doc': {'n': 3}})
    es('POST', f'/{alias}/_update/a', {'doc': {'n': 3}})
    es('DELETE', f'/{alias}/_doc/a')
    es('POST', '/_bulk', ndjson=[{'index': {'_index': '@%kuzzle.things', '_id': 'b'}}, {'n': 1},
                                 {'create': {'_index': '@%kuzzle.things', '_id': 'c'}}, {'n': 1}])
    es('POST', f'/{alias}/_delete_by_query', {'query': {'match_all': {}}})
    lines = [(w['method'], w['index'], w['id'], w['result']) for w in es.writes()]
    assert lines == [
        ('create_index', '%kuzzle.things', None, None),
        ('index', '%kuzzle.things', 'a', 'created'),
        ('create', '%kuzzle.things', 'a', 'conflict'),
        ('update', '%kuzzle.things', 'a', 'updated'),
        ('update', '%kuzzle.things', 'a', 'noop'),
        ('delete', '%kuzzle.things', 'a', 'deleted'),
        ('index', '%kuzzle.things', 'b', 'created'),
        ('create', '%kuzzle.things', 'c', 'created'),
        ('delete_by_query', '%kuzzle.things', 'b', 'deleted'),
        ('delete_by_query', '%kuzzle.things', 'c', 'deleted'),
    ]


def test_reads_are_not_logged(es):
    alias = es.index()
    es.put(alias, 'a', {'n': 1})
    before = len(es.writes())
    es('GET', f'/{alias}/_doc/a')
    es('HEAD', f'/{alias}/_doc/a')
    es('POST', f'/{alias}/_search', {'query': {'match_all': {}}})
    es('POST', '/_mget', {'docs': [{'_index': '@%kuzzle.things', '_id': 'a'}]})
    es('POST', f'/{alias}/_count', {})
    es('GET', '/_cat/aliases?format=json')
    es('POST', f'/{alias}/_refresh')
    assert len(es.writes()) == before
