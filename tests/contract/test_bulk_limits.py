"""Kuzzle 2.56 at scale: bulk deletes, its write and fetch limits, scrolls, concurrent writes, refresh.

What kuzzle_security relies on to purge in chunks, to read every object of a kind whatever their
number, and to write several objects of one kind at a time (issue 15). Kuzzle's source for each
behaviour: lib/api/controllers/securityController.ts (_mDelete, search*, scroll*, refresh),
lib/config/default.config.ts (limits), lib/service/storage/7/elasticsearch.ts (search, scroll).
"""

import concurrent.futures

import pytest

from contract_helpers import create_profile, create_role, create_user, fails, ok, profile_body

WRITE_LIMIT = 200     # limits.documentsWriteCount, Kuzzle's default
FETCH_LIMIT = 10000   # limits.documentsFetchCount, Kuzzle's default (also Elasticsearch's max_result_window)
READ_ROUTES = {'roles': '/roles/_search', 'profiles': '/profiles/_search', 'users': '/users/_search',
               'credentials': '/credentials/local/users/_search'}


def exists(kuzzle, kind, object_id):
    status, body = kuzzle.api('GET', f'/{kind}/{object_id}')
    assert status in (200, 404), body
    return status == 200


def incomplete_delete(answer):
    """(deleted ids, the individual errors without their stack) of a 206 mDelete answer."""
    http_status, body = answer
    assert http_status == 206 and body['status'] == 206, body
    error = body['error']
    assert (error['id'], error['status']) == ('services.storage.incomplete_delete', 206), error
    assert error['count'] == len(error['errors'])
    return body['result'], [dict((k, v) for k, v in e.items() if k != 'stack') for e in error['errors']]


def scroll_all(kuzzle, kind, query, size):
    """Every hit of a search with scroll, page by page, as a reader must do it: (pages, ids, first answer)."""
    first = ok(kuzzle.api('POST', f'/{kind}/_search', {'query': query}, query={'scroll': '10s', 'size': size}))
    ids, pages, page = [h['_id'] for h in first['hits']], [len(first['hits'])], first
    while len(ids) < first['total']:
        page = ok(kuzzle.api('GET', f'/{kind}/_scroll/{page["scrollId"]}', query={'scroll': '10s'}))
        assert page['hits'], 'a page came back empty before the total was read'
        ids += [h['_id'] for h in page['hits']]
        pages.append(len(page['hits']))
    return pages, ids, first, page


# -- mDeleteRoles, mDeleteProfiles, mDeleteUsers -----------------------------------------------------

def test_mdelete_deletes_the_listed_objects_of_each_kind(kuzzle):
    roles = [create_role(kuzzle) for _index in range(3)]
    profiles = [create_profile(kuzzle) for _index in range(3)]
    users = [create_user(kuzzle, password='pw-1') for _index in range(3)]
    for kind, ids in (('users', users), ('profiles', profiles), ('roles', roles)):
        result = ok(kuzzle.api('POST', f'/{kind}/_mDelete', {'ids': ids}))
        assert sorted(result) == sorted(ids)  # the deleted ids, in the order the deletes ended: not the order asked
        assert not any(exists(kuzzle, kind, i) for i in ids)
    # a deleted user's credentials go with it: its username is free again
    for user in users:
        assert ok(kuzzle.api('GET', f'/credentials/local/{user}/_exists')) is False
    create_user(kuzzle, users[0], password='pw-2')


def test_mdelete_partial_failure_is_a_206_whose_result_lists_what_was_deleted(kuzzle):
    role = create_role(kuzzle)
    used = create_profile(kuzzle, body=profile_body(role))
    create_user(kuzzle, profile_ids=[used])
    free, missing = create_profile(kuzzle), kuzzle.uid('missing')
    deleted, errors = incomplete_delete(kuzzle.api('POST', '/profiles/_mDelete', {'ids': [used, free, missing, 'admin']}))
    assert deleted == [free]
    assert exists(kuzzle, 'profiles', used) and not exists(kuzzle, 'profiles', free)
    assert sorted((e['id'], e['status']) for e in errors) == [
        ('security.profile.cannot_delete', 400), ('security.profile.in_use', 412), ('security.profile.not_found', 404)]
    # The errors cannot be matched to the ids: in_use and cannot_delete name none (in_use's message even
    # keeps a literal "%s"). What was not deleted is what was asked minus the result.
    by_id = dict((e['id'], e) for e in errors)
    assert by_id['security.profile.in_use']['props'] == [] and used not in by_id['security.profile.in_use']['message']
    assert by_id['security.profile.cannot_delete']['props'] == []
    assert by_id['security.profile.not_found']['props'] == [missing]

    deleted, errors = incomplete_delete(kuzzle.api('POST', '/roles/_mDelete', {'ids': [role, missing]}))
    assert deleted == []  # a 206 even when nothing at all was deleted
    assert sorted((e['id'], e['props']) for e in errors) == [('security.role.in_use', [role]), ('security.role.not_found', [missing])]

    user = create_user(kuzzle)
    deleted, errors = incomplete_delete(kuzzle.api('POST', '/users/_mDelete', {'ids': [user, missing]}))
    assert deleted == [user] and [(e['id'], e['props']) for e in errors] == [('security.user.not_found', [missing])]


def test_mdelete_is_capped_by_the_write_limit_before_deleting_anything(kuzzle):
    profile = create_profile(kuzzle)
    padding = [kuzzle.uid('missing') for _index in range(WRITE_LIMIT)]
    fails(kuzzle.api('POST', '/profiles/_mDelete', {'ids': [profile] + padding}), 413, 'services.storage.write_limit_exceeded')
    assert exists(kuzzle, 'profiles', profile)
    # exactly the limit is accepted
    deleted, errors = incomplete_delete(kuzzle.api('POST', '/profiles/_mDelete', {'ids': [profile] + padding[1:]}))
    assert deleted == [profile] and len(errors) == WRITE_LIMIT - 1


def test_mdelete_edge_bodies(kuzzle):
    assert ok(kuzzle.api('POST', '/users/_mDelete', {'ids': []})) == []
    fails(kuzzle.api('POST', '/users/_mDelete', {}), 400, 'api.assert.missing_argument')


# -- refresh=false, then security:refresh ------------------------------------------------------------

def test_writes_take_refresh_false_and_security_refresh_makes_them_searchable(kuzzle):
    no_wait = {'refresh': 'false'}
    role = kuzzle.uid('role')
    ok(kuzzle.api('POST', f'/roles/{role}/_create', {'controllers': {'document': {'actions': {'get': True}}}}, query=no_wait))
    ok(kuzzle.api('PUT', f'/roles/{role}/_update', {'controllers': {'document': {'actions': {'search': True}}}}, query=no_wait))
    profile = kuzzle.uid('profile')
    ok(kuzzle.api('POST', f'/profiles/{profile}/_create', profile_body(role), query=no_wait))
    ok(kuzzle.api('PUT', f'/profiles/{profile}/_update', {'rateLimit': 3}, query=no_wait))
    user = kuzzle.uid('user')
    ok(kuzzle.api('POST', f'/users/{user}/_create', {'content': {'profileIds': [profile]}}, query=no_wait))
    ok(kuzzle.api('PUT', f'/users/{user}/_update', {'team': 'a'}, query=no_wait))
    for kind in ('roles', 'profiles', 'users'):
        assert ok(kuzzle.api('POST', f'/_security/{kind}/_refresh')) is None
    assert [h['_id'] for h in ok(kuzzle.api('POST', '/users/_search', {'query': {'terms': {'profileIds': [profile]}}}))['hits']] == [user]
    assert [h['_id'] for h in ok(kuzzle.api('POST', '/profiles/_search', {'query': {'terms': {'policies.roleId': [role]}}}))['hits']] == [profile]
    for kind, object_id in (('users', user), ('profiles', profile), ('roles', role)):
        assert ok(kuzzle.api('POST', f'/{kind}/_mDelete', {'ids': [object_id]}, query=no_wait)) == [object_id]
        ok(kuzzle.api('POST', f'/_security/{kind}/_refresh'))
    # security:refresh knows only the three security collections
    fails(kuzzle.api('POST', '/_security/documents/_refresh'), 400, 'api.assert.unexpected_argument')
    # (The stand-in makes every write searchable at once, so "not visible before the refresh" cannot be
    # pinned here; with Elasticsearch it is, and the in-use checks of deleteProfile and deleteRole are
    # searches: the next kind's deletes need the refresh of the kind deleted before.)


# -- search windows and limits.documentsFetchCount --------------------------------------------------

@pytest.mark.parametrize('kind', sorted(READ_ROUTES))
def test_searches_stop_at_the_fetch_limit(kuzzle, kind):
    route = READ_ROUTES[kind]
    # a page larger than documentsFetchCount is refused by Kuzzle itself
    fails(kuzzle.api('POST', route, {}, query={'size': FETCH_LIMIT + 1}), 413, 'services.storage.get_limit_exceeded')
    # from + size past 10,000 is refused by Elasticsearch (index.max_result_window), whatever the number of hits
    error = fails(kuzzle.api('POST', route, {}, query={'from': FETCH_LIMIT - 1, 'size': 2}), 400, 'services.storage.unexpected_bad_request')
    assert 'Result window is too large' in error['message']
    assert ok(kuzzle.api('POST', route, {}, query={'from': FETCH_LIMIT, 'size': 0}))['hits'] == []


# -- scrollUsers, scrollProfiles; roles have no scroll ------------------------------------------------

def test_scroll_users_reads_every_page_then_forgets_the_scroll(kuzzle):
    profile = create_profile(kuzzle)
    users = sorted(create_user(kuzzle, profile_ids=[profile]) for _index in range(5))
    pages, ids, first, last = scroll_all(kuzzle, 'users', {'terms': {'profileIds': [profile]}}, size=2)
    assert set(first) == {'hits', 'scrollId', 'total'} and first['total'] == 5
    assert set(last) == {'hits', 'scrollId', 'total'}
    assert pages == [2, 2, 1] and sorted(ids) == users  # each user once
    assert set(first['hits'][0]) == {'_id', '_source'} and first['hits'][0]['_source']['profileIds'] == [profile]
    # once the last page is read the scroll is gone: a reader stops when it holds ``total`` hits
    fails(kuzzle.api('GET', f'/users/_scroll/{last["scrollId"]}', query={'scroll': '10s'}), 404, 'services.storage.unknown_scroll_id')


def test_scroll_profiles_reads_every_page(kuzzle):
    tag = kuzzle.uid('tag')
    profiles = sorted(create_profile(kuzzle, body=profile_body('default', tags=[tag])) for _index in range(5))
    pages, ids, first, last = scroll_all(kuzzle, 'profiles', {'terms': {'tags': [tag]}}, size=3)
    assert pages == [3, 2] and sorted(ids) == profiles
    assert set(first) == {'hits', 'scrollId', 'total'} and set(first['hits'][0]) == {'_id', '_source'}
    fails(kuzzle.api('GET', f'/profiles/_scroll/{last["scrollId"]}'), 404, 'services.storage.unknown_scroll_id')


def test_scroll_duration_is_capped(kuzzle):
    # services.storageEngine.maxScrollDuration: 1m by default
    fails(kuzzle.api('POST', '/users/_search', {}, query={'scroll': '2m', 'size': 1}), 400, 'services.storage.scroll_duration_too_great')


def test_search_roles_has_no_scroll(kuzzle):
    result = ok(kuzzle.api('POST', '/roles/_search', {}, query={'scroll': '10s', 'size': 1}))
    assert set(result) == {'hits', 'total'}  # the scroll argument is ignored: no scrollId
    fails(kuzzle.api('GET', '/roles/_scroll/anything'), 404, 'network.http.url_not_found')


def test_search_roles_pages_on_sorted_by_id_with_search_after(kuzzle):
    # searchRoles passes a body's sort and search_after to Elasticsearch (roleRepository.searchRole, body without
    # "controllers"): pages sorted by _id, each after the last _id of the one before, are not bound by from + size
    prefix = kuzzle.uid('sorted')
    roles = sorted(create_role(kuzzle, '%s-%d' % (prefix, index)) for index in range(5))
    query = {'ids': {'values': roles}}
    first = ok(kuzzle.api('POST', '/roles/_search', {'query': query, 'sort': [{'_id': 'asc'}]}, query={'size': 2}))
    assert [h['_id'] for h in first['hits']] == roles[:2] and first['total'] == 5
    second = ok(kuzzle.api('POST', '/roles/_search', {'query': query, 'sort': [{'_id': 'asc'}], 'search_after': [roles[1]]},
                           query={'from': 0, 'size': 2}))
    assert [h['_id'] for h in second['hits']] == roles[2:4] and second['total'] == 5  # the total counts every match
    last = ok(kuzzle.api('POST', '/roles/_search', {'query': query, 'sort': [{'_id': 'asc'}], 'search_after': [roles[3]]}, query={'size': 2}))
    assert [h['_id'] for h in last['hits']] == roles[4:]
    error = fails(kuzzle.api('POST', '/roles/_search', {'query': query, 'sort': [{'_id': 'asc'}], 'search_after': [roles[1]]},
                             query={'from': 1, 'size': 2}), 400, 'services.storage.unexpected_bad_request')
    assert 'search_after' in error['message']


def test_credentials_search_by_usernames(kuzzle):
    # searchUsersByCredentials has no scroll either; it can be asked for given usernames (the "username"
    # field, the plugin's document id), but not for given kuids (sortable only)
    users = [create_user(kuzzle, password='pw-1') for _index in range(3)]
    result = ok(kuzzle.api('POST', '/credentials/local/users/_search', {'query': {'terms': {'username': users[:2] + ['nobody']}}}))
    assert sorted((h['kuid'], h['username']) for h in result['hits']) == [(u, u) for u in sorted(users[:2])] and result['total'] == 2
    status, body = kuzzle.api('POST', '/credentials/local/users/_search', {'query': {'terms': {'kuid': users}}})
    assert status == 403 and body['error']['status'] == 403 and body['error'].get('id') is None, body
    sorted_hits = ok(kuzzle.api('POST', '/credentials/local/users/_search', {'sort': ['kuid']}, query={'size': 3}))['hits']
    assert [h['kuid'] for h in sorted_hits] == sorted(h['kuid'] for h in sorted_hits)


# -- concurrent writes of one kind --------------------------------------------------------------------

def in_parallel(workers, function, items):
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        return list(pool.map(function, items))


def test_concurrent_creates_and_updates_of_one_kind_all_apply(kuzzle):
    no_wait = {'refresh': 'false'}
    ids = [kuzzle.uid('profile') for _index in range(48)]
    answers = in_parallel(8, lambda i: kuzzle.api('POST', f'/profiles/{i}/_create', profile_body('default'), query=no_wait), ids)
    assert all(ok(a)['_id'] == i for a, i in zip(answers, ids))
    answers = in_parallel(8, lambda i: kuzzle.api('PUT', f'/profiles/{i}/_update', {'rateLimit': 7}, query=no_wait), ids)
    assert all(ok(a)['_source']['rateLimit'] == 7 for a in answers)
    ok(kuzzle.api('POST', '/_security/profiles/_refresh'))
    stored = ok(kuzzle.api('POST', '/profiles/_search', {'query': {'ids': {'values': ids}}}, query={'size': 100}))['hits']
    assert sorted(h['_id'] for h in stored) == sorted(ids) and {h['_source']['rateLimit'] for h in stored} == {7}
    assert sorted(ok(kuzzle.api('POST', '/profiles/_mDelete', {'ids': ids}, query=no_wait))) == sorted(ids)


def test_concurrent_user_creates_with_passwords_all_apply(kuzzle):
    profile = create_profile(kuzzle)
    ids = [kuzzle.uid('user') for _index in range(8)]

    def create(user):
        body = {'content': {'profileIds': [profile]}, 'credentials': {'local': {'username': user, 'password': 'pw-' + user}}}
        return kuzzle.api('POST', f'/users/{user}/_create', body, query={'refresh': 'false'})
    assert all(ok(a)['_id'] == i for a, i in zip(in_parallel(4, create, ids), ids))
    ok(kuzzle.api('POST', '/_security/users/_refresh'))
    assert sorted(h['_id'] for h in ok(kuzzle.api('POST', '/users/_search', {'query': {'terms': {'profileIds': [profile]}}}))['hits']) == sorted(ids)
    assert kuzzle.login(ids[-1], 'pw-' + ids[-1])


def test_concurrent_creates_of_one_id_apply_once(kuzzle):
    profile, user = kuzzle.uid('profile'), kuzzle.uid('user')
    answers = in_parallel(8, lambda _index: kuzzle.api('POST', f'/profiles/{profile}/_create', profile_body('default')), range(8))
    assert sorted((s, b['error'] and b['error']['id']) for s, b in answers) == [(200, None)] + [(400, 'services.storage.document_already_exists')] * 7
    answers = in_parallel(8, lambda _index: kuzzle.api('POST', f'/users/{user}/_create', {'content': {'profileIds': ['default']}}), range(8))
    assert sorted((s, b['error'] and b['error']['id']) for s, b in answers) == [(200, None)] + [(412, 'security.user.already_exists')] * 7


# -- the limits, as Kuzzle tells them ---------------------------------------------------------------

@pytest.mark.kuzzle_restricted
def test_limits_are_readable_only_with_server_rights(kuzzle):
    kuzzle.restrict_rights()
    for route in ('/_getConfig', '/_capabilities'):
        limits = ok(kuzzle.api('GET', route))['limits']
        assert (limits['documentsWriteCount'], limits['documentsFetchCount']) == (WRITE_LIMIT, FETCH_LIMIT)
    user = create_user(kuzzle, password='pw-1')  # profile "default": no server:getConfig, no server:capabilities
    token = kuzzle.login(user, 'pw-1')
    for route in ('/_getConfig', '/_capabilities'):
        fails(kuzzle.api('GET', route, token=token), 403, 'security.rights.forbidden')
