"""Effective rights: module_utils/_rights against the real Kuzzle's decisions (issue 13).

Random roles (controllers and actions of the real ``/_publicApi``, ``*`` wildcards, explicit
``false``, the ``ms``/``memoryStorage`` pair) and profiles (policies with and without
``restrictedTo``, whole indexes, collection lists, an index listed twice, empty indexes) are
loaded into Kuzzle with users holding one or two profiles. For every probe, the decision
computed by ``_rights`` must equal ``POST /_checkRights/<user>`` (what Kuzzle enforces), and
Kuzzle's rights listings (``getProfileRights``, ``getUserRights``) must equal our reading of
how it builds them. Where a literal reading of the listing disagrees with the enforcement,
the disagreement must be one of the known, documented kinds.

``KUZZLE_RIGHTS_CASES`` (default 300) and ``KUZZLE_RIGHTS_SEED`` change the generated cases.
"""

import collections
import os
import random
import time

import pytest

from ansible_collections.community.kuzzle.plugins.module_utils import _rights as R
from contract_helpers import ok
from kuzzle_ws import KuzzleSocket

CASES = int(os.environ.get('KUZZLE_RIGHTS_CASES', '300'))
SEED = int(os.environ.get('KUZZLE_RIGHTS_SEED', '13'))
BATCH = 50  # cases per admin:loadSecurities call
INDEXES = ['shop', 'logs', 'stats']
COLLECTIONS = ['orders', 'carts', 'items']
OTHER = 'other'  # a name no restriction uses: stands for "any other index or collection"
FAVOURITES = ['document', 'index', 'collection', 'security', 'realtime', 'ms', 'memoryStorage', 'bulk']
WATCHED = [('security', 'createUser'), ('index', 'delete'), ('collection', 'list'), ('document', 'create'),
           ('document', 'get'), ('ms', 'get'), ('memoryStorage', 'set'), ('index', 'mDelete')]


# ------------------------------------------------------------------ generation

def gen_actions(rng, names):
    chosen = rng.sample(names, min(len(names), rng.randint(1, 3)))
    if rng.random() < 0.35:
        chosen.append('*')
    return dict((name, rng.random() < 0.7) for name in chosen)


def gen_role(rng, catalogue):
    controllers = {}
    if rng.random() < 0.35:
        controllers['*'] = {'actions': {'*': rng.random() < 0.85}}
    names = rng.sample(FAVOURITES, rng.randint(0, 2)) + rng.sample(sorted(catalogue), rng.randint(0, 1))
    if not names and not controllers:
        names = [rng.choice(FAVOURITES)]
    for name in names:
        controllers[name] = {'actions': gen_actions(rng, catalogue[name])}
    return controllers


def gen_restrictions(rng):
    kind = rng.random()
    if kind < 0.25:
        return None, False  # no restrictedTo key at all
    if kind < 0.30:
        return rng.choice([None, [], [{'index': ''}]]), True
    restrictions = []
    for dummy in range(rng.randint(1, 3)):
        restriction = {'index': rng.choice(INDEXES + [''] if rng.random() < 0.1 else INDEXES)}
        shape = rng.random()
        if shape < 0.45:
            restriction['collections'] = rng.sample(COLLECTIONS, rng.randint(1, 2))
        elif shape < 0.55:
            restriction['collections'] = rng.choice([[], None])
        restrictions.append(restriction)
    return restrictions, True


def gen_policies(rng, role_ids):
    policies = []
    for dummy in range(rng.randint(1, 3)):
        policy = {'roleId': rng.choice(role_ids)}
        restricted_to, present = gen_restrictions(rng)
        if present:
            policy['restrictedTo'] = restricted_to
        policies.append(policy)
    return policies


def gen_case(rng, catalogue, prefix):
    roles = dict(('%s-r%d' % (prefix, j), gen_role(rng, catalogue)) for j in range(rng.randint(1, 3)))
    profiles = dict(('%s-p%d' % (prefix, j), gen_policies(rng, sorted(roles)))
                    for j in range(1 if rng.random() < 0.75 else 2))
    return {'user': prefix + '-u', 'roles': roles, 'profiles': profiles}


def gen_probes(rng, case, scopes, catalogue):
    """Requests to check: in the shape of their action's routes, plus a few raw shapes."""
    actions = set(rng.sample(WATCHED, 4))
    for controllers in case['roles'].values():
        for controller, rights in controllers.items():
            names = catalogue.get(controller, ())
            actions.update((controller, a) for a in rights['actions'] if a in names)
            if '*' in rights['actions'] and names:
                actions.update((controller, a) for a in rng.sample(names, min(2, len(names))))
    actions.update(rng.sample(sorted(scopes), 5))
    probes = []
    for controller, action in sorted(actions):
        scope = scopes[(controller, action)]
        if scope == R.NO_INDEX:
            probes.append((controller, action, None, None, True))
            if rng.random() < 0.2:
                probes.append((controller, action, rng.choice(INDEXES + [OTHER]), None, False))
        elif scope == R.INDEX:
            probes.extend((controller, action, index, None, True) for index in rng.sample(INDEXES + [OTHER], 2))
        else:
            pairs = [(i, c) for i in INDEXES + [OTHER] for c in COLLECTIONS + [OTHER]]
            probes.extend((controller, action, i, c, True) for i, c in rng.sample(pairs, 3))
            if rng.random() < 0.2:
                probes.append((controller, action, rng.choice(INDEXES), None, False))
            if rng.random() < 0.1:
                probes.append((controller, action, None, rng.choice(COLLECTIONS), False))
    return probes


# ------------------------------------------------------------------ Kuzzle's listing, as we read its source

def listing(policies, roles):
    """What Profile.getRights lists: every controller and action key of each policy's role,
    literally, under each compiled restriction (``*`` for none), with the role's own value."""
    hits = set()
    for policy in policies or [{'roleId': 'default'}]:
        compiled = R.compile_restrictions(policy.get('restrictedTo')) or {'*': frozenset()}
        for controller, rights in roles[policy['roleId']].items():
            for action, value in rights['actions'].items():
                for index, names in compiled.items():
                    for collection in sorted(names) or ['*']:
                        hits.add((controller, action, index, collection, 'allowed' if value else 'denied'))
    return hits


def as_hits(result):
    hits = [(h['controller'], h['action'], h['index'], h['collection'], h['value']) for h in result['hits']]
    assert len(hits) == len(set(hits)) == result['total'], result
    return set(hits)


def listing_says(hits, controller, action, index, collection):
    """A literal reading of a rights listing: an allowed line matches (``*`` matching anything),
    and no denied line names this very action. A request without an index (or collection) is
    only covered by a ``*`` index (or collection) line."""
    def matches(hit):
        return (hit[0] in (controller, '*') and hit[1] in (action, '*') and hit[2] in (index, '*')
                and hit[3] in (collection, '*'))
    if any(matches(h) and h[0] == controller and h[1] == action for h in hits if h[4] == 'denied'):
        return False
    return any(matches(h) for h in hits if h[4] == 'allowed')


def disagreement_kinds(case, scopes, hits, probe, enforced):
    """Why the literal reading of the listing differs from Kuzzle's decision (empty: unknown)."""
    controller, action, index, collection = probe
    policies = [p for profile in case['profiles'].values() for p in profile]
    roles = case['roles']
    kinds = []
    if enforced and scopes[(controller, action)] == R.NO_INDEX:
        kinds.append('an action without an index passes restrictedTo, listed under the restricted indexes')
    if enforced and scopes[(controller, action)] == R.INDEX and any(
            R.role_allows(roles[p['roleId']], controller, action)
            and (R.compile_restrictions(p.get('restrictedTo')) or {}).get(index) for p in policies):
        kinds.append('an index-level action passes a restriction naming collections, listed under those collections')
    if enforced and any(h[4] == 'denied' and h[:2] == (controller, action) for h in hits):
        kinds.append('a false of one policy is listed next to the grant of another policy')
    if not enforced and any('*' in roles[p['roleId']] and controller in roles[p['roleId']] for p in policies):
        kinds.append('a controller listed in a role replaces its * controller; the listing shows *:* allowed')
    if controller in R.MEMORY_STORAGE and any(set(roles[p['roleId']]) & set(R.MEMORY_STORAGE) for p in policies):
        kinds.append('ms and memoryStorage are one controller; the listing names only the one the role uses')
    return kinds


# ------------------------------------------------------------------ the test

def load(kuzzle, cases):
    body = {'roles': {}, 'profiles': {}, 'users': {}}
    for case in cases:
        body['roles'].update((k, {'controllers': v}) for k, v in case['roles'].items())
        body['profiles'].update((k, {'policies': v}) for k, v in case['profiles'].items())
        body['users'][case['user']] = {'content': {'profileIds': sorted(case['profiles'])}}
    ok(kuzzle.api('POST', '/admin/_loadSecurities', body))


def remove(kuzzle, cases):
    for kind, ids in (('users', [c['user'] for c in cases]),
                      ('profiles', [p for c in cases for p in c['profiles']]),
                      ('roles', [r for c in cases for r in c['roles']])):
        for start in range(0, len(ids), 200):
            ok(kuzzle.api('POST', '/%s/_mDelete' % kind, {'ids': ids[start:start + 200]}))


def check_request(user, probe):
    controller, action, index, collection = probe
    body = {'controller': controller, 'action': action}
    if index is not None:
        body['index'] = index
    if collection is not None:
        body['collection'] = collection
    return {'controller': 'security', 'action': 'checkRights', 'userId': user, 'body': body}


def results(answers):
    for answer in answers:
        assert answer['status'] == 200 and answer['error'] is None, answer
    return [answer['result'] for answer in answers]


def check_rights(kuzzle, user, probe):
    with KuzzleSocket(kuzzle.url, kuzzle.token) as socket:
        return results(socket.call_all([check_request(user, probe)]))[0]['allowed']


def test_computed_rights_equal_kuzzle_decisions(kuzzle):
    started = time.monotonic()
    scopes = R.action_scopes(ok(kuzzle.api('GET', '/_publicApi')))
    catalogue = {}
    for controller, action in sorted(scopes):
        catalogue.setdefault(controller, []).append(action)
    rng = random.Random(SEED)
    prefix = kuzzle.uid('rights')
    cases = [gen_case(rng, catalogue, '%s-%d' % (prefix, i)) for i in range(CASES)]
    for start in range(0, len(cases), BATCH):
        load(kuzzle, cases[start:start + BATCH])
    loaded = time.monotonic()

    jobs = [(case, probe[:4], probe[4]) for case in cases for probe in gen_probes(rng, case, scopes, catalogue)]
    profile_ids = [p for c in cases for p in c['profiles']]
    with KuzzleSocket(kuzzle.url, kuzzle.token) as socket:
        answers = [r['allowed'] for r in results(socket.call_all([check_request(c['user'], probe) for c, probe, dummy in jobs]))]
        listings = results(socket.call_all(
            [{'controller': 'security', 'action': 'getProfileRights', '_id': p} for p in profile_ids]
            + [{'controller': 'security', 'action': 'getUserRights', '_id': c['user']} for c in cases]))
    profile_hits = dict(zip(profile_ids, [as_hits(r) for r in listings[:len(profile_ids)]]))
    user_hits = dict(zip([c['user'] for c in cases], [as_hits(r) for r in listings[len(profile_ids):]]))
    checked = time.monotonic()

    mismatches, listing_mismatches, unexplained = [], [], []
    kinds = collections.Counter()
    rights = dict((c['user'], R.user_rights(list(c['profiles'].values()), c['roles'], scopes)) for c in cases)
    for case in cases:
        for profile_id, policies in case['profiles'].items():
            if listing(policies, case['roles']) != profile_hits[profile_id]:
                listing_mismatches.append((profile_id, case))
        expected_user_hits = set().union(*(listing(p, case['roles']) for p in case['profiles'].values()))
        if expected_user_hits != user_hits[case['user']]:
            listing_mismatches.append((case['user'], case))
    for (case, probe, shaped), allowed in zip(jobs, answers):
        raw = any(R.request_allowed(p, case['roles'], *probe) for p in case['profiles'].values())
        computed = R.allows(rights[case['user']], scopes, *probe) if shaped else raw
        if computed != allowed or raw != allowed:
            mismatches.append((probe, shaped, allowed, computed, raw, case))
        if shaped and listing_says(user_hits[case['user']], *probe) != allowed:
            found = disagreement_kinds(case, scopes, user_hits[case['user']], probe, allowed)
            kinds.update(found)
            if not found:
                unexplained.append((probe, allowed, case))

    shaped_count = sum(1 for job in jobs if job[2])
    report = ('%d cases (seed %d), %d users, %d profiles, %d roles; %d checkRights probes (%d in the shape of their action, '
              '%d raw), %d listings; load %.1f s, Kuzzle requests %.1f s, total %.1f s; listing vs enforcement: %s' % (
                  len(cases), SEED, len(cases), len(profile_hits), sum(len(c['roles']) for c in cases), len(jobs), shaped_count,
                  len(jobs) - shaped_count, len(profile_hits) + len(user_hits), loaded - started, checked - loaded,
                  time.monotonic() - started, dict(kinds)))
    print(report)
    remove(kuzzle, cases)
    assert not mismatches, '%d decisions differ from Kuzzle, first: %r\n%s' % (len(mismatches), mismatches[:3], report)
    assert not listing_mismatches, 'listings differ from our reading: %r' % listing_mismatches[:2]
    assert not unexplained, 'listing and enforcement disagree in an unknown way: %r' % unexplained[:3]


# ------------------------------------------------------------------ the documented disagreements, one case each

def one_case(kuzzle, roles, policies):
    """Load one role set and one profile with a user; return (user id, profile id, role ids)."""
    prefix = kuzzle.uid('rights-fact')
    role_ids = dict((name, '%s-%s' % (prefix, name)) for name in roles)
    policies = [dict(p, roleId=role_ids[p['roleId']]) for p in policies]
    case = {'user': prefix + '-u', 'roles': dict((role_ids[n], c) for n, c in roles.items()),
            'profiles': {prefix + '-p': policies}}
    load(kuzzle, [case])
    return case['user'], prefix + '-p', role_ids


def listed(kuzzle, profile):
    return as_hits(ok(kuzzle.api('GET', '/profiles/%s/_rights' % profile)))


def test_fact_a_listed_controller_replaces_the_wildcard_controller(kuzzle):
    user, profile, dummy = one_case(kuzzle, {'r': {'*': {'actions': {'*': True}}, 'document': {'actions': {'get': True}}}},
                                    [{'roleId': 'r'}])
    assert ('*', '*', '*', '*', 'allowed') in listed(kuzzle, profile)
    assert check_rights(kuzzle, user, ('document', 'get', 'shop', 'orders')) is True
    assert check_rights(kuzzle, user, ('document', 'create', 'shop', 'orders')) is False
    assert check_rights(kuzzle, user, ('index', 'create', 'shop', None)) is True


def test_fact_explicit_false_beats_the_wildcard_action(kuzzle):
    user, profile, dummy = one_case(kuzzle, {'r': {'document': {'actions': {'*': True, 'delete': False}}}}, [{'roleId': 'r'}])
    assert {('document', '*', '*', '*', 'allowed'), ('document', 'delete', '*', '*', 'denied')} <= listed(kuzzle, profile)
    assert check_rights(kuzzle, user, ('document', 'delete', 'shop', 'orders')) is False
    assert check_rights(kuzzle, user, ('document', 'get', 'shop', 'orders')) is True


def test_fact_actions_without_an_index_pass_any_restriction(kuzzle):
    user, profile, dummy = one_case(kuzzle, {'r': {'*': {'actions': {'*': True}}}}, [{'roleId': 'r', 'restrictedTo': [{'index': 'logs'}]}])
    assert listed(kuzzle, profile) == {('*', '*', 'logs', '*', 'allowed')}
    assert check_rights(kuzzle, user, ('security', 'createUser', None, None)) is True
    assert check_rights(kuzzle, user, ('ms', 'set', None, None)) is True
    assert check_rights(kuzzle, user, ('security', 'createUser', 'shop', None)) is False  # only when the request names an index


def test_fact_index_level_actions_pass_a_restriction_naming_collections(kuzzle):
    user, profile, dummy = one_case(kuzzle, {'r': {'*': {'actions': {'*': True}}}},
                                    [{'roleId': 'r', 'restrictedTo': [{'index': 'shop', 'collections': ['orders']}]}])
    assert listed(kuzzle, profile) == {('*', '*', 'shop', 'orders', 'allowed')}
    assert check_rights(kuzzle, user, ('index', 'delete', 'shop', None)) is True
    assert check_rights(kuzzle, user, ('collection', 'list', 'shop', None)) is True
    assert check_rights(kuzzle, user, ('document', 'get', 'shop', 'carts')) is False
    assert check_rights(kuzzle, user, ('index', 'delete', 'logs', None)) is False


def test_fact_one_index_listed_twice_in_a_policy_keeps_only_the_collections(kuzzle):
    user, profile, dummy = one_case(kuzzle, {'r': {'document': {'actions': {'get': True}}}},
                                    [{'roleId': 'r', 'restrictedTo': [{'index': 'shop'}, {'index': 'shop', 'collections': ['orders']}]}])
    assert listed(kuzzle, profile) == {('document', 'get', 'shop', 'orders', 'allowed')}
    assert check_rights(kuzzle, user, ('document', 'get', 'shop', 'orders')) is True
    assert check_rights(kuzzle, user, ('document', 'get', 'shop', 'carts')) is False


@pytest.mark.parametrize('restricted_to', [[], [{'index': ''}]])
def test_fact_a_restriction_with_no_index_left_restricts_nothing(kuzzle, restricted_to):
    user, profile, dummy = one_case(kuzzle, {'r': {'document': {'actions': {'get': True}}}}, [{'roleId': 'r', 'restrictedTo': restricted_to}])
    assert listed(kuzzle, profile) == {('document', 'get', '*', '*', 'allowed')}
    assert check_rights(kuzzle, user, ('document', 'get', 'anything', 'at-all')) is True


def test_fact_ms_entry_answers_for_memory_storage(kuzzle):
    user, profile, dummy = one_case(kuzzle, {'r': {'ms': {'actions': {'get': False}}, 'memoryStorage': {'actions': {'get': True}}}},
                                    [{'roleId': 'r'}])
    assert ('memoryStorage', 'get', '*', '*', 'allowed') in listed(kuzzle, profile)
    assert check_rights(kuzzle, user, ('memoryStorage', 'get', None, None)) is False
    assert check_rights(kuzzle, user, ('ms', 'get', None, None)) is False
