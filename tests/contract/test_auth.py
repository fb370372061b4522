"""Login, logout, tokens and API keys (kuzzle-api.md section 5)."""

from contract_helpers import create_user, fails, ok


def test_login_and_logout(kuzzle):
    user = create_user(kuzzle, password='secret-1')
    status, answer = kuzzle.api('POST', '/_login/local', {'username': user, 'password': 'secret-1'}, token='')
    result = ok((status, answer))
    assert set(result) == {'_id', 'jwt', 'expiresAt', 'ttl'} and result['_id'] == user
    assert result['jwt'].startswith('kauth-') and result['ttl'] == 3600000
    token = result['jwt']
    assert ok(kuzzle.api('GET', '/_me', token=token))['_id'] == user
    assert ok(kuzzle.api('POST', '/_checkToken', {'token': token}, token=''))['valid'] is True
    assert ok(kuzzle.api('POST', '/_logout', token=token)) == {'acknowledged': True}
    fails(kuzzle.api('GET', '/_me', token=token), 401, 'security.token.invalid')
    assert ok(kuzzle.api('POST', '/_checkToken', {'token': token}, token=''))['valid'] is False


def test_wrong_password(kuzzle):
    user = create_user(kuzzle, password='secret-1')
    error = fails(kuzzle.api('POST', '/_login/local', {'username': user, 'password': 'wrong'}, token=''), 401,
                  'plugin.strategy.missing_user')
    assert error['message'] == 'wrong username or password'
    fails(kuzzle.api('POST', '/_login/local', {'username': kuzzle.uid('nobody'), 'password': 'x'}, token=''), 401,
          'plugin.strategy.missing_user')


def test_bad_token_does_not_fall_back_to_anonymous(kuzzle):
    for token in ('kauth-garbage', 'not-a-token', 'kapikey-eyJhbGciOiJIUzI1NiJ9.e30.x'):
        fails(kuzzle.api('GET', '/profiles/admin', token=token), 401, 'security.token.invalid')


def test_unknown_strategy(kuzzle):
    fails(kuzzle.api('POST', '/_login/nope', {'username': 'a', 'password': 'b'}, token=''), 400,
          'security.credentials.unknown_strategy')


def test_api_key_lifecycle(kuzzle):
    user = create_user(kuzzle)
    key_id = kuzzle.uid('key')
    created = ok(kuzzle.api('POST', f'/users/{user}/api-keys/_create', {'description': 'ci key'}, query={'_id': key_id}))
    assert created['_id'] == key_id
    source = created['_source']
    assert source['token'].startswith('kapikey-')
    assert (source['userId'], source['description'], source['expiresAt'], source['ttl']) == (user, 'ci key', -1, -1)
    token = source['token']
    assert ok(kuzzle.api('GET', '/_me', token=token))['_id'] == user

    found = ok(kuzzle.api('POST', f'/users/{user}/api-keys/_search', {}))
    assert [h['_id'] for h in found['hits']] == [key_id] and found['total'] == 1
    assert 'token' not in found['hits'][0]['_source']
    assert found['hits'][0]['_source']['description'] == 'ci key'

    fails(kuzzle.api('POST', f'/users/{user}/api-keys/_create', {'description': 'again'}, query={'_id': key_id}), 400,
          'services.storage.document_already_exists')
    assert ok(kuzzle.api('DELETE', f'/users/{user}/api-keys/{key_id}')) == {'_id': key_id}
    fails(kuzzle.api('GET', '/_me', token=token), 401, 'security.token.invalid')
    assert ok(kuzzle.api('POST', f'/users/{user}/api-keys/_search', {}))['total'] == 0


def test_api_key_needs_a_description(kuzzle):
    user = create_user(kuzzle)
    error = fails(kuzzle.api('POST', f'/users/{user}/api-keys/_create', {}), 400, 'api.assert.missing_argument')
    assert error['props'] == ['body.description']


def test_api_key_without_id_gets_a_random_one(kuzzle):
    user = create_user(kuzzle)
    first = ok(kuzzle.api('POST', f'/users/{user}/api-keys/_create', {'description': 'a'}))['_id']
    second = ok(kuzzle.api('POST', f'/users/{user}/api-keys/_create', {'description': 'a'}))['_id']
    assert first != second and len(first) >= 20
