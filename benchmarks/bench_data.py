# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The data benchmarks/run converges: N profiles, or N users (with or without a password), from a seed.

Every object is generated from the seed and its number alone, so it is the same whatever N and method
it is generated for. Version ``v1`` is the first state, ``v2`` the same with a deterministic 10% changed.
Standard library only.
"""

import copy
import hashlib
import random

# The profile data: roles, indexes and collections of a plausible shop back office.
ROLES = ('bench-reader', 'bench-writer', 'bench-auditor', 'bench-support', 'bench-billing', 'bench-ops')
INDEXES = {
    'shop': ('products', 'carts', 'orders', 'invoices'),
    'crm': ('contacts', 'accounts', 'leads'),
    'logs': ('access', 'audit', 'errors'),
    'analytics': ('events', 'sessions'),
}
RATE_LIMITS = (0, 10, 20, 50, 100, 200)
# The users' data: the profiles they get (created by the runner's setup; Kuzzle's role "default" lets a user
# log out), and some content.
USER_PROFILES = {
    'bench-staff': ('default', 'bench-reader'),
    'bench-helpdesk': ('default', 'bench-reader', 'bench-support'),
    'bench-accounting': ('default', 'bench-reader', 'bench-billing'),
}
TEAMS = ('north', 'south', 'east', 'west', 'online', 'stores')

# kind -> (the kuzzle_security option and Kuzzle collection, whether users get local credentials)
KINDS = {
    'profiles': ('profiles', False),
    'users': ('users', True),
    'users-content': ('users', False),
}


def profile_body(seed, index):
    """Profile number ``index``: 2 or 3 policies, about half restricted to indexes/collections, a rate limit."""
    rng = random.Random('%s/profile/%d' % (seed, index))
    policies = []
    for role in rng.sample(ROLES, rng.choice((2, 2, 3))):
        policy = {'roleId': role}
        if rng.random() < 0.5:
            restricted = []
            for index_name in rng.sample(sorted(INDEXES), rng.choice((1, 1, 2))):
                entry = {'index': index_name}
                count = rng.randint(0, 2)  # 0: the whole index
                if count:
                    entry['collections'] = rng.sample(INDEXES[index_name], count)
                restricted.append(entry)
            policy['restrictedTo'] = restricted
        policies.append(policy)
    return {'policies': policies, 'rateLimit': rng.choice(RATE_LIMITS)}


def changed_profile(seed, index, body):
    """A deterministic change of one profile: its rate limit, one role, or one restriction."""
    rng = random.Random('%s/change/%d' % (seed, index))
    body = copy.deepcopy(body)
    kind = ('rate', 'role', 'restriction')[index % 3]
    policy = rng.choice(body['policies'])
    if kind == 'rate':
        body['rateLimit'] = rng.choice([r for r in RATE_LIMITS if r != body['rateLimit']])
    elif kind == 'role':
        used = set(p['roleId'] for p in body['policies'])
        policy['roleId'] = rng.choice([r for r in ROLES if r not in used])
    else:
        restricted = policy.setdefault('restrictedTo', [])
        present = set(entry['index'] for entry in restricted)
        free = [name for name in sorted(INDEXES) if name not in present]
        if free:
            name = rng.choice(free)
            restricted.append({'index': name, 'collections': [rng.choice(INDEXES[name])]})
        else:
            del policy['restrictedTo']  # already on every index: lift the restriction instead
    return body


def password(seed, kuid):
    """The benchmark password of a user: derived from the seed, so reruns and checks know it."""
    return 'Pw-' + hashlib.sha256(('%s/password/%s' % (seed, kuid)).encode()).hexdigest()[:20]


def user_body(seed, index, kuid, credentials):
    """User number ``index``: one or two profiles, a name, a team, and local credentials if asked."""
    rng = random.Random('%s/user/%d' % (seed, index))
    body = {'content': {'profileIds': sorted(rng.sample(sorted(USER_PROFILES), rng.choice((1, 1, 2)))),
                        'fullName': 'Bench User %d' % index, 'team': rng.choice(TEAMS)}}
    if credentials:
        body['credentials'] = {'local': {'username': kuid, 'password': password(seed, kuid)}}
    return body


def changed_user(seed, index, body):
    """A deterministic change of one user's content: its team, or its profiles."""
    rng = random.Random('%s/user-change/%d' % (seed, index))
    body = copy.deepcopy(body)
    content = body['content']
    if index % 2:
        content['team'] = rng.choice([t for t in TEAMS if t != content['team']])
    else:
        others = [p for p in sorted(USER_PROFILES) if p not in content['profileIds']]
        content['profileIds'] = sorted(content['profileIds'][1:] + [rng.choice(others)])
    return body


def changed_indexes(seed, size):
    """The 10% of the objects that the 'changed' phase modifies (at least one)."""
    return sorted(random.Random('%s/changed-set/%d' % (seed, size)).sample(range(size), max(1, size // 10)))


def dataset(seed, kind, size, prefix, version):
    """dict id -> body in kuzzle_security's shape, version 'v1' or 'v2' (10% changed)."""
    changed = set(changed_indexes(seed, size)) if version == 'v2' else set()
    credentials = KINDS[kind][1]
    data = {}
    for index in range(size):
        if kind == 'profiles':
            object_id = '%s%04d' % (prefix, index)
            body = profile_body(seed, index)
            data[object_id] = changed_profile(seed, index, body) if index in changed else body
        else:
            object_id = '%s%05d' % (prefix, index)
            body = user_body(seed, index, object_id, credentials)
            data[object_id] = changed_user(seed, index, body) if index in changed else body
    return data


def normalize_profile(body):
    """What Kuzzle means by a profile: order and duplicates of policies, restrictions and collections do not count."""
    policies = sorted(
        (p['roleId'], tuple(sorted(set((r['index'], tuple(sorted(set(r.get('collections') or [])))) for r in p.get('restrictedTo') or []))))
        for p in body.get('policies') or [])
    return policies, body.get('rateLimit') or 0


def user_differs(source, body):
    """Whether a stored user's _source differs from the wanted body (profileIds as a set, the content keys given)."""
    content = body['content']
    return sorted(source.get('profileIds') or []) != sorted(content['profileIds']) or \
        any(source.get(key) != value for key, value in content.items() if key != 'profileIds')
