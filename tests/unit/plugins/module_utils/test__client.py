# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""KuzzleClient against a mocked transport (responses) and a tiny real HTTP server, with Kuzzle-shaped JSON."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import re
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import responses
from responses import registries
from urllib3.response import HTTPResponse

from ansible_collections.community.kuzzle.plugins.module_utils import _api, _client, _errors, _transport
from ansible_collections.community.kuzzle.plugins.module_utils._client import (
    KuzzleClient,
    KuzzleError,
    encode_query,
    quote_segments,
)

BASE = 'http://kuzzle.test:7512'
ANY = re.compile(r'http://kuzzle\.test:7512/.*')
PASSWORD = 'S3cr3t-pass!'
JWT = 'kauth-eyJhbGciOiJIUzI1NiJ9.eyJfaWQiOiJhZG1pbiJ9.c2lnbmF0dXJl'
API_KEY = 'kapikey-eyJhbGciOiJIUzI1NiJ9.eyJfaWQiOiJjaSJ9.a2V5c2lnbmF0dXJl'
PROFILE = {'_id': 'p1', '_source': {'policies': [{'roleId': 'default'}], 'rateLimit': 0,
                                    'optimizedPolicies': [{'roleId': 'default'}],
                                    '_kuzzle_info': {'author': None, 'createdAt': 1700000000000,
                                                     'updatedAt': None, 'updater': None}}}


def envelope(result, action='getProfile', status=200, error=None, version=2):
    """A Kuzzle answer: 2.x has headers, and node in a cluster (tests/contract/test_protocol.py::test_success_envelope);
    1.x has index and collection instead."""
    body = {'action': action, 'controller': 'security', 'error': error, 'requestId': 'r-1',
            'result': result, 'status': status, 'volatile': None}
    if version == 2:
        body.update(node='knode-1', headers={})
    else:
        body.update(index=None, collection=None)
    return body


def error_envelope(status, error_id, message, action='getProfile', version=2):
    error = {'message': message, 'status': status}
    if error_id is not None:
        error.update(id=error_id, code=117833729, props=[])
    return envelope(None, action=action, status=status, error=error, version=version)


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch):
    monkeypatch.setattr(_client, 'BACKOFF_FACTOR', 0)


@pytest.fixture
def rsps():
    with responses.RequestsMock(registry=registries.OrderedRegistry) as mock:
        yield mock


def add(rsps, method, status=200, json_body=None, body=None, url=ANY, headers=None):
    if json_body is not None:
        rsps.add(method, url, json=json_body, status=status, headers=headers)
    else:
        rsps.add(method, url, body=body if body is not None else '', status=status, headers=headers)


def failure(callable_, *args, **kwargs):
    with pytest.raises(KuzzleError) as info:
        callable_(*args, **kwargs)
    return info.value


# --- answers and errors -------------------------------------------------------------------------

def test_call_returns_the_result_and_detects_2x(rsps):
    add(rsps, 'GET', json_body=envelope(PROFILE))
    client = KuzzleClient(BASE)
    assert client.major_version is None
    assert client.call('GET', ['profiles', 'p1'], doing='read profile "p1"') == PROFILE
    assert client.major_version == 2
    assert client.request_count == 1
    request = rsps.calls[0].request
    assert request.url == BASE + '/profiles/p1'
    assert request.headers['Accept'] == 'application/json'
    assert request.headers['User-Agent'] == _client.USER_AGENT
    assert 'Authorization' not in request.headers
    assert request.body is None


def test_a_single_node_2x_envelope_without_node_is_2x(rsps):
    # seen on a real Kuzzle 2.56 with cluster.enabled false: headers is there, node is not
    body = envelope(PROFILE)
    del body['node']
    add(rsps, 'GET', json_body=body)
    client = KuzzleClient(BASE)
    client.call('GET', ['profiles', 'p1'])
    assert client.major_version == 2


def test_a_1x_envelope_sets_major_version_1(rsps):
    add(rsps, 'GET', json_body=envelope(dict(PROFILE, _meta={}), version=1))
    client = KuzzleClient(BASE)
    assert client.call('GET', ['profiles', 'p1'])['_id'] == 'p1'
    assert client.major_version == 1


def test_an_error_envelope_gives_status_id_and_message(rsps):
    add(rsps, 'PUT', status=404, json_body=error_envelope(404, 'security.role.not_found', 'Role "x" not found.',
                                                          action='updateProfile'))
    client = KuzzleClient(BASE)
    err = failure(client.call, 'PUT', ['profiles', 'p1', '_update'], body={'policies': [{'roleId': 'x'}]},
                  doing='update profile "p1"')
    assert str(err) == 'Could not update profile "p1": Kuzzle answered 404 security.role.not_found: Role "x" not found.'
    assert (err.doing, err.status, err.error_id, err.kuzzle_message, err.kuzzle_action) == (
        'update profile "p1"', 404, 'security.role.not_found', 'Role "x" not found.', 'updateProfile')
    assert client.major_version == 2
    assert json.loads(rsps.calls[0].request.body) == {'policies': [{'roleId': 'x'}]}
    assert rsps.calls[0].request.headers['Content-Type'] == 'application/json'


def test_a_1x_error_without_id_omits_it(rsps):
    add(rsps, 'GET', status=404, json_body=error_envelope(404, None, 'Profile with id "p1" not found', version=1))
    client = KuzzleClient(BASE)
    err = failure(client.call, 'GET', ['profiles', 'p1'], doing='read profile "p1"')
    assert str(err) == 'Could not read profile "p1": Kuzzle answered 404: Profile with id "p1" not found'
    assert err.error_id is None and err.status == 404 and err.kuzzle_action == 'getProfile'
    assert client.major_version == 1


def test_a_bare_protocol_error_is_read_and_says_nothing_of_the_version(rsps):
    bare = {'status': 400, 'id': 'network.http.body_parse_failed', 'code': 50397194,
            'message': 'Unable to convert HTTP body to JSON.', 'props': []}
    add(rsps, 'POST', status=400, json_body=bare)
    client = KuzzleClient(BASE)
    err = failure(client.call, 'POST', ['profiles', 'p1', '_create'], body={}, doing='create profile "p1"')
    assert str(err) == ('Could not create profile "p1": Kuzzle answered 400 network.http.body_parse_failed: '
                        'Unable to convert HTTP body to JSON.')
    assert client.major_version is None


def test_an_error_in_a_2xx_envelope_is_still_an_error(rsps):
    body = envelope(['a'], action='mDeleteProfiles', status=206,
                    error={'id': 'services.storage.incomplete_delete', 'status': 206, 'message': 'some deletions failed'})
    add(rsps, 'POST', status=206, json_body=body)
    err = failure(KuzzleClient(BASE).call, 'POST', ['profiles', '_mDelete'], body={'ids': ['a', 'b']})
    assert str(err) == ('Could not POST /profiles/_mDelete: Kuzzle answered 206 services.storage.incomplete_delete: '
                        'some deletions failed')
    # what was done and what was refused stay readable: kuzzle_security reports per object from them
    assert err.result == ['a'] and err.errors == []
    body['error']['errors'] = [{'id': 'security.profile.not_found', 'status': 404, 'props': ['b']}]
    add(rsps, 'POST', status=206, json_body=body)
    err = failure(KuzzleClient(BASE).call, 'POST', ['profiles', '_mDelete'], body={'ids': ['a', 'b']})
    assert err.result == ['a'] and err.errors == [{'id': 'security.profile.not_found', 'status': 404, 'props': ['b']}]


UNKNOWN_NOTE = ' (the change may or may not have been applied)'


@pytest.mark.parametrize('status,body,read,expected', [
    (502, '<html><body><h1>502 Bad Gateway</h1>nginx</body></html>', False,
     'HTTP 502 from a proxy or gateway in front of Kuzzle at https://proxy.test/kuzzle, not from Kuzzle' + UNKNOWN_NOTE),
    (502, '<html>Bad Gateway</html>', True, 'HTTP 502 from a proxy or gateway in front of Kuzzle at https://proxy.test/kuzzle, not from Kuzzle'),
    (200, '', False, 'HTTP 200, the server did not answer with JSON (is https://proxy.test/kuzzle a Kuzzle server?)' + UNKNOWN_NOTE),
    (200, '', True, 'HTTP 200, the server did not answer with JSON (is https://proxy.test/kuzzle a Kuzzle server?)'),
    (404, 'Not Found', False, 'HTTP 404, the server did not answer with JSON (is https://proxy.test/kuzzle a Kuzzle server?)'),
])
def test_a_non_json_answer_names_the_status_and_the_url(rsps, status, body, read, expected):
    """The user:password@ part of url is neither sent nor shown; a write that a gateway may have passed on, or that
    succeeded without a Kuzzle answer, may have been applied."""
    client = KuzzleClient('https://user:pw@proxy.test/kuzzle/', retries=0)
    add(rsps, 'POST', status=status, body=body, url=re.compile(r'https://proxy\.test/.*'))
    err = failure(client.call, 'POST', ['profiles', 'p1', '_create'], body={}, doing='create profile "p1"', read=read)
    assert str(err) == 'Could not create profile "p1": ' + expected
    assert err.status == status and err.error_id is None
    assert err.outcome == (None if read or status == 404 else 'unknown')
    assert 'Authorization' not in rsps.calls[0].request.headers


def test_json_that_is_not_kuzzle_is_refused(rsps):
    add(rsps, 'GET', status=404, json_body={'error': {'type': 'index_not_found_exception'}, 'status': 404})
    err = failure(KuzzleClient(BASE).call, 'GET', ['profiles', 'p1'], doing='read profile "p1"')
    assert str(err) == ('Could not read profile "p1": HTTP 404, the JSON answer is not a Kuzzle response '
                        '(is http://kuzzle.test:7512 a Kuzzle server?)')


def test_a_redirect_is_not_followed_and_is_explained(rsps):
    add(rsps, 'POST', status=301, body='', headers={'Location': 'https://kuzzle.test/profiles/p1/_create'})
    client = KuzzleClient(BASE)
    err = failure(client.call, 'POST', ['profiles', 'p1', '_create'], body={}, doing='create profile "p1"')
    assert str(err) == ('Could not create profile "p1": HTTP 301, the server redirects to '
                        'https://kuzzle.test/profiles/p1/_create: set url to the address Kuzzle answers on')
    assert client.request_count == 1


# --- URL building ---------------------------------------------------------------------------------

@pytest.mark.parametrize('segments,path', [
    (['profiles', 'a/b'], '/profiles/a%2Fb'),
    (['profiles', u'é'], '/profiles/%C3%A9'),
    (['profiles', '_search'], '/profiles/_search'),
    (['profiles', 'a b?c#d&e=f%'], '/profiles/a%20b%3Fc%23d%26e%3Df%25'),
    (['users', -1], '/users/-1'),
    ([], '/'),
])
def test_quote_segments(segments, path):
    assert quote_segments(segments) == path


@pytest.mark.parametrize('segments,path', [
    (['profiles', 'a/b'], '/profiles/a%2Fb'),
    (['profiles', u'é'], '/profiles/%C3%A9'),
    (['profiles', '.a..b.'], '/profiles/.a..b.'),
])
def test_quoted_segments_reach_the_wire_unchanged(rsps, segments, path):
    add(rsps, 'GET', json_body=envelope(PROFILE))
    KuzzleClient(BASE).call('GET', segments)
    assert rsps.calls[0].request.url == BASE + path


def test_a_base_url_with_a_path_prefix_is_kept(rsps):
    add(rsps, 'GET', json_body=envelope(PROFILE), url=re.compile(r'https://example\.test/.*'))
    KuzzleClient('https://example.test/kuzzle/').call('GET', ['profiles', 'p1'])
    assert rsps.calls[0].request.url == 'https://example.test/kuzzle/profiles/p1'


def test_query_flags_true_is_bare_false_and_none_are_omitted(rsps):
    add(rsps, 'PUT', json_body=envelope(PROFILE, action='updateProfile'))
    KuzzleClient(BASE).call('PUT', ['profiles', 'p1', '_update'], body={},
                            query={'refresh': 'wait_for', 'strict': True, 'force': False, 'lang': None,
                                   'retryOnConflict': 10})
    assert rsps.calls[0].request.url == BASE + '/profiles/p1/_update?refresh=wait_for&strict&retryOnConflict=10'


def test_encode_query():
    assert encode_query(None) == ''
    assert encode_query({'strict': False}) == ''
    assert encode_query({'ids': ['a', 'b/c'], 'q': 'x&y'}) == '?ids=a%2Cb%2Fc&q=x%26y'
    assert encode_query({'onAssignedUsers': 'remove', 'refresh': 'false'}) == '?onAssignedUsers=remove&refresh=false'


@pytest.mark.parametrize('name', ['', '.', '..'])
def test_an_empty_or_dot_segment_is_refused_before_any_request(rsps, name):
    client = KuzzleClient(BASE)
    err = failure(client.call, 'GET', ['profiles', name], doing='read profile "%s"' % name)
    assert str(err) == ('Could not read profile "%s": an identifier that is empty, "." or ".." '
                        'cannot be sent in a Kuzzle URL' % name)
    assert client.request_count == 0 and len(rsps.calls) == 0


def test_a_url_without_http_scheme_is_refused():
    client = KuzzleClient('localhost:7512')
    err = failure(client.call, 'GET', ['profiles', 'p1'], doing='read profile "p1"')
    assert str(err) == 'Could not read profile "p1": url "localhost:7512" does not start with http:// or https://'
    assert client.request_count == 0


# --- authentication -------------------------------------------------------------------------------

def login_answer(jwt=JWT):
    return envelope({'_id': 'admin', 'jwt': jwt, 'expiresAt': 1700003600000, 'ttl': 3600000},
                    action='login')


LOGIN = BASE + '/_login/local?expiresIn=5m'


def test_credentials_log_in_once_with_a_short_session_and_never_log_out(rsps):
    """A logout would end the session of any task that logged in as the same user within the same second (Kuzzle
    gives them the same token): the session is short instead, and left to expire."""
    add(rsps, 'POST', json_body=login_answer(), url=LOGIN)
    add(rsps, 'GET', json_body=envelope(PROFILE))
    add(rsps, 'GET', json_body=envelope(PROFILE))
    with KuzzleClient(BASE, username='admin', password=PASSWORD) as client:
        client.call('GET', ['profiles', 'p1'])
        client.call('GET', ['profiles', 'p2'])
        assert client.request_count == 3
    client.close()  # idempotent
    assert [c.request.url for c in rsps.calls] == [LOGIN, BASE + '/profiles/p1', BASE + '/profiles/p2']
    login = rsps.calls[0].request
    assert json.loads(login.body) == {'username': 'admin', 'password': PASSWORD}
    assert 'Authorization' not in login.headers
    for call in rsps.calls[1:]:
        assert call.request.headers['Authorization'] == 'Bearer ' + JWT
    assert client.request_count == 3


def test_a_session_lifetime_over_the_maximum_logs_in_with_kuzzles_default(rsps):
    add(rsps, 'POST', status=400, url=LOGIN, json_body=error_envelope(
        400, 'security.token.ttl_exceeded', 'The token expiration time exceeds the maximum', action='login'))
    add(rsps, 'POST', json_body=login_answer(), url=BASE + '/_login/local')
    add(rsps, 'GET', json_body=envelope(PROFILE))
    client = KuzzleClient(BASE, username='admin', password=PASSWORD)
    assert client.call('GET', ['profiles', 'p1']) == PROFILE
    assert [c.request.url for c in rsps.calls] == [LOGIN, BASE + '/_login/local', BASE + '/profiles/p1']


@pytest.mark.parametrize('method,read', [('GET', True), ('POST', False)])
def test_an_own_session_refused_logs_in_again_and_sends_once_more(rsps, method, read):
    """Expired, or revoked by a logout elsewhere: Kuzzle checks the token before it runs anything, so even a write
    refused for it was not run, and is sent again."""
    add(rsps, 'POST', json_body=login_answer(), url=LOGIN)
    add(rsps, method, status=401, json_body=error_envelope(401, 'security.token.invalid', 'Invalid token.', action='createProfile'))
    add(rsps, 'POST', json_body=login_answer('kauth-second-token'), url=LOGIN)
    add(rsps, method, json_body=envelope(PROFILE, action='createProfile'))
    client = KuzzleClient(BASE, username='admin', password=PASSWORD)
    assert client.call(method, ['profiles', 'p1', '_create'], body={}, read=read) == PROFILE
    assert [c.request.url for c in rsps.calls] == [LOGIN, BASE + '/profiles/p1/_create', LOGIN, BASE + '/profiles/p1/_create']
    assert [c.request.headers.get('Authorization') for c in rsps.calls] == [None, 'Bearer ' + JWT, None, 'Bearer kauth-second-token']


def test_an_own_session_is_logged_in_again_once_per_request(rsps):
    refused = error_envelope(401, 'security.token.invalid', 'Invalid token.')
    add(rsps, 'POST', json_body=login_answer(), url=LOGIN)
    for token in ('kauth-2', 'kauth-3'):
        add(rsps, 'GET', status=401, json_body=refused)
        add(rsps, 'POST', json_body=login_answer(token), url=LOGIN)
        add(rsps, 'GET', status=401, json_body=refused)
    client = KuzzleClient(BASE, username='admin', password=PASSWORD)
    err = failure(client.call, 'GET', ['profiles', 'p1'], doing='read profile "p1"')
    assert err.error_id == 'security.token.invalid' and len(rsps.calls) == 4
    err = failure(client.call, 'GET', ['profiles', 'p1'], doing='read profile "p1"')  # the next request logs in again too
    assert err.error_id == 'security.token.invalid' and len(rsps.calls) == 7
    assert rsps.calls[6].request.headers['Authorization'] == 'Bearer kauth-3'


@pytest.mark.parametrize('error_id', ['security.token.invalid', 'security.token.expired'])
def test_a_token_the_task_gives_is_never_replaced(rsps, error_id):
    add(rsps, 'POST', status=401, json_body=error_envelope(401, error_id, 'Invalid token.', action='createProfile'))
    client = KuzzleClient(BASE, token=JWT)
    err = failure(client.call, 'POST', ['profiles', 'p1', '_create'], body={})
    assert err.error_id == error_id and err.outcome is None and len(rsps.calls) == 1


def test_another_401_is_not_a_reason_to_log_in_again(rsps):
    add(rsps, 'POST', json_body=login_answer(), url=LOGIN)
    add(rsps, 'GET', status=401, json_body=error_envelope(401, 'security.rights.unauthorized', 'Unauthorized'))
    client = KuzzleClient(BASE, username='admin', password=PASSWORD)
    assert failure(client.call, 'GET', ['profiles', 'p1']).error_id == 'security.rights.unauthorized'
    assert len(rsps.calls) == 2


def test_another_strategy_is_used_for_login(rsps):
    add(rsps, 'POST', json_body=login_answer(), url=BASE + '/_login/ldap?expiresIn=5m')
    add(rsps, 'GET', json_body=envelope(PROFILE))
    client = KuzzleClient(BASE, username='admin', password=PASSWORD, auth_strategy='ldap')
    client.call('GET', ['profiles', 'p1'])
    assert rsps.calls[0].request.url == BASE + '/_login/ldap?expiresIn=5m'


def test_a_wrong_password_fails_without_showing_it(rsps):
    add(rsps, 'POST', status=401, url=BASE + '/_login/local', json_body=error_envelope(
        401, 'plugin.strategy.missing_user', 'wrong username or password', action='login'))
    client = KuzzleClient(BASE, username='admin', password=PASSWORD)
    err = failure(client.call, 'GET', ['profiles', 'p1'], doing='read profile "p1"')
    assert str(err) == ('Could not log in to Kuzzle as "admin" (strategy local): '
                        'Kuzzle answered 401 plugin.strategy.missing_user: wrong username or password')
    assert PASSWORD not in repr(err.__dict__)
    client.close()
    assert len(rsps.calls) == 1  # no logout: there was no session


def test_a_login_answer_without_token_fails(rsps):
    add(rsps, 'POST', json_body=envelope({'_id': 'admin'}, action='login'))
    err = failure(KuzzleClient(BASE, username='admin', password=PASSWORD).call, 'GET', ['profiles', 'p1'])
    assert str(err) == ('Could not log in to Kuzzle as "admin" (strategy local): unexpected answer to auth:login: '
                        'expected an object with a token in jwt, got an object: {"_id": "admin"}')


def test_a_token_is_sent_as_bearer_and_never_logged_out(rsps):
    add(rsps, 'GET', json_body=envelope(PROFILE))
    with KuzzleClient(BASE, token=API_KEY) as client:
        client.call('GET', ['profiles', 'p1'])
    assert len(rsps.calls) == 1
    assert rsps.calls[0].request.headers['Authorization'] == 'Bearer ' + API_KEY


def test_anonymous_sends_no_authorization_and_no_logout(rsps):
    add(rsps, 'GET', json_body=envelope(PROFILE))
    with KuzzleClient(BASE) as client:
        client.call('GET', ['profiles', 'p1'])
    assert len(rsps.calls) == 1
    assert 'Authorization' not in rsps.calls[0].request.headers


def test_cookies_are_neither_kept_nor_sent(rsps):
    add(rsps, 'POST', json_body=login_answer(), url=BASE + '/_login/local',
        headers={'Set-Cookie': 'authToken=%s; Path=/; HttpOnly' % JWT})
    add(rsps, 'GET', json_body=envelope(PROFILE), headers={'Set-Cookie': 'other=1; Path=/'})
    add(rsps, 'GET', json_body=envelope(PROFILE))
    client = KuzzleClient(BASE, username='admin', password=PASSWORD)
    client.call('GET', ['profiles', 'p1'])
    client.call('GET', ['profiles', 'p1'])
    for call in rsps.calls[1:]:
        assert 'Cookie' not in call.request.headers


@pytest.mark.parametrize('secret_kind', ['password', 'token', 'url'])
def test_secrets_echoed_by_the_server_are_masked(rsps, secret_kind):
    if secret_kind == 'password':
        client = KuzzleClient(BASE, username='admin', password=PASSWORD)
        add(rsps, 'POST', status=400, json_body=error_envelope(
            400, 'api.assert.invalid_argument', 'password "%s" is too weak' % PASSWORD, action='login'))
        secret = PASSWORD
    elif secret_kind == 'token':
        client = KuzzleClient(BASE, token=API_KEY)
        add(rsps, 'GET', status=401, json_body=error_envelope(
            401, 'security.token.invalid', 'Invalid token "%s"' % API_KEY))
        secret = API_KEY
    else:
        client = KuzzleClient('http://admin:%s@kuzzle.test:7512' % PASSWORD)
        add(rsps, 'GET', status=500, url=re.compile('.*'), json_body=error_envelope(
            500, 'core.fatal.unexpected_error', 'bad header Basic %s' % PASSWORD))
        secret = PASSWORD
    err = failure(client.call, 'GET', ['profiles', 'p1'], doing='read profile "p1" with %s' % secret)
    assert secret not in str(err)
    assert secret not in repr(err.__dict__)
    assert _errors.MASK in str(err)


def test_the_login_token_is_masked_too(rsps):
    add(rsps, 'POST', json_body=login_answer(), url=LOGIN)
    add(rsps, 'GET', status=403, json_body=error_envelope(403, 'security.rights.forbidden', 'Token %s may not' % JWT))
    err = failure(KuzzleClient(BASE, username='admin', password=PASSWORD).call, 'GET', ['profiles', 'p1'])
    assert JWT not in str(err)
    assert str(err).endswith('Kuzzle answered 403 security.rights.forbidden: Token ******** may not')


def test_tls_and_timeout_settings_reach_the_transport(rsps, monkeypatch):
    monkeypatch.delenv('REQUESTS_CA_BUNDLE', raising=False)
    monkeypatch.delenv('CURL_CA_BUNDLE', raising=False)
    add(rsps, 'GET', json_body=envelope(PROFILE), url=re.compile('https://.*'))
    add(rsps, 'GET', json_body=envelope(PROFILE), url=re.compile('https://.*'))
    add(rsps, 'GET', json_body=envelope(PROFILE), url=re.compile('https://.*'))
    KuzzleClient('https://k.test', ca_path='/ca.pem', client_cert='/c.pem', client_key='/k.pem',
                 timeout=2.5).call('GET', ['profiles', 'p1'])
    KuzzleClient('https://k.test', validate_certs=False, client_cert='/both.pem').call('GET', ['profiles', 'p1'])
    KuzzleClient('https://k.test').call('GET', ['profiles', 'p1'])
    kwargs = [c.request.req_kwargs for c in rsps.calls]
    assert (kwargs[0]['verify'], kwargs[0]['cert'], kwargs[0]['timeout']) == ('/ca.pem', ('/c.pem', '/k.pem'), 2.5)
    assert (kwargs[1]['verify'], kwargs[1]['cert'], kwargs[1]['timeout']) == (False, '/both.pem', 10)
    assert kwargs[2]['verify'] is True and kwargs[2]['cert'] is None


def test_validate_certs_false_beats_requests_ca_bundle(rsps, monkeypatch):
    monkeypatch.setenv('REQUESTS_CA_BUNDLE', '/etc/some-bundle.pem')
    add(rsps, 'GET', json_body=envelope(PROFILE), url=re.compile('https://.*'))
    KuzzleClient('https://k.test', validate_certs=False).call('GET', ['profiles', 'p1'])
    assert rsps.calls[0].request.req_kwargs['verify'] is False


def test_user_agent_names_the_collection_version():
    root = os.path.join(os.path.dirname(__file__), '..', '..', '..', '..')
    with open(os.path.join(root, 'galaxy.yml')) as galaxy:
        version = re.search(r'^version:\s*(\S+)', galaxy.read(), re.M).group(1).strip('\'"')
    assert _client.USER_AGENT == 'community.kuzzle/%s' % version


# --- retries, with the transport mocked -------------------------------------------------------

@pytest.mark.parametrize('status', [429, 502, 503, 504])
def test_reads_are_retried_then_succeed(rsps, status):
    add(rsps, 'GET', status=status, json_body=error_envelope(status, 'api.process.overloaded', 'busy'))
    add(rsps, 'GET', json_body=envelope(PROFILE))
    client = KuzzleClient(BASE)
    assert client.call('GET', ['profiles', 'p1']) == PROFILE
    assert len(rsps.calls) == 2 and client.request_count == 2


def test_a_post_marked_read_is_retried(rsps):
    add(rsps, 'POST', status=502, body='<html>Bad Gateway</html>')
    add(rsps, 'POST', json_body=envelope({'hits': []}, action='mGetRoles'))
    client = KuzzleClient(BASE)
    assert client.call('POST', ['roles', '_mGet'], body={'ids': ['r']}, read=True) == {'hits': []}
    assert client.request_count == 2


@pytest.mark.parametrize('status', [502, 504])
def test_writes_are_not_retried_after_502_or_504(rsps, status):
    add(rsps, 'PUT', status=status, body='<html>gateway</html>')
    client = KuzzleClient(BASE)
    err = failure(client.call, 'PUT', ['profiles', 'p1', '_update'], body={}, doing='update profile "p1"')
    assert err.status == status
    assert len(rsps.calls) == 1 and client.request_count == 1


@pytest.mark.parametrize('status,error_id', [(429, 'api.process.too_many_requests'), (503, 'api.process.overloaded')])
def test_writes_are_retried_after_a_refusal(rsps, status, error_id):
    add(rsps, 'POST', status=status, json_body=error_envelope(status, error_id, 'try later', action='createProfile'))
    add(rsps, 'POST', json_body=envelope(PROFILE, action='createProfile'))
    client = KuzzleClient(BASE)
    assert client.call('POST', ['profiles', 'p1', '_create'], body={}) == PROFILE
    assert len(rsps.calls) == 2 and client.request_count == 2


def test_after_the_last_retry_the_caller_gets_kuzzles_error(rsps):
    for dummy in range(4):
        add(rsps, 'GET', status=503, json_body=error_envelope(503, 'api.process.overloaded', 'Kuzzle is overloaded'))
    client = KuzzleClient(BASE, retries=3)
    err = failure(client.call, 'GET', ['profiles', 'p1'], doing='read profile "p1"')
    assert str(err) == 'Could not read profile "p1": Kuzzle answered 503 api.process.overloaded: Kuzzle is overloaded'
    assert len(rsps.calls) == 4 and client.request_count == 4


def test_retries_0_disables_retries(rsps):
    add(rsps, 'GET', status=503, json_body=error_envelope(503, 'api.process.overloaded', 'busy'))
    client = KuzzleClient(BASE, retries=0)
    assert failure(client.call, 'GET', ['profiles', 'p1']).status == 503
    assert len(rsps.calls) == 1 and client.request_count == 1


def test_retry_after_is_bounded():
    retry = _transport.CountingRetry(total=1)
    assert retry.get_retry_after(HTTPResponse(headers={'Retry-After': '3600'})) == _client.MAX_RETRY_AFTER
    assert retry.get_retry_after(HTTPResponse(headers={'Retry-After': '2'})) == 2
    assert retry.get_retry_after(HTTPResponse(headers={})) is None


# --- the real transport: sockets, urllib3 retries, timeouts ------------------------------------

def closed_port():
    sock = socket.socket()
    sock.bind(('127.0.0.1', 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


class ScriptedServer:
    """A real HTTP server on 127.0.0.1 that plays (status, body, headers, delay) answers in order."""

    def __init__(self, script):
        self.script = list(script)
        self.requests = []
        self.headers = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = 'HTTP/1.1'

            def log_message(self, *args):
                pass

            def answer(self):
                length = int(self.headers.get('Content-Length') or 0)
                owner.requests.append((self.command, self.path, self.rfile.read(length) if length else b''))
                owner.headers.append(dict(self.headers))
                status, body, headers, delay = owner.script.pop(0) if owner.script else (500, 'script over', {}, 0)
                if delay:
                    time.sleep(delay)
                data = body if isinstance(body, bytes) else (
                    json.dumps(body) if not isinstance(body, str) else body).encode()
                try:
                    self.send_response(status)
                    for name, value in dict(headers or {}).items():
                        self.send_header(name, value)
                    self.send_header('Content-Length', str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass

            do_GET = do_POST = do_PUT = do_DELETE = answer

        self.httpd = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.url = 'http://127.0.0.1:%d' % self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.httpd.shutdown()
        self.httpd.server_close()


def ok(result=None, delay=0):
    return (200, envelope(PROFILE if result is None else result), {}, delay)


def test_connection_refused_is_short_and_retried_for_reads_and_writes():
    port = closed_port()
    for method, read in (('GET', None), ('PUT', False)):
        client = KuzzleClient('http://127.0.0.1:%d' % port, retries=2)
        err = failure(client.call, method, ['profiles', 'p1'], body={} if method == 'PUT' else None,
                      doing='touch profile "p1"')
        assert str(err) == ('Could not touch profile "p1": cannot reach Kuzzle at http://127.0.0.1:%d: '
                            'Connection refused' % port)
        assert err.status is None and err.error_id is None
        assert client.request_count == 3  # connection errors are safe to retry for writes too


def test_connection_refused_without_retries_and_with_userinfo():
    port = closed_port()
    client = KuzzleClient('http://admin:%s@127.0.0.1:%d/' % (PASSWORD, port), retries=0)
    err = failure(client.call, 'GET', ['profiles', 'p1'], doing='read profile "p1"')
    assert str(err) == 'Could not read profile "p1": cannot reach Kuzzle at http://127.0.0.1:%d: Connection refused' % port
    assert client.request_count == 1


def test_real_transport_retries_reads_on_503_then_succeeds():
    with ScriptedServer([(503, error_envelope(503, 'api.process.overloaded', 'busy'), {'Retry-After': '0'}, 0),
                         (502, '<html>bad gateway</html>', {}, 0), ok()]) as server:
        client = KuzzleClient(server.url)
        assert client.call('GET', ['profiles', 'p1']) == PROFILE
        assert len(server.requests) == 3 and client.request_count == 3


def test_real_transport_does_not_retry_a_write_on_502_but_does_on_429():
    with ScriptedServer([(502, '<html>bad gateway</html>', {}, 0),
                         (429, error_envelope(429, 'api.process.too_many_requests', 'slow down'), {}, 0),
                         ok()]) as server:
        client = KuzzleClient(server.url)
        err = failure(client.call, 'PUT', ['profiles', 'p1', '_update'], body={'rateLimit': 1})
        assert err.status == 502 and len(server.requests) == 1
        assert client.call('PUT', ['profiles', 'p1', '_update'], body={'rateLimit': 1}) == PROFILE
        assert len(server.requests) == 3 and client.request_count == 3
        assert [json.loads(r[2]) for r in server.requests] == [{'rateLimit': 1}] * 3


def test_real_transport_keeps_kuzzles_error_after_the_last_retry():
    busy = (503, error_envelope(503, 'api.process.overloaded', 'Kuzzle is overloaded'), {}, 0)
    with ScriptedServer([busy] * 3) as server:
        client = KuzzleClient(server.url, retries=2)
        err = failure(client.call, 'POST', ['profiles', 'p1', '_create'], body={})
        assert err.error_id == 'api.process.overloaded'
        assert len(server.requests) == 3 and client.request_count == 3


def test_a_read_timeout_is_retried_for_reads_only():
    with ScriptedServer([ok(delay=1.0), ok()]) as server:
        client = KuzzleClient(server.url, timeout=0.3)
        assert client.call('GET', ['profiles', 'p1']) == PROFILE
        assert client.request_count == 2
    with ScriptedServer([ok(delay=1.0), ok()]) as server:
        client = KuzzleClient(server.url, timeout=0.3)
        err = failure(client.call, 'DELETE', ['profiles', 'p1'], doing='delete profile "p1"')
        assert str(err) == ('Could not delete profile "p1": no complete answer from Kuzzle at %s within 0.3 s '
                            '(the change may or may not have been applied)' % server.url)
        assert err.outcome == 'unknown'
        assert err.status is None and client.request_count == 1
        time.sleep(0.8)
        assert len(server.requests) == 1


def test_a_tls_failure_is_short_and_not_retried():
    listener = socket.socket()
    listener.bind(('127.0.0.1', 0))
    listener.listen(5)
    accepted = []

    def plain_http_answer():  # what a plain-HTTP server says to a TLS hello
        while True:
            try:
                conn = listener.accept()[0]
            except OSError:
                return
            accepted.append(conn)
            conn.sendall(b'HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n')
            conn.close()

    threading.Thread(target=plain_http_answer, daemon=True).start()
    url = 'https://127.0.0.1:%d' % listener.getsockname()[1]
    try:
        client = KuzzleClient(url, retries=3, timeout=5)
        err = failure(client.call, 'GET', ['profiles', 'p1'], doing='read profile "p1"')
    finally:
        listener.close()
    message = str(err)
    assert message.startswith('Could not read profile "p1": cannot reach Kuzzle at %s: TLS error: ' % url)
    assert ' object at 0x' not in message and 'Traceback' not in message and len(message) < 300
    assert client.request_count == 1 and len(accepted) == 1


def test_a_real_login_then_the_token_and_no_logout():
    with ScriptedServer([(200, login_answer(), {'Set-Cookie': 'authToken=abc; Path=/'}, 0), ok()]) as server:
        with KuzzleClient(server.url, username='admin', password=PASSWORD) as client:
            client.call('GET', ['profiles', 'p1'])
        expected = [('POST', '/_login/local?expiresIn=5m'), ('GET', '/profiles/p1')]
        assert [r[:2] for r in server.requests] == expected
        assert [h.get('Authorization') for h in server.headers] == [None, 'Bearer ' + JWT]
        assert all('Cookie' not in h for h in server.headers)
        assert server.headers[0]['Content-Type'] == 'application/json'


# --- other credentials: add_secret, login_as, logout_token ------------------------------------------

def test_add_secret_masks_a_value_in_later_messages(rsps):
    add(rsps, 'GET', status=400, json_body=error_envelope(400, 'api.assert.invalid_argument', 'bad value "user-pw-42"'))
    client = KuzzleClient(BASE, token=API_KEY)
    client.add_secret('user-pw-42')
    client.add_secret('user-pw-42')  # twice is harmless
    client.add_secret(None)
    err = failure(client.call, 'GET', ['users', 'u1'], doing='update user "u1" with user-pw-42')
    assert 'user-pw-42' not in str(err) and 'user-pw-42' not in repr(err.__dict__)
    assert str(err) == ('Could not update user "u1" with ********: Kuzzle answered 400 '
                        'api.assert.invalid_argument: bad value "********"')


def test_login_as_is_anonymous_and_keeps_the_clients_own_session(rsps):
    user_jwt = 'kauth-user-token-123'
    add(rsps, 'POST', json_body=login_answer(), url=LOGIN)
    add(rsps, 'GET', json_body=envelope(PROFILE))
    add(rsps, 'POST', json_body=login_answer(user_jwt), url=BASE + '/_login/local?expiresIn=10s')
    add(rsps, 'POST', json_body=envelope({}, action='logout'), url=BASE + '/_logout')
    add(rsps, 'GET', json_body=envelope(PROFILE))
    with KuzzleClient(BASE, username='admin', password=PASSWORD) as client:
        client.call('GET', ['profiles', 'p1'])
        result = client.login_as({'username': 'bob', 'password': 'bob-pw-1'}, query={'expiresIn': '10s'})
        assert result['jwt'] == user_jwt
        assert client.logout_token(user_jwt) is True
        client.call('GET', ['profiles', 'p1'])
    probe, logout, after = (c.request for c in rsps.calls[2:])
    assert json.loads(probe.body) == {'username': 'bob', 'password': 'bob-pw-1'}
    assert 'Authorization' not in probe.headers
    assert logout.headers['Authorization'] == 'Bearer ' + user_jwt
    assert after.headers['Authorization'] == 'Bearer ' + JWT
    assert len(rsps.calls) == 5  # the client's own session is not logged out


def test_login_as_refused_masks_the_password_and_says_who(rsps):
    add(rsps, 'POST', status=401, url=BASE + '/_login/local', json_body=error_envelope(
        401, 'plugin.strategy.missing_user', 'wrong password bob-pw-1', action='login'))
    client = KuzzleClient(BASE, token=API_KEY)
    err = failure(client.login_as, {'username': 'bob', 'password': 'bob-pw-1'}, doing='check the password of user "bob"')
    assert err.error_id == 'plugin.strategy.missing_user' and err.status == 401
    assert 'bob-pw-1' not in str(err) and str(err).startswith('Could not check the password of user "bob"')
    # the password stays masked afterwards, in any message of this client
    add(rsps, 'GET', status=400, json_body=error_envelope(400, 'x.y', 'echo bob-pw-1'))
    assert 'bob-pw-1' not in str(failure(client.call, 'GET', ['users', 'bob']))


def test_login_as_token_is_masked_and_a_failed_logout_is_false(rsps):
    add(rsps, 'POST', json_body=login_answer('kauth-user-token-456'), url=BASE + '/_login/local')
    add(rsps, 'POST', status=403, url=BASE + '/_logout', json_body=error_envelope(
        403, 'security.rights.forbidden', 'Insufficient permissions to execute auth:logout', action='logout'))
    add(rsps, 'GET', status=401, json_body=error_envelope(401, 'security.token.invalid', 'token kauth-user-token-456'))
    client = KuzzleClient(BASE, retries=0)
    client.login_as({'username': 'bob', 'password': 'pw'})
    assert client.logout_token('kauth-user-token-456') is False
    assert 'kauth-user-token-456' not in str(failure(client.call, 'GET', ['users', 'bob']))


def test_login_as_refuses_a_url_without_http_scheme():
    err = failure(KuzzleClient('ftp://kuzzle.test').login_as, {'username': 'bob', 'password': 'pw'})
    assert 'does not start with http://' in str(err)


# --- result shapes and urls ---------------------------------------------------------------------------

@pytest.mark.parametrize('action,result,expected', [
    ('security:getProfile', 'a string', 'expected an object with _id and an object _source, got a string: "a string"'),
    ('security:getProfile', [1, 2], 'expected an object with _id and an object _source, got a list: [1, 2]'),
    ('security:searchRoles', {'hits': [{'_id': 'r'}], 'total': 1}, 'got an object: {"hits": [{"_id": "r"}], "total": 1}'),
    ('security:searchRoles', {'hits': [], 'total': 'many'}, 'got an object: {"hits": [], "total": "many"}'),
    ('index:exists', None, 'expected true or false, got null: null'),
    ('auth:login', {'jwt': 42, 'password': 'echoed'}, 'got an object: {"jwt": "********", "password": "********"}'),
])
def test_a_result_of_another_shape_fails_naming_the_action_and_what_came(rsps, action, result, expected):
    method, segments, read, doing = _api.request(action, {'_id': 'x', 'strategy': 'local', 'index': 'i'})
    add(rsps, method, json_body=envelope(result))
    err = failure(KuzzleClient(BASE).call, method, segments, doing=doing, read=read, action=action)
    assert str(err).startswith('Could not %s: unexpected answer to %s: expected ' % (doing, action))
    assert str(err).endswith(expected)
    assert err.outcome is None and err.status == 200


def test_what_came_is_cut_and_a_write_of_another_shape_may_have_been_applied(rsps):
    add(rsps, 'POST', json_body=envelope('garbage-' * 200, action='createProfile'))
    err = failure(KuzzleClient(BASE).act, 'security:createProfile', _id='p', body={})
    assert len(str(err)) < 400 and '"garbage-garbage-' in str(err) and '... (the change may' in str(err)
    assert err.outcome == 'unknown'


def test_the_shape_is_only_checked_for_actions(rsps):
    add(rsps, 'GET', json_body=envelope('anything'))
    assert KuzzleClient(BASE).call('GET', ['profiles', 'p1']) == 'anything'


@pytest.mark.parametrize('url,problem', [
    ('http://[::1', 'is not a valid URL (Invalid IPv6 URL)'),
    ('http://127.0.0.1:notaport', "is not a valid URL (Port could not be cast to integer value as 'notaport')"),
    ('http://127.0.0.1:99999', 'is not a valid URL (Port out of range 0-65535)'),
    ('http://127.0.0.1:0', 'is not a valid URL (port 0)'),
    ('ftp://kuzzle.test', 'does not start with http:// or https://'),
    ('http:///profiles', 'has no host'),
    ('https://kuzzle.test:7512/prefix', None),
    ('http://[::1]:7512', None),
])
def test_url_problem(url, problem):
    assert _client.url_problem(url) == problem


def test_a_malformed_url_fails_before_any_request_without_its_password(rsps):
    client = KuzzleClient('http://admin:%s@[::1' % PASSWORD, username='admin', password='other')
    err = failure(client.call, 'GET', ['profiles', 'p1'], doing='read profile "p1"')
    assert str(err) == 'Could not read profile "p1": url "http://[::1" is not a valid URL (Invalid IPv6 URL)'
    assert client.request_count == 0 and len(rsps.calls) == 0


@pytest.mark.parametrize('url,stripped,secrets', [
    ('https://u:p%40ss@h:1/x', 'https://h:1/x', ['p%40ss', 'p@ss']),
    ('http://u@h', 'http://h', []),
    ('http://u:a@b@[::1', 'http://[::1', ['a@b']),
    ('http://h/x@y', 'http://h/x@y', []),
    ('kuzzle.test:7512', 'kuzzle.test:7512', []),
])
def test_userinfo_is_taken_out_of_urls_even_malformed_ones(url, stripped, secrets):
    assert _client.without_userinfo(url) == stripped
    assert _client.userinfo_secrets(url) == secrets
