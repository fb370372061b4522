"""tags on roles and profiles: what Kuzzle 2.56 stores and returns (the semantics of plugins/module_utils/_tags.py)."""

from contract_helpers import create_role, ok, profile_body

CONTROLLERS = {'document': {'actions': {'get': True}}}


def test_tags_are_stored_as_given_order_and_duplicates_included(kuzzle):
    role = kuzzle.uid('role')
    stored = ok(kuzzle.api('PUT', f'/roles/{role}', {'controllers': CONTROLLERS, 'tags': ['b', 'a', 'a']}))
    assert stored['_source']['tags'] == ['b', 'a', 'a']
    assert ok(kuzzle.api('GET', f'/roles/{role}'))['_source']['tags'] == ['b', 'a', 'a']


def test_update_role_replaces_the_whole_role_tags_included(kuzzle):
    role = kuzzle.uid('role')
    ok(kuzzle.api('PUT', f'/roles/{role}', {'controllers': CONTROLLERS, 'tags': ['keep-me']}))
    ok(kuzzle.api('PUT', f'/roles/{role}/_update', {'controllers': CONTROLLERS}))
    assert 'tags' not in ok(kuzzle.api('GET', f'/roles/{role}'))['_source']  # so a role write sends the tags to keep


def test_update_profile_merges_omitted_tags_stay_and_empty_list_is_stored(kuzzle):
    role = create_role(kuzzle)
    profile = kuzzle.uid('profile')
    ok(kuzzle.api('POST', f'/profiles/{profile}/_create', profile_body(role, tags=['x'])))
    ok(kuzzle.api('PUT', f'/profiles/{profile}/_update', {'rateLimit': 3}))
    assert ok(kuzzle.api('GET', f'/profiles/{profile}'))['_source']['tags'] == ['x']
    ok(kuzzle.api('PUT', f'/profiles/{profile}/_update', {'tags': []}))
    assert ok(kuzzle.api('GET', f'/profiles/{profile}'))['_source']['tags'] == []


def test_profiles_without_tags_have_none(kuzzle):
    role = create_role(kuzzle)
    profile = kuzzle.uid('profile')
    created = ok(kuzzle.api('POST', f'/profiles/{profile}/_create', profile_body(role)))
    assert 'tags' not in created['_source']
