#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: kuzzle_api_key
short_description: Create or delete a Kuzzle API key of a user
description:
  - Makes sure that a user has an API key, or does not have it, idempotently.
  - The key is the one with O(id) when the task gives it, otherwise the one of O(user) whose description is
    exactly O(description). When several keys of the user have that description and no O(id) is given, the task
    fails and lists their ids rather than guess which one is meant.
  - B(The token of a key is returned only when the task creates it), in RV(api_key.token), because Kuzzle
    returns it only then and never stores it. Register the result and keep the token where it is needed,
    for example in a vault, in the same run. Set C(no_log) on the task (see the notes).
  - Kuzzle cannot change an API key. A key that differs from the task (another description for the key
    O(id) names, another O(expires_in)), or that has expired, fails the task, unless O(recreate=true),
    in which case it is deleted and created again, with a new token.
  - Uses Kuzzle's C(security) controller (C(createApiKey), C(searchApiKeys), C(deleteApiKey)), so the
    connection needs the rights to manage other users' keys. Needs Kuzzle 2.x (API keys do not exist in 1.x).
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
      - Searches the user's keys and decides everything, but writes nothing.
      - A key that would be created has no token, no id unless O(id) is given, and no expiry date yet.
  diff_mode:
    support: full
    details: The diff shows the user, description, id (when given) and lifetime of the key, never the token.
options:
  user:
    description:
      - The kuid of the user the key belongs to (and authenticates as).
    type: str
    required: true
  description:
    description:
      - The description of the key. Required to create a key, because Kuzzle requires it.
      - Without O(id), it identifies the key among the user's keys, so it must then be given, and be unique
        among them.
      - With O(id), a stored key whose description differs needs O(recreate=true).
    type: str
  id:
    description:
      - A fixed identifier for the key. Without it, Kuzzle generates one when it creates the key.
      - An identifier used by a key of another user cannot be used, and is only found out when creating.
    type: str
  expires_in:
    description:
      - How long the key is valid once created, in Kuzzle's format, a number of milliseconds (V(3600000)) or a
        number and a unit (V(30s), V(15m), V(2h), V(1d), V(1w), V(1y)); V(-1) means never.
      - Omitted, a new key never expires, and the lifetime of an existing key is not compared.
      - Given, an existing key created with another lifetime needs O(recreate=true) (V(1d) and V(24h) are the
        same lifetime).
      - Kuzzle's C(security.apiKey.maxTTL) does not apply to keys created for a user by an administrator.
    type: raw
  state:
    description:
      - V(present) creates the key when the user does not have it, V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  recreate:
    description:
      - What to do when the stored key differs from the task or has expired, since Kuzzle cannot change a key.
      - V(false) fails the task and says how the key differs. V(true) deletes it and creates it again, with the
        same O(id) if given, and returns the new token.
      - The description and lifetime of the old key are kept when the task does not give them.
      - Kuzzle has no atomic replace, so a failure between the deletion and the creation leaves no key.
    type: bool
    default: false
  refresh:
    description:
      - V(wait_for) makes Kuzzle answer once the change is visible to searches; V(false) answers at once.
      - Keep V(wait_for) when a later task may look for the key, or it may not find it and create another one.
    type: str
    choices: [wait_for, 'false']
    default: wait_for
notes:
  - B(Set C(no_log) to V(true) on a task that can create a key.) The token is a password. Without
    C(no_log), Ansible shows it with C(-v), and callbacks and job logs (AWX, ARA...) keep it. With
    C(no_log), Ansible hides the whole result in its output, while the registered variable still holds
    the token for later tasks. The module warns when it returns a token from a task without C(no_log).
  - The module does not mask the token itself (with Ansible's C(no_log_values)), because Ansible would
    then replace it in the registered result too, and the token would be lost for good.
  - The token never appears in RV(msg), in the diff or in error messages.
seealso:
  - module: community.kuzzle.kuzzle_login
  - name: Kuzzle API keys
    description: What API keys are and how Kuzzle checks them.
    link: https://docs.kuzzle.io/core/2/guides/main-concepts/authentication/#api-keys
"""

EXAMPLES = r"""
- name: Give the CI service account an API key valid for 90 days
  community.kuzzle.kuzzle_api_key:
    url: https://kuzzle.example.com
    username: admin
    password: "{{ kuzzle_admin_password }}"
    user: ci-bot
    description: CI deployments
    expires_in: 90d
  delegate_to: localhost
  register: ci_key
  no_log: true

- name: Keep the new token (only returned when the key was created)
  ansible.builtin.copy:
    content: "{{ ci_key.api_key.token }}"
    dest: /etc/ci/kuzzle-token
    mode: "0600"
  when: ci_key.api_key.token is defined
  no_log: true

- name: A key with a fixed id, created again with a new token once it has expired
  community.kuzzle.kuzzle_api_key:
    user: ci-bot
    id: ci-bot-nightly
    description: nightly jobs
    expires_in: 1d
    recreate: true
  delegate_to: localhost
  register: nightly_key
  no_log: true

- name: Delete a key
  community.kuzzle.kuzzle_api_key:
    user: ci-bot
    description: CI deployments
    state: absent
  delegate_to: localhost
"""

RETURN = r"""
api_key:
  description:
    - The key after the task; V({}) once deleted or when absent.
    - In check mode, a key that would be created has RV(api_key.id) only if O(id) is given, and no
      RV(api_key.expires_at) and no RV(api_key.token).
  returned: success
  type: dict
  contains:
    id:
      description: The key identifier.
      type: str
      sample: 9b1c8d1e-39c5-4c1e-9f5e-64bfc3ea04d2
    user:
      description: The kuid of the user the key belongs to.
      type: str
      sample: ci-bot
    description:
      description: The description of the key.
      type: str
      sample: CI deployments
    expires_at:
      description: When the key expires, in milliseconds since the epoch; V(-1) for never.
      type: int
      sample: 1795836455236
    ttl:
      description: The lifetime the key was created with, in milliseconds; V(-1) for never.
      type: int
      sample: 7776000000
    token:
      description:
        - The API key itself, to send as a Bearer token (for example as the O(token) option of this collection).
        - Only when the task created the key, outside check mode. Kuzzle never returns it again.
      returned: when the key was created
      type: str
      sample: kapikey-eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9...
msg:
  description: What happened, or would happen in check mode, in a few words.
  returned: always
  type: str
  sample: API key "CI deployments" of user ci-bot created
outcome:
  description:
    - V(unknown) when the task failed on a write whose answer was lost (a timeout, a connection lost once the request
      was sent, a 502 or 504 of a gateway), so that Kuzzle may or may not have applied it; RV(msg) says so. C(changed) is
      then V(true), since the change may have been made.
    - If that write created the key, its token is lost, and a new run would find the key unchanged. Delete the key
      (O(state=absent)) and run the task again.
  returned: failure, when the outcome of a write is unknown
  type: str
  sample: unknown
error_id:
  description: Kuzzle's error id when the task failed on an answer from Kuzzle.
  returned: failure
  type: str
  sample: security.user.not_found
status:
  description: The HTTP status of Kuzzle's answer when the task failed on an answer from Kuzzle.
  returned: failure
  type: int
  sample: 404
"""

import time

from ansible_collections.community.kuzzle.plugins.module_utils._connection import (
    fail_kuzzle,
    kuzzle_client,
    kuzzle_module,
)
from ansible_collections.community.kuzzle.plugins.module_utils._errors import UNKNOWN, KuzzleError
from ansible_collections.community.kuzzle.plugins.module_utils._ids import id_problems
from ansible_collections.community.kuzzle.plugins.module_utils import _api_key, _objects, _report, _timespan

TOKEN_WARNING = ('The result holds a new API key token (api_key.token): set no_log: true on this task, '
                 'or the token shows in the output with -v and in callback and job logs')


def find_key(module, client):
    """The stored key the task means (a searchApiKeys hit), or None; fails when several keys could be meant."""
    params = module.params
    user, key_id, description = params['user'], params['id'], params['description']
    # searchApiKeys takes the query itself as its body, and its total only counts a page
    hits = _objects.search(client, 'security:searchApiKeys', _api_key.search_query(key_id, description),
                           doing='search the API keys of user %s' % user, page_total=True, query_as_body=True,
                           route={'userId': user})[1]
    hits = _api_key.matching(hits, key_id, description)
    if len(hits) > 1:
        module.fail_json(changed=False, msg=(
            '%d API keys of user %s have the description "%s" (ids %s): set id to say which one is meant, '
            'or delete the others' % (len(hits), user, description, ', '.join(sorted(h['_id'] for h in hits)))))
    return hits[0] if hits else None


def validate(module):
    """Client-side checks; the parsed lifetime in milliseconds (None when not given)."""
    params = module.params
    problems = id_problems('users', [params['user']])
    if params['id'] is not None and not params['id'].strip():
        problems.append('id must be a non-empty string')
    if params['description'] is not None and not params['description'].strip():
        problems.append('description must be a non-empty string')
    if params['id'] is None and params['description'] is None:
        problems.append('description is required when id is not given: it says which key of the user is meant')
    ttl = None
    if params['expires_in'] is not None:
        try:
            ttl = _timespan.parse(params['expires_in'])
        except ValueError as exc:
            problems.append('expires_in: %s' % exc)
    if problems:
        name = _api_key.label(params['user'], params['id'], params['description'])
        module.fail_json(msg='Invalid task for API key %s: %s' % (name, '; '.join(problems)), changed=False)
    return ttl


def desired(module, hit, before, ttl):
    """(after, action, phrases): the canonical key the task wants ({} for none), the summary's action word,
    and why a stored key is not the one the task wants; fails when the task cannot get it."""
    params = module.params
    user, key_id, description = params['user'], params['id'], params['description']
    name = _api_key.label(user, key_id, description)
    if params['state'] == 'absent':
        return {}, 'deleted' if hit else 'absent', ()
    phrases = _api_key.differences(hit, description, ttl, now_ms=time.time() * 1000) if hit else []
    if hit and not phrases:
        return before, 'unchanged', phrases
    if hit and not params['recreate']:
        module.fail_json(changed=False, msg=(
            'API key %s is not the key this task describes: %s. Kuzzle cannot change an API key: set '
            'recreate=true to delete it and create a new one (with a new token), or delete it with state=absent'
            % (name, '; '.join(phrases))))
    stored = hit['_source'] if hit else {}
    after = _api_key.canonical(user, key_id, description if description is not None else stored.get('description'),
                               ttl if ttl is not None else stored.get('ttl', _timespan.NEVER))
    if after['description'] is None:
        module.fail_json(changed=False, msg='API key %s does not exist, and description is required to create it' % name)
    return after, 'recreated' if hit else 'created', phrases


def converge(module, client, hit, before, after):
    """Delete the stored key and create the wanted one, as the change needs, unless in check mode; the result
    keys of the change. ``before`` is not needed: a stored key is never changed, only deleted."""
    params = module.params
    user = params['user']
    name = _api_key.label(user, params['id'], params['description'])
    query = {'refresh': params['refresh']}
    if hit and not module.check_mode:
        client.act('security:deleteApiKey', userId=user, _id=hit['_id'], query=query, doing='delete API key %s' % name)
    if not after:
        return {'api_key': {}}

    doing = 'create API key %s' % name
    # createApiKey fails on an unknown user, but its search does not: check it, in check mode too,
    # so that check mode reports what the real run would do.
    client.act('security:getUser', _id=user, doing=doing)
    created = {'userId': user, 'description': after['description'], 'ttl': after['ttl'], 'expiresAt': None}
    if module.check_mode:
        return {'api_key': _api_key.key_view(after.get('id'), created)}
    if after['ttl'] != _timespan.NEVER:
        query['expiresIn'] = _timespan.as_text(params['expires_in'] if params['expires_in'] is not None else after['ttl'])
    if after.get('id') is not None:
        query['_id'] = after['id']
    try:
        answer = client.act('security:createApiKey', userId=user, query=query, body={'description': after['description']},
                            doing=doing)
    except KuzzleError as err:
        if err.outcome == UNKNOWN:  # a key created then has a token nobody saw, and a new run would find it unchanged
            raise err.advise('if Kuzzle created the key, its token is lost: delete the key (state=absent) and run the task again')
        raise
    source = dict(answer['_source'])
    token = source.pop('token', None)
    if not isinstance(token, str) or not token:
        raise KuzzleError(doing, reason='Kuzzle created key %s but returned no token; delete it and try again' % answer.get('_id'))
    client.add_secret(token)
    return {'api_key': _api_key.key_view(answer.get('_id'), source, token)}


def main():
    argument_spec = dict(
        user=dict(type='str', required=True),
        description=dict(type='str'),
        id=dict(type='str'),
        expires_in=dict(type='raw'),
        state=dict(type='str', default='present', choices=['present', 'absent']),
        recreate=dict(type='bool', default=False),
        refresh=dict(type='str', default='wait_for', choices=['wait_for', 'false']),
    )
    module = kuzzle_module(argument_spec)
    ttl = validate(module)
    name = _api_key.label(module.params['user'], module.params['id'], module.params['description'])

    result = dict(changed=False)
    failure = None
    try:
        with kuzzle_client(module) as client:
            hit = find_key(module, client)
            before = _api_key.stored_canonical(hit, module.params['id']) if hit else {}
            after, action, phrases = desired(module, hit, before, ttl)
            result.update(changed=before != after or action == 'recreated', msg=_api_key.summarize(name, action, phrases))
            if module._diff:
                result['diff'] = _report.build_diff('API key', name, before, after)
            result.update(converge(module, client, hit, before, after) if result['changed']
                          else {'api_key': _api_key.key_view(hit['_id'], hit['_source']) if hit else {}})
    except KuzzleError as err:
        failure = err
    if failure:
        fail_kuzzle(module, failure, changed=False)
    if 'token' in result['api_key'] and not module.no_log:
        module.warn(TOKEN_WARNING)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
