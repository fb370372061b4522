"""Search: the query subset, ES's multi-value matching, paging, sorting and scrolls."""

import pytest

DOCS = {
    'p1': {'policies': [{'roleId': 'admin'}, {'roleId': 'r1', 'restrictedTo': [{'index': 'i1', 'collections': ['c1']}]}],
           'rateLimit': 5, 'tags': ['a', 'b'], 'name': 'alpha'},
    'p2': {'policies': [{'roleId': 'r1'}], 'rateLimit': 0, 'name': 'beta'},
    'p3': {'policies': [{'roleId': 'r2'}], 'name': 'alphabet', 'flag': True},
    'p4': {'profileIds': ['p1', 'p2'], 'dotted.key': 7, 'empty': [], 'nothing': None},
}


@pytest.fixture
def alias(es):
    name = es.index()
    for doc_id, source in DOCS.items():
        es.put(name, doc_id, source)
    return name


def ids(es, alias, query, path_suffix=''):
    status, body = es('POST', f'/{alias}/_search{path_suffix}', {'query': query})
    assert status == 200, body
    assert body['hits']['total'] == {'value': len(body['hits']['hits']), 'relation': 'eq'}
    return sorted(h['_id'] for h in body['hits']['hits'])


@pytest.mark.parametrize('query, expected', [
    ({'match_all': {}}, ['p1', 'p2', 'p3', 'p4']),
    ({'match_none': {}}, []),
    ({'term': {'policies.roleId': 'r1'}}, ['p1', 'p2']),
    ({'term': {'policies.roleId': {'value': 'admin', 'boost': 1.0}}}, ['p1']),
    ({'terms': {'policies.roleId': ['r2', 'admin']}}, ['p1', 'p3']),
    ({'terms': {'profileIds': ['p2']}}, ['p4']),
    ({'term': {'policies.restrictedTo.collections': 'c1'}}, ['p1']),
    ({'match': {'name': 'alpha'}}, ['p1']),
    ({'match': {'name': {'query': 'beta'}}}, ['p2']),
    ({'ids': {'values': ['p2', 'p3', 'zz']}}, ['p2', 'p3']),
    ({'term': {'_id': 'p4'}}, ['p4']),
    ({'exists': {'field': 'rateLimit'}}, ['p1', 'p2']),
    ({'exists': {'field': 'empty'}}, []),
    ({'exists': {'field': 'nothing'}}, []),
    ({'exists': {'field': 'policies.restrictedTo'}}, ['p1']),
    ({'prefix': {'name': 'alph'}}, ['p1', 'p3']),
    ({'wildcard': {'name': {'value': 'al*t'}}}, ['p3']),
    ({'regexp': {'name': 'b.t'}}, []),
    ({'regexp': {'name': 'b.*a'}}, ['p2']),
    ({'range': {'rateLimit': {'gte': 1}}}, ['p1']),
    ({'range': {'rateLimit': {'gte': 0, 'lt': 5}}}, ['p2']),
    ({'term': {'rateLimit': '5'}}, ['p1']),
    ({'term': {'flag': 'true'}}, ['p3']),
    ({'term': {'dotted.key': 7}}, ['p4']),
    ({'bool': {'must': [{'term': {'policies.roleId': 'r1'}}], 'must_not': {'term': {'name': 'beta'}}}}, ['p1']),
    ({'bool': {'filter': {'exists': {'field': 'name'}}, 'should': [{'term': {'name': 'beta'}}]}}, ['p1', 'p2', 'p3']),
    ({'bool': {'should': [{'term': {'name': 'beta'}}, {'term': {'flag': True}}]}}, ['p2', 'p3']),
    ({'bool': {'should': [{'term': {'name': 'beta'}}, {'term': {'policies.roleId': 'r1'}}], 'minimum_should_match': 2}},
     ['p2']),
    ({'bool': {'must_not': [{'exists': {'field': 'policies'}}]}}, ['p4']),
    ({'constant_score': {'filter': {'term': {'name': 'alpha'}}}}, ['p1']),
])
def test_query_subset(es, alias, query, expected):
    assert ids(es, alias, query) == expected


def test_unsupported_query_is_a_parsing_exception(es, alias):
    status, body = es('POST', f'/{alias}/_search', {'query': {'match_phrase': {'name': 'a'}}})
    assert status == 400 and body['error']['type'] == 'parsing_exception'
    assert body['error']['reason'].startswith('unknown query [match_phrase]')
    status, body = es('POST', f'/{alias}/_search', {'query': {'match_all': {}}, 'aggregations': {}})
    assert status == 400 and 'aggregations' in body['error']['reason']


def test_paging_and_total(es, alias):
    status, body = es('POST', f'/{alias}/_search?from=1&size=2&track_total_hits=true', {'sort': ['_id']})
    assert status == 200
    assert body['hits']['total'] == {'value': 4, 'relation': 'eq'}
    assert [h['_id'] for h in body['hits']['hits']] == ['p2', 'p3']
    assert all(set(h) == {'_index', '_type', '_id', '_score', '_source'} for h in body['hits']['hits'])
    status, body = es('POST', f'/{alias}/_search?from=9999&size=2', {})
    assert status == 400 and 'Result window is too large' in body['error']['reason']


def test_sort(es, alias):
    status, body = es('POST', f'/{alias}/_search', {'sort': [{'rateLimit': {'order': 'desc'}}, '_id']})
    assert [h['_id'] for h in body['hits']['hits']] == ['p1', 'p2', 'p3', 'p4']  # missing values last
    status, body = es('POST', f'/{alias}/_search', {'sort': [{'name': 'asc'}]})
    assert [h['_id'] for h in body['hits']['hits']] == ['p1', 'p3', 'p2', 'p4']


def test_search_after_pages_past_the_result_window(es, alias):
    """ES's search_after: the hits sorting after the values given (one per sort field), from 0 only; the total
    still counts every match."""
    def page(body, suffix='?size=2'):
        status, answer = es('POST', f'/{alias}/_search{suffix}', body)
        assert status == 200, answer
        return answer['hits']['total']['value'], [h['_id'] for h in answer['hits']['hits']]
    assert page({'sort': [{'_id': 'asc'}]}) == (4, ['p1', 'p2'])
    assert page({'sort': [{'_id': 'asc'}], 'search_after': ['p2']}) == (4, ['p3', 'p4'])
    assert page({'sort': [{'_id': 'asc'}], 'search_after': ['p4']}) == (4, [])
    assert page({'sort': [{'_id': 'desc'}], 'search_after': ['p3']}) == (4, ['p2', 'p1'])
    assert page({'query': {'terms': {'policies.roleId': ['r1', 'r2']}}, 'sort': ['_id'], 'search_after': ['p1']}) == (3, ['p2', 'p3'])
    assert page({'sort': [{'rateLimit': 'desc'}, '_id'], 'search_after': [5, 'p1']}, '?size=9') == (4, ['p2', 'p3', 'p4'])
    for body, suffix, words in (({'search_after': ['p1']}, '', 'Sort must contain'),
                                ({'sort': ['_id'], 'search_after': ['p1']}, '?from=1', '`from` parameter must be set to 0'),
                                ({'sort': ['_id'], 'search_after': ['p1', 2]}, '', 'search_after has 2 value(s)'),
                                ({'sort': ['_id'], 'search_after': ['p1']}, '?scroll=5s', 'scroll context')):
        status, answer = es('POST', f'/{alias}/_search{suffix}', body)
        assert status == 400 and words in answer['error']['reason'], answer


def test_scroll(es, alias):
    status, body = es('POST', f'/{alias}/_search?scroll=5s&size=3', {'query': {'match_all': {}}, 'sort': ['_id']})
    assert status == 200 and body['hits']['total']['value'] == 4
    scroll_id = body['_scroll_id']
    seen = [h['_id'] for h in body['hits']['hits']]
    status, body = es('POST', '/_search/scroll', {'scroll': '5s', 'scroll_id': scroll_id})
    seen += [h['_id'] for h in body['hits']['hits']]
    status, body = es('POST', '/_search/scroll', {'scroll_id': scroll_id})
    assert status == 200 and body['hits']['hits'] == []
    assert seen == ['p1', 'p2', 'p3', 'p4']
    assert es('DELETE', f'/_search/scroll/{scroll_id}') == (200, {'succeeded': True, 'num_freed': 1})
    assert es('DELETE', '/_search/scroll', {'scroll_id': [scroll_id]}) == (404, {'succeeded': True, 'num_freed': 0})
    status, body = es('POST', '/_search/scroll', {'scroll_id': scroll_id})
    assert status == 404 and body['error']['caused_by']['type'] == 'search_context_missing_exception'


def test_scroll_sees_a_snapshot(es, alias):
    status, body = es('POST', f'/{alias}/_search?scroll=1m&size=1', {'sort': ['_id']})
    es('DELETE', f'/{alias}/_doc/p2')
    status, body = es('GET', f'/_search/scroll?scroll_id={body["_scroll_id"]}')
    assert status == 200 and [h['_id'] for h in body['hits']['hits']] == ['p2']


def test_count(es, alias):
    assert es('POST', f'/{alias}/_count', {'query': {'term': {'policies.roleId': 'r1'}}})[1]['count'] == 2
    assert es('GET', f'/{alias}/_count')[1]['count'] == 4


def test_delete_by_query(es, alias):
    status, body = es('POST', f'/{alias}/_delete_by_query?refresh=true', {'query': {'terms': {'_id': ['p1', 'p3']}}})
    assert status == 200 and (body['deleted'], body['total'], body['failures']) == (2, 2, [])
    assert ids(es, alias, {'match_all': {}}) == ['p2', 'p4']


def test_search_over_several_indices(es, alias):
    other = es.index('%kuzzle.others', '@%kuzzle.others')
    es.put(other, 'o1', {'name': 'alpha'})
    status, body = es('POST', f'/{alias},{other}/_search', {'query': {'term': {'name': 'alpha'}}})
    assert sorted((h['_index'], h['_id']) for h in body['hits']['hits']) == [('%kuzzle.others', 'o1'), ('%kuzzle.things', 'p1')]
