"""Collection settings: collection:getSettings, and settings through collection:create / update.

There is no collection:updateSettings action: settings go through collection:create (new
collection) or collection:update / collection:create (existing one). Kuzzle applies them by
closing the collection's Elasticsearch index, updating it and reopening it (see
test_storage_writes.py), so final settings are the only ones that cannot change.
"""

from contract_helpers import ok
from storage_helpers import es_refusal, mapping, new_collection, settings


def test_get_settings_shape(kuzzle):
    index, collection = new_collection(kuzzle, {'settings': {'number_of_shards': 1, 'refresh_interval': '2s'}})
    got = settings(kuzzle, index, collection)
    # the index part of Elasticsearch's settings, every value a string
    assert {k: got[k] for k in ('number_of_shards', 'number_of_replicas', 'refresh_interval')} == {
        'number_of_shards': '1', 'number_of_replicas': '1', 'refresh_interval': '2s'}
    assert got['provided_name'] == f'&{index}.{collection}'
    assert {'uuid', 'creation_date', 'version'} <= set(got)


def test_zero_replicas_at_creation_become_one(kuzzle):
    # Kuzzle fills a falsy number_of_replicas with its default (1) when it creates a collection
    index, collection = new_collection(kuzzle, {'settings': {'number_of_replicas': 0}})
    assert settings(kuzzle, index, collection)['number_of_replicas'] == '1'
    # on an existing collection 0 goes through
    ok(kuzzle.api('POST', f'/{index}/{collection}', {'settings': {'number_of_replicas': 0}}))
    assert settings(kuzzle, index, collection)['number_of_replicas'] == '0'


def test_settings_of_an_existing_collection(kuzzle):
    index, collection = new_collection(kuzzle)
    analysis = {'analyzer': {'folded': {'type': 'custom', 'tokenizer': 'standard', 'filter': ['lowercase', 'asciifolding']}}}
    # static settings such as analysis change too (Kuzzle closes the index around the update)
    assert ok(kuzzle.api('POST', f'/{index}/{collection}', {'settings': {'number_of_replicas': 2, 'analysis': analysis}})) is None
    got = settings(kuzzle, index, collection)
    assert (got['number_of_replicas'], got['analysis']) == ('2', analysis)
    # and collection:create on the existing collection does the same
    assert ok(kuzzle.api('PUT', f'/{index}/{collection}', {'settings': {'index': {'refresh_interval': '5s'}}})) == {
        'acknowledged': True}
    assert settings(kuzzle, index, collection)['refresh_interval'] == '5s'
    # the analyser can then be used in a mapping
    ok(kuzzle.api('POST', f'/{index}/{collection}', {'mappings': {'properties': {'t': {'type': 'text', 'analyzer': 'folded'}}}}))
    assert mapping(kuzzle, index, collection)['properties']['t'] == {'type': 'text', 'analyzer': 'folded'}


def test_number_of_shards_cannot_change(kuzzle):
    index, collection = new_collection(kuzzle)
    for value in (2, 1):  # even to its own value
        es_refusal(kuzzle.api('POST', f'/{index}/{collection}', {'settings': {'number_of_shards': value}}),
                   'final index setting [index.number_of_shards], not updateable')
    assert settings(kuzzle, index, collection)['number_of_shards'] == '1'


def test_settings_and_a_refused_mapping_in_one_call_are_half_applied(kuzzle):
    # Kuzzle applies the settings first, then the mapping; when the mapping is refused it tries to
    # put the previous settings back, number_of_shards included, which Elasticsearch refuses: the
    # answer is that second error, and the new settings stay.
    index, collection = new_collection(kuzzle, {'mappings': {'properties': {'price': {'type': 'float'}}}})
    es_refusal(kuzzle.api('POST', f'/{index}/{collection}', {
        'settings': {'number_of_replicas': 3}, 'mappings': {'properties': {'price': {'type': 'keyword'}}}}),
        'final index setting [index.number_of_shards], not updateable')
    assert settings(kuzzle, index, collection)['number_of_replicas'] == '3'
    assert mapping(kuzzle, index, collection)['properties'] == {'price': {'type': 'float'}}
