#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: kuzzle_user
short_description: Create, update or delete a Kuzzle user and its local credentials
description:
  - Makes a Kuzzle user match the task, idempotently. The user is identified by its kuid (O(name)).
  - Compares the user's profiles, the content keys the task gives and, with O(credentials), the username of
    its C(local) credentials; writes only what differs (C(createUser) when absent, C(updateUser) with the
    changed keys only when present, C(createCredentials) or C(updateCredentials) for the credentials,
    C(deleteUser) for O(state=absent)).
  - Profile order and duplicates carry no meaning. Content keys the task does not give are neither compared
    nor changed, and neither are the keys of an object value that the task does not give (Kuzzle merges
    objects on update). C(_kuzzle_info) is ignored.
  - Kuzzle never returns a password, so a password cannot be compared by reading it. See O(update_password)
    for when it is sent. The password never appears in the diff, the result, a message or a log line; the
    diff shows the placeholder V((set\)) or V((changed\)) instead.
  - Before any write, and in check mode too, verifies that every profile the task adds exists (one
    C(mGetProfiles) request) and that a username to set is not another user's, so that check mode reports
    these failures instead of a success the real run would contradict.
  - An unchanged user costs one request (C(GET /users/<name>)); plus one (C(GET /credentials/local/<name>))
    when O(credentials) is given; plus a login and a logout as the user with O(update_password=always).
  - Works with Kuzzle 2.x and 1.x (same routes; 1.x has no API keys, so none are counted on deletion).
version_added: 0.1.0
author:
  - community.kuzzle contributors (@ansible-collections)
extends_documentation_fragment:
  - community.kuzzle._connection
  - community.kuzzle._connection.actiongroup
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details:
      - Reads the user, its credentials, the profiles it would get and what a deletion would remove, and decides
        everything, but writes nothing.
      - With O(update_password=always) it logs in as the user and logs that session out again, in check mode too,
        because that is the only way to compare a password.
  diff_mode:
    support: full
    details:
      - The diff shows the profiles, the content keys the task manages and the local username; a password
        that will be sent shows as V((set\)) or V((changed\)), never in clear.
options:
  name:
    description:
      - The user's kuid.
      - Ids that Kuzzle's HTTP router sends to other actions (V(_create), V(_me), V(_mGet), V(_search),
        V(_scroll), V(_mDelete), V(_mapping), V(_createRestricted)) are refused, and so are V(-1) and
        V(anonymous), the built-in anonymous user. With O(credentials), V(_fields) is refused too.
    type: str
    required: true
    aliases: [id]
  state:
    description:
      - V(present) creates or updates the user, V(absent) deletes it.
      - Deleting a user also deletes its credentials of every strategy, its API keys and its authentication
        tokens; the module reports them in RV(removed) and RV(msg).
    type: str
    choices: [present, absent]
    default: present
  profile_ids:
    description:
      - The profiles of the user. Required to create a user. Each must exist.
      - Omit it to leave the profiles of an existing user as they are.
    type: list
    elements: str
    aliases: [profileIds]
  purge_profile_ids:
    description:
      - V(true) makes the profiles exactly O(profile_ids).
      - V(false) adds the profiles of O(profile_ids) that the user does not have, and removes none.
    type: bool
    default: true
  content:
    description:
      - Custom fields of the user (for example V(fullname), V(email)).
      - Only the keys given are compared and written; other stored keys are kept. An object value is merged
        into the stored one key by key, recursively; lists and other values are replaced.
      - V(profileIds) is refused here (use O(profile_ids)), and so are V(_id) and V(_kuzzle_info), which Kuzzle sets.
    type: dict
  credentials:
    description:
      - Credentials of the C(local) strategy (username and password), which is the one Kuzzle users log in with.
      - Omit it to leave the user's credentials alone.
      - To create a user with credentials, or credentials for a user that has none, both O(credentials.username)
        and O(credentials.password) are needed.
    type: dict
    suboptions:
      username:
        description:
          - The login name. It must not be another user's. Omit it to keep the current one.
          - A different username is set with C(updateCredentials); the password does not change with it.
        type: str
      password:
        description:
          - The password. When it is sent depends on O(update_password).
        type: str
  update_password:
    description:
      - V(on_create) sends O(credentials.password) only when the local credentials are created, with the user
        or for a user without them. A password that differs from the stored one is not noticed.
      - V(always) checks the password by using it; it logs in as the user with the stored username and
        O(credentials.password), then logs that session out. A failed login means the password differs;
        it is then updated, and the task reports a change. A successful login means it is the same,
        and nothing is written.
      - The cost of V(always) is a login and a logout on every run (two requests, and one password hash
        computation by Kuzzle), and a login attempt that fails when the password differs, which Kuzzle
        counts against C(limits.loginsPerSecond) and may log.
    type: str
    choices: [on_create, always]
    default: on_create
  refresh:
    description:
      - V(wait_for) makes Kuzzle answer once the change is visible to searches; V(false) answers at once.
    type: str
    choices: [wait_for, 'false']
    default: wait_for
notes:
  - Several hosts may run the task at the same time on one Kuzzle. When another client created the user meanwhile
    (Kuzzle refuses the create with C(security.user.already_exists); or its credentials, refused by the local strategy
    with a 412) or deleted it (C(security.user.not_found)), the user is read again and compared on its content, profiles
    and local username; as the task asks, the task is unchanged and RV(msg) says that another client did it; otherwise
    the task writes the difference. The password of a user created meanwhile cannot be read back, so it follows
    O(update_password) as for any stored user (V(on_create) leaves the password the other client set).
  - Kuzzle has no versions on users, so a change made by someone else between the read and the write of a
    task is overwritten for the keys this task writes.
  - When a user change and a credentials change are both needed, the user is written first. If the
    credentials write then fails, the task fails with C(changed=true), and its message says what was
    already applied.
  - A password policy of Kuzzle's local strategy that marks a password as expired or as one to change does
    not make it differ; the module warns.
seealso:
  - module: community.kuzzle.kuzzle_user_info
  - module: community.kuzzle.kuzzle_profile
  - name: Kuzzle users
    description: What users, profiles and credentials are.
    link: https://docs.kuzzle.io/core/2/guides/main-concepts/authentication/
"""

EXAMPLES = r"""
- name: An editor who logs in as alice
  community.kuzzle.kuzzle_user:
    url: https://kuzzle.example.com
    username: admin
    password: "{{ kuzzle_admin_password }}"
    name: alice
    profile_ids: [editor]
    content:
      fullname: Alice Liddell
      email: alice@example.com
    credentials:
      username: alice
      password: "{{ alice_password }}"
  delegate_to: localhost

- name: Keep the password of a service account as the vault says, checking it on every run
  community.kuzzle.kuzzle_user:
    name: ingest-bot
    profile_ids: [ingest]
    credentials:
      username: ingest-bot
      password: "{{ vault_ingest_password }}"
    update_password: always
  delegate_to: localhost

- name: Give alice the auditor profile too, without removing her others
  community.kuzzle.kuzzle_user:
    name: alice
    profile_ids: [auditor]
    purge_profile_ids: false
  delegate_to: localhost

# The connection options can be set once for every Kuzzle task of a play, with module_defaults
# for the action group group/community.kuzzle.kuzzle (see the connection guide).
- name: Rename alice's login
  community.kuzzle.kuzzle_user:
    name: alice
    credentials:
      username: alice.liddell
  delegate_to: localhost

- name: Delete a user, with its credentials, API keys and tokens
  community.kuzzle.kuzzle_user:
    name: bob
    state: absent
  delegate_to: localhost
  register: deleted
"""

RETURN = r"""
user:
  description:
    - The user as Kuzzle stores it after the task (C(profileIds) and the whole content), without
      C(_kuzzle_info); V({}) once deleted or when absent. Never credentials.
    - In check mode, what Kuzzle would store.
  returned: success
  type: dict
  sample:
    profileIds: [editor]
    fullname: Alice Liddell
    email: alice@example.com
removed:
  description:
    - What Kuzzle deleted with the user (read before deleting, and in check mode too).
    - C(credentials) lists the strategies the user had credentials for; C(api_keys) counts its API keys
      (Kuzzle 2.x only). Kuzzle revokes its authentication tokens too; it does not count them.
  returned: when O(state=absent) and the user existed
  type: dict
  sample:
    credentials: [local]
    api_keys: 2
msg:
  description: What changed, or would change in check mode, in a few words. Never a content value or a password.
  returned: always
  type: str
  sample: "user alice: profile auditor added; content.email changed; password changed"
outcome:
  description:
    - V(unknown) when the task failed on a write whose answer was lost (a timeout, a connection lost once the request
      was sent, a 502 or 504 of a gateway), so that Kuzzle may or may not have applied it; RV(msg) says so. C(changed) is
      then V(true), since the change may have been made. Running the task again converges.
  returned: failure, when the outcome of a write is unknown
  type: str
  sample: unknown
error_id:
  description:
    - The error id of the refusal the task failed on (some of Kuzzle's local strategy errors have none).
    - When RV(msg) says C(Kuzzle answered), Kuzzle answered it to a request of the task.
    - When RV(msg) starts with C(Nothing written:) and says C(Kuzzle would refuse it), the module found from what it
      read that Kuzzle would refuse the write, and sent nothing; it is what Kuzzle would answer (none, with status
      V(412), for a username that another user has).
  returned: failure
  type: str
  sample: security.profile.not_found
status:
  description: The HTTP status that goes with RV(error_id), answered by Kuzzle or that Kuzzle would answer.
  returned: failure
  type: int
  sample: 404
"""

from ansible_collections.community.kuzzle.plugins.module_utils._connection import kuzzle_client, kuzzle_module
from ansible_collections.community.kuzzle.plugins.module_utils._errors import UNKNOWN, KuzzleError
from ansible_collections.community.kuzzle.plugins.module_utils._ids import id_problems
from ansible_collections.community.kuzzle.plugins.module_utils._object_task import run_object_task
from ansible_collections.community.kuzzle.plugins.module_utils import _objects, _report, _user

STRATEGY = _user.STRATEGY


def password_action(module, client, before):
    """None when no password is sent, else the placeholder of the write: PASSWORD_SET or PASSWORD_CHANGED."""
    params = module.params
    name = params['name']
    credentials = params['credentials']
    if credentials is None:
        return None
    stored = _user.stored_username(before)
    if stored is None:
        missing = [option for option in ('username', 'password') if credentials.get(option) is None]
        if missing:
            module.fail_json(msg='user "%s" %s: %s %s required to create its local credentials' % (
                name, 'has no local credentials' if before else 'does not exist',
                ' and '.join('credentials.' + option for option in missing), 'is' if len(missing) == 1 else 'are'),
                changed=False)
        return _user.PASSWORD_SET
    if credentials.get('password') is None or params['update_password'] == 'on_create':
        return None
    works, note = _objects.password_works(client, name, stored, credentials['password'], STRATEGY)
    if note:
        module.warn(note)
    if works:
        return None
    return _user.PASSWORD_CHANGED


def check_credentials(client, doing, name, source, body, username):
    """What Kuzzle would refuse in the credentials write, checked without writing (in check mode too)."""
    if 'password' in body and source is not None:
        # the local strategy's own checks: username not taken, password policies
        client.act('security:validateCredentials', strategy=STRATEGY, _id=name, body={'username': username, 'password': body['password']},
                   doing=doing)
    elif 'username' in body:
        owner = _objects.username_owner(client, username, STRATEGY, doing=doing)
        if owner not in (None, name):
            raise _user.username_taken(name, username, owner)


def removal(client, name, doing):
    """What Kuzzle deletes with the user: its credentials strategies and its API key count (where there are keys)."""
    removed = {'credentials': _objects.user_strategies(client, name, doing=doing)}
    if client.supports('api_keys'):
        removed['api_keys'] = _objects.count_api_keys(client, name, doing=doing)
    return removed


def written(answer):
    """The stored view of the user in the answer of createUser or updateUser."""
    return _report.stored_view(answer.get('_source') if isinstance(answer, dict) else None)


def validate(module):
    params = module.params
    name = params['name']
    problems = id_problems('users', [name])
    if not problems and name in _user.BUILT_IN_USERS:
        problems.append('user "%s" is the built-in anonymous user: Kuzzle does not store it' % name)
    if params['state'] == 'present':
        problems.extend(_user.content_problems(params['content']))
        problems.extend(_user.profile_ids_problems(params['profile_ids'], params['purge_profile_ids']))
        credentials = params['credentials']
        if credentials is not None:
            if credentials.get('username') is None and credentials.get('password') is None:
                problems.append('credentials needs username, password or both')
            for option in ('username', 'password'):
                if credentials.get(option) is not None and not credentials[option].strip():
                    problems.append('credentials.%s must not be empty' % option)
            if name in _user.SHADOWED_CREDENTIAL_IDS:
                problems.append('the credentials of user "%s" cannot be managed: Kuzzle routes /credentials/%s/%s to '
                                'another action' % (name, STRATEGY, name))
    if problems:
        module.fail_json(msg='Invalid task for user "%s": %s' % (name, '; '.join(problems)), changed=False)


def canonical_pair(module, client, source):
    """(before, after): the canonical stored user and the one the task wants ({} to delete it)."""
    params = module.params
    if params['state'] == 'absent':
        return _user.normalize_user(source, sorted(_user.stored_content(source or {}))), {}
    if source is None and params['profile_ids'] is None:
        module.fail_json(msg='user "%s" does not exist, and profile_ids is required to create it' % params['name'], changed=False)
    username = _user.NOT_MANAGED
    if params['credentials'] is not None:
        username = _objects.read_username(client, params['name'], STRATEGY) if source is not None else None
    before = _user.normalize_user(source, sorted(params['content'] or ()), username)
    after = _user.desired_user(before, params['profile_ids'], params['purge_profile_ids'], params['content'],
                               (params['credentials'] or {}).get('username'), password_action(module, client, before))
    return before, after


def converge(module, client, source, before, after):
    """Check what the writes need, then write unless in check mode; the result keys of the change."""
    params = module.params
    name = params['name']
    query = {'refresh': params['refresh']}
    if not after:
        removed = removal(client, name, 'delete user "%s"' % name)
        if not module.check_mode:
            client.act('security:deleteUser', _id=name, query=query)
        return {'user': {}, 'removed': removed, 'msg': _user.summarize(name, before, after) + _user.removal_words(removed)}

    password = (params['credentials'] or {}).get('password')
    action, credentials_body = _user.credentials_write(before, after, password)
    doing = '%s user "%s"' % ('update' if before else 'create', name)
    _objects.require_all(client, 'profiles', _user.new_profile_ids(before, after), doing)
    if credentials_body:
        check_credentials(client, doing, name, source, credentials_body, _user.stored_username(after))

    body = _user.write_body(before, after, password)
    if not before:
        # createUser creates the credentials too
        return {'user': _user.predict_stored(None, body) if module.check_mode else
                written(client.act('security:createUser', _id=name, query=query, body=body))}

    stored = _user.predict_stored(source, body) if body else _report.stored_view(source)
    if module.check_mode:
        return {'user': stored}
    if body:
        stored = written(client.act('security:updateUser', _id=name, query=query, body=body))
    if action:
        failure = None
        try:
            client.act(_user.CREDENTIALS_ACTIONS[action], strategy=STRATEGY, _id=name, query=query, body=credentials_body)
        except KuzzleError as err:
            if not body:
                raise
            failure = err
        if failure:  # outside the except block: see fail_kuzzle
            applied = _user.summarize(name, before, _user.without_credentials_change(before, after))
            lost = {'outcome': failure.outcome} if failure.outcome == UNKNOWN else {}
            module.fail_json(msg='%s. Already applied: %s' % (failure, applied), changed=True,
                             error_id=failure.error_id, status=failure.status, user=stored, **lost)
    return {'user': stored}


def credentials_password(params):
    """The password of the raw credentials option (any shape: the arguments are not validated yet)."""
    credentials = params.get('credentials')
    return [credentials.get('password')] if isinstance(credentials, dict) else []


def main():
    argument_spec = dict(
        name=dict(type='str', required=True, aliases=['id']),
        state=dict(type='str', default='present', choices=['present', 'absent']),
        profile_ids=dict(type='list', elements='str', aliases=['profileIds']),
        purge_profile_ids=dict(type='bool', default=True),
        content=dict(type='dict'),
        credentials=dict(type='dict', options=dict(
            username=dict(type='str'),
            password=dict(type='str', no_log=True),
        )),
        update_password=dict(type='str', default='on_create', choices=['on_create', 'always'], no_log=False),
        refresh=dict(type='str', default='wait_for', choices=['wait_for', 'false']),
    )
    module = kuzzle_module(argument_spec, secrets=credentials_password)
    validate(module)
    client = kuzzle_client(module)
    client.add_secret((module.params['credentials'] or {}).get('password'))  # masked in every message, even if Kuzzle echoes it
    run_object_task(module, client, 'users', canonical_pair, converge, _user.summarize)


if __name__ == '__main__':
    main()
