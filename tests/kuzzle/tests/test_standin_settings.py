"""Index settings, closing and reopening, _update_by_query (es_settings.py and es_store.py).

Elasticsearch 7.17's rules: settings are strings, answered nested under ``index``; private
settings cannot be set, final ones never change, static ones only on a closed index; a closed
index refuses documents and searches.
"""

INDEX = '/%25kuzzle.things'


def settings(es):
    return es('GET', f'{INDEX}/_settings')[1]['%kuzzle.things']['settings']['index']


def error(answer):
    status, body = answer
    return status, body['error']['type'], body['error']['reason']


def create(es, index_settings):
    return es('PUT', INDEX, {'aliases': {'@%kuzzle.things': {}}, 'settings': index_settings})


def test_created_settings(es):
    assert create(es, {'number_of_replicas': 0, 'index.refresh_interval': '2s', 'blocks': {'write': False},
                       'analysis': {'analyzer': {'folded': {'type': 'custom', 'tokenizer': 'standard',
                                                            'filter': ['lowercase', 'asciifolding']}}}})[0] == 200
    got = settings(es)
    assert {k: got[k] for k in ('number_of_shards', 'number_of_replicas', 'refresh_interval', 'blocks')} == {
        'number_of_shards': '1', 'number_of_replicas': '0', 'refresh_interval': '2s', 'blocks': {'write': 'false'}}
    assert got['analysis'] == {'analyzer': {'folded': {'type': 'custom', 'tokenizer': 'standard',
                                                       'filter': ['lowercase', 'asciifolding']}}}
    assert got['routing'] == {'allocation': {'include': {'_tier_preference': 'data_content'}}}
    assert got['provided_name'] == '%kuzzle.things' and got['version'] == {'created': '7172699'}
    assert set(got) >= {'uuid', 'creation_date'}
    assert error(es('PUT', '/other', {'settings': {'uuid': 'x'}}))[2] == (
        'private index setting [index.uuid] can not be set explicitly')
    assert es('HEAD', '/other')[0] == 404


def test_dynamic_settings_change_on_an_open_index(es):
    es.index()
    assert es('PUT', f'{INDEX}/_settings', {'index': {'number_of_replicas': 2, 'max_result_window': 500}}) == (
        200, {'acknowledged': True})
    assert (settings(es)['number_of_replicas'], settings(es)['max_result_window']) == ('2', '500')
    assert es('PUT', f'{INDEX}/_settings', {'max_result_window': None})[0] == 200  # null: back to the default
    assert 'max_result_window' not in settings(es)


def test_static_settings_need_a_closed_index(es):
    es.index()
    uuid = settings(es)['uuid']
    body = {'analysis': {'analyzer': {'a': {'type': 'standard'}}}, 'number_of_replicas': 0}
    assert error(es('PUT', f'{INDEX}/_settings', body)) == (
        400, 'illegal_argument_exception',
        f"Can't update non dynamic settings [[index.analysis.analyzer.a.type]] for open indices [[%kuzzle.things/{uuid}]]")
    assert settings(es)['number_of_replicas'] == '1'  # nothing applied
    closed = {'acknowledged': True, 'shards_acknowledged': True, 'indices': {'%kuzzle.things': {'closed': True}}}
    assert es('POST', f'{INDEX}/_close')[1] == closed
    assert es('PUT', f'{INDEX}/_settings', body)[0] == 200
    assert settings(es)['analysis'] == {'analyzer': {'a': {'type': 'standard'}}}


def test_final_and_private_settings_never_change(es):
    es.index()
    es('POST', f'{INDEX}/_close')
    for value in ('1', '2'):  # even to the value it has
        assert error(es('PUT', f'{INDEX}/_settings', {'index': {'number_of_shards': value}})) == (
            400, 'illegal_argument_exception', 'final index setting [index.number_of_shards], not updateable')
    assert error(es('PUT', f'{INDEX}/_settings', {'index': {'uuid': 'x'}}))[2] == (
        'can not update private setting [index.uuid]; this setting is managed by Elasticsearch')
    assert error(es('PUT', f'{INDEX}/_settings', {'number_of_replicas': 'many'}))[2] == (
        'Failed to parse value [many] for setting [index.number_of_replicas]')
    status, body = es('PUT', f'{INDEX}/_settings', {'index': {'no_such_setting': 1}})
    assert status == 400 and 'not supported by the Elasticsearch stand-in' in body['error']['reason']


def test_a_closed_index_refuses_documents_and_searches(es):
    alias = es.index()
    es.put(alias, 'a', {'n': 1})
    es('POST', f'/{alias}/_close')  # an alias names its index, as in Elasticsearch
    assert settings(es)['verified_before_close'] == 'true'
    assert es('GET', '/_cat/indices?format=json')[1][0]['status'] == 'close'
    for method, path, body in (('GET', f'/{alias}/_doc/a', None), ('PUT', f'/{alias}/_doc/b', {'n': 2}),
                               ('POST', f'/{alias}/_search', {}), ('POST', f'/{alias}/_refresh', None)):
        status, answer = es(method, path, body)
        assert (status, answer['error']['type'], answer['error']['reason'], answer['error']['index']) == (
            400, 'index_closed_exception', 'closed', '%kuzzle.things'), path
    assert es('POST', '/_search', {})[1]['hits']['total']['value'] == 0  # wildcards skip closed indices
    assert es('GET', f'{INDEX}/_mapping')[0] == 200  # metadata still answers
    assert es('POST', f'/{alias}/_open')[1] == {'acknowledged': True, 'shards_acknowledged': True}
    assert 'verified_before_close' not in settings(es)
    assert es('GET', f'/{alias}/_doc/a')[1]['_source'] == {'n': 1}


def test_update_by_query_reindexes_every_match(es):
    alias = es.index()
    es.put(alias, 'a', {'n': 1})
    before = len(es.writes())
    status, body = es('POST', f'/{alias}/_update_by_query?conflicts=proceed&refresh=true&wait_for_completion=false', {})
    assert status == 200 and set(body) == {'task'}
    assert es('GET', f'/{alias}/_doc/a')[1]['_version'] == 2
    assert [(w['method'], w['id']) for w in es.writes()[before:]] == [('update_by_query', 'a')]
    assert es('POST', f'/{alias}/_update_by_query', {})[1]['updated'] == 1
    assert es('POST', f'/{alias}/_update_by_query', {'script': {'source': 'x'}})[0] == 400


def test_index_level_writes_are_logged(es):
    es.index()
    es('PUT', f'{INDEX}/_settings', {'number_of_replicas': 0})
    es('POST', f'{INDEX}/_close')
    es('PUT', f'{INDEX}/_settings', {'number_of_shards': 2})
    es('POST', f'{INDEX}/_open')
    assert [(w['method'], w['result']) for w in es.writes()] == [
        ('create_index', None), ('put_settings', None), ('close_index', None), ('put_settings', 'refused'),
        ('open_index', None)]
