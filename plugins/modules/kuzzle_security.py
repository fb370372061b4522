#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: kuzzle_security
short_description: Converge a whole Kuzzle security definition (roles, profiles, users) in one task
description:
  - Takes a security definition in the shape of Kuzzle's C(admin:loadSecurities) (and of
    M(community.kuzzle.kuzzle_security_info)'s output) and makes Kuzzle hold it, in one task.
  - Reads everything it needs in as few requests as Kuzzle allows (one search per kind and per 1,000 ids),
    whatever the number of objects (past Kuzzle's C(limits.documentsFetchCount), users and profiles are read with a
    scroll, and roles, which have no scroll, in pages sorted by identifier with Elasticsearch's C(search_after); an
    Elasticsearch that refuses to sort on C(_id), as version 8 does by default, makes more than 10,000 roles fail
    clearly),
    decides object by object with the same comparison as the single-object modules
    (M(community.kuzzle.kuzzle_role), M(community.kuzzle.kuzzle_profile), M(community.kuzzle.kuzzle_user)),
    and writes only what differs, roles first, then profiles, then users; deletions go in reverse order.
  - Unlike C(admin:loadSecurities) it reports what changed, shows a diff per object, supports check mode,
    can delete what the definition does not list (O(purge)), and stops at the first failure, reporting what
    was already applied.
  - Files exported by kourou, Kuzzle's CLI (C(role:export), C(profile:export), C(user:export)), apply as they are;
    their C({"type", "content"}) wrapper is removed when C(type) is the option's kind, and users' empty or null
    C(credentials) mean that they are not managed.
  - Before any write, and in check mode too, it verifies that every role a profile refers to and every
    profile a user refers to exists or is part of the definition, and that nothing it would delete is still
    in use by an object it keeps.
  - Says which rights the plan grants and revokes (RV(rights)), for the profiles it writes and for the stored profiles
    that use a role it updates, with the rules Kuzzle enforces.
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
    details: Reads and decides everything, writes nothing.
  diff_mode:
    support: full
    details:
      - First a summary of the plan (counts per kind and action, then the ids per action, the first 20 of each and how
        many more), then one diff per created, updated or deleted object, from the objects that decided C(changed).
options:
  roles:
    description:
      - Roles by id. Each role is a dict with the key C(controllers), in Kuzzle's shape
        (controller, then C(actions), then action and V(true) or V(false)), and optionally C(tags), a list of strings
        compared as a set (omitted, the stored tags are kept).
      - A role is the whole role, as in M(community.kuzzle.kuzzle_role).
      - Omit it to leave roles alone.
    type: dict
  profiles:
    description:
      - Profiles by id. Each profile is a dict with the keys C(policies) (a list of C(roleId) and optional
        C(restrictedTo), a list of C(index) and optional C(collections)) and, optionally, C(rateLimit) and C(tags)
        (a list of strings compared as a set; omitted, the stored tags are kept).
      - Compared as M(community.kuzzle.kuzzle_profile) compares them with O(community.kuzzle.kuzzle_profile#module:purge_policies=true).
        An omitted C(rateLimit) leaves the stored one.
      - Omit it to leave profiles alone.
    type: dict
  users:
    description:
      - Users by kuid. Each user is a dict with the key C(content) (C(profileIds) and custom fields) and,
        optionally, C(credentials) with C(local) holding C(username) and C(password).
      - Only the content keys given are compared and written, as in M(community.kuzzle.kuzzle_user).
      - Passwords follow O(update_password) and never appear in the output.
      - Omit it to leave users alone.
    type: dict
  purge:
    description:
      - Also delete the objects of each given kind (O(roles), O(profiles), O(users)) that the definition does
        not list. Kinds that are not given are never purged.
      - Reserved objects are never deleted (roles and profiles V(admin), V(default), V(anonymous)), nor the
        user the task authenticates as, nor what O(purge_exclude) names.
    type: bool
    default: false
  purge_exclude:
    description:
      - With O(purge), the objects that purge never deletes (nor lists as to be deleted), by kind, as ids or
        shell-style patterns (V(*), V(?), V([...]); case-sensitive), for example the roles, profiles and users that
        a plugin or C(app.import) creates at every start of Kuzzle.
      - The stored objects it keeps are returned in RV(purge_excluded). Objects the definition lists are managed
        as usual, whatever O(purge_exclude) says.
      - Ignored without O(purge).
    type: dict
    default: {}
    version_added: 0.2.0
    suboptions:
      roles:
        description: Role ids or patterns.
        type: list
        elements: str
      profiles:
        description: Profile ids or patterns.
        type: list
        elements: str
      users:
        description: User kuids or patterns.
        type: list
        elements: str
  update_password:
    description:
      - V(on_create) sets a user's password only when the user is created.
      - V(always) also checks the password of every existing user that has one in the definition, by logging in
        as that user, and changes it when it differs. This costs a login per such user.
    type: str
    choices: [on_create, always]
    default: on_create
  force:
    description:
      - Kuzzle's C(force) flag for role writes, sent only when V(true) allows rights on controllers of plugins that
        are not loaded.
    type: bool
    default: false
  parallel_writes:
    description:
      - How many writes of one kind are sent to Kuzzle at a time. V(1) sends them one after another.
      - Kinds are still written one after another (roles, profiles, users; deletions users, profiles, roles), each
        kind once every write of the previous one is answered. Deletions are not concerned, since they go in Kuzzle's
        C(mDelete*) requests, one after another, as many ids per request as Kuzzle's C(limits.documentsWriteCount)
        allows (read with C(server:capabilities) when the task may, else Kuzzle's default, 200), and at most 25 users
        per request (Kuzzle deletes a user's credentials, API keys and tokens with it, and a request of 200 users
        can come near the default O(timeout)).
      - Once a write fails, no new write starts; the writes already sent finish and are reported as Kuzzle answered them.
    type: int
    default: 4
    version_added: 0.2.0
  refresh:
    description:
      - V(wait_for) makes the changes visible to searches before the task ends (one refresh per kind written,
        as C(admin:loadSecurities) does); V(false) does not wait.
    type: str
    choices: [wait_for, 'false']
    default: wait_for
notes:
  - Objects are created and updated one request each (Kuzzle has no bulk write for security objects), O(parallel_writes)
    at a time; deletions and reads are bulk.
  - Kuzzle has no transactions. If a write fails, the task fails, names the object and Kuzzle's error, and
    returns in RV(applied) every write Kuzzle accepted (with O(parallel_writes) above 1, writes sent before the failure
    was known may follow it in the plan); no write starts after it. Running the task again resumes from there. A write
    whose answer was lost is listed in RV(unknown) instead, with RV(outcome=unknown). When Kuzzle deletes only some
    objects of a deletion request (206 C(services.storage.incomplete_delete)), those it deleted are in RV(applied) and
    the message names the others with Kuzzle's reasons.
  - Several hosts may run the task at the same time on one Kuzzle. When another client created an object meanwhile (Kuzzle
    refuses the create with C(services.storage.document_already_exists) for a role or profile, C(security.user.already_exists)
    for a user), the object is read again and compared as the plan compares it; as the definition asks, it counts as
    unchanged (nothing written by this task, not in RV(operations)); different, the task updates it (one more write,
    reported as an update). A user created meanwhile is compared on its content, profiles and local username; its
    password cannot be read back, so it follows O(update_password) as for any stored user (V(on_create) leaves the
    password the other client set, V(always) checks it by a login). An object to delete that another client deleted
    meanwhile (Kuzzle's C(not_found) for it) is left out of RV(operations), without failure. RV(msg) says how many
    objects another client wrote meanwhile.
  - On a Kuzzle cluster, a node learns of a role written through another node within milliseconds; a profile write
    that a node refuses for a role the task wrote or found is sent again, twice at most, tens of milliseconds apart.
seealso:
  - module: community.kuzzle.kuzzle_security_info
  - module: community.kuzzle.kuzzle_profile
"""

EXAMPLES = r"""
- name: Converge the shop's security definition
  community.kuzzle.kuzzle_security:
    url: https://kuzzle.example.com
    username: admin
    password: "{{ kuzzle_admin_password }}"
    roles:
      shop-reader:
        controllers:
          document: {actions: {get: true, search: true}}
    profiles:
      editor:
        policies:
          - roleId: shop-reader
        rateLimit: 50
    users:
      jdoe:
        content:
          profileIds: [editor]
          fullName: Jane Doe
        credentials:
          local: {username: jdoe, password: "{{ jdoe_password }}"}
  delegate_to: localhost

- name: Copy the security of one Kuzzle to another, deleting the profiles the copy does not have
  block:
    - name: Export
      community.kuzzle.kuzzle_security_info:
        url: https://old.example.com
        token: "{{ old_api_key }}"
        kinds: [roles, profiles]
      register: old
    - name: Apply
      community.kuzzle.kuzzle_security:
        url: https://new.example.com
        token: "{{ new_api_key }}"
        roles: "{{ old.roles }}"
        profiles: "{{ old.profiles }}"
        purge: true
  delegate_to: localhost
"""

RETURN = r"""
rights:
  description:
    - The rights the change grants and revokes, by profile, as Kuzzle enforces them; only the profiles whose rights
      change are listed, and V({}) when none does. In check mode too. See the guide
      R(Reviewing a security change,ansible_collections.community.kuzzle.docsite.guide_rights).
    - Each entry is C(controller), C(action), C(index) and C(collection); C(index) and C(collection) are C(null)
      when the action does not take them, and C(*) for any.
    - C(unrestricted) lists the granted rights that the profile's C(restrictedTo) does not limit (actions that take no
      index, index-level actions of an index whose restriction names collections); a warning names them too.
    - Left out, with a warning, when the connecting user may not read C(server:publicApi).
  returned: success
  type: dict
  version_added: 0.2.0
  sample:
    editor:
      granted:
        - {controller: document, action: create, index: shop, collection: orders}
        - {controller: document, action: update, index: shop, collection: orders}
      revoked: []
      unrestricted: []
msg:
  description: What changed, or would change in check mode, kind by kind.
  returned: always
  type: str
  sample: "0 roles created, 0 updated, 0 deleted, 4 unchanged; 3 profiles created, 2 updated, 1 deleted, 140 unchanged"
counts:
  description: For each kind of the definition, how many objects were created, updated, deleted and left unchanged.
  returned: success
  type: dict
  sample: {profiles: {created: 3, updated: 2, deleted: 1, unchanged: 140}}
operations:
  description: The writes made (in check mode, that would be made), in order.
  returned: success
  type: list
  elements: dict
  sample: [{kind: profiles, id: editor, action: update}]
purge_excluded:
  description: With O(purge), by kind, the stored objects that O(purge_exclude) kept from being deleted.
  returned: success, with O(purge)
  type: dict
  sample: {roles: [device-manager-admin], users: [plugin-technical-user]}
  version_added: 0.2.0
applied:
  description: On failure, the writes that Kuzzle accepted (they stay applied), in plan order.
  returned: failure
  type: list
  elements: dict
  sample: [{kind: roles, id: shop-reader, action: create}]
unknown:
  description:
    - On failure, the writes whose answer was lost (RV(outcome=unknown)), which Kuzzle may or may not have applied (one,
      or several when they were sent at the same time with O(parallel_writes), or in one deletion request).
    - Empty when every failed write was refused.
  returned: failure
  type: list
  elements: dict
  sample: [{kind: profiles, id: editor, action: create}]
outcome:
  description:
    - V(unknown) when the task failed on a write whose answer was lost (a timeout, a connection lost once the request
      was sent, a 502 or 504 of a gateway), so that Kuzzle may or may not have applied it; RV(msg) says so. C(changed) is
      then V(true), since the change may have been made. RV(unknown) names that write. Running the task again converges.
  returned: failure, when the outcome of a write is unknown
  type: str
  sample: unknown
error_id:
  description:
    - The error id of the refusal the task failed on.
    - When RV(msg) says C(Kuzzle answered), Kuzzle answered it to a request of the task.
    - When RV(msg) starts with C(Nothing written:), the module found problems before any write; for those where it
      says C(Kuzzle would refuse it), it is the error id Kuzzle would answer to the first of them
      (V(security.role.unknown_action), V(security.profile.in_use)...), and absent when only the definition is wrong.
  returned: failure
  type: str
  sample: security.role.not_found
status:
  description: The HTTP status that goes with RV(error_id), answered by Kuzzle or that Kuzzle would answer.
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
from ansible_collections.community.kuzzle.plugins.module_utils._errors import UNKNOWN, KuzzleError, PredictedRefusal
from ansible_collections.community.kuzzle.plugins.module_utils._ids import KIND_NAMES, id_problems
from ansible_collections.community.kuzzle.plugins.module_utils import _bulk, _objects, _report, _role, _user

RACE_WAIT = 0.2  # seconds: a user another client is creating has its credentials that much later at most
IN_USE = {'roles': 'security.role.in_use', 'profiles': 'security.profile.in_use'}


def user_passwords(users):
    """Every password string of the users option, whatever the shape around it (checked later)."""
    found = []
    if isinstance(users, dict) and set(users) == {'type', 'content'} and isinstance(users['content'], dict):
        users = users['content']  # a kourou export (_bulk.as_loaded)
    for body in (users or {}).values() if isinstance(users, dict) else ():
        credentials = body.get('credentials') if isinstance(body, dict) else None
        local = credentials.get('local') if isinstance(credentials, dict) else None
        password = local.get('password') if isinstance(local, dict) else None
        if isinstance(password, str) and password:
            found.append(password)
    return found


def definition_of(module):
    """The kinds the task gives, and a clear failure for anything Kuzzle would refuse."""
    definition, problems = {}, []
    for kind in _bulk.KINDS:
        if module.params[kind] is not None:
            definition[kind], problem = _bulk.as_loaded(kind, module.params[kind])
            problems.extend([problem] if problem else [])
    if not definition:
        module.fail_json(msg='Nothing to converge: give at least one of roles, profiles or users')
    if problems:
        module.fail_json(msg='Invalid security definition: %s' % '; '.join(problems))
    if module.params['parallel_writes'] < 1:
        module.fail_json(msg='parallel_writes must be at least 1 (1 writes one object at a time)')
    for kind, objects in definition.items():
        problems.extend(id_problems(kind, objects))
    problems.extend(_bulk.definition_problems(definition))
    if problems:
        module.fail_json(msg='Invalid security definition: %s' % '; '.join(problems))
    return definition


def read_current(client, definition, purge):
    """{kind: {id: stored _source}}: every object of a purged kind, else only the listed ids."""
    current = {}
    for kind, objects in definition.items():
        doing = 'read the %s of the definition' % kind
        if purge:
            current[kind] = dict((hit['_id'], hit['_source']) for hit in _objects.search(client, kind, doing=doing)[1])
        else:
            current[kind] = _objects.read_many(client, kind, list(objects), doing=doing)
    return current


def user_extras(module, client, definition, current):
    """What comparing users needs besides their stored objects: the stored local username of the users whose
    credentials the definition gives (a search of their usernames, _objects.local_usernames), and, with
    update_password=always, whether their password differs (a login as each of them)."""
    users = definition.get('users') or {}
    managed = sorted(kuid for kuid, body in users.items() if body.get('credentials') is not None)
    usernames = _objects.local_usernames(
        client, [kuid for kuid in managed if kuid in current['users']],
        [_bulk.UserAdapter.local(users[kuid]).get('username') for kuid in managed],
        doing='read the local usernames of the users') if managed else {}
    owners = dict((username, kuid) for kuid, username in usernames.items())
    extras, problems, wanted = {}, [], {}
    for kuid in managed:
        local = _bulk.UserAdapter.local(users[kuid])
        stored = usernames.get(kuid)
        extras[kuid] = {'username': stored}
        username = local.get('username') or stored
        # a username belongs to one user: Kuzzle would refuse it only when writing, after what came before
        owner = owners.get(username)
        if owner not in (None, kuid):
            problems.append(_user.username_taken(kuid, username, owner))
        if username in wanted:
            problems.append('users "%s" and "%s" would both have the username "%s"' % (wanted[username], kuid, username))
        wanted[username] = kuid
        if stored is None:
            missing = [key for key in ('username', 'password') if not local.get(key)]
            if missing:
                problems.append('user "%s" %s: credentials.local.%s needed to create its local credentials' % (
                    kuid, 'has no local credentials' if kuid in current['users'] else 'does not exist', ' and '.join(missing)))
        elif module.params['update_password'] == 'always' and local.get('password'):
            works, note = _objects.password_works(client, kuid, stored, local['password'])
            if note:
                module.warn(note)
            extras[kuid]['password_differs'] = not works
    return {'users': extras}, problems


def reference_problems(module, client, definition, current, operations, canonical=None, read=None):
    """Why the plan cannot be applied: an object would refer to one that will not exist, an object to delete
    is still used by one that stays, or a role has rights Kuzzle would refuse. ``canonical``: what plan() made;
    ``read``: a dict that receives {kind: {id: stored _source}} of the referred objects read here (the rights
    review needs the same roles)."""
    problems = []
    state = _bulk.final_state(definition, current, operations, canonical=canonical)
    dangling, to_check = _bulk.unresolved_references(state, module.params['purge'], operations)
    for kind, refs in sorted(dangling.items()):
        problems.extend('%s "%s" is used by %s, but the definition neither keeps nor defines it' % (
            KIND_NAMES[kind], ref, ', '.join('%s "%s"' % (KIND_NAMES[k], i) for k, i in users)) for ref, users in sorted(refs.items()))
    for kind, ids in sorted(to_check.items()):
        found = _objects.read_many(client, kind, sorted(ids), doing='check the %s the definition refers to' % kind)
        if read is not None:
            read.setdefault(kind, {}).update(found)
        problems.extend('%s "%s" is used by the definition but neither exists nor is defined' % (KIND_NAMES[kind], ref)
                        for ref in sorted(ids) if ref not in found)
    for kind, ids in sorted(_bulk.deleted_ids(operations).items()):
        dependent = _bulk.DEPENDENT_KIND.get(kind)
        if dependent is None or dependent in definition:
            continue  # the final state above already covers the dependents
        total, first = _objects.referrers(client, dependent, _bulk.REFERENCE_FIELD[dependent], ids,
                                          doing='check whether %s use the %s to delete' % (dependent, kind))
        if total:
            problems.append(PredictedRefusal('the deletion of %s %s' % (kind, ', '.join('"%s"' % i for i in ids)), 412, IN_USE[kind],
                                             '%d %s still use them (%s)' % (total, dependent, _report.first_names(first, total))))
    problems.extend(unknown_rights(module, client, operations))
    return problems


def unknown_rights(module, client, operations):
    """Controllers and actions Kuzzle would refuse in the roles to write (one read of its API), where it checks them."""
    roles = [op for op in operations if op.kind == 'roles' and op.action != 'delete']
    if not roles or not client.supports('role_rights_check'):
        return []
    api = _objects.published_api(client, 'read the controllers and actions Kuzzle knows')
    if api is None:
        module.warn('controllers and actions of the roles were not checked, because server:publicApi could not be read; '
                    'Kuzzle may still refuse an unknown one when the role is written')
        return []
    problems = []
    for op in roles:
        problem = _role.unknown_rights(op.after['controllers'], api, module.params['force'])
        if problem:
            problems.append(PredictedRefusal('role "%s"' % op.id, 400, problem[0], problem[1]))
    return problems


def fail_before_writing(module, problems):
    """Fail with every problem found before any write: the definition's own (text) and the refusals predicted
    (PredictedRefusal), whose first gives error_id and status."""
    refusals = [problem for problem in problems if isinstance(problem, PredictedRefusal)]
    failure = {'error_id': refusals[0].error_id, 'status': refusals[0].status} if refusals else {}
    phrases = [problem.phrase() if isinstance(problem, PredictedRefusal) else problem for problem in problems]
    module.fail_json(msg='Nothing written: %s' % '; '.join(phrases), changed=False, **failure)


def protected_users(module, client, definition):
    """{'users': [the kuid the task authenticates as]} when users are purged: a task never deletes itself."""
    if not (module.params['purge'] and 'users' in definition):
        return {}
    me = client.act('auth:getCurrentUser')
    return {'users': [me.get('_id')]} if isinstance(me, dict) else {}


def reconciler(module, client, definition):
    """``reconcile(op)`` for _bulk_write: after Kuzzle refused to create ``op``'s object because it exists now (another
    client created it since the read), the object read again and decided as the plan decides: False when it does not
    exist (the refusal stands), None when it is as the definition asks, else the update to send.

    A user created meanwhile is compared on its content, profiles and local username; its password cannot be read
    back, so it follows update_password as for any stored user: checked by a login (and changed when it differs)
    with always, left as the other client set it with on_create."""
    def reconcile(op):
        body = definition[op.kind][op.id]
        source = _objects.read_object(client, op.kind, op.id)
        if source is None:
            return False
        extras = {}
        if op.kind == 'users' and body.get('credentials') is not None:
            local = _bulk.UserAdapter.local(body)
            username = _objects.read_username(client, op.id)
            if username is None:  # the other client's createUser may still be creating the credentials
                time.sleep(RACE_WAIT)
                username = _objects.read_username(client, op.id)
            extra = {'username': username}
            if username is not None and module.params['update_password'] == 'always' and local.get('password'):
                works, note = _objects.password_works(client, op.id, username, local['password'])
                if note:
                    module.warn(note)
                extra['password_differs'] = not works
            extras = {'users': {op.id: extra}}
        operations = _bulk.plan({op.kind: {op.id: body}}, {op.kind: {op.id: source}}, False, extras=extras)[0]
        return operations[0] if operations else None
    return reconcile


def present(client):
    """``present(kind, ids)`` for _bulk_write: the ids still stored (read again after an mDelete* did not delete them)."""
    return lambda kind, ids: _objects.read_many(client, kind, ids, doing='read again the %s not deleted' % kind)


def settle(module, result, operations, unchanged, done):
    """Make the result say what this task wrote once the plan is applied: an operation that another client made first
    leaves the object unchanged (a create) or is left out (a delete), and a create sent as an update counts as one."""
    raced = set(entry['kind'] + '/' + entry['id'] for dummy, entry in done.raced)
    if not raced and not done.replaced:
        return
    planned = _bulk.summary(_bulk.counts(operations, unchanged))  # the start of msg; the rights review may follow
    actual = []
    for index, op in enumerate(operations):
        if op.kind + '/' + op.id in raced:
            unchanged[op.kind] += op.action != 'delete'
        else:
            actual.append(done.replaced.get(index, op))
    counted = _bulk.counts(actual, unchanged)
    said = '%s; %d written by another client meanwhile' % (_bulk.summary(counted), len(raced))
    result.update(changed=bool(actual), msg=result['msg'].replace(planned, said, 1),
                  counts=counted, operations=[op.as_dict() for op in actual])
    if module._diff:
        result['diff'] = [{'prepared': _bulk.plan_summary(actual, counted)}] + [
            _report.build_diff(KIND_NAMES[op.kind], op.id, op.before, op.after) for op in actual]


def apply_plan(module, client, definition, operations):
    """Write in plan order, kind by kind (_bulk_write.py: a pool of parallel_writes writes, deletions in mDelete* chunks);
    on a failure, fail the task with the writes Kuzzle accepted and those whose answer was lost.

    Writes do not wait for Kuzzle's refresh: each group of writes of one kind ends with one refresh instead
    (as admin:loadSecurities does), when the task waits for it or when more writes follow (Kuzzle checks with
    a search that a deleted object is no longer used). Where Kuzzle has no security:refresh (1.x), every
    write waits, as the task asks."""
    if not operations:
        return None
    # imported here: a task with nothing to write needs neither the pool nor its imports (concurrent.futures)
    from ansible_collections.community.kuzzle.plugins.module_utils import _bulk_write

    batched = client.supports('security_refresh')

    def query(op):
        query = {'refresh': 'false' if batched else module.params['refresh']}
        if op.kind == 'roles' and op.action != 'delete' and client.supports('role_rights_check'):
            query['force'] = module.params['force']
        return query

    def refresh_after(kind, last):
        if batched and (module.params['refresh'] == 'wait_for' or not last):
            client.act('security:refresh', collection=kind)

    writer = _bulk_write.Writer(client, definition, query, module.params['parallel_writes'],
                                reconcile=reconciler(module, client, definition), present=present(client))
    try:
        done = writer.apply(operations, refresh_after)
    except KuzzleError as err:  # reading the write limit, or a refresh
        done = writer.outcome
        done.fail(err)
    applied, unknown = done.report()
    if done.errors:
        err, notes = done.errors[0], []
        if len(done.errors) > 1:
            notes.append('%d more write(s) sent before this failure was known also failed: %s' % (
                len(done.errors) - 1, ' | '.join(str(other) for other in done.errors[1:4])))
        if unknown and err.outcome != UNKNOWN:
            notes.append('the outcome of %d write(s) is unknown (see unknown)' % len(unknown))
        if notes:
            err.advise('; '.join(([err.advice] if err.advice else []) + notes))
        extra = {'outcome': UNKNOWN} if unknown else {}
        fail_kuzzle(module, err, changed=bool(applied or unknown), applied=applied, unknown=unknown, **extra)
    return done


def main():
    argument_spec = dict(
        roles=dict(type='dict'),
        profiles=dict(type='dict'),
        users=dict(type='dict'),
        purge=dict(type='bool', default=False),
        purge_exclude=dict(type='dict', default={}, options=dict(
            roles=dict(type='list', elements='str'), profiles=dict(type='list', elements='str'),
            users=dict(type='list', elements='str'))),
        update_password=dict(type='str', default='on_create', choices=['on_create', 'always'], no_log=False),
        force=dict(type='bool', default=False),
        refresh=dict(type='str', default='wait_for', choices=['wait_for', 'false']),
        parallel_writes=dict(type='int', default=4),
    )
    # no_log=True here only keeps the invocation (which may hold user passwords) out of the system log (KuzzleModule
    # sees to it, whatever the task's no_log); the passwords themselves are masked in every output below
    # the passwords are masked in any result as soon as the arguments are read, before anything can fail
    module = kuzzle_module(argument_spec, no_log=True, secrets=lambda params: user_passwords(params.get('users')))
    passwords = user_passwords(module.params['users'])
    definition = definition_of(module)
    # Ansible sends the module's arguments back in every result (invocation.module_args); a definition of
    # thousands of objects would double the result and slow the controller down: say what it held instead
    for kind, objects in definition.items():
        module.params[kind] = '(%d %s, not repeated here)' % (len(objects), kind)
    result = dict(changed=False)
    client = kuzzle_client(module)
    for password in passwords:
        client.add_secret(password)  # masked in every message, even if Kuzzle echoes it
    failure = None
    try:
        with client:
            current = read_current(client, definition, module.params['purge'])
            extras, problems = user_extras(module, client, definition, current) if 'users' in definition else ({}, [])
            keep = protected_users(module, client, definition)
            excluded = _bulk.purge_excluded(definition, current, module.params['purge_exclude']) if module.params['purge'] else {}
            for kind, ids in excluded.items():
                keep[kind] = list(keep.get(kind, ())) + ids
            canonical, referred = {}, {}
            operations, unchanged = _bulk.plan(definition, current, module.params['purge'], extras=extras, keep=keep, canonical=canonical)
            problems.extend(reference_problems(module, client, definition, current, operations, canonical, referred))
            if problems:
                fail_before_writing(module, problems)
            counted = _bulk.counts(operations, unchanged)
            result.update(changed=bool(operations), msg=_bulk.summary(counted), counts=counted,
                          operations=[op.as_dict() for op in operations])
            if module.params['purge']:
                result['purge_excluded'] = excluded
            if module._diff:
                # first the plan in a few lines (its size does not grow with the plan's), then one diff per object
                result['diff'] = [{'prepared': _bulk.plan_summary(operations, counted)}] + [
                    _report.build_diff(KIND_NAMES[op.kind], op.id, op.before, op.after) for op in operations]
            result['rights'] = {}
            if operations:  # imported only then: a task that writes nothing changes no right
                from ansible_collections.community.kuzzle.plugins.module_utils import _rights_review
                _rights_review.report(module, result, *_rights_review.security_review(module, client, definition, current, operations, referred))
            if not module.check_mode:
                done = apply_plan(module, client, definition, operations)
                if done is not None:
                    settle(module, result, operations, unchanged, done)
    except KuzzleError as err:
        failure = err
    if failure:
        fail_kuzzle(module, failure, changed=False, applied=[])
    module.exit_json(**result)


if __name__ == '__main__':
    main()
