"""Profile definitions Kuzzle refuses or accepts, and ``strict`` (kuzzle-api.md sections 2.2, 2.3 and 4.1)."""

import pytest

from contract_helpers import fails, ok, profile_body

INVALID = [
    ({'policies': [{'roleId': 'default', 'foo': 1}]}, 'api.assert.unexpected_argument', 'policies[0].foo'),
    ({'policies': [{'roleId': 'default', 'restrictedTo': 'i'}]}, 'api.assert.invalid_type', 'policies[0].restrictedTo'),
    ({'policies': [{'roleId': 'default', 'restrictedTo': [{'collections': ['c']}]}]}, 'api.assert.missing_argument',
     'policies[0].restrictedTo[0].index'),
    ({'policies': [{'roleId': 'default', 'restrictedTo': [{'index': 'i', 'foo': 1}]}]}, 'api.assert.unexpected_argument',
     'policies[0].restrictedTo[0].foo'),
    ({'policies': [{'roleId': 'default', 'restrictedTo': [{'index': 'i', 'collections': 'c'}]}]}, 'api.assert.invalid_type',
     'policies[0].restrictedTo[0].collections'),
    (profile_body('default', rateLimit='10'), 'api.assert.invalid_type', 'rateLimit'),
    (profile_body('default', rateLimit=1.5), 'api.assert.invalid_type', 'rateLimit'),
    (profile_body('default', rateLimit=-1), 'api.assert.invalid_argument', 'rateLimit'),
    ({'policies': {'roleId': 'default'}}, 'api.assert.invalid_type', 'body.policies'),
    ({'rateLimit': 1}, 'api.assert.missing_argument', 'body.policies'),
]


@pytest.mark.parametrize('verb, suffix', [('POST', '/_create'), ('PUT', '')])
@pytest.mark.parametrize('body, error_id, argument', INVALID)
def test_invalid_definitions(kuzzle, verb, suffix, body, error_id, argument):
    profile = kuzzle.uid('invalid')
    error = fails(kuzzle.api(verb, f'/profiles/{profile}{suffix}', body), 400, error_id)
    assert argument in error['props'][0]
    fails(kuzzle.api('GET', f'/profiles/{profile}'), 404, 'security.profile.not_found')


def test_body_is_required(kuzzle):
    fails(kuzzle.api('POST', f'/profiles/{kuzzle.uid("invalid")}/_create'), 400, 'api.assert.body_required')


def test_loose_definitions_are_accepted(kuzzle):
    """What 2.x no longer checks: element types of restrictions, null restrictions, extra keys."""
    policies = [{'roleId': 'default', 'restrictedTo': [{'index': 42}, {'index': '', 'collections': [1, {}]}]},
                {'roleId': 'admin', 'restrictedTo': None}]
    profile = kuzzle.uid('loose')
    result = ok(kuzzle.api('POST', f'/profiles/{profile}/_create', {'policies': policies, 'rateLimit': None, 'extra': {'a': 1}}))
    assert result['_source']['policies'] == policies
    assert result['_source']['rateLimit'] == 0 and result['_source']['extra'] == {'a': 1}


def test_update_with_a_non_array_policies_is_an_internal_error(kuzzle):
    profile = kuzzle.uid('profile')
    ok(kuzzle.api('POST', f'/profiles/{profile}/_create', profile_body('default')))
    fails(kuzzle.api('PUT', f'/profiles/{profile}/_update', {'policies': {'roleId': 'admin'}}), 500,
          'plugin.runtime.unexpected_error')


def test_policy_without_role_id_fails_in_storage(kuzzle):
    # Kuzzle loads role `undefined` before validating: the storage client refuses the missing id.
    fails(kuzzle.api('POST', f'/profiles/{kuzzle.uid("invalid")}/_create', {'policies': [{}]}), 500,
          'services.storage.unexpected_error')


def _restricted(index):
    return {'policies': [{'roleId': 'default', 'restrictedTo': [{'index': index, 'collections': ['c']}]}]}


@pytest.mark.parametrize('value', [None, 'true', 'false', '0', ''])
def test_strict_is_a_presence_flag(kuzzle, value):
    """Over HTTP any value of ``strict``, "false" included, turns it on."""
    missing_index = kuzzle.uid('noindex')
    fails(kuzzle.api('POST', f'/profiles/{kuzzle.uid("strict")}/_create', _restricted(missing_index),
                     query={'strict': value}), 412, 'services.storage.unknown_index')


def test_without_strict_unknown_indexes_are_accepted(kuzzle):
    profile = kuzzle.uid('loose')
    ok(kuzzle.api('POST', f'/profiles/{profile}/_create', _restricted(kuzzle.uid('noindex'))))


def test_strict_unknown_collection(kuzzle):
    index = kuzzle.uid('index')
    ok(kuzzle.api('POST', f'/{index}/_create'))
    try:
        body = _restricted(index)
        fails(kuzzle.api('PUT', f'/profiles/{kuzzle.uid("strict")}', body, query={'strict': None}), 412,
              'services.storage.unknown_collection')
        ok(kuzzle.api('PUT', f'/{index}/c', {}))
        ok(kuzzle.api('PUT', f'/profiles/{kuzzle.uid("strict")}', body, query={'strict': None}))
    finally:
        ok(kuzzle.api('DELETE', f'/{index}'))


def test_strict_on_update(kuzzle):
    profile = kuzzle.uid('profile')
    ok(kuzzle.api('POST', f'/profiles/{profile}/_create', profile_body('default')))
    fails(kuzzle.api('PUT', f'/profiles/{profile}/_update', _restricted(kuzzle.uid('noindex')), query={'strict': 'false'}),
          412, 'services.storage.unknown_index')
    assert ok(kuzzle.api('GET', f'/profiles/{profile}'))['_source']['policies'] == [{'roleId': 'default'}]
