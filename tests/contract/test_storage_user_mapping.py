"""The users' content mapping: security:getUserMapping / updateUserMapping.

The users collection is shared by the whole session: fields added here are unique and are
never retyped; its ``dynamic`` is put back to "false" before each test ends.
"""

from contract_helpers import ok
from storage_helpers import es_refusal

KUZZLE_INFO = {'properties': {'author': {'type': 'keyword'}, 'createdAt': {'type': 'date'},
                              'updater': {'type': 'keyword'}, 'updatedAt': {'type': 'date'}}}


def test_get_user_mapping_shape(kuzzle):
    got = ok(kuzzle.api('GET', '/users/_mapping'))
    assert set(got) == {'mapping'}  # the properties only: no dynamic, no _meta, no _kuzzle_info
    assert got['mapping']['profileIds'] == {'type': 'keyword'}
    assert '_kuzzle_info' not in got['mapping']


def test_update_merges_and_answers_the_whole_mapping(kuzzle):
    email, name = kuzzle.uid('email').replace('-', '_'), kuzzle.uid('name').replace('-', '_')
    result = ok(kuzzle.api('PUT', '/users/_mapping', {'properties': {
        email: {'type': 'keyword'}, name: {'type': 'text', 'fields': {'raw': {'type': 'keyword'}}}}}))
    assert set(result) == {'dynamic', 'properties'}  # and _meta when the collection has one
    assert result['dynamic'] == 'false'
    assert result['properties']['_kuzzle_info'] == KUZZLE_INFO
    assert result['properties']['profileIds'] == {'type': 'keyword'}
    assert result['properties'][email] == {'type': 'keyword'}
    stored = ok(kuzzle.api('GET', '/users/_mapping'))['mapping']
    assert stored[email] == {'type': 'keyword'} and stored[name] == {'type': 'text', 'fields': {'raw': {'type': 'keyword'}}}
    assert stored['profileIds'] == {'type': 'keyword'}  # the fields not given stay


def test_a_retype_is_refused(kuzzle):
    es_refusal(kuzzle.api('PUT', '/users/_mapping', {'properties': {'profileIds': {'type': 'text'}}}),
               'mapper [profileIds] cannot be changed from type [keyword] to [text]')
    assert ok(kuzzle.api('GET', '/users/_mapping'))['mapping']['profileIds'] == {'type': 'keyword'}


def test_dynamic_can_be_changed_and_is_seen_only_in_the_update_answer(kuzzle):
    try:
        result = ok(kuzzle.api('PUT', '/users/_mapping', {'dynamic': 'strict'}))
        assert result['dynamic'] == 'strict'
        assert set(ok(kuzzle.api('GET', '/users/_mapping'))) == {'mapping'}
    finally:
        assert ok(kuzzle.api('PUT', '/users/_mapping', {'dynamic': 'false'}))['dynamic'] == 'false'
