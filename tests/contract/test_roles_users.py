"""Roles and users: shapes and the write semantics the collection relies on (kuzzle-api.md 4.2, 4.3)."""

from contract_helpers import create_profile, create_role, create_user, fails, ok, profile_body


def test_role_shape(kuzzle):
    controllers = {'document': {'actions': {'get': True, 'search': False}}}
    role = kuzzle.uid('role')
    result = ok(kuzzle.api('PUT', f'/roles/{role}', {'controllers': controllers}))
    assert set(result) == {'_id', '_source'} and result['_id'] == role
    stored = ok(kuzzle.api('GET', f'/roles/{role}'))
    assert set(stored['_source']) == {'controllers', '_kuzzle_info'}
    assert stored['_source']['controllers'] == controllers


def test_update_role_replaces_the_whole_role(kuzzle):
    role = create_role(kuzzle, controllers={'document': {'actions': {'get': True}}})
    result = ok(kuzzle.api('PUT', f'/roles/{role}/_update', {'controllers': {'auth': {'actions': {'login': True}}}}))
    assert result['_source']['controllers'] == {'auth': {'actions': {'login': True}}}
    assert ok(kuzzle.api('GET', f'/roles/{role}'))['_source']['controllers'] == {'auth': {'actions': {'login': True}}}


def test_update_missing_role_is_a_storage_404(kuzzle):
    fails(kuzzle.api('PUT', f'/roles/{kuzzle.uid("missing")}/_update', {'controllers': {'auth': {'actions': {'login': True}}}}),
          404, 'services.storage.not_found')


def test_role_errors(kuzzle):
    role = create_role(kuzzle)
    fails(kuzzle.api('POST', f'/roles/{role}/_create', {'controllers': {'auth': {'actions': {'login': True}}}}), 400,
          'services.storage.document_already_exists')
    fails(kuzzle.api('GET', f'/roles/{kuzzle.uid("missing")}'), 404, 'security.role.not_found')
    fails(kuzzle.api('PUT', f'/roles/{kuzzle.uid("bad")}', {'controllers': {'document': {'actions': {'nope': True}}}}), 400,
          'security.role.unknown_action')
    fails(kuzzle.api('PUT', f'/roles/{kuzzle.uid("bad")}', {'controllers': {'nope': {'actions': {'a': True}}}}), 400,
          'security.role.unknown_controller')
    create_profile(kuzzle, body=profile_body(role))
    fails(kuzzle.api('DELETE', f'/roles/{role}'), 412, 'security.role.in_use')
    fails(kuzzle.api('DELETE', '/roles/admin'), 400, 'security.role.cannot_delete')


def test_mget_roles_fails_as_a_whole(kuzzle):
    role, missing = create_role(kuzzle), kuzzle.uid('missing')
    hits = ok(kuzzle.api('POST', '/roles/_mGet', {'ids': [role, 'default']}))['hits']
    assert sorted(h['_id'] for h in hits) == sorted([role, 'default'])
    error = fails(kuzzle.api('POST', '/roles/_mGet', {'ids': [role, missing]}), 404, 'security.role.not_found')
    assert error['props'] == [missing]


def test_create_user_shape(kuzzle):
    user = kuzzle.uid('user')
    result = ok(kuzzle.api('POST', f'/users/{user}/_create', {
        'content': {'profileIds': ['default'], 'fullname': 'Ada'},
        'credentials': {'local': {'username': user, 'password': 'pw-1'}}}))
    assert result['_id'] == user
    assert {k: v for k, v in result['_source'].items() if k != '_kuzzle_info'} == {'profileIds': ['default'], 'fullname': 'Ada'}
    assert set(result['_source']['_kuzzle_info']) == {'createdAt', 'updatedAt', 'updater'}
    assert ok(kuzzle.api('GET', f'/credentials/local/{user}/_exists')) is True


def test_user_errors(kuzzle):
    user = create_user(kuzzle)
    fails(kuzzle.api('POST', f'/users/{user}/_create', {'content': {'profileIds': ['default']}}), 412,
          'security.user.already_exists')
    fails(kuzzle.api('POST', f'/users/{kuzzle.uid("user")}/_create', {'content': {'profileIds': [kuzzle.uid('none')]}}),
          404, 'security.profile.not_found')
    fails(kuzzle.api('GET', f'/users/{kuzzle.uid("missing")}'), 404, 'security.user.not_found')


def test_update_user_is_flat_and_merges(kuzzle):
    profile = create_profile(kuzzle)
    user = create_user(kuzzle, fullname='Ada', team='a')
    result = ok(kuzzle.api('PUT', f'/users/{user}/_update', {'fullname': 'Grace', 'profileIds': [profile]}))
    source = result['_source']
    assert (source['fullname'], source['team'], source['profileIds']) == ('Grace', 'a', [profile])
    assert ok(kuzzle.api('GET', f'/users/{user}'))['_source']['profileIds'] == [profile]


def test_mget_users_skips_missing(kuzzle):
    user = create_user(kuzzle)
    hits = ok(kuzzle.api('POST', '/users/_mGet', {'ids': [user, kuzzle.uid('missing')]}))['hits']
    assert [h['_id'] for h in hits] == [user]


def test_force_lets_only_plugin_controllers_through(kuzzle):
    """With force, Kuzzle takes an unknown action of a plugin's controller but never of a native one: exactly the
    controllers of the collection's NATIVE_CONTROLLERS (plugins/module_utils/_role.py) among those Kuzzle lists."""
    from ansible_collections.community.kuzzle.plugins.module_utils._role import NATIVE_CONTROLLERS

    listed = ok(kuzzle.api('GET', '/_publicApi'))
    refused = set()
    for controller in listed:
        status, body = kuzzle.api('PUT', f'/roles/{kuzzle.uid("force")}', {'controllers': {controller: {'actions': {'noSuchAction': True}}}},
                                  query={'force': None})
        if status != 200:
            assert (status, body['error']['id']) == (400, 'security.role.unknown_action'), body
            refused.add(controller)
    assert refused == NATIVE_CONTROLLERS & set(listed)
    assert set(listed) - NATIVE_CONTROLLERS, 'no plugin controller to tell native ones apart'
