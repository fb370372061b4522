"""What Kuzzle's storage actions write (the stand-in's write log): what costs a write, what closes
an index, and what an unchanged definition would still write if sent again.

These need tests/kuzzle/serve's write log (skipped with KUZZLE_URL).
"""

import pytest

from contract_helpers import ok
from storage_helpers import new_collection, new_index


@pytest.fixture(autouse=True)
def _write_log(kuzzle):
    kuzzle.require_write_log()


def writes(kuzzle, mark):
    return [(w['method'], w['index'], w['result']) for w in kuzzle.writes_since(mark)]


def test_an_index_is_a_hidden_collection(kuzzle):
    index = kuzzle.uid('idx')
    mark = kuzzle.mark()
    ok(kuzzle.api('POST', f'/{index}/_create'))
    assert writes(kuzzle, mark) == [('create_index', f'&{index}._kuzzle_keep', None)]
    mark = kuzzle.mark()
    ok(kuzzle.api('DELETE', f'/{index}'))
    assert writes(kuzzle, mark) == [('delete_index', f'&{index}._kuzzle_keep', None)]


def test_reads_write_nothing(kuzzle):
    index, collection = new_collection(kuzzle)
    mark = kuzzle.mark()
    for path in (f'/{index}/_exists', f'/{index}/{collection}/_exists', '/_list', f'/{index}/_list',
                 f'/{index}/{collection}/_mapping', f'/{index}/{collection}/_settings', '/users/_mapping'):
        ok(kuzzle.api('GET', path))
    assert writes(kuzzle, mark) == []


def test_creating_a_collection(kuzzle):
    index = new_index(kuzzle)
    mark = kuzzle.mark()
    ok(kuzzle.api('PUT', f'/{index}/first', {}))
    # the first collection of an index replaces its hidden collection, which Kuzzle recreates at once
    assert writes(kuzzle, mark) == [
        ('delete_index', f'&{index}._kuzzle_keep', None), ('create_index', f'&{index}._kuzzle_keep', None),
        ('create_index', f'&{index}.first', None)]


def test_an_unchanged_mapping_sent_again_is_still_written(kuzzle):
    body = {'mappings': {'dynamic': 'strict', 'properties': {'a': {'type': 'keyword'}}}}
    index, collection = new_collection(kuzzle, body)
    for route in ('PUT', 'POST'):
        mark = kuzzle.mark()
        ok(kuzzle.api(route, f'/{index}/{collection}', body))
        hidden = [('delete_index', f'&{index}._kuzzle_keep', None), ('create_index', f'&{index}._kuzzle_keep', None)]
        assert writes(kuzzle, mark) == (hidden if route == 'PUT' else []) + [('put_mapping', f'&{index}.{collection}', None)]
    mark = kuzzle.mark()
    ok(kuzzle.api('POST', f'/{index}/{collection}', {}))  # nothing to apply: nothing written
    assert writes(kuzzle, mark) == []


def test_settings_close_and_reopen_the_index(kuzzle):
    index, collection = new_collection(kuzzle)
    mark = kuzzle.mark()
    ok(kuzzle.api('POST', f'/{index}/{collection}', {'settings': {'number_of_replicas': 0}}))
    indice = f'&{index}.{collection}'
    # even a dynamic setting such as number_of_replicas
    assert writes(kuzzle, mark) == [('close_index', indice, None), ('put_settings', indice, None), ('open_index', indice, None)]


def test_a_refused_retype_reaches_elasticsearch(kuzzle):
    index, collection = new_collection(kuzzle, {'mappings': {'properties': {'a': {'type': 'keyword'}}}})
    mark = kuzzle.mark()
    status, _answer = kuzzle.api('POST', f'/{index}/{collection}', {'mappings': {'properties': {'a': {'type': 'long'}}}})
    assert status == 400
    assert writes(kuzzle, mark) == [('put_mapping', f'&{index}.{collection}', 'refused')]


def test_turning_dynamic_on_reindexes_every_document(kuzzle):
    index, collection = new_collection(kuzzle, {'mappings': {'dynamic': 'false'}})
    for number in range(2):
        ok(kuzzle.api('POST', f'/{index}/{collection}/_create', {'extra': number}))
    indice = f'&{index}.{collection}'
    mark = kuzzle.mark()
    ok(kuzzle.api('POST', f'/{index}/{collection}', {'mappings': {'dynamic': 'true'}}))
    assert writes(kuzzle, mark) == [('put_mapping', indice, None)] + [('update_by_query', indice, 'updated')] * 2
    mark = kuzzle.mark()
    ok(kuzzle.api('POST', f'/{index}/{collection}', {'mappings': {'dynamic': 'true'}}))  # true to true: no reindex
    assert writes(kuzzle, mark) == [('put_mapping', indice, None)]


def test_specifications_are_documents_of_the_internal_index(kuzzle):
    index, collection = new_collection(kuzzle)
    mark = kuzzle.mark()
    ok(kuzzle.api('PUT', f'/{index}/{collection}/_specifications', {'fields': {'a': {'type': 'string'}}}))
    ok(kuzzle.api('DELETE', f'/{index}/{collection}/_specifications'))
    assert [(w['method'], w['index'], w['id']) for w in kuzzle.writes_since(mark)] == [
        ('index', '%kuzzle.validations', f'{index}#{collection}'), ('delete', '%kuzzle.validations', f'{index}#{collection}')]


def test_load_mappings_writes_even_what_exists(kuzzle):
    index, collection = new_collection(kuzzle, {'mappings': {'properties': {'a': {'type': 'keyword'}}}})
    mark = kuzzle.mark()
    ok(kuzzle.api('POST', '/admin/_loadMappings', {index: {collection: {'properties': {'a': {'type': 'keyword'}}}}}))
    assert ('put_mapping', f'&{index}.{collection}', None) in writes(kuzzle, mark)
