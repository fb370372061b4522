# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Issue 10, cases 3 to 6, through the fault proxy of tests/faults in front of the real Kuzzle: ``timeout`` bounds a
whole request, a write whose outcome is unknown says so, reads survive answers cut in their body, answers of the
wrong shape fail cleanly, malformed URLs fail before any request; and TLS through the proxy (CA, self-signed, mTLS).

Cases that can share an ansible-playbook run do (one task per case, each with ignore_errors): a module-scoped
fixture makes the run once, and one test per case reads its task's result, so that each case still passes or fails
on its own."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import sys
import time
import uuid

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'faults'))

from certs import make_certificates  # noqa: E402 pylint: disable=wrong-import-position,import-error
from proxy import FaultProxy  # noqa: E402 pylint: disable=wrong-import-position,import-error

READ = {'document': {'actions': {'get': True}}}
UNKNOWN = 'may or may not have been applied'


@pytest.fixture
def proxy(kuzzle):
    with FaultProxy(kuzzle.url) as started:
        yield started


def through(playbooks, proxy, **options):  # pylint: disable=redefined-outer-name
    """module_defaults: the session admin, through the proxy."""
    return {'group/community.kuzzle.kuzzle': playbooks.connection(url=proxy.url, **options)}


def task(module, title='task', **options):
    return {'name': title, 'community.kuzzle.' + module: options, 'ignore_errors': True}


@pytest.fixture(scope='module')
def group_uid():
    """An id prefix of the runs this file's tests share."""
    return 'hard-%s' % uuid.uuid4().hex[:6]


# ---------------------------------------------------------------- 3. timeout bounds the whole request
def test_timeout_bounds_an_answer_trickled_one_byte_at_a_time(playbooks, proxy):  # pylint: disable=redefined-outer-name
    """timeout 2, retries 1: each of the two attempts is given up about 2 s into an answer that would take minutes.
    Measured on the proxy's side: bytes sent before the client went away, one byte a second."""
    proxy.add('trickle', method='GET', path='^/profiles/admin', times=None, chunk=1, interval=1, limit=30)
    run = playbooks.run([task('kuzzle_profile_info', name='admin')], module_defaults=through(playbooks, proxy, timeout=2, retries=1))
    result = run.clean_failure('task', 'within 2')
    # the proxy learns that a client went away when it sends its next byte, up to a second (interval) later
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline and not all(e['client_gone'] for e in proxy.entries(path='^/profiles/admin')):
        time.sleep(0.2)
    attempts = proxy.entries(path='^/profiles/admin')
    assert [(e['client_gone'], e['sent'] < 15) for e in attempts] == [(True, True), (True, True)], (attempts, result)


# ---------------------------------------------------------------- 4. writes whose outcome is unknown
# module -> (options, method and path of its write, how to read the object back)
WRITES = {
    'kuzzle_profile': (lambda uid: {'name': uid, 'policies': [{'role_id': 'reader'}]}, 'POST', '^/profiles/{uid}/_create', 'profiles'),
    'kuzzle_role': (lambda uid: {'name': uid, 'controllers': READ}, 'POST', '^/roles/{uid}/_create', 'roles'),
    'kuzzle_user': (lambda uid: {'name': uid, 'profile_ids': ['default']}, 'POST', '^/users/{uid}/_create', 'users'),
}


LOST_ANSWERS = {'reset': {'action': 'reset_after'}, '502': {'action': 'status', 'forward': True, 'status': 502},
                '504': {'action': 'status', 'forward': True, 'status': 504}}


@pytest.fixture(scope='module')
def lost_answer_runs(module_playbooks, kuzzle, group_uid):
    """One run per fault, with a task per module, each write's answer lost after Kuzzle applied it; for each fault:
    (run, proxy log, the uid of each module's object)."""
    runs = {}
    for fault, rule in sorted(LOST_ANSWERS.items()):
        uids = dict((module, '%s-lost%s-%s' % (group_uid, fault, module[7:])) for module in WRITES)
        with FaultProxy(kuzzle.url) as started:
            for module, (options, method, path, kind) in sorted(WRITES.items()):
                params = dict(rule)
                started.add(params.pop('action'), method=method, path=path.format(uid=uids[module]), **params)
            tasks = [task(module, title=module, **options(uids[module])) for module, (options, m, p, k) in sorted(WRITES.items())]
            run = module_playbooks.run(tasks, module_defaults=through(module_playbooks, started))
            runs[fault] = (run, started.log, uids)
    return runs


@pytest.mark.parametrize('case', ['%s-%s' % (m, f) for m in sorted(WRITES) for f in sorted(LOST_ANSWERS)])
def test_a_write_kuzzle_applied_but_whose_answer_was_lost_says_outcome_unknown(lost_answer_runs, admin, case):
    module, fault = case.split('-')
    options, method, path, kind = WRITES[module]  # pylint: disable=unused-variable
    run, log, uids = lost_answer_runs[fault]
    uid = uids[module]
    result = run.clean_failure(module, UNKNOWN)
    assert result['outcome'] == 'unknown' and result['changed'] is True, result
    assert admin.read(kind, uid) is not None  # Kuzzle did apply it
    sent = [e for e in log if e['method'] == method and e['path'].startswith(path[1:].format(uid=uid))]
    assert len(sent) == 1, log  # and it was not sent twice


def test_an_api_key_created_but_whose_answer_was_lost_says_outcome_unknown(playbooks, proxy, admin, uid):  # pylint: disable=redefined-outer-name
    admin.create_user(uid, ['default'])
    proxy.add('reset_after', method='POST', path='^/users/%s/api-keys/_create' % uid)
    run = playbooks.run([task('kuzzle_api_key', user=uid, description='ci key')], module_defaults=through(playbooks, proxy))
    result = run.clean_failure('task', UNKNOWN, 'its token is lost')
    assert result['outcome'] == 'unknown', result
    status, found = admin.api('POST', '/users/%s/api-keys/_search' % uid, body={})
    assert status == 200 and found['result']['total'] == 1
    assert len(proxy.entries(method='POST', path='^/users/%s/api-keys/_create' % uid)) == 1


def test_kuzzle_security_lists_the_write_of_unknown_outcome_apart_from_the_applied_ones(playbooks, proxy, admin, uid):  # pylint: disable=redefined-outer-name
    definition = {'roles': {uid + '-r': {'controllers': READ}},
                  'profiles': {uid + '-a': {'policies': [{'roleId': uid + '-r'}]}, uid + '-b': {'policies': [{'roleId': uid + '-r'}]}}}
    proxy.add('status', forward=True, status=502, method='POST', path='^/profiles/%s-b/_create' % uid)
    run = playbooks.run([task('kuzzle_security', **definition)], module_defaults=through(playbooks, proxy))
    result = run.clean_failure('task', UNKNOWN)
    assert result['outcome'] == 'unknown', result
    assert result['unknown'] == [{'kind': 'profiles', 'id': uid + '-b', 'action': 'create'}], result
    assert {'kind': 'profiles', 'id': uid + '-b', 'action': 'create'} not in result['applied']
    assert {'kind': 'profiles', 'id': uid + '-a', 'action': 'create'} in result['applied']
    assert admin.profile(uid + '-b') is not None


def test_a_write_refused_before_kuzzle_ran_it_is_sent_again_once_and_succeeds(playbooks, proxy, admin, uid):  # pylint: disable=redefined-outer-name
    """503 before Kuzzle saw it (the proxy answers): Kuzzle cannot have run it, so it is retried; regression guard."""
    proxy.add('status', status=503, method='POST', path='^/profiles/%s/_create' % uid, times=2)
    run = playbooks.run([task('kuzzle_profile', name=uid, policies=[{'role_id': 'reader'}])], module_defaults=through(playbooks, proxy))
    assert run.status('task') == 'changed' or run.result('task')['changed'] is True, run.output
    assert [e['action'] for e in proxy.entries(path='^/profiles/%s/_create' % uid)] == ['status', 'status', 'pass']
    assert admin.profile(uid)['policies'] == [{'roleId': 'reader'}]


# ---------------------------------------------------------------- 5. reads cut in their body are sent again
# module -> (options, method and path of a read it makes first); in the order of the tasks of a run, so that each
# path is met first by its own module (kuzzle_security also searches roles, after kuzzle_security_info did)
READS = {
    'kuzzle_profile_info': (lambda uid: {'name': 'admin'}, 'GET', '^/profiles/admin'),
    'kuzzle_profile': (lambda uid: {'name': uid, 'policies': [{'role_id': 'reader'}]}, 'GET', '^/profiles/{uid}$'),
    'kuzzle_security_info': (lambda uid: {'kinds': ['roles']}, 'POST', '^/roles/_search'),
    'kuzzle_security': (lambda uid: {'profiles': {uid: {'policies': [{'roleId': 'reader'}]}}}, 'POST', '^/profiles/_search'),
}
CUTS = ('reset_mid_body', 'truncate')


@pytest.fixture(scope='module')
def cut_read_runs(module_playbooks, kuzzle, group_uid):
    """One run per way of cutting, with a task per module whose first read is cut once; for each: (run, proxy log, uid)."""
    runs = {}
    for fault in CUTS:
        uid = '%s-cut-%s' % (group_uid, fault.replace('_', '-'))
        with FaultProxy(kuzzle.url) as started:
            for module, (options, method, path) in READS.items():
                started.add(fault, method=method, path=path.format(uid=uid), keep=20)
            tasks = [task(module, title=module, **options(uid)) for module, (options, method, path) in READS.items()]
            run = module_playbooks.run(tasks, module_defaults=through(module_playbooks, started))
            runs[fault] = (run, started, uid)
    return runs


@pytest.mark.parametrize('case', ['%s-%s' % (m, f) for m in sorted(READS) for f in CUTS])
def test_a_read_cut_in_its_body_is_sent_again(cut_read_runs, case):
    module, fault = case.split('-')
    options, method, path = READS[module]  # pylint: disable=unused-variable
    run, started, uid = cut_read_runs[fault]
    assert run.status(module) == 'ok', run.output
    assert [e['action'] for e in started.entries(method=method, path=path.format(uid=uid))][:2] == [fault, 'pass']


# ---------------------------------------------------------------- 6. answers of the wrong shape, malformed URLs
# module -> (options, method and path of the read whose result is replaced, Kuzzle's name of that action, the kind of
# object to create first so that the read answers 200 with a result). Each task fails at that read, its first one,
# so the tasks of a run do not meet each other's rules; all but kuzzle_login authenticate with a token, so that only
# kuzzle_login logs in.
SHAPES = {
    'kuzzle_profile': (lambda uid: {'name': uid, 'policies': [{'role_id': 'reader'}]}, 'GET', '^/profiles/{uid}$', 'security:getProfile', 'profile'),
    'kuzzle_role': (lambda uid: {'name': uid, 'controllers': READ}, 'GET', '^/roles/{uid}$', 'security:getRole', 'role'),
    'kuzzle_user': (lambda uid: {'name': uid, 'profile_ids': ['default']}, 'GET', '^/users/{uid}$', 'security:getUser', 'user'),
    'kuzzle_profile_info': (lambda uid: {'name': 'admin'}, 'GET', '^/profiles/admin$', 'security:getProfile', None),
    'kuzzle_security': (lambda uid: {'profiles': {uid: {'policies': [{'roleId': 'reader'}]}}}, 'POST', '^/profiles/_search',
                        'security:searchProfiles', None),
    'kuzzle_security_info': (lambda uid: {'kinds': ['roles']}, 'POST', '^/roles/_search', 'security:searchRoles', None),
    'kuzzle_login': (lambda uid: {}, 'POST', '^/_login/local', 'auth:login', None),
    'kuzzle_api_key': (lambda uid: {'user': 'ansible-admin', 'id': uid, 'state': 'absent'}, 'POST', '^/users/ansible-admin/api-keys/_search',
                       'security:searchApiKeys', None),
}
GARBAGE = 'garbage-' * 200


WRONG_RESULTS = {'string': 'a string', 'list': [1, 2], 'long': GARBAGE}


@pytest.fixture(scope='module')
def wrong_shape_runs(module_playbooks, kuzzle, admin, group_uid):
    """One run per wrong result, with a task per module; for each: (run, proxy log, uid)."""
    uid = group_uid + '-shape'
    admin.create_profile(uid, [{'roleId': 'reader'}])
    admin.create_role(uid)
    admin.create_user(uid, ['default'])
    runs = {}
    for name, value in sorted(WRONG_RESULTS.items()):
        with FaultProxy(kuzzle.url) as started:
            tasks = []
            for module, (options, method, path, action, existing) in sorted(SHAPES.items()):  # pylint: disable=unused-variable
                started.add('result', method=method, path=path.format(uid=uid), times=None, value=value)
                credentials = ({'username': admin.username, 'password': admin.password} if module == 'kuzzle_login'
                               else {'token': admin.token})
                tasks.append(task(module, title=module, url=started.url, **dict(options(uid), **credentials)))
            runs[name] = (module_playbooks.run(tasks, module_defaults=None), started, uid)
    return runs


@pytest.mark.parametrize('case', ['%s-%s' % (m, v) for m in sorted(SHAPES) for v in sorted(WRONG_RESULTS)])
def test_an_answer_of_the_wrong_shape_fails_cleanly_naming_the_action_and_what_came(wrong_shape_runs, case):
    module, name = case.split('-')
    value = WRONG_RESULTS[name]
    options, method, path, action, existing = SHAPES[module]  # pylint: disable=unused-variable
    run, started, uid = wrong_shape_runs[name]
    result = run.clean_failure(module, action)
    shown = value[:40] if isinstance(value, str) else str(value)
    assert shown in result['msg'], result['msg']
    assert len(result['msg']) < 700, result['msg']  # what came is shown truncated
    assert started.entries(action='result', path=path.format(uid=uid))  # the answer did come from Kuzzle through the proxy


MALFORMED = {
    'kuzzle_profile': {'name': 'p', 'policies': [{'role_id': 'reader'}]},
    'kuzzle_role': {'name': 'r', 'controllers': READ},
    'kuzzle_user': {'name': 'u', 'profile_ids': ['default']},
    'kuzzle_api_key': {'user': 'u', 'description': 'a key'},
    'kuzzle_login': {},
    'kuzzle_profile_info': {'name': 'p'},
    'kuzzle_role_info': {},
    'kuzzle_user_info': {},
    'kuzzle_security': {'profiles': {'p': {'policies': [{'roleId': 'reader'}]}}},
    'kuzzle_security_info': {},
}
MALFORMED_URLS = ('http://[::1', 'http://127.0.0.1:notaport')


@pytest.fixture(scope='module')
def malformed_url_run(module_playbooks, kuzzle):
    """One run: each module with each malformed url, against an unused port otherwise; (run, Kuzzle's writes meanwhile)."""
    mark = kuzzle.mark()
    tasks = [task(module, title='%s %d' % (module, i), **dict(options, url=url))
             for module, options in sorted(MALFORMED.items()) for i, url in enumerate(MALFORMED_URLS)]
    run = module_playbooks.run(tasks, module_defaults={'group/community.kuzzle.kuzzle': module_playbooks.connection(url='http://127.0.0.1:9')})
    return run, kuzzle.writes_since(mark)


@pytest.mark.parametrize('module', sorted(MALFORMED))
def test_a_malformed_url_fails_cleanly_before_any_request(malformed_url_run, module):
    run, writes = malformed_url_run
    for i, url in enumerate(MALFORMED_URLS):
        result = run.clean_failure('%s %d' % (module, i), url)
        assert 'cannot reach' not in result['msg']  # no request was sent
    assert writes == []


# ---------------------------------------------------------------- TLS through the proxy
@pytest.fixture(scope='module')
def certificates(tmp_path_factory):
    return make_certificates(tmp_path_factory.mktemp('certs'))


def test_tls_with_a_ca_self_signed_and_mutual(playbooks, kuzzle, certificates):  # pylint: disable=redefined-outer-name
    """Three TLS proxies at once (CA-signed, self-signed, mutual), one run with a task per case."""
    ca_signed = {'cert': certificates['server_cert'], 'key': certificates['server_key']}
    self_signed = {'cert': certificates['self_signed_cert'], 'key': certificates['self_signed_key']}
    mutual = dict(ca_signed, client_ca=certificates['ca'])
    client = {'client_cert': certificates['client_cert'], 'client_key': certificates['client_key']}
    cases = [  # (proxy TLS, task options, expected: None for success, else a fragment of the failure)
        ('ca_signed', {'ca_path': certificates['ca']}, None),
        ('ca_signed', {}, 'certificate verify failed'),
        ('ca_signed', {'ca_path': certificates['other_ca']}, 'certificate verify failed'),
        ('self_signed', {'validate_certs': False}, None),
        ('self_signed', {}, 'certificate verify failed'),
        ('mutual', dict(client, ca_path=certificates['ca']), None),
        ('mutual', {'ca_path': certificates['ca'], 'client_cert': certificates['client_combined']}, None),
        ('mutual', {'ca_path': certificates['ca']}, 'TLS error'),
    ]
    proxies = dict((name, FaultProxy(kuzzle.url, tls=tls).start())
                   for name, tls in (('ca_signed', ca_signed), ('self_signed', self_signed), ('mutual', mutual)))
    try:
        run = playbooks.run([task('kuzzle_profile_info', title='case %d' % number, url=proxies[tls].url, name='admin', **options)
                             for number, (tls, options, expected) in enumerate(cases)],
                            module_defaults={'group/community.kuzzle.kuzzle': playbooks.connection(retries=0)})
    finally:
        for started in proxies.values():
            started.stop()
    failures = []
    for number, (tls, options, expected) in enumerate(cases):
        name = 'case %d' % number
        if expected is None:
            if run.status(name) != 'ok':
                failures.append((number, run.result(name).get('msg')))
        else:
            result = run.clean_failure(name)
            if expected not in result['msg'] or 'Could not' not in result['msg']:
                failures.append((number, result['msg']))
    assert failures == []
