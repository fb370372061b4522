# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""Kuzzle's API as the collection uses it: every action once, and what differs between Kuzzle versions. No I/O.

For internal use of the community.kuzzle collection only: no compatibility promise.

Calling an action: ``client.act(name, body=None, query=None, doing=None, **route)`` (KuzzleClient, in
_client.py) sends the action ``name`` of ACTIONS and returns the ``result`` of Kuzzle's answer, or raises
``_errors.KuzzleError``. ``route`` fills the ``:params`` of the route (each value percent-encoded),
``query`` is the query string (True is sent as a bare flag, False and None are left out: Kuzzle reads any
flag that is present as true), ``doing`` says what the task was doing in a failure message
(``Could not <doing>: Kuzzle answered ...``); it defaults to the row's text, formatted with ``route``::

    client.act('security:getProfile', _id='editor')
    client.act('security:updateProfile', _id='editor', body={'rateLimit': 5}, query={'refresh': 'wait_for'})
    client.act('security:mGetRoles', body={'ids': ['reader']}, doing='create profile "editor"')

Adding an action is one row of ACTIONS, and no module builds a path. A row has:
- its Kuzzle name, ``controller:action`` as Kuzzle's API reference names it (the key);
- the HTTP method and route of Kuzzle 2.x, ``:params`` written as Kuzzle writes them (look it up in
  Kuzzle's own route table, lib/api/httpRoutes.js of kuzzleio/kuzzle 2.56; take the route that is not
  deprecated);
- READ or WRITE, which decides the retries: a READ is sent again after any transient failure (connection
  error, timeout, an answer cut short, 429, 502, 503, 504), a WRITE only when Kuzzle cannot have run it (no
  connection, 429, 503); a POST that only reads (a search, an mGet, a check) is a READ;
- the result the caller reads (one of RESULTS: OBJECT, DOCUMENT, HITS...): the client checks it once, so that
  an answer of another shape fails naming the action and what came, instead of breaking the code that reads
  it; ANY when nothing reads it;
- what a failure message says the task was doing, with ``{param}`` for the route's params.
A route that Kuzzle 1.x serves elsewhere also goes in ROUTES_1X. tests/unit/plugins/module_utils/test__api.py
checks every row's shape; the module that calls the action pins its requests in its own unit tests, and a
contract test (tests/contract) pins the Kuzzle behaviour the module relies on.

Refusing before sending: when what the task read shows that Kuzzle would refuse a write (a profile still
in use, an index that ``strict`` requires and that does not exist...), raise
``_errors.PredictedRefusal(subject, status, error_id, why)`` with the status and error id Kuzzle would
answer, before any write and in check mode too::

    raise PredictedRefusal('profile "%s"' % name, 412, 'security.profile.in_use', '2 user(s) still have it')

It reads ``Nothing written: profile "editor": Kuzzle would refuse it (412 security.profile.in_use): ...``,
never ``Kuzzle answered``, since nothing was sent; modules fail with it as with a KuzzleError
(``_connection.fail_kuzzle``: ``msg``, ``error_id``, ``status``).

Versions: the client learns Kuzzle's major version from the envelope of its first answer, without an extra
request. Ask ``client.supports(capability)`` for what differs between versions, never the version itself;
a new difference is one more row of CAPABILITIES.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.community.kuzzle.plugins.module_utils._errors import MASK

READ = True
WRITE = False

# The results the callers read; RESULTS says what each one is.
ANY = 'any'              # nothing reads it
OBJECT = 'object'        # a JSON object, read with defaults for missing keys
BOOLEAN = 'boolean'      # true or false
DOCUMENT = 'document'    # {_id, _source}: a profile, role, user or API key
HITS = 'hits'            # {hits: [object...], total}: a page of a search or an mGet
DOCUMENTS = 'documents'  # HITS whose every hit is a DOCUMENT
SESSION = 'session'      # auth:login: {_id, jwt, expiresAt, ttl}, with a token in jwt


def _total_ok(result):
    total = result.get('total', 0)
    total = total.get('value', 0) if isinstance(total, dict) else total  # Elasticsearch's {value, relation}
    return isinstance(total, int) and not isinstance(total, bool)


def _is_document(value):
    return isinstance(value, dict) and isinstance(value.get('_id'), str) and isinstance(value.get('_source'), dict)


def _is_hits(value, each=lambda hit: isinstance(hit, dict)):
    return (isinstance(value, dict) and isinstance(value.get('hits'), list) and _total_ok(value)
            and all(each(hit) for hit in value['hits']))


# result -> (what it must be, in a failure message; the check)
RESULTS = {
    ANY: ('anything', lambda value: True),
    OBJECT: ('an object', lambda value: isinstance(value, dict)),
    BOOLEAN: ('true or false', lambda value: isinstance(value, bool)),
    DOCUMENT: ('an object with _id and an object _source', _is_document),
    HITS: ('an object with a list of objects in hits and a number in total', _is_hits),
    DOCUMENTS: ('an object with hits (each with _id and an object _source) and a number in total',
                lambda value: _is_hits(value, _is_document)),
    SESSION: ('an object with a token in jwt', lambda value: isinstance(value, dict) and isinstance(value.get('jwt'), str)
              and bool(value['jwt'])),
}

# Kuzzle action -> (HTTP method, route, READ or WRITE, the result read, what a failure message says the task was doing).
ACTIONS = {
    # auth
    'auth:checkToken': ('POST', '/_checkToken', READ, OBJECT, 'check the token'),
    'auth:getCurrentUser': ('GET', '/_me', READ, DOCUMENT, 'read the user this task authenticates as'),
    # a login sent twice only leaves an unused token that expires: READ
    'auth:login': ('POST', '/_login/:strategy', READ, SESSION, 'log in to Kuzzle (strategy {strategy})'),
    'auth:logout': ('POST', '/_logout', WRITE, ANY, 'log out of Kuzzle'),
    'auth:getMyRights': ('GET', '/_me/_rights', READ, HITS, 'read the rights of the caller'),
    # server
    'server:adminExists': ('GET', '/_adminExists', READ, OBJECT, 'check whether an administrator exists'),
    'server:capabilities': ('GET', '/_capabilities', READ, OBJECT, "read Kuzzle's limits"),
    'server:healthCheck': ('GET', '/_healthCheck', READ, OBJECT, "read the health of Kuzzle's services"),
    'server:info': ('GET', '/_serverInfo', READ, OBJECT, "read Kuzzle's server information"),
    'server:publicApi': ('GET', '/_publicApi', READ, OBJECT, 'read the controllers and actions Kuzzle knows'),
    # not an API action: a route of Kuzzle's HTTP router (2.41+, lib/core/network/router.js) that answers
    # 200 once Kuzzle runs and is not overloaded, 503 before, without rights or logs; for orchestrators
    'server:ready': ('GET', '/_ready', READ, ANY, 'check whether Kuzzle is ready'),
    # first administrator, default rights
    'security:createFirstAdmin': ('POST', '/_createFirstAdmin/:_id', WRITE, DOCUMENT, 'create the first administrator "{_id}"'),
    'security:restrictDefaultRights': ('POST', '/_restrictDefaultRights', WRITE, ANY, 'restrict the default rights'),
    # indexes and collections
    'index:create': ('POST', '/:index/_create', WRITE, ANY, 'create index "{index}"'),
    'index:delete': ('DELETE', '/:index', WRITE, ANY, 'delete index "{index}"'),
    'index:exists': ('GET', '/:index/_exists', READ, BOOLEAN, 'check whether index "{index}" exists'),
    'index:list': ('GET', '/_list', READ, OBJECT, 'list the indexes'),
    'collection:create': ('PUT', '/:index/:collection', WRITE, ANY, 'create collection "{collection}" of index "{index}"'),
    'collection:delete': ('DELETE', '/:index/:collection', WRITE, ANY, 'delete collection "{collection}" of index "{index}"'),
    'collection:deleteSpecifications': ('DELETE', '/:index/:collection/_specifications', WRITE, ANY,
                                        'delete the specifications of collection "{collection}" of index "{index}"'),
    'collection:exists': ('GET', '/:index/:collection/_exists', READ, BOOLEAN,
                          'check whether collection "{collection}" of index "{index}" exists'),
    'collection:getMapping': ('GET', '/:index/:collection/_mapping', READ, OBJECT,
                              'read the mapping of collection "{collection}" of index "{index}"'),
    'collection:getSettings': ('GET', '/:index/:collection/_settings', READ, OBJECT,
                               'read the settings of collection "{collection}" of index "{index}"'),
    'collection:getSpecifications': ('GET', '/:index/:collection/_specifications', READ, OBJECT,
                                     'read the specifications of collection "{collection}" of index "{index}"'),
    'collection:list': ('GET', '/:index/_list', READ, OBJECT, 'list the collections of index "{index}"'),
    'collection:update': ('POST', '/:index/:collection', WRITE, ANY, 'update collection "{collection}" of index "{index}"'),
    # not collection:updateMapping (PUT /:index/:collection/_mapping): deprecated since 2.1.0 for collection:update
    'collection:updateSpecifications': ('PUT', '/:index/:collection/_specifications', WRITE, ANY,
                                        'update the specifications of collection "{collection}" of index "{index}"'),
    # a check only: Kuzzle stores nothing
    'collection:validateSpecifications': ('POST', '/:index/:collection/_validateSpecifications', READ, OBJECT,
                                          'check the specifications of collection "{collection}" of index "{index}"'),
    # profiles
    'security:createOrReplaceProfile': ('PUT', '/profiles/:_id', WRITE, DOCUMENT, 'replace profile "{_id}"'),
    'security:createProfile': ('POST', '/profiles/:_id/_create', WRITE, DOCUMENT, 'create profile "{_id}"'),
    'security:deleteProfile': ('DELETE', '/profiles/:_id', WRITE, ANY, 'delete profile "{_id}"'),
    'security:getProfile': ('GET', '/profiles/:_id', READ, DOCUMENT, 'read profile "{_id}"'),
    'security:getProfileRights': ('GET', '/profiles/:_id/_rights', READ, HITS, 'read the rights of profile "{_id}"'),
    'security:mDeleteProfiles': ('POST', '/profiles/_mDelete', WRITE, ANY, 'delete profiles'),
    'security:mGetProfiles': ('POST', '/profiles/_mGet', READ, HITS, 'read profiles'),
    'security:scrollProfiles': ('GET', '/profiles/_scroll/:scrollId', READ, DOCUMENTS, 'read the next profiles'),
    'security:searchProfiles': ('POST', '/profiles/_search', READ, DOCUMENTS, 'search profiles'),
    'security:updateProfile': ('PUT', '/profiles/:_id/_update', WRITE, DOCUMENT, 'update profile "{_id}"'),
    # roles
    'security:createOrReplaceRole': ('PUT', '/roles/:_id', WRITE, DOCUMENT, 'replace role "{_id}"'),
    'security:createRole': ('POST', '/roles/:_id/_create', WRITE, DOCUMENT, 'create role "{_id}"'),
    'security:deleteRole': ('DELETE', '/roles/:_id', WRITE, ANY, 'delete role "{_id}"'),
    'security:getRole': ('GET', '/roles/:_id', READ, DOCUMENT, 'read role "{_id}"'),
    'security:mDeleteRoles': ('POST', '/roles/_mDelete', WRITE, ANY, 'delete roles'),
    'security:mGetRoles': ('POST', '/roles/_mGet', READ, HITS, 'read roles'),
    'security:searchRoles': ('POST', '/roles/_search', READ, DOCUMENTS, 'search roles'),
    'security:updateRole': ('PUT', '/roles/:_id/_update', WRITE, DOCUMENT, 'update role "{_id}"'),
    # users
    'security:checkRights': ('POST', '/_checkRights/:userId', READ, OBJECT, 'check the rights of user "{userId}"'),
    'security:createUser': ('POST', '/users/:_id/_create', WRITE, DOCUMENT, 'create user "{_id}"'),
    'security:deleteUser': ('DELETE', '/users/:_id', WRITE, ANY, 'delete user "{_id}"'),
    'security:getUser': ('GET', '/users/:_id', READ, DOCUMENT, 'read user "{_id}"'),
    'security:getUserMapping': ('GET', '/users/_mapping', READ, OBJECT, 'read the mapping of the users'),
    'security:getUserRights': ('GET', '/users/:_id/_rights', READ, HITS, 'read the rights of user "{_id}"'),
    'security:getUserStrategies': ('GET', '/users/:_id/_strategies', READ, OBJECT, 'read the strategies of user "{_id}"'),
    'security:mDeleteUsers': ('POST', '/users/_mDelete', WRITE, ANY, 'delete users'),
    'security:mGetUsers': ('POST', '/users/_mGet', READ, HITS, 'read users'),
    'security:scrollUsers': ('GET', '/users/_scroll/:scrollId', READ, DOCUMENTS, 'read the next users'),
    'security:searchUsers': ('POST', '/users/_search', READ, DOCUMENTS, 'search users'),
    'security:updateUser': ('PUT', '/users/:_id/_update', WRITE, DOCUMENT, 'update user "{_id}"'),
    'security:updateUserMapping': ('PUT', '/users/_mapping', WRITE, ANY, 'update the mapping of the users'),
    # credentials
    'security:createCredentials': ('POST', '/credentials/:strategy/:_id/_create', WRITE, ANY,
                                   'create the {strategy} credentials of user "{_id}"'),
    'security:getCredentials': ('GET', '/credentials/:strategy/:_id', READ, OBJECT, 'read the {strategy} credentials of user "{_id}"'),
    'security:getCredentialsById': ('GET', '/credentials/:strategy/:_id/_byId', READ, OBJECT,
                                    'check who has the {strategy} username "{_id}"'),
    'security:searchUsersByCredentials': ('POST', '/credentials/:strategy/users/_search', READ, HITS, 'list the {strategy} credentials'),
    'security:updateCredentials': ('PUT', '/credentials/:strategy/:_id/_update', WRITE, ANY,
                                   'update the {strategy} credentials of user "{_id}"'),
    'security:validateCredentials': ('POST', '/credentials/:strategy/:_id/_validate', READ, ANY,
                                     'check the {strategy} credentials of user "{_id}"'),
    # API keys
    'security:createApiKey': ('POST', '/users/:userId/api-keys/_create', WRITE, DOCUMENT, 'create an API key of user "{userId}"'),
    'security:deleteApiKey': ('DELETE', '/users/:userId/api-keys/:_id', WRITE, ANY, 'delete API key "{_id}" of user "{userId}"'),
    'security:searchApiKeys': ('POST', '/users/:userId/api-keys/_search', READ, DOCUMENTS, 'search the API keys of user "{userId}"'),
    # Kuzzle's security writes wait for the refresh by default; refresh=false, then this, batches them
    'security:refresh': ('POST', '/_security/:collection/_refresh', WRITE, ANY, 'refresh the {collection}'),
}

# Routes that Kuzzle 1.x serves elsewhere than 2.x (its router had no /_me yet).
ROUTES_1X = {
    'auth:getCurrentUser': '/users/_me',
}

# The actions of each kind of security object, for code that handles profiles, roles and users alike.
OBJECT_ACTIONS = {
    'profiles': {'get': 'security:getProfile', 'mGet': 'security:mGetProfiles', 'search': 'security:searchProfiles',
                 'create': 'security:createProfile', 'update': 'security:updateProfile', 'delete': 'security:deleteProfile'},
    'roles': {'get': 'security:getRole', 'mGet': 'security:mGetRoles', 'search': 'security:searchRoles',
              'create': 'security:createRole', 'update': 'security:updateRole', 'delete': 'security:deleteRole'},
    'users': {'get': 'security:getUser', 'mGet': 'security:mGetUsers', 'search': 'security:searchUsers',
              'create': 'security:createUser', 'update': 'security:updateUser', 'delete': 'security:deleteUser'},
}

# What differs between Kuzzle versions: capability -> the first major version that has it. Only the major
# version is known (from the answers' envelope), so the minor version that brought it is a comment.
CAPABILITIES = {
    'api_keys': 2,               # security:*ApiKey* (2.0.0)
    'on_assigned_users': 2,      # deleteProfile's onAssignedUsers=remove (2.4.0)
    'query_profiles_roles': 2,   # searchProfiles and searchRoles apply their query (1.x returns every object)
    'rate_limit': 2,             # profiles' rateLimit (2.1.0)
    'role_rights_check': 2,      # role writes refuse unknown controllers and actions, and take force (1.x checks nothing)
    'role_update_replaces': 2,   # updateRole replaces the whole role (1.x merges controllers: createOrReplaceRole then)
    'security_refresh': 2,       # security:refresh (1.x has none: its writes wait for the refresh one by one)
    'strict': 2,                 # the strict flag of profile writes (2.6.0)
}
CURRENT_MAJOR = 2  # assumed until an answer says otherwise: every module reads before it asks


def supported(capability, major_version):
    """Whether Kuzzle of this major version (None: not known yet) has ``capability``."""
    return (major_version or CURRENT_MAJOR) >= CAPABILITIES[capability]


def short_name(name):
    """The action part of ``controller:action``: what Kuzzle's envelope names in its ``action`` field."""
    return name.partition(':')[2]


def request(name, route=None, major_version=None):
    """(method, path segments, read, doing) of the action ``name`` with the route's params filled in.

    The segments are not encoded yet (KuzzleClient encodes each one). A missing param is a bug of the
    caller: KeyError.
    """
    method, template, read, dummy, doing = ACTIONS[name]
    if major_version == 1:
        template = ROUTES_1X.get(name, template)
    route = route or {}
    segments = [route[part[1:]] if part.startswith(':') else part for part in template.split('/')[1:] if part]
    return method, segments, read, doing.format(**route)


def _kind_of(value):
    if value is None:
        return 'null'
    if isinstance(value, bool):
        return 'a boolean'
    if isinstance(value, (int, float)):
        return 'a number'
    if isinstance(value, str):
        return 'a string'
    if isinstance(value, list):
        return 'a list'
    return 'an object'


def result_problem(name, result, shown=200):
    """None when ``result`` has the shape the row of ``name`` declares, else what is wrong, for a failure message:
    ``unexpected answer to <name>: expected <shape>, got <kind>: <the JSON, cut at shown characters>``. Values of
    keys that name secrets (jwt, token, password) are not shown."""
    expected, check = RESULTS[ACTIONS[name][3]]
    if check(result):
        return None
    text = json.dumps(_hide_secrets(result), sort_keys=True, default=str)
    if len(text) > shown:
        text = text[:shown] + '...'
    return 'unexpected answer to %s: expected %s, got %s: %s' % (name, expected, _kind_of(result), text)


def _hide_secrets(value):
    if isinstance(value, dict):
        return dict((key, MASK if key in ('jwt', 'token', 'password') else _hide_secrets(item)) for key, item in value.items())
    if isinstance(value, list):
        return [_hide_secrets(item) for item in value]
    return value
