# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""Which security object ids Kuzzle's HTTP router can reach.

For internal use of the community.kuzzle collection only: no compatibility promise.

Kuzzle's router prefers a static path segment to a ``:_id`` parameter, so an
object whose id equals one of the static segments of its family (for example
``GET /profiles/_mapping``) cannot be read or written through the usual route.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

# Static segments under /profiles, /roles and /users in Kuzzle 2.56's routes; each one captures at least one
# verb of the object routes (tests/contract/test_protocol.py::test_static_segments_win_over_ids pins the rule).
SHADOWED_IDS = {
    'profiles': ('_mapping', '_mGet', '_search', '_scroll', '_mDelete'),
    'roles': ('_mapping', '_mGet', '_search', '_mDelete'),
    'users': ('_mapping', '_mGet', '_search', '_scroll', '_mDelete', '_create', '_createRestricted', '_me'),
}

KIND_NAMES = {'profiles': 'profile', 'roles': 'role', 'users': 'user'}


def id_problems(kind, ids):
    """Why each of ``ids`` cannot be used for ``kind``: a list of messages, empty when they all can."""
    return [reason for reason in (id_problem(kind, object_id) for object_id in ids) if reason]


def id_problem(kind, object_id):
    """Return why ``object_id`` cannot be used for ``kind`` ('profiles', 'roles', 'users'), or None."""
    noun = KIND_NAMES[kind]
    if not isinstance(object_id, str) or not object_id.strip():
        return 'a %s id must be a non-empty string' % noun
    if object_id in SHADOWED_IDS[kind]:
        return ('%s id "%s" cannot be used: Kuzzle routes /%s/%s to another action, so such a %s '
                'could never be read or updated over HTTP' % (noun, object_id, kind, object_id, noun))
    return None
