"""Assertions on Kuzzle's answers, shared by the contract tests."""

ENVELOPE_KEYS = {'action', 'controller', 'error', 'headers', 'requestId', 'result', 'status', 'volatile'}
ERROR_KEYS = {'code', 'id', 'message', 'props', 'status'}


def ok(answer):
    """The result of a successful answer (HTTP 200, status 200, no error)."""
    status, body = answer
    assert status == 200, body
    assert body['status'] == 200 and body['error'] is None, body
    return body.get('result')  # absent, not null, for a few actions such as index:create


def fails(answer, status, error_id):
    """The error object of an API-level failure: inside the envelope, with matching statuses."""
    http_status, body = answer
    assert (http_status, body.get('error') and body['error'].get('id')) == (status, error_id), body
    assert body['status'] == status and body['result'] is None, body
    assert ERROR_KEYS <= set(body['error']), body
    assert body['error']['status'] == status
    return body['error']


def profile_body(*role_ids, **extra):
    return dict({'policies': [{'roleId': r} for r in role_ids]}, **extra)


def create_role(kuzzle, role_id=None, controllers=None):
    role_id = role_id or kuzzle.uid('role')
    controllers = controllers or {'document': {'actions': {'get': True}}}
    ok(kuzzle.api('PUT', f'/roles/{role_id}', {'controllers': controllers}))
    return role_id


def create_profile(kuzzle, profile_id=None, body=None):
    profile_id = profile_id or kuzzle.uid('profile')
    ok(kuzzle.api('POST', f'/profiles/{profile_id}/_create', body or profile_body('default')))
    return profile_id


def create_user(kuzzle, user_id=None, profile_ids=('default',), password=None, **content):
    user_id = user_id or kuzzle.uid('user')
    body = {'content': dict({'profileIds': list(profile_ids)}, **content)}
    if password:
        body['credentials'] = {'local': {'username': user_id, 'password': password}}
    ok(kuzzle.api('POST', f'/users/{user_id}/_create', body))
    return user_id
