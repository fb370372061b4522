"""Validation specifications: collection:updateSpecifications / getSpecifications /
deleteSpecifications / validateSpecifications / searchSpecifications.

Kuzzle keeps them as documents of its internal ``validations`` collection (id ``index#collection``).
"""

from contract_helpers import fails, ok
from storage_helpers import new_collection

SPEC = {'strict': True, 'fields': {'price': {'type': 'numeric', 'mandatory': True, 'defaultValue': 0}}}


def test_update_get_delete(kuzzle):
    index, collection = new_collection(kuzzle)
    path = f'/{index}/{collection}/_specifications'
    error = fails(kuzzle.api('GET', path), 404, 'validation.assert.not_found')
    assert error['props'] == [index, collection]
    assert ok(kuzzle.api('PUT', path, SPEC)) == SPEC  # answers the body as given
    got = ok(kuzzle.api('GET', path))
    assert set(got) == {'index', 'collection', 'validation', '_kuzzle_info'}
    assert (got['index'], got['collection'], got['validation']) == (index, collection, SPEC)
    replaced = {'fields': {'name': {'type': 'string'}}}
    ok(kuzzle.api('PUT', path, replaced))
    assert ok(kuzzle.api('GET', path))['validation'] == replaced  # replaced whole, not merged
    assert ok(kuzzle.api('DELETE', path)) == {'acknowledged': True}
    assert ok(kuzzle.api('DELETE', path)) == {'acknowledged': True}  # deleting none is not an error
    fails(kuzzle.api('GET', path), 404, 'validation.assert.not_found')


def test_invalid_specifications(kuzzle):
    index, collection = new_collection(kuzzle)
    bad = {'fields': {'price': {'type': 'nope'}}}
    error = fails(kuzzle.api('PUT', f'/{index}/{collection}/_specifications', bad), 400,
                  'validation.assert.invalid_specifications')
    assert error['message'] == f'Errors occured with the provided specifications:\nIn "{index}.{collection}.price": unknown type "nope".'
    assert ok(kuzzle.api('POST', f'/{index}/{collection}/_validateSpecifications', bad)) == {
        'valid': False, 'description': 'Some errors with provided specifications.',
        'details': [f'In "{index}.{collection}.price": unknown type "nope".']}
    assert ok(kuzzle.api('POST', f'/{index}/{collection}/_validateSpecifications', SPEC)) == {'valid': True}
    unexpected = ok(kuzzle.api('POST', f'/{index}/{collection}/_validateSpecifications', {'foo': 1}))
    assert unexpected['valid'] is False and 'allowed: strict, fields, validators' in unexpected['details'][0]


def test_specifications_of_a_missing_collection_are_accepted(kuzzle):
    index, collection = kuzzle.uid('idx'), kuzzle.uid('coll')
    assert ok(kuzzle.api('PUT', f'/{index}/{collection}/_specifications', SPEC)) == SPEC
    assert ok(kuzzle.api('GET', f'/{index}/_exists')) is False  # nothing else is created
    assert ok(kuzzle.api('GET', f'/{index}/{collection}/_specifications'))['validation'] == SPEC
    ok(kuzzle.api('DELETE', f'/{index}/{collection}/_specifications'))


def test_search_lists_every_collection_in_one_read(kuzzle):
    first, second = new_collection(kuzzle), new_collection(kuzzle)
    for index, collection in (first, second):
        ok(kuzzle.api('PUT', f'/{index}/{collection}/_specifications', SPEC))
    found = ok(kuzzle.api('POST', '/validations/_search', {'query': {'terms': {'index': [first[0], second[0]]}}},
                          query={'size': 100}))
    assert found['total'] == 2
    hits = {h['_id']: h['_source'] for h in found['hits']}
    assert set(hits) == {f'{first[0]}#{first[1]}', f'{second[0]}#{second[1]}'}
    assert all(h['validation'] == SPEC for h in hits.values())
