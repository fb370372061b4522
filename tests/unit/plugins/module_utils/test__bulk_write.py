# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Applying a plan: the pool of writes and its failures, deletions in chunks, partial answers (HTTP mocked)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import threading

import pytest
import requests
import responses

from ansible_collections.community.kuzzle.plugins.module_utils import _bulk_write
from ansible_collections.community.kuzzle.plugins.module_utils._bulk import Operation
from ansible_collections.community.kuzzle.plugins.module_utils._client import KuzzleClient

URL = 'http://kuzzle.test:7512'
POLICIES = {'policies': [{'roleId': 'default'}]}


def answer(result, status=200, error=None, action='createProfile', controller='security'):
    return {'action': action, 'controller': controller, 'error': error, 'headers': {}, 'node': 'n',
            'requestId': 'r', 'result': result, 'status': status, 'volatile': None}


def refused(error_id, status, message, action='createProfile'):
    return answer(None, status, {'id': error_id, 'status': status, 'message': message}, action)


def creates(*ids):
    return [Operation('profiles', i, 'create', {}, POLICIES, POLICIES) for i in ids]


def deletes(kind, *ids):
    return [Operation(kind, i, 'delete', {'x': 1}, {}) for i in ids]


def writer(parallel, refreshes=None):
    client = KuzzleClient(URL, token='kauth-unit-test-token')
    return _bulk_write.Writer(client, {}, lambda op: {'refresh': 'false'}, parallel), (refreshes if refreshes is not None else [])


def paths(mocked):
    return [c.request.url.replace(URL, '') for c in mocked.calls]


@pytest.fixture
def mocked():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps


def test_one_write_at_a_time_follows_the_plan_then_refreshes_each_kind(mocked):
    for i in ('p1', 'p2', 'p3'):
        mocked.add(responses.POST, URL + '/profiles/%s/_create?refresh=false' % i, json=answer({'_id': i, '_source': {}}))
    w, refreshes = writer(1)
    outcome = w.apply(creates('p1', 'p2', 'p3'), lambda kind, last: refreshes.append((kind, last)))
    assert paths(mocked) == ['/profiles/p1/_create?refresh=false', '/profiles/p2/_create?refresh=false', '/profiles/p3/_create?refresh=false']
    assert outcome.report() == ([{'kind': 'profiles', 'id': i, 'action': 'create'} for i in ('p1', 'p2', 'p3')], [])
    assert outcome.errors == [] and refreshes == [('profiles', True)]


def test_a_failure_in_the_middle_of_the_pool_starts_nothing_new_and_reports_exactly_the_accepted_writes(mocked):
    """Pool of 2: p1 and p2 are sent together; p2 is refused; p1 is answered only once the failure is known. p1 is
    applied, p2 is not, p3..p6 are never sent, and no refresh follows."""
    w, refreshes = writer(2)
    p1_sent = threading.Event()

    def p1_after_the_failure(request):
        p1_sent.set()
        assert w.stop.wait(10), 'p2 never failed'
        return 200, {}, json.dumps(answer({'_id': 'p1', '_source': {}}))

    def p2_refused_once_p1_is_in_flight(request):
        assert p1_sent.wait(10)
        return 400, {}, json.dumps(refused('api.assert.invalid_argument', 400, 'rateLimit must be positive'))
    mocked.add_callback(responses.POST, URL + '/profiles/p1/_create?refresh=false', callback=p1_after_the_failure)
    mocked.add_callback(responses.POST, URL + '/profiles/p2/_create?refresh=false', callback=p2_refused_once_p1_is_in_flight)
    for i in ('p3', 'p4', 'p5', 'p6'):
        mocked.add(responses.POST, URL + '/profiles/%s/_create?refresh=false' % i, json=answer({'_id': i, '_source': {}}))
    outcome = w.apply(creates('p1', 'p2', 'p3', 'p4', 'p5', 'p6'), lambda kind, last: refreshes.append(kind))
    assert outcome.report() == ([{'kind': 'profiles', 'id': 'p1', 'action': 'create'}], [])
    assert [str(e) for e in outcome.errors] == ['Could not create profile "p2": Kuzzle answered 400 api.assert.invalid_argument: rateLimit must be positive']
    assert sorted(paths(mocked)) == ['/profiles/p1/_create?refresh=false', '/profiles/p2/_create?refresh=false']
    assert refreshes == []


def test_a_write_in_flight_whose_answer_is_lost_is_unknown_not_applied(mocked):
    w, refreshes = writer(3)
    in_flight = [threading.Event(), threading.Event()]

    def lost_after_the_failure(request):
        in_flight[0].set()
        assert w.stop.wait(10)
        return 502, {}, '<html>Bad Gateway</html>'

    def refused_once_the_others_are_in_flight(request):
        assert all(sent.wait(10) for sent in in_flight)
        return 400, {}, json.dumps(refused('api.assert.invalid_type', 400, 'Wrong type'))
    mocked.add_callback(responses.POST, URL + '/profiles/p1/_create?refresh=false', callback=lost_after_the_failure)
    mocked.add_callback(responses.POST, URL + '/profiles/p2/_create?refresh=false', callback=refused_once_the_others_are_in_flight)

    def accepted_after_the_failure(request):
        in_flight[1].set()
        assert w.stop.wait(10)
        return 200, {}, json.dumps(answer({'_id': 'p3', '_source': {}}))
    mocked.add_callback(responses.POST, URL + '/profiles/p3/_create?refresh=false', callback=accepted_after_the_failure)
    outcome = w.apply(creates('p1', 'p2', 'p3', 'p4'), lambda kind, last: refreshes.append(kind))
    applied, unknown = outcome.report()
    assert applied == [{'kind': 'profiles', 'id': 'p3', 'action': 'create'}]
    assert unknown == [{'kind': 'profiles', 'id': 'p1', 'action': 'create'}]
    assert [e.error_id for e in outcome.errors][0] == 'api.assert.invalid_type' and len(outcome.errors) == 2
    assert 'p4' not in ' '.join(paths(mocked))


def test_a_failed_kind_stops_the_plan_before_the_next_kind(mocked):
    role = Operation('roles', 'r1', 'create', {}, {'controllers': {}}, {'controllers': {}})
    mocked.add(responses.POST, URL + '/roles/r1/_create?refresh=false', json=refused('security.role.unknown_action', 400, 'no'), status=400)
    w, refreshes = writer(4)
    outcome = w.apply([role] + creates('p1'), lambda kind, last: refreshes.append(kind))
    assert outcome.report() == ([], []) and len(outcome.errors) == 1
    assert paths(mocked) == ['/roles/r1/_create?refresh=false'] and refreshes == []


def test_deletions_go_in_chunks_of_the_write_limit_kuzzle_gives(mocked):
    mocked.add(responses.GET, URL + '/_capabilities', json=answer({'limits': {'documentsWriteCount': 2}}, action='capabilities', controller='server'))
    chunks = []

    def mdelete(request):
        ids = json.loads(request.body)['ids']
        chunks.append((request.url.replace(URL, ''), ids))
        return 200, {}, json.dumps(answer(list(reversed(ids)), action='mDeleteUsers'))
    mocked.add_callback(responses.POST, URL + '/users/_mDelete?refresh=false', callback=mdelete)
    mocked.add_callback(responses.POST, URL + '/profiles/_mDelete?refresh=false', callback=mdelete)
    w, refreshes = writer(4)
    plan = deletes('users', 'u1', 'u2', 'u3', 'u4', 'u5') + deletes('profiles', 'p1')
    outcome = w.apply(plan, lambda kind, last: refreshes.append((kind, last)))
    assert chunks == [('/users/_mDelete?refresh=false', ['u1', 'u2']), ('/users/_mDelete?refresh=false', ['u3', 'u4']),
                      ('/users/_mDelete?refresh=false', ['u5']), ('/profiles/_mDelete?refresh=false', ['p1'])]
    assert outcome.report()[0] == [op.as_dict() for op in plan] and outcome.errors == []
    assert refreshes == [('users', False), ('profiles', True)]


@pytest.mark.parametrize('status', [401, 403, 404])
def test_the_write_limit_is_kuzzle_s_default_when_it_cannot_be_read(mocked, status):
    mocked.add(responses.GET, URL + '/_capabilities', json=refused('security.rights.forbidden', status, 'no', 'capabilities'), status=status)
    assert _bulk_write.write_limit(KuzzleClient(URL, token='kauth-unit-test-token')) == 200


def test_a_partial_deletion_reports_each_object_and_stops(mocked):
    """206: Kuzzle deleted some ids of the chunk; those are applied, the others named with Kuzzle's reasons (which
    cannot be matched to ids), and the next chunk is not sent."""
    mocked.add(responses.GET, URL + '/_capabilities', json=answer({'limits': {'documentsWriteCount': 3}}, action='capabilities'))
    errors = [{'id': 'security.profile.in_use', 'status': 412, 'message': 'The profile "%s" is still used.', 'props': []},
              {'id': 'security.profile.in_use', 'status': 412, 'message': 'The profile "%s" is still used.', 'props': []}]
    mocked.add(responses.POST, URL + '/profiles/_mDelete?refresh=false', status=206, json=answer(
        ['p2'], 206, {'id': 'services.storage.incomplete_delete', 'status': 206, 'message': 'incomplete', 'errors': errors},
        action='mDeleteProfiles'))
    w, refreshes = writer(4)
    outcome = w.apply(deletes('profiles', 'p1', 'p2', 'p3', 'p4'), lambda kind, last: refreshes.append(kind))
    assert outcome.report() == ([{'kind': 'profiles', 'id': 'p2', 'action': 'delete'}], [])
    [error] = outcome.errors
    assert (error.status, error.error_id) == (206, 'services.storage.incomplete_delete')
    assert str(error) == ('Could not delete profiles "p1", "p2", "p3": Kuzzle answered 206 services.storage.incomplete_delete: '
                          'deleted 1, did not delete "p1", "p3" (412 security.profile.in_use (2): The profile "%s" is still used.)')
    assert len([c for c in mocked.calls if '_mDelete' in c.request.url]) == 1 and refreshes == []


def test_a_deletion_whose_answer_is_lost_makes_its_whole_chunk_unknown(mocked):
    mocked.add(responses.GET, URL + '/_capabilities', json=answer({'limits': {'documentsWriteCount': 2}}, action='capabilities'))
    mocked.add(responses.POST, URL + '/roles/_mDelete?refresh=false', status=504, body='gateway timeout')
    w, refreshes = writer(1)
    outcome = w.apply(deletes('roles', 'r1', 'r2', 'r3'), lambda kind, last: refreshes.append(kind))
    assert outcome.report() == ([], [{'kind': 'roles', 'id': 'r1', 'action': 'delete'}, {'kind': 'roles', 'id': 'r2', 'action': 'delete'}])
    assert outcome.errors[0].outcome == 'unknown'
    assert [c.request.url.replace(URL, '') for c in mocked.calls].count('/roles/_mDelete?refresh=false') == 1


def test_groups_split_the_plan_by_kind_and_sort():
    plan = creates('p1') + [Operation('users', 'u1', 'create', {}, {}, {})] + deletes('users', 'u2', 'u3') + deletes('profiles', 'p4')
    assert [(kind, deleting, [i for i, dummy in members]) for kind, deleting, members in _bulk_write.groups(plan)] == [
        ('profiles', False, [0]), ('users', False, [1]), ('users', True, [2, 3]), ('profiles', True, [4])]


# -- several hosts converging the same objects at once ------------------------------------------------------

EXISTS = ('services.storage.document_already_exists', 400, 'Document already exists.')


def racing_writer(reconcile=None, present=None):
    client = KuzzleClient(URL, token='kauth-unit-test-token')
    return _bulk_write.Writer(client, {}, lambda op: {'refresh': 'false'}, 1, reconcile=reconcile, present=present)


def test_a_create_that_another_client_made_as_asked_is_raced_not_applied_and_nothing_more_is_written(mocked):
    mocked.add(responses.POST, URL + '/profiles/p1/_create?refresh=false', status=400, json=refused(*EXISTS))
    mocked.add(responses.POST, URL + '/profiles/p2/_create?refresh=false', json=answer({'_id': 'p2', '_source': {}}))
    asked = []
    w = racing_writer(reconcile=lambda op: asked.append(op.id))  # None: the object is as the plan wants it
    outcome = w.apply(creates('p1', 'p2'), lambda kind, last: None)
    assert (outcome.errors, asked, outcome.report()) == ([], ['p1'], ([{'kind': 'profiles', 'id': 'p2', 'action': 'create'}], []))
    assert outcome.raced == [(0, {'kind': 'profiles', 'id': 'p1', 'action': 'create'})] and outcome.replaced == {}
    assert paths(mocked) == ['/profiles/p1/_create?refresh=false', '/profiles/p2/_create?refresh=false']


def test_a_create_that_another_client_made_differently_is_sent_as_the_update_reconcile_gives(mocked):
    mocked.add(responses.POST, URL + '/profiles/p1/_create?refresh=false', status=400, json=refused(*EXISTS))
    mocked.add(responses.PUT, URL + '/profiles/p1/_update?refresh=false', json=answer({'_id': 'p1', '_source': {}}, action='updateProfile'))
    update = Operation('profiles', 'p1', 'update', {'policies': [{'roleId': 'other'}]}, POLICIES, POLICIES)
    outcome = racing_writer(reconcile=lambda op: update).apply(creates('p1'), lambda kind, last: None)
    assert outcome.errors == [] and outcome.raced == [] and outcome.replaced == {0: update}
    assert outcome.report() == ([{'kind': 'profiles', 'id': 'p1', 'action': 'update'}], [])
    assert paths(mocked) == ['/profiles/p1/_create?refresh=false', '/profiles/p1/_update?refresh=false']


def test_a_create_refused_as_existing_for_an_object_that_is_not_there_fails_as_kuzzle_answered(mocked):
    mocked.add(responses.POST, URL + '/profiles/p1/_create?refresh=false', status=400, json=refused(*EXISTS))
    outcome = racing_writer(reconcile=lambda op: False).apply(creates('p1', 'p2'), lambda kind, last: None)
    assert [e.error_id for e in outcome.errors] == ['services.storage.document_already_exists']
    assert outcome.report() == ([], []) and outcome.raced == [] and len(mocked.calls) == 1


def test_a_create_refused_as_existing_fails_without_reconcile_and_for_other_errors_reconcile_is_not_asked(mocked):
    mocked.add(responses.POST, URL + '/profiles/p1/_create?refresh=false', status=400, json=refused(*EXISTS))
    assert [e.error_id for e in racing_writer().apply(creates('p1'), lambda kind, last: None).errors] == [EXISTS[0]]
    mocked.replace(responses.POST, URL + '/profiles/p1/_create?refresh=false', status=400,
                   json=refused('api.assert.invalid_argument', 400, 'bad'))
    asked = []
    outcome = racing_writer(reconcile=asked.append).apply(creates('p1'), lambda kind, last: None)
    assert asked == [] and [e.error_id for e in outcome.errors] == ['api.assert.invalid_argument']


def test_ids_an_mdelete_did_not_delete_that_are_gone_now_are_raced_and_the_plan_goes_on(mocked):
    """Another client deleted p1 and p3 first: Kuzzle answers 206 with their not_found; read again, they are gone."""
    mocked.add(responses.GET, URL + '/_capabilities', json=answer({'limits': {'documentsWriteCount': 3}}, action='capabilities'))
    gone = {'id': 'security.profile.not_found', 'status': 404, 'message': 'Profile not found.'}
    mocked.add(responses.POST, URL + '/profiles/_mDelete?refresh=false', status=206, json=answer(
        ['p2'], 206, {'id': 'services.storage.incomplete_delete', 'status': 206, 'message': 'incomplete', 'errors': [gone, gone]},
        action='mDeleteProfiles'))
    read = []
    w = racing_writer(present=lambda kind, ids: read.append((kind, ids)) or {})
    refreshes = []
    outcome = w.apply(deletes('profiles', 'p1', 'p2', 'p3'), lambda kind, last: refreshes.append(kind))
    assert outcome.errors == [] and read == [('profiles', ['p1', 'p3'])] and refreshes == ['profiles']
    assert outcome.report() == ([{'kind': 'profiles', 'id': 'p2', 'action': 'delete'}], [])
    assert [entry['id'] for dummy, entry in outcome.raced] == ['p1', 'p3']


def test_ids_an_mdelete_did_not_delete_that_are_still_stored_fail_and_only_they_are_named(mocked):
    mocked.add(responses.GET, URL + '/_capabilities', json=answer({'limits': {'documentsWriteCount': 3}}, action='capabilities'))
    errors = [{'id': 'security.profile.not_found', 'status': 404, 'message': 'Profile not found.'},
              {'id': 'security.profile.in_use', 'status': 412, 'message': 'still used'}]
    mocked.add(responses.POST, URL + '/profiles/_mDelete?refresh=false', status=206, json=answer(
        [], 206, {'id': 'services.storage.incomplete_delete', 'status': 206, 'message': 'incomplete', 'errors': errors},
        action='mDeleteProfiles'))
    w = racing_writer(present=lambda kind, ids: {'p2': {}})
    outcome = w.apply(deletes('profiles', 'p1', 'p2'), lambda kind, last: None)
    [error] = outcome.errors
    assert 'deleted 0, did not delete "p2" (' in str(error) and outcome.report() == ([], [])
    assert [entry['id'] for dummy, entry in outcome.raced] == ['p1']


def test_credentials_another_client_created_meanwhile_are_read_again_after_kuzzle_refuses_ours(mocked):
    """The plan read the user without credentials while another client's createUser was making them: passport-local
    refuses createCredentials (412 without an error id); the user read again is as asked: nothing more is sent."""
    client = KuzzleClient(URL, token='kauth-unit-test-token')
    body = {'content': {'profileIds': ['default']}, 'credentials': {'local': {'username': 'ann', 'password': 'S3cret-ann'}}}
    before = {'profileIds': ['default'], 'content': {}}
    after = dict(before, credentials={'local': {'username': 'ann', 'password': '(set)'}})
    op = Operation('users', 'ann', 'update', before, after, {})
    mocked.add(responses.POST, URL + '/credentials/local/ann/_create?refresh=false', status=412, json=answer(
        None, 412, {'status': 412, 'message': 'A strategy already exists for user "ann".'}, action='createCredentials'))
    asked = []
    w = _bulk_write.Writer(client, {'users': {'ann': body}}, lambda op: {'refresh': 'false'}, 1, reconcile=asked.append)
    outcome = w.apply([op], lambda kind, last: None)
    assert outcome.errors == [] and asked == [op] and outcome.report() == ([], [])
    assert outcome.raced == [(0, {'kind': 'users', 'id': 'ann', 'action': 'update'})] and len(mocked.calls) == 1


def record_mdeletes(mocked, chunks, answers=None):
    """Record each mDelete* as (kind, ids); ``answers``: {request number: (status, body)}, else Kuzzle deleted every id."""
    def mdelete(request):
        ids = json.loads(request.body)['ids']
        chunks.append((request.url.replace(URL, '').split('/')[1], ids))
        return (answers or {}).get(len(chunks)) or (200, {}, json.dumps(answer(ids, action='mDelete')))
    for kind in ('users', 'profiles', 'roles'):
        mocked.add_callback(responses.POST, URL + '/%s/_mDelete?refresh=false' % kind, callback=mdelete)
    mocked.add(responses.GET, URL + '/_capabilities', json=answer({'limits': {'documentsWriteCount': 200}}, action='capabilities'))


def numbered(kind, prefix, count):
    return deletes(kind, *['%s%03d' % (prefix, i) for i in range(count)])


def test_users_go_in_smaller_chunks_than_profiles_and_roles_which_keep_kuzzle_s_write_limit(mocked):
    chunks = []
    record_mdeletes(mocked, chunks)
    w, refreshes = writer(4)
    plan = numbered('users', 'u', 120) + numbered('profiles', 'p', 250) + numbered('roles', 'r', 3)
    outcome = w.apply(plan, lambda kind, last: refreshes.append(kind))
    sizes = [('users', 25)] * 4 + [('users', 20), ('profiles', 200), ('profiles', 50), ('roles', 3)]
    assert [(kind, len(ids)) for kind, ids in chunks] == sizes
    assert [i for dummy, ids in chunks for i in ids] == [op.id for op in plan]  # in plan order, each once
    assert outcome.report() == ([op.as_dict() for op in plan], []) and refreshes == ['users', 'profiles', 'roles']


@pytest.mark.parametrize('lost', [(504, {}, 'gateway timeout'), (200, {}, requests.exceptions.ReadTimeout('read timed out'))])
def test_a_user_chunk_whose_answer_is_lost_leaves_the_chunks_before_applied_and_sends_no_more(mocked, lost):
    """The timeout this chunking bounds: only the chunk in flight is unknown, not every user of the purge."""
    chunks = []
    record_mdeletes(mocked, chunks, {2: lost})
    w, refreshes = writer(4)
    plan = numbered('users', 'u', 120) + numbered('profiles', 'p', 2)
    outcome = w.apply(plan, lambda kind, last: refreshes.append(kind))
    applied, unknown = outcome.report()
    assert applied == [op.as_dict() for op in plan[:25]] and unknown == [op.as_dict() for op in plan[25:50]]
    assert outcome.errors[0].outcome == 'unknown' and len(outcome.errors) == 1
    assert [len(ids) for dummy, ids in chunks] == [25, 25] and refreshes == []


def test_a_partial_user_chunk_applies_what_kuzzle_deleted_in_it_and_before_it_then_stops(mocked):
    chunks = []
    error = {'id': 'services.storage.incomplete_delete', 'status': 206, 'message': 'incomplete',
             'errors': [{'id': 'security.credentials.rejected', 'status': 400, 'message': 'no'}]}
    ids = ['u%03d' % i for i in range(25, 50) if i != 37]
    record_mdeletes(mocked, chunks, {2: (206, {}, json.dumps(answer(ids, 206, error, action='mDeleteUsers')))})
    w, refreshes = writer(1)
    plan = numbered('users', 'u', 120)
    outcome = w.apply(plan, lambda kind, last: refreshes.append(kind))
    assert outcome.report() == ([op.as_dict() for op in plan[:50] if op.id != 'u037'], [])
    assert 'deleted 24, did not delete "u037" (400 security.credentials.rejected: no)' in str(outcome.errors[0])
    assert len(chunks) == 2 and refreshes == []
