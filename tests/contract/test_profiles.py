"""Profiles: result shapes and write semantics (kuzzle-api.md sections 2.6, 3 and 6)."""

from contract_helpers import create_profile, create_role, create_user, fails, ok, profile_body


def test_get_profile_shape(kuzzle):
    role = create_role(kuzzle)
    profile = create_profile(kuzzle, body=profile_body(role, tags=['ops']))
    result = ok(kuzzle.api('GET', f'/profiles/{profile}'))
    assert set(result) == {'_id', '_source'}  # no _version, no created: the docs are stale
    source = result['_source']
    assert result['_id'] == profile
    assert set(source) == {'policies', 'optimizedPolicies', 'rateLimit', 'tags', '_kuzzle_info'}
    assert source['policies'] == [{'roleId': role}]
    assert source['optimizedPolicies'] == [{'roleId': role}]
    assert source['rateLimit'] == 0  # default when never set
    assert source['tags'] == ['ops']
    info = source['_kuzzle_info']
    assert set(info) == {'author', 'createdAt', 'updatedAt', 'updater'}
    assert isinstance(info['createdAt'], int) and info['updatedAt'] is None


def test_create_and_replace_return_the_same_shape(kuzzle):
    profile = kuzzle.uid('profile')
    created = ok(kuzzle.api('POST', f'/profiles/{profile}/_create', profile_body('default', rateLimit=5)))
    assert set(created) == {'_id', '_source'} and created['_source']['rateLimit'] == 5
    replaced = ok(kuzzle.api('PUT', f'/profiles/{profile}', profile_body('admin')))
    assert set(replaced) == {'_id', '_source'}
    assert replaced['_source']['policies'] == [{'roleId': 'admin'}]


def test_policies_are_returned_as_written(kuzzle):
    policies = [{'roleId': 'default', 'restrictedTo': [{'index': 'b', 'collections': ['z', 'a', 'a']}, {'index': 'a'}]},
                {'roleId': 'admin', 'restrictedTo': []}]
    profile = create_profile(kuzzle, body={'policies': policies})
    source = ok(kuzzle.api('GET', f'/profiles/{profile}'))['_source']
    assert source['policies'] == policies
    # optimizedPolicies holds restrictedTo as a JS Map, which serialises to {}.
    assert {p['roleId']: p.get('restrictedTo') for p in source['optimizedPolicies']} == {'default': {}, 'admin': {}}


def test_update_profile_is_a_shallow_merge(kuzzle):
    profile = create_profile(kuzzle, body=profile_body('default', rateLimit=42, tags=['t']))
    result = ok(kuzzle.api('PUT', f'/profiles/{profile}/_update', profile_body('admin')))
    assert result['_source']['policies'] == [{'roleId': 'admin'}]  # the array is replaced whole
    assert result['_source']['rateLimit'] == 42 and result['_source']['tags'] == ['t']  # other keys kept
    stored = ok(kuzzle.api('GET', f'/profiles/{profile}'))['_source']
    assert (stored['policies'], stored['rateLimit'], stored['tags']) == ([{'roleId': 'admin'}], 42, ['t'])
    assert isinstance(stored['_kuzzle_info']['updatedAt'], int)


def test_create_or_replace_is_a_full_replacement(kuzzle):
    profile = create_profile(kuzzle, body=profile_body('default', rateLimit=42, tags=['t']))
    ok(kuzzle.api('PUT', f'/profiles/{profile}', profile_body('admin')))
    stored = ok(kuzzle.api('GET', f'/profiles/{profile}'))['_source']
    assert stored['policies'] == [{'roleId': 'admin'}]
    assert stored['rateLimit'] == 0  # reset, not kept
    assert 'tags' not in stored


def test_create_or_replace_creates_a_missing_profile(kuzzle):
    profile = kuzzle.uid('profile')
    ok(kuzzle.api('PUT', f'/profiles/{profile}', profile_body('default', rateLimit=3)))
    assert ok(kuzzle.api('GET', f'/profiles/{profile}'))['_source']['rateLimit'] == 3


def test_empty_policies_become_the_default_role(kuzzle):
    profile = kuzzle.uid('profile')
    result = ok(kuzzle.api('POST', f'/profiles/{profile}/_create', {'policies': []}))
    assert result['_source']['policies'] == [{'roleId': 'default'}]
    replaced = create_profile(kuzzle, body=profile_body('admin'))
    ok(kuzzle.api('PUT', f'/profiles/{replaced}', {'policies': []}))
    for stored in (profile, replaced):
        assert ok(kuzzle.api('GET', f'/profiles/{stored}'))['_source']['policies'] == [{'roleId': 'default'}]


def test_missing_profile(kuzzle):
    missing = kuzzle.uid('missing')
    error = fails(kuzzle.api('GET', f'/profiles/{missing}'), 404, 'security.profile.not_found')
    assert error['code'] == 117833729 and error['props'] == [missing]
    fails(kuzzle.api('PUT', f'/profiles/{missing}/_update', profile_body('default')), 404, 'security.profile.not_found')
    fails(kuzzle.api('DELETE', f'/profiles/{missing}'), 404, 'security.profile.not_found')


def test_duplicate_create(kuzzle):
    profile = create_profile(kuzzle)
    error = fails(kuzzle.api('POST', f'/profiles/{profile}/_create', profile_body('admin')), 400,
                  'services.storage.document_already_exists')
    assert error['code'] == 16842769
    assert ok(kuzzle.api('GET', f'/profiles/{profile}'))['_source']['policies'] == [{'roleId': 'default'}]


def test_unknown_role_is_a_404_of_its_own(kuzzle):
    profile, role = kuzzle.uid('profile'), kuzzle.uid('no-role')
    error = fails(kuzzle.api('POST', f'/profiles/{profile}/_create', profile_body(role)), 404, 'security.role.not_found')
    assert error['message'] == f'Role "{role}" not found.'
    fails(kuzzle.api('GET', f'/profiles/{profile}'), 404, 'security.profile.not_found')  # nothing was created


def test_profile_in_use(kuzzle):
    profile = create_profile(kuzzle)
    user = create_user(kuzzle, profile_ids=[profile])
    error = fails(kuzzle.api('DELETE', f'/profiles/{profile}'), 412, 'security.profile.in_use')
    assert '%s' in error['message']  # Kuzzle passes no placeholder value
    ok(kuzzle.api('GET', f'/profiles/{profile}'))
    assert ok(kuzzle.api('GET', f'/users/{user}'))['_source']['profileIds'] == [profile]


def test_delete_on_assigned_users_remove(kuzzle):
    profile, other = create_profile(kuzzle), create_profile(kuzzle)
    only = create_user(kuzzle, profile_ids=[profile])
    both = create_user(kuzzle, profile_ids=[profile, other])
    assert ok(kuzzle.api('DELETE', f'/profiles/{profile}', query={'onAssignedUsers': 'remove'})) == {'_id': profile}
    fails(kuzzle.api('GET', f'/profiles/{profile}'), 404, 'security.profile.not_found')
    assert ok(kuzzle.api('GET', f'/users/{only}'))['_source']['profileIds'] == ['anonymous']
    assert ok(kuzzle.api('GET', f'/users/{both}'))['_source']['profileIds'] == [other]


def test_delete_profile(kuzzle):
    profile = create_profile(kuzzle)
    assert ok(kuzzle.api('DELETE', f'/profiles/{profile}')) == {'_id': profile}
    fails(kuzzle.api('GET', f'/profiles/{profile}'), 404, 'security.profile.not_found')


def test_reserved_profiles_cannot_be_deleted(kuzzle):
    for profile in ('admin', 'default', 'anonymous'):
        fails(kuzzle.api('DELETE', f'/profiles/{profile}'), 400, 'security.profile.cannot_delete')
        assert ok(kuzzle.api('GET', f'/profiles/{profile}'))['_id'] == profile


def test_mget_profiles_fails_as_a_whole(kuzzle):
    profile, missing = create_profile(kuzzle), kuzzle.uid('missing')
    hits = ok(kuzzle.api('POST', '/profiles/_mGet', {'ids': [profile, 'admin']}))['hits']
    assert sorted(h['_id'] for h in hits) == sorted([profile, 'admin'])
    assert all(set(h) == {'_id', '_source'} for h in hits)
    fails(kuzzle.api('POST', '/profiles/_mGet', {'ids': [profile, missing]}), 404, 'security.profile.not_found')


def test_search_profiles_by_role(kuzzle):
    role = create_role(kuzzle)
    with_role = create_profile(kuzzle, body={'policies': [{'roleId': 'default'}, {'roleId': role}]})
    create_profile(kuzzle)
    result = ok(kuzzle.api('POST', '/profiles/_search', {'query': {'terms': {'policies.roleId': [role]}}}))
    assert [h['_id'] for h in result['hits']] == [with_role] and result['total'] == 1
    assert set(result['hits'][0]) == {'_id', '_source'}


def test_search_profiles_scroll(kuzzle):
    role = create_role(kuzzle)
    profiles = {create_profile(kuzzle, body=profile_body(role)) for _count in range(3)}
    query = {'query': {'term': {'policies.roleId': role}}}
    first = ok(kuzzle.api('POST', '/profiles/_search', query, query={'scroll': '10s', 'size': 2}))
    assert first['total'] == 3 and len(first['hits']) == 2 and first['scrollId']
    second = ok(kuzzle.api('GET', f'/profiles/_scroll/{first["scrollId"]}'))
    assert {h['_id'] for h in first['hits'] + second['hits']} == profiles
