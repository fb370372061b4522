"""Mappings: what Elasticsearch 7.17 stores, shows and refuses (es_mapping.py).

Each expectation is Elasticsearch's own behaviour (ObjectMapper, ParametrizedFieldMapper and
MapperService of 7.17): the contract tests rely on the stand-in answering Kuzzle like it.
"""

INDEX = '/%25kuzzle.things'


def mapping(es):
    return es('GET', f'{INDEX}/_mapping')[1]['%kuzzle.things']['mappings']


def put(es, body):
    return es('PUT', f'{INDEX}/_mapping', body)


def error(answer):
    status, body = answer
    return status, body['error']['type'], body['error']['reason']


def test_stored_form_leaves_defaults_out(es):
    es.index(mappings={
        'dynamic': False,
        'properties': {
            'name': {'type': 'text', 'index': True, 'norms': True, 'fields': {'raw': {'type': 'keyword', 'ignore_above': '64'}}},
            'age': {'type': 'integer', 'doc_values': True, 'coerce': 'false'},
            'address': {'type': 'object', 'properties': {'city': {'type': 'keyword', 'copy_to': 'all'}}},
            'empty': {'type': 'object'},
            'extra': {'properties': {}},
            'lines': {'type': 'nested', 'include_in_parent': False, 'properties': {'n': {'type': 'long'}}},
            'geo.point': {'type': 'geo_point'},
            'off': {'enabled': False},
        }})
    assert mapping(es) == {
        'dynamic': 'false',  # a boolean is shown as a string
        'properties': {
            'name': {'type': 'text', 'fields': {'raw': {'type': 'keyword', 'ignore_above': 64}}},
            'age': {'type': 'integer', 'coerce': False},
            'address': {'properties': {'city': {'type': 'keyword', 'copy_to': ['all']}}},  # no type: object
            'empty': {'type': 'object'},  # only an object without properties shows its type
            'extra': {'type': 'object'},
            'lines': {'type': 'nested', 'properties': {'n': {'type': 'long'}}},
            'geo': {'properties': {'point': {'type': 'geo_point'}}},  # dotted names are objects
            'off': {'type': 'object', 'enabled': False},
        }}


def test_an_update_adds_fields_and_keeps_the_others(es):
    es.index(mappings={'dynamic': 'strict', '_meta': {'v': 1}, 'properties': {
        'a': {'type': 'keyword'}, 'o': {'properties': {'x': {'type': 'long'}}}}})
    assert put(es, {'properties': {'b': {'type': 'date'}, 'o': {'properties': {'y': {'type': 'boolean'}}}}}) == (
        200, {'acknowledged': True})
    assert mapping(es) == {'dynamic': 'strict', '_meta': {'v': 1}, 'properties': {
        'a': {'type': 'keyword'}, 'b': {'type': 'date'},
        'o': {'properties': {'x': {'type': 'long'}, 'y': {'type': 'boolean'}}}}}
    # dynamic and _meta change when given, and _meta is replaced, not merged
    assert put(es, {'dynamic': 'true', '_meta': {'w': 2}})[0] == 200
    stored = mapping(es)
    assert (stored['dynamic'], stored['_meta'], sorted(stored['properties'])) == ('true', {'w': 2}, ['a', 'b', 'o'])
    # an object's own dynamic too; alone it does not say the field is an object
    assert error(put(es, {'properties': {'o': {'dynamic': False}}})) == (
        400, 'mapper_parsing_exception', 'No type specified for field [o]')
    assert put(es, {'properties': {'o': {'type': 'object', 'dynamic': False}}})[0] == 200
    assert mapping(es)['properties']['o'] == {'dynamic': 'false', 'properties': {'x': {'type': 'long'}, 'y': {'type': 'boolean'}}}


def test_a_retype_is_refused_and_nothing_is_applied(es):
    es.index(mappings={'properties': {'price': {'type': 'keyword'}}})
    before = len(es.writes())
    answer = put(es, {'properties': {'new': {'type': 'long'}, 'price': {'type': 'float'}}})
    assert answer[1] == {
        'error': {'root_cause': [{'type': 'illegal_argument_exception',
                                  'reason': 'mapper [price] cannot be changed from type [keyword] to [float]'}],
                  'type': 'illegal_argument_exception',
                  'reason': 'mapper [price] cannot be changed from type [keyword] to [float]'},
        'status': 400}
    assert answer[0] == 400
    assert mapping(es) == {'properties': {'price': {'type': 'keyword'}}}  # not even the new field
    assert [(w['method'], w['result']) for w in es.writes()[before:]] == [('put_mapping', 'refused')]


def test_type_changes_between_objects_and_fields(es):
    es.index(mappings={'properties': {'o': {'properties': {'x': {'type': 'long'}}}, 'leaf': {'type': 'keyword'},
                                      'n': {'type': 'nested'}, 'deep': {'properties': {'v': {'type': 'long'}}}}})
    assert error(put(es, {'properties': {'o': {'type': 'keyword'}}})) == (
        400, 'illegal_argument_exception', "can't merge a non object mapping [o] with an object mapping")
    assert error(put(es, {'properties': {'leaf': {'properties': {'x': {'type': 'long'}}}}})) == (
        400, 'illegal_argument_exception', "can't merge a non object mapping [leaf] with an object mapping")
    assert error(put(es, {'properties': {'o': {'type': 'nested'}}})) == (
        400, 'illegal_argument_exception', "can't merge a nested mapping [o] with a non-nested mapping")
    assert error(put(es, {'properties': {'n': {'type': 'object'}}})) == (
        400, 'illegal_argument_exception', "can't merge a non nested mapping [n] with a nested mapping")
    # nested paths name the field by its full path
    assert error(put(es, {'properties': {'deep': {'properties': {'v': {'type': 'text'}}}}})) == (
        400, 'illegal_argument_exception', 'mapper [deep.v] cannot be changed from type [long] to [text]')


def test_parameters_of_a_field(es):
    es.index(mappings={'properties': {'k': {'type': 'keyword', 'ignore_above': 256, 'index': False}}})
    # Every parameter takes the update's value or its default: index cannot change...
    assert error(put(es, {'properties': {'k': {'type': 'keyword', 'ignore_above': 256}}})) == (
        400, 'illegal_argument_exception',
        'Mapper for [k] conflicts with existing mapper:\n\tCannot update parameter [index] from [false] to [true]')
    assert error(put(es, {'properties': {'k': {'type': 'keyword', 'index': False, 'store': True, 'doc_values': False}}})) == (
        400, 'illegal_argument_exception',
        'Mapper for [k] conflicts with existing mapper:\n\tCannot update parameter [doc_values] from [true] to [false]'
        '\n\tCannot update parameter [store] from [false] to [true]')
    # ... while an updateable one left out goes back to its default
    assert put(es, {'properties': {'k': {'type': 'keyword', 'index': False}}})[0] == 200
    assert mapping(es)['properties']['k'] == {'type': 'keyword', 'index': False}
    assert put(es, {'properties': {'k': {'type': 'keyword', 'index': False, 'ignore_above': 10, 'meta': {'u': 'm'}}}})[0] == 200
    assert mapping(es)['properties']['k'] == {'type': 'keyword', 'index': False, 'ignore_above': 10, 'meta': {'u': 'm'}}


def test_norms_can_only_be_turned_off(es):
    es.index(mappings={'properties': {'t': {'type': 'text'}}})
    assert put(es, {'properties': {'t': {'type': 'text', 'norms': False}}})[0] == 200
    assert error(put(es, {'properties': {'t': {'type': 'text', 'norms': True}}})) == (
        400, 'illegal_argument_exception',
        'Mapper for [t] conflicts with existing mapper:\n\tCannot update parameter [norms] from [false] to [true]')


def test_multi_fields_merge_and_keep_their_type(es):
    es.index(mappings={'properties': {'name': {'type': 'text', 'fields': {'raw': {'type': 'keyword'}}}}})
    assert put(es, {'properties': {'name': {'type': 'text', 'fields': {'en': {'type': 'text', 'analyzer': 'english'}}}}})[0] == 200
    assert mapping(es)['properties']['name'] == {
        'type': 'text', 'fields': {'raw': {'type': 'keyword'}, 'en': {'type': 'text', 'analyzer': 'english'}}}
    assert error(put(es, {'properties': {'name': {'type': 'text', 'fields': {'raw': {'type': 'long'}}}}})) == (
        400, 'illegal_argument_exception', 'mapper [name.raw] cannot be changed from type [keyword] to [long]')
    # copy_to is replaced by the update's, and removed when it has none
    assert put(es, {'properties': {'name': {'type': 'text', 'copy_to': ['all']}}})[0] == 200
    assert mapping(es)['properties']['name']['copy_to'] == ['all']
    assert put(es, {'properties': {'name': {'type': 'text'}}})[0] == 200
    assert 'copy_to' not in mapping(es)['properties']['name']


def test_object_parameters_that_cannot_change(es):
    es.index(mappings={'properties': {'o': {'type': 'object', 'enabled': False},
                                      'n': {'type': 'nested', 'include_in_parent': True}}})
    status, body = put(es, {'properties': {'o': {'type': 'object', 'enabled': True}}})
    assert (status, body['error']['type'], body['error']['reason']) == (
        500, 'mapper_exception', "the [enabled] parameter can't be updated for the object mapping [o]")
    assert put(es, {'properties': {'o': {'type': 'object'}}})[0] == 200  # not given: unchanged
    assert error(put(es, {'properties': {'n': {'type': 'nested'}}})) == (
        500, 'mapper_exception', "the [include_in_parent] parameter can't be updated on a nested object mapping")


def test_parsing_errors(es):
    status, body = es('PUT', INDEX, {'mappings': {'properties': {'x': {'type': 'strin'}}}})
    # index creation wraps the parsing error; the root cause is the plain one
    assert status == 400 and body['error']['type'] == 'mapper_parsing_exception'
    assert body['error']['reason'] == 'Failed to parse mapping [_doc]: No handler for type [strin] declared on field [x]'
    assert body['error']['root_cause'][0]['reason'] == 'No handler for type [strin] declared on field [x]'
    assert es('HEAD', INDEX)[0] == 404
    es.index()
    assert error(put(es, {'properties': {'x': {'type': 'strin'}}})) == (
        400, 'mapper_parsing_exception', 'No handler for type [strin] declared on field [x]')
    assert error(put(es, {'properties': {'x': {'index': True}}})) == (
        400, 'mapper_parsing_exception', 'No type specified for field [x]')
    assert error(put(es, {'properties': {'x': 'keyword'}})) == (
        400, 'mapper_parsing_exception',
        'Expected map for property [fields] on field [x] but got a class java.lang.String')
    assert error(put(es, {'properties': {'o': {'properties': {}, 'analyzer': 'x'}}})) == (
        400, 'mapper_parsing_exception', 'Mapping definition for [o] has unsupported parameters:  [analyzer : x]')
    assert error(put(es, {'properties': {'t': {'type': 'text', 'fields': {'sub': {'properties': {}}}}}})) == (
        400, 'mapper_parsing_exception', 'Type [object] cannot be used in multi field')


def test_what_the_stand_in_does_not_model_is_refused_loudly(es):
    es.index()
    for body in ({'properties': {'s': {'type': 'geo_shape'}}},
                 {'properties': {'k': {'type': 'keyword', 'script': 'x'}}},
                 {'_source': {'enabled': False}}):
        status, answer = put(es, body)
        assert status == 400 and 'not supported by the Elasticsearch stand-in' in answer['error']['reason'], body
    assert mapping(es) == {}
