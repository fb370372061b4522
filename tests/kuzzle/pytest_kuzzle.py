"""pytest plugin: one real Kuzzle per test session, started with ``tests/kuzzle/serve``.

Load it with ``-p pytest_kuzzle`` (``tests/kuzzle`` on ``PYTHONPATH``), or from a conftest::

    sys.path.insert(0, "<repo>/tests/kuzzle")
    def pytest_configure(config):
        if not config.pluginmanager.has_plugin("pytest_kuzzle"):
            config.pluginmanager.import_plugin("pytest_kuzzle")

The session-scoped fixture ``kuzzle`` starts ``serve --port <free> --write-log <tmp file>``
once and yields a :class:`KuzzleServer`. When ``KUZZLE_URL`` is set (a docker-compose Kuzzle,
for instance), nothing is started and that server is used; ``write_log`` is then None and
tests that need it should call ``kuzzle.require_write_log()``, which skips them.

Cluster. With ``KUZZLE_SERVE_NODES=N`` the ``kuzzle`` fixture starts ``serve --nodes N`` instead (N
Kuzzle nodes behind a round-robin proxy: ``kuzzle.url`` is the proxy, so consecutive requests land
on different nodes); the session fixture ``kuzzle_cluster`` always starts ``serve --nodes 2``. The module
fixture ``fresh_kuzzle`` serves a Kuzzle of the test file's own, with no admin yet (KUZZLE_SERVE_NODES nodes, as
``kuzzle``), for tests that start from an empty Kuzzle. All give ``.nodes``: one KuzzleServer per node, on that node's own address (same write log; a token
set on the main object is not copied).

Isolation. All tests of a session share one server, and a fresh Kuzzle lets anonymous do
everything. So:

* tests isolate themselves by unique ids (``kuzzle.uid("profile")``) and never rely on
  counts or on the absence of other objects;
* a test that needs restricted rights (401/403) calls ``kuzzle.restrict_rights()``, which runs
  ``POST /_createFirstAdmin/<id>?reset`` once and from then on sends the admin's token with
  every ``kuzzle.api()`` call. Such tests must carry the ``kuzzle_restricted`` marker
  (``pytestmark = pytest.mark.kuzzle_restricted``): the plugin runs them after every other
  test of the session, so earlier tests still see the first-boot rights.
"""

import itertools
import json
import os
import urllib.error
import urllib.parse
import urllib.request

import pytest

# SERVE, start_serve and stop_serve are part of this plugin's API (the harness and integration tests use them)
from serve_process import SERVE, start_serve, stop_serve  # noqa: F401 pylint: disable=unused-import

ADMIN = ('contract-admin', 'contract-admin-password-1')
_COUNTER = itertools.count()


class KuzzleServer:
    """A running Kuzzle and small helpers to read it back over plain HTTP."""

    def __init__(self, url, write_log=None, node_urls=()):
        self.url = url.rstrip('/')
        self.write_log = write_log
        self.token = None  # sent by api() when its token argument is None; set once rights are restricted
        self.nodes = [KuzzleServer(node_url, write_log) for node_url in node_urls]

    # -- write log -------------------------------------------------------------------------
    def require_write_log(self):
        if self.write_log is None:
            pytest.skip('needs the write log of tests/kuzzle/serve; KUZZLE_URL points at another server')

    def writes(self):
        """Every storage write so far: dicts with method, index, id and result."""
        self.require_write_log()
        with open(self.write_log, encoding='utf-8') as handle:
            return [json.loads(line) for line in handle if line.strip()]

    def mark(self):
        """A position in the write log, for ``writes_since``."""
        return len(self.writes())

    def writes_since(self, mark):
        """The writes made after ``mark()`` was taken (the stand-in logs before it answers)."""
        return self.writes()[mark:]

    # -- HTTP ------------------------------------------------------------------------------
    @staticmethod
    def uid(prefix='test'):
        """An id no other test of the session uses."""
        return f'{prefix}-{os.getpid()}-{next(_COUNTER)}'

    def api(self, method, path, body=None, token=None, query=None, content_type='application/json'):
        """Send one request; return (HTTP status, parsed JSON body or raw text).

        ``body``: a JSON-serialisable value, or bytes/str sent as is. ``query``: a dict; a value
        of None sends the bare key (``?strict``). ``token``: None uses ``self.token``, "" sends
        no Authorization header, anything else is sent as a Bearer token.
        """
        url = self.url + path
        if query:
            url += '?' + '&'.join(urllib.parse.quote(k) if v is None else f'{urllib.parse.quote(k)}={urllib.parse.quote(str(v))}'
                                  for k, v in query.items())
        data = None
        if body is not None:
            data = body if isinstance(body, bytes) else (body.encode() if isinstance(body, str) else json.dumps(body).encode())
        request = urllib.request.Request(url, data=data, method=method)
        if data is not None:
            request.add_header('Content-Type', content_type)
        token = self.token if token is None else token
        if token:
            request.add_header('Authorization', f'Bearer {token}')
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                status, text = answer.status, answer.read().decode('utf-8')
        except urllib.error.HTTPError as exc:
            status, text = exc.code, exc.read().decode('utf-8')
        try:
            return status, json.loads(text)
        except ValueError:
            return status, text

    def login(self, username, password):
        """A fresh auth token (``kauth-...``) for the local strategy."""
        status, answer = self.api('POST', '/_login/local', {'username': username, 'password': password}, token='')
        assert status == 200, answer
        return answer['result']['jwt']

    def whoami(self, token):
        """(status, kuid or error id) of ``GET /_me`` with that token."""
        status, body = self.api('GET', '/_me', token=token)
        return status, body['result']['_id'] if status == 200 else body['error']['id']

    def restrict_rights(self):
        """Create the first admin with ``reset`` (anonymous loses its rights) and use its token.

        Only from tests marked ``kuzzle_restricted``. On a shared server (KUZZLE_URL) where an
        admin already exists, KUZZLE_ADMIN_USERNAME / KUZZLE_ADMIN_PASSWORD are used instead.
        """
        if self.token is not None:
            return self.token
        username, password = ADMIN
        status, answer = self.api('POST', f'/_createFirstAdmin/{username}', token='', query={'reset': None}, body={
            'content': {}, 'credentials': {'local': {'username': username, 'password': password}}})
        if status == 412 and answer['error']['id'] == 'api.process.admin_exists':
            username = os.environ.get('KUZZLE_ADMIN_USERNAME')
            password = os.environ.get('KUZZLE_ADMIN_PASSWORD')
            if not (username and password):
                # on a server this session started, an earlier test made a user with the admin profile: a bug of
                # the test suite, not a reason to skip the restricted tests
                assert self.write_log is None, 'an earlier test of this session created a user with the admin profile'
                pytest.skip('an admin already exists on this Kuzzle: set KUZZLE_ADMIN_USERNAME and KUZZLE_ADMIN_PASSWORD')
        else:
            assert status == 200, answer
        self.token = self.login(username, password)
        return self.token


def serve_nodes():
    """KUZZLE_SERVE_NODES as a number of nodes (0: one Kuzzle, no proxy)."""
    return int(os.environ.get('KUZZLE_SERVE_NODES') or 0)


def _served(tmp_path_factory, nodes):
    proc, url, write_log = start_serve(str(tmp_path_factory.mktemp('kuzzle')), nodes=nodes)
    try:
        yield KuzzleServer(url, write_log, proc.node_urls)
    finally:
        stop_serve(proc)


@pytest.fixture(scope='session')
def kuzzle(tmp_path_factory):
    """The session's Kuzzle (see the module docstring for the isolation rules)."""
    external = os.environ.get('KUZZLE_URL')
    if external:
        yield KuzzleServer(external)
        return
    yield from _served(tmp_path_factory, serve_nodes())


@pytest.fixture(scope='module')
def fresh_kuzzle(tmp_path_factory):
    """A Kuzzle of this test file's own, started empty (no admin: anonymous may do everything), with its write
    log; a cluster of KUZZLE_SERVE_NODES nodes like ``kuzzle``. Served even when KUZZLE_URL is set, since a shared
    server has its admin already."""
    yield from _served(tmp_path_factory, serve_nodes())


@pytest.fixture(scope='session')
def kuzzle_cluster(tmp_path_factory):
    """A two-node cluster of its own (``serve --nodes 2``), whatever KUZZLE_URL and KUZZLE_SERVE_NODES say."""
    yield from _served(tmp_path_factory, 2)


def pytest_configure(config):
    config.addinivalue_line('markers', 'kuzzle_restricted: restricts Kuzzle\'s rights; run after every other test')


def pytest_collection_modifyitems(items):
    # Stable: the restricted tests keep their own order, at the end of the session.
    items.sort(key=lambda item: item.get_closest_marker('kuzzle_restricted') is not None)
