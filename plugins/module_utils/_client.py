# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""The one HTTP client of the community.kuzzle collection.

For internal use of the collection only: no compatibility promise, it can change at any time.

Every Kuzzle request of the collection goes through ``KuzzleClient``. Modules and plans do not call it with a
path: they send Kuzzle actions by name with ``act()``, which takes the route, the retry policy and the result
to expect from the action table of _api.py. The client handles authentication, TLS, timeouts, bounded retries
and both of Kuzzle's error shapes, and raises ``KuzzleError`` with a one-line message that never contains a
password, a token or an API key.

How a request is sent (``_send``):

- Each try has ``timeout`` seconds from its start to the last byte of the answer (_transport.py).
- A read is tried again after any transient failure: no connection, a timeout, an answer cut short (a reset,
  or fewer bytes than announced), 429, 502, 503, 504. A write only when Kuzzle cannot have run it: no
  connection, 429 and 503 (Kuzzle refuses with them before running an action). At most ``retries`` more tries
  per request, after waits of 0, 1, 2, 4... seconds (or what Retry-After asks, up to 30 s). urllib3's Retry
  does this for everything it sees (the connection, the status line and headers); the body is read after
  urllib3 is done, so a body cut short is tried again here, counted in the same ``retries``.
- A write that failed once it may have reached Kuzzle (a timeout, a connection cut, a 502 or 504 of a
  gateway, a success whose answer cannot be read) raises a KuzzleError whose ``outcome`` is UNKNOWN.
- A result of another shape than the action's row declares fails naming the action and what came.
- With username and password, the client logs in with a session of SESSION_LIFETIME and never logs out:
  Kuzzle gives two logins of one user within the same second the same token, so a logout would end the
  session of any other task (or kuzzle_login token) that logged in at that moment. When Kuzzle refuses the
  client's own session token (401 security.token.invalid: expired, or revoked by a logout elsewhere), the
  client logs in again and sends the refused request once more, writes included: Kuzzle checks the token
  before it runs anything, so the refused request was not run. A token the task gives (the token option: a
  kuzzle_login token, an API key) is never replaced.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import threading
import time
import traceback
from urllib.parse import quote, unquote, urlsplit

from ansible_collections.community.kuzzle.plugins.module_utils import _api, _transport
from ansible_collections.community.kuzzle.plugins.module_utils._errors import UNKNOWN, KuzzleError

try:
    import requests
    from urllib3.exceptions import ConnectTimeoutError
except ImportError:
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
else:
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None

USER_AGENT = 'community.kuzzle/0.2.0'  # the collection version of galaxy.yml (a unit test keeps them equal)
BACKOFF_FACTOR = 0.5     # waits of 0, then 2 x 0.5 s, 4 x 0.5 s... between tries
MAX_RETRY_AFTER = _transport.MAX_RETRY_AFTER
READ_RETRY_STATUSES = (429, 502, 503, 504)
# Kuzzle answers 429 (api.process.too_many_requests) and 503 (overloaded) before it runs the action,
# so sending a write again after them cannot apply it twice; a 502 or 504 may come after the write.
WRITE_RETRY_STATUSES = (429, 503)
GATEWAY_STATUSES = (502, 504)
# The lifetime of the sessions the client logs in itself (Kuzzle's expiresIn): it never logs them out, so that
# they end soon after the task; a longer task logs in again when Kuzzle refuses the expired token.
SESSION_LIFETIME = '5m'
TOKEN_REFUSED = ('security.token.invalid', 'security.token.expired')  # Kuzzle's refusals of a request's token
_USERINFO = re.compile(r'^([A-Za-z][A-Za-z0-9+.-]*://)([^/?#]*)@')


def without_userinfo(url):
    """The URL without its ``user:password@`` part (for messages and requests), malformed URLs included."""
    return _USERINFO.sub(r'\1', url)


def userinfo_secrets(url):
    """The password of the URL's ``user:password@`` part, as written and percent-decoded ([] without one)."""
    match = _USERINFO.match(url) if isinstance(url, str) else None
    if not match or ':' not in match.group(2):
        return []
    password = match.group(2).partition(':')[2]
    return [secret for secret in dict.fromkeys((password, unquote(password))) if secret]


def url_problem(url):
    """Why ``url`` cannot be Kuzzle's address, None when it can; checked before any request."""
    try:
        parts = urlsplit(url)
        if parts.port == 0:  # reading port also refuses one that is not a number from 0 to 65535
            return 'is not a valid URL (port 0)'
    except ValueError as exc:
        return 'is not a valid URL (%s)' % exc
    if parts.scheme not in ('http', 'https'):
        return 'does not start with http:// or https://'
    if not parts.hostname:
        return 'has no host'
    return None


def quote_segments(segments):
    """'/seg1/seg2...' with every segment percent-encoded, '/' included."""
    return '/' + '/'.join(quote(s if isinstance(s, str) else str(s), safe='') for s in segments)


def encode_query(query):
    """'?a=1&flag' from a dict: True is sent as a bare flag (Kuzzle reads any presence of a
    boolean flag as true over HTTP, even 'flag=false'), False and None are left out, lists are
    joined with commas and anything else goes through str()."""
    pairs = []
    for key, value in (query or {}).items():
        if value is None or value is False:
            continue
        name = quote(str(key), safe='')
        if value is True:
            pairs.append(name)
            continue
        if isinstance(value, (list, tuple)):
            value = ','.join(str(item) for item in value)
        pairs.append('%s=%s' % (name, quote(str(value), safe='')))
    return '?' + '&'.join(pairs) if pairs else ''


class _Bearer:
    """requests auth hook: set as ``auth=`` it also stops requests from using ~/.netrc instead."""

    def __init__(self, token):
        self._token = token

    def __call__(self, request):
        request.headers['Authorization'] = 'Bearer ' + self._token
        return request

    def __repr__(self):
        return '<bearer token>'


class _TryFailed(Exception):
    """A try that brought no answer to read: ``exc`` is what requests raised (None for a body shorter than
    announced), ``expired`` whether its deadline had passed, ``response`` the answer whose body failed (None
    when urllib3 gave up before any answer)."""

    def __init__(self, exc, expired, response=None, note=None):
        super(_TryFailed, self).__init__(note or str(exc))
        self.exc = exc
        self.expired = expired
        self.response = response
        self.note = note


class KuzzleClient:
    """Calls Kuzzle's HTTP API. See the collection's connection options for the parameters."""

    def __init__(self, url, username=None, password=None, auth_strategy='local', token=None,
                 validate_certs=True, ca_path=None, client_cert=None, client_key=None,
                 timeout=10, retries=3):
        # the user:password@ part of url is never sent: Kuzzle does not read it, and requests would send it
        # as Basic authentication with any request that has no token
        self.url = without_userinfo(url).rstrip('/')
        self.display_url = self.url
        self.username = username
        self._password = password
        self.auth_strategy = auth_strategy or 'local'
        self._token = token
        self._own_session = False  # whether _token is a session this client logged in itself
        self._secrets = [s for s in [password, token] + userinfo_secrets(url) if s]
        self._verify = ca_path or validate_certs
        self._cert = (client_cert, client_key) if client_cert and client_key else client_cert
        self.timeout = timeout
        self.retries = max(int(retries), 0)
        self.major_version = None
        self.cache = {}  # answers that do not change during a task (server:publicApi), by action
        self._tries = 0
        self._local = threading.local()  # this thread's requests session: a session is not shared between threads
        self._sessions = []
        self._lock = threading.Lock()
        self._login_lock = threading.Lock()

    @property
    def request_count(self):
        """HTTP requests actually sent, retries included."""
        return self._tries

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
        return False

    def _error(self, doing, **kwargs):
        return KuzzleError(doing, secrets=self._secrets, **kwargs)

    def _transport(self):
        """(session, adapter) of this thread."""
        found = getattr(self._local, 'transport', None)
        if found is None:
            found = self._local.transport = _transport.new_session(USER_AGENT)
            with self._lock:
                self._sessions.append(found[0])
        return found

    def _retry(self, read, retried):
        """urllib3's Retry for the tries left of one request (``retried``: one item per try made after the first)."""
        left = max(self.retries - len(retried), 0)
        retry = _transport.CountingRetry(
            total=left, connect=left, read=left if read else False, status=left, other=0, allowed_methods=None,
            backoff_factor=BACKOFF_FACTOR, raise_on_status=False, respect_retry_after_header=True,
            status_forcelist=READ_RETRY_STATUSES if read else WRITE_RETRY_STATUSES)
        retry.counter = retried
        return retry

    def call(self, method, segments, query=None, body=None, doing='', read=None, action=None):
        """Send one Kuzzle API request and return the ``result`` of its answer; raise KuzzleError.

        ``action``: the Kuzzle action it is (a key of _api.ACTIONS), whose declared result is checked."""
        method = method.upper()
        path = quote_segments(segments)
        doing = doing or '%s %s' % (method, path)
        if any(str(segment) in ('', '.', '..') for segment in segments):
            # Kuzzle skips empty path segments, and '.' or '..' would be resolved as relative paths
            # (requests decodes '%2E'): the request would reach another route.
            raise self._error(doing, reason='an identifier that is empty, "." or ".." cannot be sent in a Kuzzle URL')
        self._check_url(doing)
        if self.username and not self._token:
            self._log_in(None)
        return self._send(method, path + encode_query(query), body, doing,
                          method in ('GET', 'HEAD') if read is None else read, action=action)

    def act(self, name, body=None, query=None, doing=None, **route):
        """Send the Kuzzle action ``name`` (a row of _api.ACTIONS, whose read/write decides the retries) and
        return the ``result`` of its answer, once checked against the row's result; raise KuzzleError. ``route``
        fills the route's ``:params``; ``doing`` defaults to the row's text. See _api.py."""
        method, segments, read, default_doing = _api.request(name, route, self.major_version)
        return self.call(method, segments, query=query, body=body, doing=doing or default_doing, read=read, action=name)

    def act_anonymously(self, name, body=None, query=None, doing=None, **route):
        """act() without authentication: no token is sent and the client does not log in, whatever its
        credentials (for what any caller may ask, such as readiness, or for a user that does not exist yet)."""
        method, segments, read, default_doing = _api.request(name, route, self.major_version)
        doing = doing or default_doing
        self._check_url(doing)
        return self._send(method, quote_segments(segments) + encode_query(query), body, doing, read, token='', action=name)

    @property
    def authenticates(self):
        """Whether the client has credentials of its own (username and password, or a token)."""
        return bool(self.username or self._token)

    def supports(self, capability):
        """Whether the Kuzzle this client talks to has ``capability`` (a key of _api.CAPABILITIES).

        Known from the first answer on; before any answer, the current major version is assumed."""
        return _api.supported(capability, self.major_version)

    def _check_url(self, doing):
        problem = url_problem(self.url)
        if problem:
            raise self._error(doing, reason='url "%s" %s' % (self.display_url, problem))

    def _log_in(self, refused):
        """Log in with username and password, unless another thread did since ``refused`` was the token."""
        with self._login_lock:
            if self._token != refused:
                return
            doing = 'log in to Kuzzle as "%s" (strategy %s)' % (self.username, self.auth_strategy)
            credentials = {'username': self.username, 'password': self._password}
            try:
                result = self._post_login(credentials, self.auth_strategy, doing, {'expiresIn': SESSION_LIFETIME})
            except KuzzleError as err:
                if err.error_id != 'security.token.ttl_exceeded':
                    raise
                # security.authToken.maxTTL is shorter: Kuzzle's default lifetime, which must be within it
                result = self._post_login(credentials, self.auth_strategy, doing)
            self._token = result['jwt']
            self._own_session = True

    def _post_login(self, credentials, strategy, doing, query=None):
        """Kuzzle's login result for these credentials, sent anonymously; its token is masked from now on."""
        method, segments, read = _api.request('auth:login', {'strategy': strategy})[:3]
        result = self._send(method, quote_segments(segments) + encode_query(query), credentials, doing, read, token='',
                            action='auth:login')
        self.add_secret(result['jwt'])
        return result

    def _send(self, method, path, body, doing, read, token=None, action=None):
        """One request, with its tries (see the module's docstring); ``token`` None uses this client's own token
        (and logs in again once if Kuzzle refuses it), '' sends none, else that token. Kuzzle's result."""
        retried = []
        logged_in_again = False
        while True:
            sent = self._token if token is None else token
            try:
                response = self._try(method, path, body, read, sent, retried)
            except _TryFailed as failed:
                if failed.response is not None and read and len(retried) < self.retries:
                    retried.append(None)  # a body cut short: urllib3 was done with it, so it is tried again here
                    time.sleep(_backoff(len(retried)))
                    continue
                raise self._error(doing, **self._failure(failed, read))
            try:
                return self._result(response, doing, method, read, action)
            except KuzzleError as err:
                if (token is None and self._own_session and not logged_in_again and err.status == 401
                        and err.error_id in TOKEN_REFUSED):
                    logged_in_again = True
                    self._log_in(sent)
                    continue
                raise

    def _try(self, method, path, body, read, token, retried):
        """Send the request (urllib3 makes its own retries) and read the whole answer, every try within the
        timeout; the answer, its body read, or _TryFailed."""
        session, adapter = self._transport()
        adapter.max_retries = self._retry(read, retried)
        kwargs = dict(timeout=self.timeout, verify=self._verify, cert=self._cert, allow_redirects=False, stream=True)
        if body is not None:
            kwargs['json'] = body
        if token:
            kwargs['auth'] = _Bearer(token)
        before = len(retried)
        try:
            with _transport.Attempts(self.timeout) as attempts:
                try:
                    response = session.request(method, self.url + path, **kwargs)
                except (requests.exceptions.RequestException, ValueError, OSError) as exc:
                    raise _TryFailed(exc, attempts.expired)
                try:
                    received = len(response.content)
                    raw_received = getattr(response.raw, 'tell', lambda: received)()
                except (requests.exceptions.RequestException, ValueError, OSError) as exc:
                    raise _TryFailed(exc, attempts.expired, response)
                finally:
                    response.close()
                announced = response.headers.get('Content-Length', '')
                if method != 'HEAD' and announced.isdigit() and raw_received < int(announced):
                    raise _TryFailed(None, attempts.expired, response,
                                     note='the answer was cut short: %d of its %s bytes came' % (raw_received, announced))
        finally:
            self._tries += 1 + len(retried) - before
        return response

    def _failure(self, failed, read):
        """The reason and outcome of a KuzzleError for a try that brought no answer to read."""
        where = self.display_url
        sent = failed.response is not None or not _never_sent(failed.exc)
        if failed.expired or isinstance(failed.exc, requests.exceptions.Timeout):
            if isinstance(failed.exc, requests.exceptions.ConnectTimeout):
                reason = 'cannot reach Kuzzle at %s: no connection within %g s' % (where, self.timeout)
            else:
                reason = 'no complete answer from Kuzzle at %s within %g s' % (where, self.timeout)
        elif failed.response is not None:
            reason = 'the answer of Kuzzle at %s (HTTP %d) %s' % (
                where, failed.response.status_code, failed.note or 'was cut short: %s' % _root_reason(failed.exc))
        elif _is_tls_error(failed.exc):
            sent = False  # the TLS session failed: nothing was passed on to Kuzzle
            reason = 'cannot reach Kuzzle at %s: TLS error: %s' % (where, _root_reason(failed.exc))
        elif sent:
            reason = 'lost the connection to Kuzzle at %s: %s' % (where, _root_reason(failed.exc))
        else:
            reason = 'cannot reach Kuzzle at %s: %s' % (where, _root_reason(failed.exc))
        status = failed.response.status_code if failed.response is not None else None
        return dict(reason=reason, status=status, outcome=UNKNOWN if sent and not read else None)

    def _result(self, response, doing, method, read, action):
        status = response.status_code
        if method == 'HEAD' and status < 300:
            return None
        # a write whose answer is not Kuzzle's may still have run: a success without a Kuzzle answer, or a
        # gateway's error after it passed the request on
        lost = None if read or not (status < 300 or status in GATEWAY_STATUSES) else UNKNOWN
        try:
            payload = response.json()
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            location = response.headers.get('Location')
            if 300 <= status < 400 and location:
                reason = 'HTTP %d, the server redirects to %s: set url to the address Kuzzle answers on' % (
                    status, without_userinfo(location))
            elif status in GATEWAY_STATUSES + (503,):
                reason = 'HTTP %d from a proxy or gateway in front of Kuzzle at %s, not from Kuzzle' % (status, self.display_url)
            else:
                reason = 'HTTP %d, the server did not answer with JSON (is %s a Kuzzle server?)' % (status, self.display_url)
            raise self._error(doing, status=status, reason=reason, outcome=lost)
        if 'requestId' in payload or ('result' in payload and 'status' in payload):
            # The envelope: Kuzzle 2.x always has 'headers' ('node' only in a cluster: a single
            # node leaves it undefined, so JSON drops it); Kuzzle 1.x has neither.
            self.major_version = 2 if 'headers' in payload or 'node' in payload else 1
            error = payload.get('error')
            if not error and status < 400:
                result = payload.get('result')
                problem = _api.result_problem(action, result) if action else None
                if problem:
                    raise self._error(doing, status=status, reason=problem, outcome=None if read else UNKNOWN)
                return result
            error = error if isinstance(error, dict) else {}
            failure = self._error(doing, status=error.get('status') or payload.get('status') or status,
                                  error_id=error.get('id'), kuzzle_message=error.get('message'),
                                  kuzzle_action=payload.get('action'))
            if failure.status == 206:  # a partial success (mDelete*): what was done, and each refusal
                failure.result = payload.get('result')
                failure.errors = error.get('errors') if isinstance(error.get('errors'), list) else []
            raise failure
        if 'status' in payload and ('id' in payload or 'message' in payload):
            # Protocol-level errors (unparseable body, unsupported content type) come bare.
            raise self._error(doing, status=payload.get('status') or status, error_id=payload.get('id'),
                              kuzzle_message=payload.get('message'))
        raise self._error(doing, status=status, outcome=lost,
                          reason='HTTP %d, the JSON answer is not a Kuzzle response (is %s a Kuzzle server?)' % (status, self.display_url))

    def add_secret(self, value):
        """Mask ``value`` in every later message of this client, for example a password the task sets."""
        if value and value not in self._secrets:
            self._secrets.append(value if isinstance(value, str) else str(value))

    def login_as(self, credentials, strategy='local', doing='', query=None):
        """Log in anonymously with other credentials, leaving this client's own authentication as it is.

        Returns Kuzzle's login result (``_id``: the kuid, ``jwt``, ``expiresAt``, ``ttl``); every credential
        but the username, and the token, are masked in later messages. Raises KuzzleError when Kuzzle
        refuses (``plugin.strategy.missing_user`` for a wrong username or password). Pair it with
        logout_token() when the session is only a probe.
        """
        doing = doing or 'log in to Kuzzle (strategy %s)' % strategy
        for key, value in credentials.items():
            if key != 'username':
                self.add_secret(value)
        self._check_url(doing)
        return self._post_login(dict(credentials), strategy, doing, query)

    def logout_token(self, token):
        """Revoke ``token`` with a logout sent with it. True when Kuzzle did; never raises."""
        method, segments, read, doing = _api.request('auth:logout')
        try:
            self._send(method, quote_segments(segments), None, doing, read, token=token)
        except Exception:  # pylint: disable=broad-except
            return False  # the token expires on its own
        return True

    def close(self):
        """Release the connections. Never raises. The session this client logged in is not logged out (see the
        module's docstring): it expires SESSION_LIFETIME after the login."""
        with self._lock:
            sessions, self._sessions = self._sessions, []
        for session in sessions:
            session.close()
        self._local = threading.local()


def _backoff(tries):
    """Seconds to wait before try number ``tries`` + 1: urllib3's backoff (0, then 1, 2, 4... with the default factor)."""
    return 0 if tries <= 1 else min(BACKOFF_FACTOR * 2 ** (tries - 1), 120)


def _causes(exc):
    """exc and every exception it wraps (args, urllib3's reason, cause and context), each once."""
    todo, seen = [exc], set()
    while todo:
        current = todo.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        nested = list(getattr(current, 'args', ()))
        nested += [getattr(current, 'reason', None), current.__cause__, current.__context__]
        # a KuzzleError being handled when the transport failed is not what failed
        todo.extend(item for item in nested if isinstance(item, BaseException) and not isinstance(item, KuzzleError))


def _never_sent(exc):
    """Whether the request cannot have left: no connection was made (refused, unreachable, no such host, connection
    timeout) or the URL could not be used."""
    if exc is None:
        return False
    if isinstance(exc, (requests.exceptions.ConnectTimeout, requests.exceptions.InvalidURL, requests.exceptions.InvalidSchema,
                        requests.exceptions.MissingSchema)):
        return True
    return any(isinstance(cause, ConnectTimeoutError) for cause in _causes(exc))  # NewConnectionError is one too


def _is_tls_error(exc):
    return isinstance(exc, requests.exceptions.SSLError)


def _root_reason(exc):
    """A short reason for a transport failure: the innermost OS/TLS error, without object reprs."""
    last = exc
    for current in _causes(exc):
        last = current
        verify_message = getattr(current, 'verify_message', None)
        if verify_message:
            return 'certificate verify failed: %s' % verify_message
        strerror = getattr(current, 'strerror', None)
        if isinstance(current, OSError) and isinstance(strerror, str) and strerror:
            return strerror
    text = re.sub(r'<[^>]* object at 0x[0-9a-fA-F]+>:?\s*', '', str(last) or type(last).__name__)
    text = re.sub(r'(\w+://)[^/@\s]*@', r'\1', text)
    return text[:200]
