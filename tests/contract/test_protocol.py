"""The HTTP layer: envelopes, protocol-level errors, routes, /_query (kuzzle-api.md 1.2, 1.3, 2.4, 4.4)."""

import pytest

from contract_helpers import ENVELOPE_KEYS, ERROR_KEYS, create_profile, fails, ok, profile_body


def test_success_envelope(kuzzle):
    status, body = kuzzle.api('GET', '/profiles/admin')
    assert status == 200
    # "node" is added only in cluster mode; serve runs Kuzzle as a single node.
    assert ENVELOPE_KEYS <= set(body) <= ENVELOPE_KEYS | {'node'}
    assert (body['controller'], body['action'], body['status'], body['error']) == ('security', 'getProfile', 200, None)
    assert 'index' not in body and 'collection' not in body
    assert body['headers'] == {} and body['volatile'] is None


def test_error_envelope(kuzzle):
    status, body = kuzzle.api('GET', f'/profiles/{kuzzle.uid("missing")}')
    assert status == 404 and ENVELOPE_KEYS <= set(body)
    assert set(body['error']) == ERROR_KEYS  # NODE_ENV=production: no stack
    assert body['result'] is None


@pytest.mark.parametrize('payload, content_type, error_id', [
    (b'{"policies": [', 'application/json', 'network.http.body_parse_failed'),
    (b'{"policies": []}', 'text/plain', 'network.http.unsupported_content'),
])
def test_protocol_errors_are_bare_error_objects(kuzzle, payload, content_type, error_id):
    profile = kuzzle.uid('profile')
    status, body = kuzzle.api('POST', f'/profiles/{profile}/_create', payload, content_type=content_type)
    assert status == 400
    assert set(body) == ERROR_KEYS  # not inside the envelope
    assert (body['id'], body['status']) == (error_id, 400)
    fails(kuzzle.api('GET', f'/profiles/{profile}'), 404, 'security.profile.not_found')


def test_wrong_url(kuzzle):
    error = fails(kuzzle.api('GET', '/no/such/route/here'), 404, 'network.http.url_not_found')
    assert error['code'] == 50397191
    fails(kuzzle.api('GET', '/_healthCheckk'), 404, 'network.http.url_not_found')


def test_healthcheck(kuzzle):
    status, body = kuzzle.api('GET', '/_healthcheck', token='')
    assert status == 200 and body['result'] is None


def test_query_endpoint(kuzzle):
    profile = kuzzle.uid('profile')
    result = ok(kuzzle.api('POST', '/_query', {'controller': 'security', 'action': 'createOrReplaceProfile',
                                               '_id': profile, 'body': profile_body('default', rateLimit=7),
                                               'refresh': 'wait_for'}))
    assert result['_id'] == profile and result['_source']['rateLimit'] == 7
    status, body = kuzzle.api('POST', '/_query', {'controller': 'security', 'action': 'getProfile', '_id': profile})
    assert status == 200 and (body['controller'], body['action']) == ('security', 'getProfile')
    assert body['result']['_source']['rateLimit'] == 7
    fails(kuzzle.api('POST', '/_query', {'controller': 'security', 'action': 'getProfile', '_id': kuzzle.uid('x')}),
          404, 'security.profile.not_found')


def test_query_endpoint_flags_are_presence_flags(kuzzle):
    body = {'policies': [{'roleId': 'default', 'restrictedTo': [{'index': kuzzle.uid('noindex')}]}]}
    fails(kuzzle.api('POST', '/_query', {'controller': 'security', 'action': 'createProfile', '_id': kuzzle.uid('p'),
                                         'body': body, 'strict': False}), 412, 'services.storage.unknown_index')


def test_exists_routes(kuzzle):
    index = kuzzle.uid('index')
    assert ok(kuzzle.api('GET', f'/{index}/_exists')) is False
    assert ok(kuzzle.api('GET', f'/{index}/c/_exists')) is False
    ok(kuzzle.api('POST', f'/{index}/_create'))
    ok(kuzzle.api('PUT', f'/{index}/c', {}))
    try:
        assert ok(kuzzle.api('GET', f'/{index}/_exists')) is True
        assert ok(kuzzle.api('GET', f'/{index}/c/_exists')) is True
        assert ok(kuzzle.api('GET', f'/{index}/other/_exists')) is False
    finally:
        ok(kuzzle.api('DELETE', f'/{index}'))
    assert ok(kuzzle.api('GET', f'/{index}/_exists')) is False


def test_static_segments_win_over_ids(kuzzle):
    create_profile(kuzzle, '_mapping')
    result = ok(kuzzle.api('GET', '/profiles/_mapping'))
    assert '_id' not in result and 'mapping' in result


def test_ids_are_url_decoded(kuzzle):
    profile = kuzzle.uid('with space/and slash')
    encoded = profile.replace(' ', '%20').replace('/', '%2F')
    ok(kuzzle.api('POST', f'/profiles/{encoded}/_create', profile_body('default')))
    assert ok(kuzzle.api('GET', f'/profiles/{encoded}'))['_id'] == profile


def test_server_version(kuzzle):
    info = ok(kuzzle.api('GET', '/_serverInfo'))
    assert info['serverInfo']['kuzzle']['version'].startswith('2.')
