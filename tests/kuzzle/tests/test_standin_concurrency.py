"""Thread safety and speed: Kuzzle talks to the stand-in over many connections at once."""

import threading
import time


def _parallel(count, work):
    results, threads = [None] * count, []
    for n in range(count):
        threads.append(threading.Thread(target=lambda n=n: results.__setitem__(n, work(n))))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_one_create_wins(es):
    alias = es.index()
    statuses = _parallel(16, lambda n: es('PUT', f'/{alias}/_doc/same?op_type=create', {'n': n})[0])
    assert sorted(statuses) == [201] + [409] * 15


def test_concurrent_updates_are_not_lost(es):
    alias = es.index()
    es.put(alias, 'doc', {})
    _parallel(8, lambda n: [es('POST', f'/{alias}/_update/doc', {'doc': {f'k{n}-{i}': i}}) for i in range(10)])
    status, body = es('GET', f'/{alias}/_doc/doc')
    assert status == 200 and len(body['_source']) == 80 and body['_version'] == 81


def test_concurrent_writers_and_readers(es):
    alias = es.index()

    def work(n):
        for i in range(25):
            es.put(alias, f'{n}-{i}', {'policies': [{'roleId': f'r{i % 5}'}]})
            status, _body = es('POST', f'/{alias}/_search', {'query': {'term': {'policies.roleId': 'r1'}}})
            assert status == 200
        return True
    assert _parallel(8, work) == [True] * 8
    assert es('POST', f'/{alias}/_count', {})[1]['count'] == 200
    assert len(es.writes()) == 201


def test_searches_over_a_thousand_documents_are_fast(es):
    alias = es.index()
    bulk = []
    for n in range(1000):
        bulk += [{'index': {'_index': '@%kuzzle.things', '_id': f'p{n}'}},
                 {'policies': [{'roleId': f'r{n % 10}', 'restrictedTo': [{'index': 'i', 'collections': ['a', 'b']}]}],
                  'rateLimit': n}]
    assert es('POST', '/_bulk', ndjson=bulk)[1]['errors'] is False
    started = time.monotonic()
    for n in range(20):
        status, body = es('POST', f'/{alias}/_search?size=1000', {'query': {'bool': {'filter': [
            {'terms': {'policies.roleId': [f'r{n % 10}']}}, {'range': {'rateLimit': {'gte': 0}}}]}}})
        assert status == 200 and body['hits']['total']['value'] == 100
    status, body = es('POST', '/_mget', {'docs': [{'_index': '@%kuzzle.things', '_id': f'p{n}'} for n in range(1000)]})
    assert all(d['found'] for d in body['docs'])
    # Generous bound (about 0.5 s here): catches an accidental quadratic, not a slow machine.
    assert time.monotonic() - started < 10
