# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""The one HTTP client of the community.kuzzle collection.

For internal use of the collection only: no compatibility promise, it can change at any time.

Every Kuzzle request of the collection goes through ``KuzzleClient.call()``, which handles
authentication, TLS, timeouts, bounded retries and both of Kuzzle's error shapes, and raises
``KuzzleError`` with a one-line message that never contains a password, a token or an API key.
Modules and plans do not call it with a path: they send Kuzzle actions by name with ``act()``, which
takes the route and the retry policy from the action table of _api.py.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import traceback
from http.cookiejar import DefaultCookiePolicy
from urllib.parse import quote, urlsplit

from ansible_collections.community.kuzzle.plugins.module_utils import _api
from ansible_collections.community.kuzzle.plugins.module_utils._errors import KuzzleError

try:
    import requests
    from urllib3.util.retry import Retry
except ImportError:
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
    Retry = object
else:
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None

USER_AGENT = 'community.kuzzle/0.1.0'  # the collection version of galaxy.yml (a unit test keeps them equal)
BACKOFF_FACTOR = 0.5     # urllib3 waits 0, then 2 x 0.5 s, 4 x 0.5 s... between attempts
MAX_RETRY_AFTER = 30     # seconds: a longer Retry-After from a proxy must not stall a play for hours
READ_RETRY_STATUSES = (429, 502, 503, 504)
# Kuzzle answers 429 (api.process.too_many_requests) and 503 (overloaded) before it runs the action,
# so sending a write again after them cannot apply it twice; a 502 or 504 may come after the write.
WRITE_RETRY_STATUSES = (429, 503)


def without_userinfo(url):
    """The URL without the ``user:password@`` part, for messages."""
    parts = urlsplit(url)
    if '@' not in parts.netloc:
        return url
    return parts._replace(netloc=parts.netloc.rpartition('@')[2]).geturl()


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


class _Retry(Retry):
    """urllib3 Retry that counts the attempts it adds and bounds Retry-After."""

    counter = None  # a list shared with the client: one item per retried attempt

    def new(self, **kw):
        retry = super(_Retry, self).new(**kw)
        retry.counter = self.counter
        return retry

    def increment(self, *args, **kwargs):
        retry = super(_Retry, self).increment(*args, **kwargs)  # raises when exhausted: no new attempt
        if self.counter is not None:
            self.counter.append(None)
        return retry

    def get_retry_after(self, response):
        seconds = super(_Retry, self).get_retry_after(response)
        return None if seconds is None else min(seconds, MAX_RETRY_AFTER)


class KuzzleClient:
    """Calls Kuzzle's HTTP API. See the collection's connection options for the parameters."""

    def __init__(self, url, username=None, password=None, auth_strategy='local', token=None,
                 validate_certs=True, ca_path=None, client_cert=None, client_key=None,
                 timeout=10, retries=3):
        self.url = url.rstrip('/')
        self.display_url = without_userinfo(self.url)
        self.username = username
        self._password = password
        self.auth_strategy = auth_strategy or 'local'
        self._token = token
        self._logged_in = False
        userinfo_password = urlsplit(self.url).password
        self._secrets = [s for s in (password, token, userinfo_password) if s]
        self._verify = ca_path or validate_certs
        self._cert = (client_cert, client_key) if client_cert and client_key else client_cert
        self.timeout = timeout
        self.retries = max(int(retries), 0)
        self.major_version = None
        self._sent = 0
        self._retried = []
        self._sessions = {}

    @property
    def request_count(self):
        """HTTP requests actually sent, retries included."""
        return self._sent + len(self._retried)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
        return False

    def _error(self, doing, **kwargs):
        return KuzzleError(doing, secrets=self._secrets, **kwargs)

    def _session(self, read):
        # urllib3 retries are configured per adapter, so reads and writes get one Session each:
        # reads may be sent again after any transient failure, writes only when Kuzzle cannot
        # have run them (the connection was never made, or a 429/503 refusal).
        if read not in self._sessions:
            session = requests.Session()
            session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))  # Kuzzle 500s on cookie + Bearer
            session.headers.update({'Accept': 'application/json', 'User-Agent': USER_AGENT})
            count = self.retries
            retry = _Retry(total=count, connect=count, read=count if read else False, status=count, other=0,
                           allowed_methods=None, backoff_factor=BACKOFF_FACTOR, raise_on_status=False,
                           status_forcelist=READ_RETRY_STATUSES if read else WRITE_RETRY_STATUSES,
                           respect_retry_after_header=True)
            retry.counter = self._retried
            adapter = requests.adapters.HTTPAdapter(max_retries=retry)
            session.mount('http://', adapter)
            session.mount('https://', adapter)
            self._sessions[read] = session
        return self._sessions[read]

    def call(self, method, segments, query=None, body=None, doing='', read=None):
        """Send one Kuzzle API request and return the ``result`` of its answer; raise KuzzleError."""
        method = method.upper()
        path = quote_segments(segments)
        doing = doing or '%s %s' % (method, path)
        if any(str(segment) in ('', '.', '..') for segment in segments):
            # Kuzzle skips empty path segments, and '.' or '..' would be resolved as relative paths
            # (requests decodes '%2E'): the request would reach another route.
            raise self._error(doing, reason='an identifier that is empty, "." or ".." cannot be sent in a Kuzzle URL')
        self._check_url(doing)
        if self.username and not self._token:
            self._login()
        return self._send(method, path + encode_query(query), body, doing,
                          method in ('GET', 'HEAD') if read is None else read)

    def act(self, name, body=None, query=None, doing=None, **route):
        """Send the Kuzzle action ``name`` (a row of _api.ACTIONS, whose read/write decides the retries) and
        return the ``result`` of its answer; raise KuzzleError. ``route`` fills the route's ``:params``;
        ``doing`` defaults to the row's text. See _api.py."""
        method, segments, read, default_doing = _api.request(name, route, self.major_version)
        return self.call(method, segments, query=query, body=body, doing=doing or default_doing, read=read)

    def supports(self, capability):
        """Whether the Kuzzle this client talks to has ``capability`` (a key of _api.CAPABILITIES).

        Known from the first answer on; before any answer, the current major version is assumed."""
        return _api.supported(capability, self.major_version)

    def _check_url(self, doing):
        if urlsplit(self.url).scheme not in ('http', 'https'):
            raise self._error(doing, reason='url "%s" does not start with http:// or https://' % self.display_url)

    def _login(self):
        doing = 'log in to Kuzzle as "%s" (strategy %s)' % (self.username, self.auth_strategy)
        result = self._post_login({'username': self.username, 'password': self._password}, self.auth_strategy, doing)
        self._token = result['jwt']
        self._logged_in = True

    def _post_login(self, credentials, strategy, doing, query=None):
        """Kuzzle's login result for these credentials, sent anonymously; its token is masked from now on."""
        method, segments, read = _api.request('auth:login', {'strategy': strategy})[:3]
        result = self._send(method, quote_segments(segments) + encode_query(query), credentials, doing, read, token='')
        token = result.get('jwt') if isinstance(result, dict) else None
        if not token or not isinstance(token, str):
            raise self._error(doing, reason='Kuzzle accepted the login but returned no token')
        self.add_secret(token)
        return result

    def _send(self, method, path, body, doing, read, token=None):
        """One request; ``token`` None uses this client's own token, '' sends none, else that token."""
        kwargs = dict(timeout=self.timeout, verify=self._verify, cert=self._cert, allow_redirects=False)
        if body is not None:
            kwargs['json'] = body
        token = self._token if token is None else token
        if token:
            kwargs['auth'] = _Bearer(token)
        self._sent += 1
        try:
            response = self._session(read).request(method, self.url + path, **kwargs)
        except (requests.exceptions.RequestException, ValueError, OSError) as exc:
            raise self._error(doing, reason=self._describe(exc, read))
        return self._result(response, doing, method)

    def _describe(self, exc, read):
        if isinstance(exc, requests.exceptions.ReadTimeout):
            return 'no answer from Kuzzle at %s within %s s%s' % (
                self.display_url, self.timeout, '' if read else ' (the change may or may not have been applied)')
        if isinstance(exc, requests.exceptions.ConnectTimeout):
            reason = 'no connection within %s s' % self.timeout
        else:
            reason = _root_reason(exc)
            if isinstance(exc, requests.exceptions.SSLError):
                reason = 'TLS error: ' + reason
        return 'cannot reach Kuzzle at %s: %s' % (self.display_url, reason)

    def _result(self, response, doing, method):
        status = response.status_code
        if method == 'HEAD' and status < 300:
            return None
        try:
            payload = response.json()
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            location = response.headers.get('Location')
            if 300 <= status < 400 and location:
                reason = 'HTTP %d, the server redirects to %s: set url to the address Kuzzle answers on' % (
                    status, without_userinfo(location))
            else:
                reason = 'HTTP %d, the server did not answer with JSON (is %s a Kuzzle server?)' % (status, self.display_url)
            raise self._error(doing, status=status, reason=reason)
        if 'requestId' in payload or ('result' in payload and 'status' in payload):
            # The envelope: Kuzzle 2.x always has 'headers' ('node' only in a cluster: a single
            # node leaves it undefined, so JSON drops it); Kuzzle 1.x has neither.
            self.major_version = 2 if 'headers' in payload or 'node' in payload else 1
            error = payload.get('error')
            if not error and status < 400:
                return payload.get('result')
            error = error if isinstance(error, dict) else {}
            raise self._error(doing, status=error.get('status') or payload.get('status') or status,
                              error_id=error.get('id'), kuzzle_message=error.get('message'),
                              kuzzle_action=payload.get('action'))
        if 'status' in payload and ('id' in payload or 'message' in payload):
            # Protocol-level errors (unparseable body, unsupported content type) come bare.
            raise self._error(doing, status=payload.get('status') or status, error_id=payload.get('id'),
                              kuzzle_message=payload.get('message'))
        raise self._error(doing, status=status, reason='HTTP %d, the JSON answer is not a Kuzzle response (is %s a Kuzzle server?)'
                          % (status, self.display_url))

    def add_secret(self, value):
        """Mask ``value`` in every later message of this client, for example a password the task sets."""
        if value and value not in self._secrets:
            self._secrets.append(value if isinstance(value, str) else str(value))

    def login_as(self, credentials, strategy='local', doing='', query=None):
        """Log in anonymously with other credentials, leaving this client's own authentication as it is.

        Returns Kuzzle's login result (``_id``: the kuid, ``jwt``, ``expiresAt``, ``ttl``); every credential
        but the username, and the token, are masked in later messages. Raises KuzzleError when Kuzzle
        refuses (``plugin.strategy.missing_user`` for a wrong username or password). Pair it with
        logout_token(): a secret checked by using it should not leave a session behind.
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
        """Log out if this client logged in, and release the connections. Never raises."""
        if self._logged_in:
            self._logged_in = False
            self.logout_token(self._token)  # a failed logout must not hide the task's result
            self._token = None
        for session in self._sessions.values():
            session.close()
        self._sessions = {}


def _root_reason(exc):
    """A short reason for a transport failure: the innermost OS/TLS error, without object reprs."""
    todo, seen, last = [exc], set(), exc
    while todo:
        current = todo.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        last = current
        verify_message = getattr(current, 'verify_message', None)
        if verify_message:
            return 'certificate verify failed: %s' % verify_message
        strerror = getattr(current, 'strerror', None)
        if isinstance(current, OSError) and isinstance(strerror, str) and strerror:
            return strerror
        nested_errors = list(getattr(current, 'args', ()))
        nested_errors += [getattr(current, 'reason', None), current.__cause__, current.__context__]
        for nested in nested_errors:
            if isinstance(nested, BaseException):
                todo.append(nested)
    text = re.sub(r'<[^>]* object at 0x[0-9a-fA-F]+>:?\s*', '', str(last) or type(last).__name__)
    text = re.sub(r'(\w+://)[^/@\s]*@', r'\1', text)
    return text[:200]
