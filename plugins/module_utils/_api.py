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
  error, timeout, 429, 502, 503, 504), a WRITE only when Kuzzle cannot have run it (no connection, 429,
  503); a POST that only reads (a search, an mGet, a check) is a READ;
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

READ = True
WRITE = False

# Kuzzle action -> (HTTP method, route, READ or WRITE, what a failure message says the task was doing).
ACTIONS = {
    # auth
    'auth:checkToken': ('POST', '/_checkToken', READ, 'check the token'),
    'auth:getCurrentUser': ('GET', '/_me', READ, 'read the user this task authenticates as'),
    # a login sent twice only leaves an unused token that expires: READ
    'auth:login': ('POST', '/_login/:strategy', READ, 'log in to Kuzzle (strategy {strategy})'),
    'auth:logout': ('POST', '/_logout', WRITE, 'log out of Kuzzle'),
    # server
    'server:adminExists': ('GET', '/_adminExists', READ, 'check whether an administrator exists'),
    'server:publicApi': ('GET', '/_publicApi', READ, 'read the controllers and actions Kuzzle knows'),
    # first administrator, default rights
    'security:createFirstAdmin': ('POST', '/_createFirstAdmin/:_id', WRITE, 'create the first administrator "{_id}"'),
    'security:restrictDefaultRights': ('POST', '/_restrictDefaultRights', WRITE, 'restrict the default rights'),
    # indexes and collections
    'index:create': ('POST', '/:index/_create', WRITE, 'create index "{index}"'),
    'index:exists': ('GET', '/:index/_exists', READ, 'check whether index "{index}" exists'),
    'collection:create': ('PUT', '/:index/:collection', WRITE, 'create collection "{collection}" of index "{index}"'),
    'collection:exists': ('GET', '/:index/:collection/_exists', READ,
                          'check whether collection "{collection}" of index "{index}" exists'),
    'collection:getMapping': ('GET', '/:index/:collection/_mapping', READ,
                              'read the mapping of collection "{collection}" of index "{index}"'),
    'collection:getSettings': ('GET', '/:index/:collection/_settings', READ,
                               'read the settings of collection "{collection}" of index "{index}"'),
    'collection:getSpecifications': ('GET', '/:index/:collection/_specifications', READ,
                                     'read the specifications of collection "{collection}" of index "{index}"'),
    'collection:update': ('POST', '/:index/:collection', WRITE, 'update collection "{collection}" of index "{index}"'),
    # not collection:updateMapping (PUT /:index/:collection/_mapping): deprecated since 2.1.0 for collection:update
    'collection:updateSpecifications': ('PUT', '/:index/:collection/_specifications', WRITE,
                                        'update the specifications of collection "{collection}" of index "{index}"'),
    # profiles
    'security:createOrReplaceProfile': ('PUT', '/profiles/:_id', WRITE, 'replace profile "{_id}"'),
    'security:createProfile': ('POST', '/profiles/:_id/_create', WRITE, 'create profile "{_id}"'),
    'security:deleteProfile': ('DELETE', '/profiles/:_id', WRITE, 'delete profile "{_id}"'),
    'security:getProfile': ('GET', '/profiles/:_id', READ, 'read profile "{_id}"'),
    'security:getProfileRights': ('GET', '/profiles/:_id/_rights', READ, 'read the rights of profile "{_id}"'),
    'security:mDeleteProfiles': ('POST', '/profiles/_mDelete', WRITE, 'delete profiles'),
    'security:mGetProfiles': ('POST', '/profiles/_mGet', READ, 'read profiles'),
    'security:scrollProfiles': ('GET', '/profiles/_scroll/:scrollId', READ, 'read the next profiles'),
    'security:searchProfiles': ('POST', '/profiles/_search', READ, 'search profiles'),
    'security:updateProfile': ('PUT', '/profiles/:_id/_update', WRITE, 'update profile "{_id}"'),
    # roles
    'security:createOrReplaceRole': ('PUT', '/roles/:_id', WRITE, 'replace role "{_id}"'),
    'security:createRole': ('POST', '/roles/:_id/_create', WRITE, 'create role "{_id}"'),
    'security:deleteRole': ('DELETE', '/roles/:_id', WRITE, 'delete role "{_id}"'),
    'security:getRole': ('GET', '/roles/:_id', READ, 'read role "{_id}"'),
    'security:mDeleteRoles': ('POST', '/roles/_mDelete', WRITE, 'delete roles'),
    'security:mGetRoles': ('POST', '/roles/_mGet', READ, 'read roles'),
    'security:searchRoles': ('POST', '/roles/_search', READ, 'search roles'),
    'security:updateRole': ('PUT', '/roles/:_id/_update', WRITE, 'update role "{_id}"'),
    # users
    'security:checkRights': ('POST', '/_checkRights/:userId', READ, 'check the rights of user "{userId}"'),
    'security:createUser': ('POST', '/users/:_id/_create', WRITE, 'create user "{_id}"'),
    'security:deleteUser': ('DELETE', '/users/:_id', WRITE, 'delete user "{_id}"'),
    'security:getUser': ('GET', '/users/:_id', READ, 'read user "{_id}"'),
    'security:getUserMapping': ('GET', '/users/_mapping', READ, 'read the mapping of the users'),
    'security:getUserRights': ('GET', '/users/:_id/_rights', READ, 'read the rights of user "{_id}"'),
    'security:getUserStrategies': ('GET', '/users/:_id/_strategies', READ, 'read the strategies of user "{_id}"'),
    'security:mDeleteUsers': ('POST', '/users/_mDelete', WRITE, 'delete users'),
    'security:mGetUsers': ('POST', '/users/_mGet', READ, 'read users'),
    'security:scrollUsers': ('GET', '/users/_scroll/:scrollId', READ, 'read the next users'),
    'security:searchUsers': ('POST', '/users/_search', READ, 'search users'),
    'security:updateUser': ('PUT', '/users/:_id/_update', WRITE, 'update user "{_id}"'),
    'security:updateUserMapping': ('PUT', '/users/_mapping', WRITE, 'update the mapping of the users'),
    # credentials
    'security:createCredentials': ('POST', '/credentials/:strategy/:_id/_create', WRITE,
                                   'create the {strategy} credentials of user "{_id}"'),
    'security:getCredentials': ('GET', '/credentials/:strategy/:_id', READ, 'read the {strategy} credentials of user "{_id}"'),
    'security:getCredentialsById': ('GET', '/credentials/:strategy/:_id/_byId', READ,
                                    'check who has the {strategy} username "{_id}"'),
    'security:searchUsersByCredentials': ('POST', '/credentials/:strategy/users/_search', READ, 'list the {strategy} credentials'),
    'security:updateCredentials': ('PUT', '/credentials/:strategy/:_id/_update', WRITE,
                                   'update the {strategy} credentials of user "{_id}"'),
    'security:validateCredentials': ('POST', '/credentials/:strategy/:_id/_validate', READ,
                                     'check the {strategy} credentials of user "{_id}"'),
    # API keys
    'security:createApiKey': ('POST', '/users/:userId/api-keys/_create', WRITE, 'create an API key of user "{userId}"'),
    'security:deleteApiKey': ('DELETE', '/users/:userId/api-keys/:_id', WRITE, 'delete API key "{_id}" of user "{userId}"'),
    'security:searchApiKeys': ('POST', '/users/:userId/api-keys/_search', READ, 'search the API keys of user "{userId}"'),
    # Kuzzle's security writes wait for the refresh by default; refresh=false, then this, batches them
    'security:refresh': ('POST', '/_security/:collection/_refresh', WRITE, 'refresh the {collection}'),
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
    method, template, read, doing = ACTIONS[name]
    if major_version == 1:
        template = ROUTES_1X.get(name, template)
    route = route or {}
    segments = [route[part[1:]] if part.startswith(':') else part for part in template.split('/')[1:] if part]
    return method, segments, read, doing.format(**route)
