"""Rights once restricted: 401 for anonymous, 403 for a user without the right.

Marked kuzzle_restricted: the pytest_kuzzle plugin runs these after every other test, since
createFirstAdmin?reset takes anonymous's rights away for the rest of the session.
"""

import pytest

from contract_helpers import create_user, fails, ok

pytestmark = pytest.mark.kuzzle_restricted


def test_anonymous_is_unauthorized(kuzzle):
    kuzzle.restrict_rights()
    error = fails(kuzzle.api('GET', '/profiles/admin', token=''), 401, 'security.rights.unauthorized')
    assert error['code'] == 117637121
    fails(kuzzle.api('POST', f'/profiles/{kuzzle.uid("p")}/_create', {'policies': []}, token=''), 401,
          'security.rights.unauthorized')
    # Still allowed to anonymous by the standard roles.
    assert ok(kuzzle.api('GET', '/_healthcheck', token='')) is None


def test_default_user_is_forbidden(kuzzle):
    kuzzle.restrict_rights()
    user = create_user(kuzzle, password='secret-1')
    token = kuzzle.login(user, 'secret-1')
    error = fails(kuzzle.api('GET', '/profiles/admin', token=token), 403, 'security.rights.forbidden')
    assert error['code'] == 117637122
    assert ok(kuzzle.api('GET', '/_me', token=token))['_id'] == user  # auth:getCurrentUser stays allowed


def test_admin_token_works(kuzzle):
    token = kuzzle.restrict_rights()
    assert ok(kuzzle.api('GET', '/profiles/admin', token=token))['_id'] == 'admin'


def test_standard_rights_after_reset(kuzzle):
    kuzzle.restrict_rights()
    profiles = {h['_id']: h['_source'] for h in ok(kuzzle.api('POST', '/profiles/_mGet', {'ids': ['admin', 'default', 'anonymous']}))['hits']}
    assert {k: (v['policies'], v['rateLimit']) for k, v in profiles.items()} == {
        'admin': ([{'roleId': 'admin'}], 0), 'default': ([{'roleId': 'default'}], 10),
        'anonymous': ([{'roleId': 'anonymous'}], 200)}
    anonymous = ok(kuzzle.api('GET', '/roles/anonymous'))['_source']['controllers']
    assert anonymous['auth']['actions']['login'] is True and '*' not in anonymous


def test_second_first_admin_is_refused(kuzzle):
    kuzzle.restrict_rights()
    fails(kuzzle.api('POST', f'/_createFirstAdmin/{kuzzle.uid("admin")}', {'content': {}}), 412, 'api.process.admin_exists')
