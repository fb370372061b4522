"""admin:loadMappings: the body shape kuzzle_storage accepts, and what Kuzzle does with it.

Body: ``{index: {collection: <mapping>}}``, the mapping being what collection:create takes
under ``mappings`` (``dynamic``, ``_meta``, ``properties``, ``dynamic_templates``); no settings.
For each collection Kuzzle creates the index when missing, then creates the collection or
updates its mapping; it stops at the first failure.
"""

from contract_helpers import fails, ok
from storage_helpers import mapping, new_collection


def test_creates_indexes_and_collections(kuzzle):
    first, second = kuzzle.uid('idx'), kuzzle.uid('idx')
    body = {first: {'orders': {'dynamic': 'strict', 'properties': {'ref': {'type': 'keyword'}}},
                    'carts': {}},
            second: {'logs': {'_meta': {'v': 1}}}}
    assert ok(kuzzle.api('POST', '/admin/_loadMappings', body)) == {'acknowledge': True}  # sic: not acknowledged
    assert ok(kuzzle.api('GET', f'/{first}/_list'))['collections'] == [
        {'name': 'carts', 'type': 'stored'}, {'name': 'orders', 'type': 'stored'}]
    assert mapping(kuzzle, first, 'orders') == {'dynamic': 'strict', 'properties': {'ref': {'type': 'keyword'}}}
    assert mapping(kuzzle, first, 'carts') == {'dynamic': 'false', 'properties': {}}
    assert mapping(kuzzle, second, 'logs') == {'_meta': {'v': 1}, 'dynamic': 'false', 'properties': {}}


def test_an_index_without_collections_is_not_created(kuzzle):
    index = kuzzle.uid('idx')
    ok(kuzzle.api('POST', '/admin/_loadMappings', {index: {}}))
    assert ok(kuzzle.api('GET', f'/{index}/_exists')) is False


def test_existing_collections_are_merged(kuzzle):
    index, collection = new_collection(kuzzle, {'mappings': {'properties': {'a': {'type': 'keyword'}}}})
    ok(kuzzle.api('POST', '/admin/_loadMappings', {index: {collection: {'properties': {'b': {'type': 'long'}}}}}))
    assert mapping(kuzzle, index, collection)['properties'] == {'a': {'type': 'keyword'}, 'b': {'type': 'long'}}


def test_the_mappings_and_settings_shape_is_refused(kuzzle):
    # the backend's app.import.mappings shape ({mappings, settings} per collection) is not this one
    index = kuzzle.uid('idx')
    error = fails(kuzzle.api('POST', '/admin/_loadMappings', {index: {'c': {'mappings': {'properties': {}}}}}),
                  400, 'services.storage.invalid_mapping')
    assert error['message'] == 'Invalid mapping property "mappings.mappings".'


def test_stops_at_the_first_failure(kuzzle):
    index = kuzzle.uid('idx')
    body = {index: {'c1': {'properties': {'x': {'type': 'keyword'}}},
                    'c2': {'properties': {'x': {'type': 'nope'}}},
                    'c3': {}}}
    error = fails(kuzzle.api('POST', '/admin/_loadMappings', body), 400, 'services.storage.unexpected_bad_request')
    assert error['message'] == 'No handler for type [nope] declared on field [x]'  # which collection: not said
    assert ok(kuzzle.api('GET', f'/{index}/_list'))['collections'] == [{'name': 'c1', 'type': 'stored'}]


def test_a_retype_stops_it_too(kuzzle):
    index, collection = new_collection(kuzzle, {'mappings': {'properties': {'a': {'type': 'keyword'}}}})
    error = fails(kuzzle.api('POST', '/admin/_loadMappings', {index: {collection: {'properties': {'a': {'type': 'long'}}}}}),
                  400, 'services.storage.unexpected_bad_request')
    assert error['message'] == 'mapper [a] cannot be changed from type [keyword] to [long]'
