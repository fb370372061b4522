"""How Kuzzle 2.56 issues login tokens, and what a 401 on a token guarantees (issue 10: parallel tasks).

A login token is ``kauth-`` + an HS256 JWT signed by ``TokenRepository.generateToken``
(lib/core/security/tokenRepository.ts) over the payload ``{_id: kuid}``, to which jsonwebtoken adds
``iat`` (whole seconds) and ``exp`` = ``iat`` + the whole seconds of ``expiresIn``. Nothing else varies,
so two logins of one user within the same second with the same lifetime get the same token, and one
logout (which deletes the token's cache entry) ends both sessions. The funnel (lib/api/funnel.js,
``checkRights``) verifies the token before it checks rights and before the controller runs, so a
request refused with 401 ``security.token.invalid`` did not run. An expired token is refused with that id too:
jsonwebtoken's TokenExpiredError is a subclass of JsonWebTokenError, which verifyToken tests first,
so ``security.token.expired`` never comes from a login token in 2.56.
"""

import base64
import json
import time

from contract_helpers import create_profile, create_user, fails, ok, profile_body


def _payload(token):
    body = token[len('kauth-'):].split('.')[1]
    return json.loads(base64.urlsafe_b64decode(body + '=' * (-len(body) % 4)))


def _login(kuzzle, user, password, expires_in=None):
    query = {'expiresIn': expires_in} if expires_in is not None else None
    return ok(kuzzle.api('POST', '/_login/local', {'username': user, 'password': password}, token='', query=query))


def _two_logins_in_one_second(kuzzle, user, password, first=None, second=None):
    """Two logins whose tokens were issued within the same second (tried again until they are)."""
    for _attempt in range(20):
        one, two = _login(kuzzle, user, password, first), _login(kuzzle, user, password, second)
        if _payload(one['jwt'])['iat'] == _payload(two['jwt'])['iat']:
            return one, two
    raise AssertionError('20 pairs of logins never landed in the same second')


def test_the_token_payload_is_only_the_kuid_and_two_timestamps(kuzzle):
    user = create_user(kuzzle, password='pw-1')
    login = _login(kuzzle, user, 'pw-1')
    payload = _payload(login['jwt'])
    assert set(payload) == {'_id', 'iat', 'exp'} and payload['_id'] == user
    assert payload['exp'] - payload['iat'] == 3600 and login['ttl'] == 3600000


def test_two_logins_in_the_same_second_share_one_token_and_one_logout_ends_both(kuzzle):
    user = create_user(kuzzle, password='pw-1')
    one, two = _two_logins_in_one_second(kuzzle, user, 'pw-1')
    assert one['jwt'] == two['jwt']
    ok(kuzzle.api('POST', '/_logout', token=one['jwt']))
    assert kuzzle.whoami(two['jwt']) == (401, 'security.token.invalid')
    # logging in again within that second gives the same token back, and makes it valid again
    for _attempt in range(20):
        again = _login(kuzzle, user, 'pw-1')
        if again['jwt'] == one['jwt']:
            assert kuzzle.whoami(two['jwt']) == (200, user)
            break
        if _payload(again['jwt'])['iat'] != _payload(one['jwt'])['iat']:
            break  # the second has passed: a new token, the old one stays revoked
    else:
        raise AssertionError('no login again')


def test_expires_in_makes_the_token_differ_only_by_whole_seconds(kuzzle):
    user = create_user(kuzzle, password='pw-1')
    one, two = _two_logins_in_one_second(kuzzle, user, 'pw-1', '3600000', '3600999')  # milliseconds: one second apart
    assert one['jwt'] == two['jwt'] and (one['ttl'], two['ttl']) == (3600000, 3600999)
    one, two = _two_logins_in_one_second(kuzzle, user, 'pw-1', '1h', '3601s')
    assert one['jwt'] != two['jwt']
    ok(kuzzle.api('POST', '/_logout', token=one['jwt']))
    assert kuzzle.whoami(one['jwt']) == (401, 'security.token.invalid')
    assert kuzzle.whoami(two['jwt']) == (200, user)


def test_a_write_refused_for_its_token_was_not_run(kuzzle):
    # the admin role through a profile of its own: a user with the 'admin' profile would count as Kuzzle's first
    # admin, and the restricted tests that run last need createFirstAdmin to be possible
    user = create_user(kuzzle, profile_ids=(create_profile(kuzzle, body=profile_body('admin')),), password='pw-1')
    revoked = _login(kuzzle, user, 'pw-1')['jwt']
    ok(kuzzle.api('POST', '/_logout', token=revoked))
    short = _login(kuzzle, user, 'pw-1', '1s')['jwt']
    time.sleep(2.1)  # past the token's exp (whole seconds)
    mark = kuzzle.mark()
    for token in (revoked, short):
        profile = kuzzle.uid('profile')
        fails(kuzzle.api('POST', '/profiles/%s/_create' % profile, {'policies': [{'roleId': 'default'}]}, token=token),
              401, 'security.token.invalid')  # expired included: see the module docstring
        fails(kuzzle.api('GET', '/profiles/%s' % profile, token=''), 404, 'security.profile.not_found')
    assert kuzzle.writes_since(mark) == []
