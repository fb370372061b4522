"""Collections and their mappings: collection:create / update / getMapping / exists / list / delete.

What kuzzle_collection and kuzzle_storage rely on: getMapping's shape and Kuzzle meta, what
collection:create does to an existing collection (an Elasticsearch mapping update, not a
replacement), and how a retyped field is refused.
"""

from contract_helpers import fails, ok
from storage_helpers import es_refusal, mapping, new_collection, new_index

KUZZLE_META = {'properties': {'author': {'type': 'keyword'}, 'createdAt': {'type': 'date'},
                              'updater': {'type': 'keyword'}, 'updatedAt': {'type': 'date'}}}


def test_get_mapping_shape(kuzzle):
    index, collection = new_collection(kuzzle, {'mappings': {
        'dynamic': 'strict', '_meta': {'owner': 'shop'},
        'properties': {'name': {'type': 'text', 'fields': {'raw': {'type': 'keyword'}}}, 'price': {'type': 'float'}}}})
    expected = {'dynamic': 'strict', '_meta': {'owner': 'shop'},
                'properties': {'name': {'type': 'text', 'fields': {'raw': {'type': 'keyword'}}}, 'price': {'type': 'float'}}}
    assert mapping(kuzzle, index, collection) == expected
    # includeKuzzleMeta adds the one field Kuzzle adds to every collection
    with_meta = mapping(kuzzle, index, collection, kuzzle_meta=True)
    assert with_meta['properties'] == dict(expected['properties'], _kuzzle_info=KUZZLE_META)


def test_defaults_of_a_collection_created_without_mappings(kuzzle):
    index, collection = new_collection(kuzzle)
    # Kuzzle's commonMapping: dynamic "false"; no _meta key at all when none was given
    assert mapping(kuzzle, index, collection) == {'dynamic': 'false', 'properties': {}}
    assert mapping(kuzzle, index, collection, kuzzle_meta=True)['properties'] == {'_kuzzle_info': KUZZLE_META}


def test_get_mapping_answers_elasticsearch_stored_form(kuzzle):
    index, collection = new_collection(kuzzle, {'mappings': {'dynamic': True, 'properties': {
        'address': {'type': 'object', 'properties': {'city': {'type': 'keyword', 'index': True}}},
        'flags': {'type': 'object'},
        'count': {'type': 'integer', 'doc_values': True, 'coerce': False}}}})
    assert mapping(kuzzle, index, collection) == {'dynamic': 'true', 'properties': {
        'address': {'properties': {'city': {'type': 'keyword'}}},  # type object and defaults left out
        'flags': {'type': 'object'},
        'count': {'type': 'integer', 'coerce': False}}}


def test_collection_create_creates_a_missing_index(kuzzle):
    index = kuzzle.uid('idx')
    assert ok(kuzzle.api('PUT', f'/{index}/things', {})) == {'acknowledged': True}
    assert ok(kuzzle.api('GET', f'/{index}/_exists')) is True
    assert ok(kuzzle.api('GET', f'/{index}/things/_exists')) is True
    assert ok(kuzzle.api('GET', f'/{index}/_list')) == {'collections': [{'name': 'things', 'type': 'stored'}], 'type': 'all'}


def test_create_on_an_existing_collection_merges_like_elasticsearch(kuzzle):
    index, collection = new_collection(kuzzle, {'mappings': {
        'dynamic': 'strict', '_meta': {'a': 1, 'b': 2},
        'properties': {'kept': {'type': 'keyword'}, 'obj': {'properties': {'x': {'type': 'long'}}}}}})
    assert ok(kuzzle.api('PUT', f'/{index}/{collection}', {'mappings': {'properties': {
        'added': {'type': 'date'}, 'obj': {'properties': {'y': {'type': 'boolean'}}}}}})) == {'acknowledged': True}
    assert mapping(kuzzle, index, collection) == {'dynamic': 'strict', '_meta': {'a': 1, 'b': 2}, 'properties': {
        'kept': {'type': 'keyword'}, 'added': {'type': 'date'},
        'obj': {'properties': {'x': {'type': 'long'}, 'y': {'type': 'boolean'}}}}}
    # dynamic and _meta change when given; _meta is replaced whole
    ok(kuzzle.api('PUT', f'/{index}/{collection}', {'mappings': {'dynamic': 'false', '_meta': {'c': 3}}}))
    stored = mapping(kuzzle, index, collection)
    assert (stored['dynamic'], stored['_meta'], sorted(stored['properties'])) == ('false', {'c': 3}, ['added', 'kept', 'obj'])


def test_update_is_the_same_merge_and_answers_null(kuzzle):
    index, collection = new_collection(kuzzle, {'mappings': {'properties': {'a': {'type': 'keyword'}}}})
    assert ok(kuzzle.api('POST', f'/{index}/{collection}', {'mappings': {'properties': {'b': {'type': 'long'}}}})) is None
    assert mapping(kuzzle, index, collection)['properties'] == {'a': {'type': 'keyword'}, 'b': {'type': 'long'}}
    missing = kuzzle.uid('coll')
    error = fails(kuzzle.api('POST', f'/{index}/{missing}', {'mappings': {}}), 412, 'services.storage.unknown_collection')
    assert error['props'] == [index, missing]


def test_a_retype_is_refused_and_changes_nothing(kuzzle):
    index, collection = new_collection(kuzzle, {'mappings': {'properties': {
        'price': {'type': 'float'}, 'name': {'type': 'text', 'fields': {'raw': {'type': 'keyword'}}},
        'obj': {'properties': {'n': {'type': 'long'}}}}}})
    before = mapping(kuzzle, index, collection)
    for route in ('PUT', 'POST'):  # collection:create on an existing collection, collection:update
        es_refusal(kuzzle.api(route, f'/{index}/{collection}', {'mappings': {'properties': {
            'new': {'type': 'keyword'}, 'price': {'type': 'keyword'}}}}),
            'mapper [price] cannot be changed from type [float] to [keyword]')
    es_refusal(kuzzle.api('POST', f'/{index}/{collection}', {'mappings': {'properties': {
        'name': {'type': 'text', 'fields': {'raw': {'type': 'long'}}}}}}),
        'mapper [name.raw] cannot be changed from type [keyword] to [long]')
    es_refusal(kuzzle.api('POST', f'/{index}/{collection}', {'mappings': {'properties': {
        'obj': {'properties': {'n': {'type': 'text'}}}}}}),
        'mapper [obj.n] cannot be changed from type [long] to [text]')
    es_refusal(kuzzle.api('POST', f'/{index}/{collection}', {'mappings': {'properties': {'obj': {'type': 'keyword'}}}}),
               "can't merge a non object mapping [obj] with an object mapping")
    assert mapping(kuzzle, index, collection) == before  # not even the new field


def test_a_parameter_that_cannot_change_is_refused(kuzzle):
    index, collection = new_collection(kuzzle, {'mappings': {'properties': {'k': {'type': 'keyword', 'index': False}}}})
    # a field given without a parameter it has means the default for it: here a change
    es_refusal(kuzzle.api('POST', f'/{index}/{collection}', {'mappings': {'properties': {'k': {'type': 'keyword'}}}}),
               'Mapper for [k] conflicts with existing mapper:\n\tCannot update parameter [index] from [false] to [true]')


def test_an_updateable_parameter_left_out_is_reset(kuzzle):
    index, collection = new_collection(kuzzle, {'mappings': {'properties': {
        'k': {'type': 'keyword', 'ignore_above': 256}, 'name': {'type': 'text', 'fields': {'raw': {'type': 'keyword'}}}}}})
    ok(kuzzle.api('POST', f'/{index}/{collection}', {'mappings': {'properties': {
        'k': {'type': 'keyword'}, 'name': {'type': 'text', 'fields': {'en': {'type': 'text', 'analyzer': 'english'}}}}}}))
    assert mapping(kuzzle, index, collection)['properties'] == {
        'k': {'type': 'keyword'},  # ignore_above is back to its default
        'name': {'type': 'text', 'fields': {'raw': {'type': 'keyword'}, 'en': {'type': 'text', 'analyzer': 'english'}}}}


def test_kuzzle_checks_before_elasticsearch(kuzzle):
    index, collection = new_collection(kuzzle)
    error = fails(kuzzle.api('POST', f'/{index}/{collection}', {'mappings': {'properties': {}, 'foo': 1}}),
                  400, 'services.storage.invalid_mapping')
    assert error['message'] == 'Invalid mapping property "mappings.foo".'
    error = fails(kuzzle.api('POST', f'/{index}/{collection}', {'mappings': {'dynamic': 'runtime'}}),
                  400, 'services.storage.invalid_mapping')
    assert error['props'][0] == 'dynamic'
    # a field object with "properties" may hold only properties, dynamic, _meta, dynamic_templates, type
    error = fails(kuzzle.api('POST', f'/{index}/{collection}', {'mappings': {'properties': {
        'o': {'properties': {}, 'enabled': False}}}}), 400, 'services.storage.invalid_mapping')
    assert error['message'] == 'Invalid mapping property "mappings.properties.o.enabled".'
    es_refusal(kuzzle.api('POST', f'/{index}/{collection}', {'mappings': {'properties': {'x': {'type': 'strin'}}}}),
               'No handler for type [strin] declared on field [x]')
    # a boolean dynamic is accepted and stored as a string
    ok(kuzzle.api('POST', f'/{index}/{collection}', {'mappings': {'dynamic': True}}))
    assert mapping(kuzzle, index, collection)['dynamic'] == 'true'


def test_exists_list_delete(kuzzle):
    index = new_index(kuzzle)
    _index, collection = new_collection(kuzzle, index=index)
    assert ok(kuzzle.api('GET', f'/{index}/{collection}/_exists')) is True
    assert ok(kuzzle.api('GET', f'/{index}/_list')) == {'collections': [{'name': collection, 'type': 'stored'}], 'type': 'all'}
    assert ok(kuzzle.api('DELETE', f'/{index}/{collection}')) is None
    assert ok(kuzzle.api('GET', f'/{index}/{collection}/_exists')) is False
    assert ok(kuzzle.api('GET', f'/{index}/_exists')) is True  # the index stays
    fails(kuzzle.api('DELETE', f'/{index}/{collection}'), 412, 'services.storage.unknown_collection')
    fails(kuzzle.api('GET', f'/{index}/{collection}/_mapping'), 412, 'services.storage.unknown_collection')
    assert ok(kuzzle.api('GET', f'/{kuzzle.uid("idx")}/{collection}/_exists')) is False


def test_reserved_and_invalid_collection_names(kuzzle):
    index = new_index(kuzzle)
    fails(kuzzle.api('PUT', f'/{index}/_kuzzle_keep', {}), 400, 'services.storage.collection_reserved')
    fails(kuzzle.api('PUT', f'/{index}/Upper', {}), 400, 'services.storage.invalid_collection_name')
