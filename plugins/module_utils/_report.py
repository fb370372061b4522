# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""What every module reports the same way: the diff, the keys to write, the stored view. No I/O.

For internal use of the community.kuzzle collection only: no compatibility promise.

Modules build ``before`` and ``after`` once, in the canonical form of their kind ({} for an absent
object); ``changed`` is ``before != after``, and these helpers turn the same two objects into the
diff and the write, so check mode and real runs cannot disagree.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

# Kuzzle's bookkeeping inside a stored object's _source, never desired state.
SERVER_KEYS = ('_kuzzle_info', 'optimizedPolicies')


def build_diff(noun, name, before, after):
    """Ansible's diff from the canonical objects that decided ``changed``."""
    return {
        'before': before,
        'after': after,
        'before_header': '%s %s (%s)' % (noun, name, 'stored in Kuzzle' if before else 'absent'),
        'after_header': '%s %s (%s)' % (noun, name, 'after this task' if after else 'deleted'),
    }


def changed_keys(before, after):
    """The top-level keys of ``after`` whose value differs from ``before`` (an update's body)."""
    return dict((key, json_copy(value)) for key, value in after.items() if before.get(key) != value)


def json_copy(value):
    """A deep copy of JSON-shaped data (dicts, lists, immutable scalars): what copy.deepcopy gives for it, without
    its bookkeeping, which made it most of a thousand-object plan's own time."""
    if isinstance(value, dict):
        return dict((key, json_copy(item)) for key, item in value.items())
    if isinstance(value, list):
        return [json_copy(item) for item in value]
    return value


def stored_view(source, drop=SERVER_KEYS):
    """A stored ``_source`` without Kuzzle's bookkeeping keys ({} for an absent object)."""
    if source is None:
        return {}
    return dict((key, value) for key, value in source.items() if key not in drop)


def summary(noun, name, before, after, created, changes):
    """A short plain-language account of the change from ``before`` to ``after`` (canonical forms, {} for an
    absent object): ``<noun> <name> deleted``, ``... created with <created(after)>``, ``<noun> <name>:
    <changes(before, after), joined>``, ``... unchanged`` or ``... is absent``."""
    if not before and not after:
        return '%s %s is absent' % (noun, name)
    if not after:
        return '%s %s deleted' % (noun, name)
    if not before:
        return '%s %s created with %s' % (noun, name, created(after))
    phrases = changes(before, after)
    if not phrases:
        return '%s %s unchanged' % (noun, name)
    return '%s %s: %s' % (noun, name, '; '.join(phrases))


def plural(word, names):
    """'role reader' or 'roles reader, writer': ``word`` with an s for more than one name, then the names."""
    return '%s%s %s' % (word, 's' if len(names) > 1 else '', ', '.join(names))


def first_names(names, total):
    """'a, b, ...': the first names of a list of ``total`` (the dots say that more were not named)."""
    return ', '.join(names) + (', ...' if total > len(names) else '')
