# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""The ``tags`` of roles and profiles: a set of strings. No I/O.

For internal use of the community.kuzzle collection only: no compatibility promise.

Kuzzle 2.56 stores ``tags`` as given (order and duplicates kept, keyword-mapped, searchable) and has no
meaning for their order (tests/contract/test_tags.py). The collection compares them as a set: the canonical
form is the sorted list of distinct tags, and a role or profile without tags has no ``tags`` key in its
canonical form (absent, null and ``[]`` are the same: no tags). A task that omits them keeps the stored ones.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

KEY = 'tags'


def normalize(tags):
    """The sorted distinct tags; [] for none (absent, null, or anything that is not a list)."""
    if not isinstance(tags, list):
        return []
    return sorted(set(tag for tag in tags if isinstance(tag, str)))


def problems(tags, where='tags'):
    """Why Kuzzle's tags cannot be ``tags`` (None: not given)."""
    if tags is None:
        return []
    if not isinstance(tags, list) or not all(isinstance(tag, str) and tag.strip() for tag in tags):
        return ['%s must be a list of non-empty strings' % where]
    return []


def put(canonical, tags):
    """``canonical`` with ``tags`` (normalised) set, or without a tags key when there are none; returns it."""
    canonical.pop(KEY, None)
    tags = normalize(tags)
    if tags:
        canonical[KEY] = tags
    return canonical


def phrases(before, after):
    """Phrases for the tag changes between two canonical objects."""
    old, new = set(before.get(KEY, ())), set(after.get(KEY, ()))
    found = []
    for verb, names in (('added', sorted(new - old)), ('removed', sorted(old - new))):
        if names:
            found.append('tag%s %s %s' % ('s' if len(names) > 1 else '', ', '.join(names), verb))
    return found
