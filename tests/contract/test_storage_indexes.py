"""Indexes: index:create / exists / list / delete, as kuzzle_index and kuzzle_storage use them."""

from contract_helpers import fails, ok
from storage_helpers import new_collection, new_index


def test_create_exists_and_create_again(kuzzle):
    index = kuzzle.uid('idx')
    assert ok(kuzzle.api('GET', f'/{index}/_exists')) is False
    status, body = kuzzle.api('POST', f'/{index}/_create')
    assert status == 200 and 'result' not in body  # index:create answers no result at all
    assert ok(kuzzle.api('GET', f'/{index}/_exists')) is True
    error = fails(kuzzle.api('POST', f'/{index}/_create'), 412, 'services.storage.index_already_exists')
    assert (error['message'], error['props']) == (f'A public index named "{index}" already exists', ['public', index])


def test_list_hides_internal_indexes_and_the_hidden_collection(kuzzle):
    index = new_index(kuzzle)
    listed = ok(kuzzle.api('GET', '/_list'))
    assert set(listed) == {'indexes'} and index in listed['indexes']
    assert 'kuzzle' not in listed['indexes'] and not any(i.startswith(('%', '&')) for i in listed['indexes'])
    # an empty index holds Kuzzle's hidden collection, which is never listed or counted
    counted = ok(kuzzle.api('GET', '/_list', query={'countCollection': None}))
    assert counted['collections'][index] == 0
    assert ok(kuzzle.api('GET', f'/{index}/_list')) == {'collections': [], 'type': 'all'}


def test_the_internal_index_is_not_a_public_index(kuzzle):
    assert ok(kuzzle.api('GET', '/kuzzle/_exists')) is False
    error = fails(kuzzle.api('POST', '/kuzzle/_create'), 412, 'services.storage.index_already_exists')
    assert error['props'] == ['private', 'kuzzle']


def test_delete(kuzzle):
    index, _collection = new_collection(kuzzle)
    assert ok(kuzzle.api('DELETE', f'/{index}')) == {'acknowledged': True}
    assert ok(kuzzle.api('GET', f'/{index}/_exists')) is False
    assert index not in ok(kuzzle.api('GET', '/_list'))['indexes']
    error = fails(kuzzle.api('DELETE', f'/{index}'), 412, 'services.storage.unknown_index')
    assert (error['message'], error['props']) == (f'The index "{index}" does not exist.', [index])


def test_invalid_names(kuzzle):
    for name in ('Upper', 'a.b', 'with%25percent', '_all'):
        fails(kuzzle.api('POST', f'/{name}/_create'), 400, 'services.storage.invalid_index_name')
