# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""Indexes, collections and whole storage definitions as data: names, settings, the
``admin:loadMappings`` shape, before/after of a collection and its summary. No I/O.

For internal use of the community.kuzzle collection only: no compatibility promise.

A collection's canonical form is ``{'mappings': <stored form, see _mapping>, 'settings': {...},
'specifications': {...}}``, with ``settings`` holding only the keys the task gives (flat, as
Elasticsearch strings) and ``specifications`` only when the task manages them ({} for none). ``before`` is read
from Kuzzle in that form, ``after`` is planned from it and the task, and the two decide
``changed``, the diff and the summary, in check mode and in real runs.

Settings (Kuzzle 2.56 and Elasticsearch 7, pinned by tests/contract/test_storage_settings.py):
Kuzzle applies any settings change to an existing collection by closing its Elasticsearch index,
updating it and reopening it, so static settings (``analysis``, ``codec``, ...) change as well as
dynamic ones, and the collection refuses reads and writes for that moment. Final settings
(``number_of_shards``, ...) never change after creation and private ones are Elasticsearch's
own: both are refused before any write. Kuzzle sends a falsy ``number_of_replicas`` (0) at
creation as its default (1), so :func:`creation_settings` sets it apart for a second write.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

from ansible_collections.community.kuzzle.plugins.module_utils import _mapping
from ansible_collections.community.kuzzle.plugins.module_utils._report import plural

HIDDEN_COLLECTION = '_kuzzle_keep'
# lib/service/storage/7/elasticsearch.ts: FORBIDDEN_CHARS, and names of 1 to 126 bytes
FORBIDDEN_CHARACTERS = '\\/*?"<>| \t\r\n,+#:.&%'
MAX_NAME_BYTES = 126

FINAL_SETTINGS = ('number_of_shards', 'number_of_routing_shards', 'routing_partition_size', 'soft_deletes.enabled')
FINAL_SETTING_PREFIXES = ('sort.',)
PRIVATE_SETTINGS = ('uuid', 'creation_date', 'provided_name', 'version.created', 'version.upgraded',
                    'verified_before_close')
# Settings Elasticsearch gives every new index itself (7.10 and later): an export leaves them out, as the private ones.
ASSIGNED_SETTINGS = ('routing.allocation.include._tier_preference',)
# Settings Elasticsearch changes only on a closed index (Kuzzle closes it for every settings change).
STATIC_SETTINGS = ('codec', 'shard.check_on_startup', 'load_fixed_bitset_filters_eagerly', 'store.type',
                   'store.preload', 'mapping.coerce', 'mapping.ignore_malformed', 'queries.cache.enabled')
STATIC_SETTING_PREFIXES = ('analysis.', 'similarity.')
MAPPING_SHAPE_KEYS = ('mappings', 'settings')


# -- names ---------------------------------------------------------------------------------------
def name_problems(kind, name):
    """Kuzzle's rules for an index or collection name (``kind``); a list of messages."""
    if not isinstance(name, str) or not name:
        return ['%s names must be non-empty strings' % kind]
    problems = []
    if name != name.lower():
        problems.append('%s "%s": names must be lowercase' % (kind, name))
    if len(name.encode('utf-8')) > MAX_NAME_BYTES:
        problems.append('%s "%s": names are at most %d bytes' % (kind, name, MAX_NAME_BYTES))
    if name == '_all':
        problems.append('%s "_all" is not a valid name' % kind)
    bad = sorted(set(c for c in name if c in FORBIDDEN_CHARACTERS))
    if bad:
        verb = 'are' if len(bad) > 1 else 'is'
        problems.append('%s "%s": %s %s not allowed' % (kind, name, ', '.join(repr(c) for c in bad), verb))
    if kind == 'collection' and name == HIDDEN_COLLECTION:
        problems.append('collection "%s" is reserved by Kuzzle' % name)
    return problems


# -- settings ------------------------------------------------------------------------------------
def _setting_string(value):
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, (list, tuple)):
        return [_setting_string(item) for item in value]
    return value if value is None else '%s' % (value,)


def flatten_settings(settings, prefix=''):
    """``{"index": {"analysis": {...}}}`` or ``{"index.number_of_replicas": 0}`` -> flat keys
    without ``index.``, each value as Elasticsearch stores it (a string, or a list of strings)."""
    flat = {}
    for key in settings:
        value = settings[key]
        if isinstance(value, dict):
            flat.update(flatten_settings(value, '%s%s.' % (prefix, key)))
        else:
            flat['%s%s' % (prefix, key)] = _setting_string(value)
    if prefix:
        return flat
    return dict((key[len('index.'):] if key.startswith('index.') else key, value) for key, value in flat.items())


def setting_kind(key):
    """final, private, static or dynamic, for a flat key (dynamic: anything not known to be otherwise)."""
    if key in PRIVATE_SETTINGS:
        return 'private'
    if key in FINAL_SETTINGS or key.startswith(FINAL_SETTING_PREFIXES):
        return 'final'
    if key in STATIC_SETTINGS or key.startswith(STATIC_SETTING_PREFIXES):
        return 'static'
    return 'dynamic'


def settings_problems(settings, where='settings'):
    """Type checks of a task's settings (before any comparison); a list of messages."""
    if not isinstance(settings, dict):
        return ['%s must be a dict of index settings' % where]
    problems = []
    for key, value in sorted(flatten_settings(settings).items()):
        if setting_kind(key) == 'private':
            problems.append('%s: %s is set by Elasticsearch itself and cannot be given' % (where, key))
        elif value is None:
            problems.append('%s: %s has no value (to reset a setting, give its default value)' % (where, key))
    return problems


def settings_refusals(stored_flat, desired_flat, where):
    """What an existing collection cannot take: a final setting given a new value."""
    return ['%s: %s is %s and the task asks %s: it is fixed when the collection is created; create a new '
            'collection with it and reindex the documents into it' % (where, key, stored_flat.get(key), value)
            for key, value in sorted(desired_flat.items())
            if setting_kind(key) == 'final' and stored_flat.get(key) != value]


def stored_settings(result):
    """The flat settings of a ``collection:getSettings`` result."""
    return flatten_settings(result or {})


def creation_settings(desired_flat):
    """``(at_creation, afterwards)``: Kuzzle replaces a falsy ``number_of_replicas`` given at
    creation with its default, so 0 replicas takes a second write once the collection exists."""
    at_creation, afterwards = dict(desired_flat), {}
    if at_creation.get('number_of_replicas') in ('0', 0):
        afterwards['number_of_replicas'] = at_creation.pop('number_of_replicas')
    return at_creation, afterwards


def settings_body(before_settings, after_settings):
    """The settings to send (flat keys, which Elasticsearch takes as they are); None when equal."""
    body = dict((key, copy.deepcopy(value)) for key, value in sorted(after_settings.items())
                if before_settings.get(key) != value)
    return body or None


# -- the admin:loadMappings shape ----------------------------------------------------------------
def _collection_shape(value):
    """'mappings' for {mappings, settings} (Kuzzle's app.import.mappings shape), 'raw' for a bare mapping."""
    keys = set(value)
    if keys and keys <= set(MAPPING_SHAPE_KEYS):
        return 'mappings'
    return 'mixed' if keys & set(MAPPING_SHAPE_KEYS) else 'raw'


def definition_problems(definition, where='definition'):
    """Checks of a whole storage definition, ``{index: {collection: mapping}}`` as
    ``admin:loadMappings`` takes it, or with ``{mappings, settings}`` per collection as the
    backend's ``app.import.mappings`` takes it; a list of messages."""
    if not isinstance(definition, dict):
        return ['%s must be a dict of indexes, each a dict of collections' % where]
    problems = []
    for index in sorted(definition, key=str):
        problems.extend('%s: %s' % (where, p) for p in name_problems('index', index))
        collections = definition[index]
        if collections is None:
            continue
        if not isinstance(collections, dict):
            problems.append('%s.%s must be a dict of collections' % (where, index))
            continue
        for collection in sorted(collections, key=str):
            problems.extend(_collection_problems(collections[collection], '%s.%s' % (where, index), collection))
    return problems


def _collection_problems(value, where, collection):
    problems = ['%s: %s' % (where, p) for p in name_problems('collection', collection)]
    path = '%s.%s' % (where, collection)
    if value is None:
        return problems
    if not isinstance(value, dict):
        return problems + ['%s must be a mapping (dynamic, _meta, properties) or {mappings, settings}' % path]
    shape = _collection_shape(value)
    if shape == 'mixed':
        return problems + ['%s mixes a bare mapping with mappings/settings keys: give one or the other' % path]
    if shape == 'raw':
        return problems + _mapping.mapping_problems(value, path)
    problems.extend(_mapping.mapping_problems(value.get('mappings') or {}, path + '.mappings'))
    if value.get('settings') is not None:
        problems.extend(settings_problems(value['settings'], path + '.settings'))
    return problems


def normalize_definition(definition):
    """A definition that passed :func:`definition_problems`, as ``{index: {collection: {'mappings':
    <task mapping>, 'settings': <task settings or None>}}}`` (an index may have no collections)."""
    out = {}
    for index, collections in definition.items():
        out[index] = {}
        for collection, value in (collections or {}).items():
            value = value or {}
            if _collection_shape(value) == 'mappings':
                out[index][collection] = {'mappings': copy.deepcopy(value.get('mappings') or {}),
                                          'settings': copy.deepcopy(value.get('settings'))}
            else:
                out[index][collection] = {'mappings': copy.deepcopy(value), 'settings': None}
    return out


def export_collection(mapping_result):
    """A ``collection:getMapping`` result in the shape ``admin:loadMappings`` takes (so that applying
    an export changes nothing): its stored form, without Kuzzle's meta field nor empty properties."""
    exported = _mapping.stored_mapping(mapping_result)
    if not exported['properties']:
        del exported['properties']
    return exported


def export_settings(settings_result):
    """A ``collection:getSettings`` result as a definition carries it (kuzzle_storage applies it as it is): nested as
    Elasticsearch answers it, without the private settings and those Elasticsearch gives every index itself."""
    def kept(node, prefix):
        out = {}
        for key in node:
            path, value = prefix + key, node[key]
            if isinstance(value, dict):
                value = kept(value, path + '.')
                if value:
                    out[key] = value
            elif setting_kind(path) != 'private' and path not in ASSIGNED_SETTINGS:
                out[key] = copy.deepcopy(value)
        return out
    return kept(settings_result or {}, '')


# -- a collection: before, after, summary --------------------------------------------------------
def collection_after(before, mappings, settings=None, specifications=None, where='collection'):
    """``(after, refusals)`` for one collection: ``before`` in canonical form ({} when absent),
    the task's mapping (desired form), settings (flat) and specifications (None: not managed)."""
    refusals = []
    mapping_after, mapping_refusals = _mapping.plan((before or {}).get('mappings') or {}, mappings)
    refusals.extend('%s: %s' % (where, r) for r in mapping_refusals)
    after = {'mappings': mapping_after}
    if settings:
        if before:
            refusals.extend(settings_refusals(before.get('settings') or {}, settings, where))
        after['settings'] = dict(settings)
    if specifications is not None:
        after['specifications'] = copy.deepcopy(specifications)
    return after, refusals


def collection_before(mapping_result, settings_result=None, setting_keys=(), specifications=None):
    """The canonical form of a stored collection: its mapping, the stored values of the settings
    the task gives (``setting_keys``; a key not stored is None), its specifications when managed."""
    before = {'mappings': _mapping.stored_mapping(mapping_result)}
    if setting_keys:
        stored = stored_settings(settings_result)
        before['settings'] = dict((key, stored.get(key)) for key in setting_keys)
    if specifications is not None:
        before['specifications'] = specifications
    return before


def summarize_collection(name, before, after):
    """A short plain-language account of one collection's change (canonical forms; {} when absent)."""
    if not before and not after:
        return 'collection %s is absent' % name
    if not after:
        return 'collection %s deleted, with its documents' % name
    if not before:
        fields = sorted((after.get('mappings') or {}).get('properties') or {})
        words = 'collection %s created' % name
        details = [plural('field', fields)] if fields else []
        if 'dynamic' in after.get('mappings', {}):
            details.append('dynamic %s' % after['mappings']['dynamic'])
        if after.get('settings'):
            details.append(plural('setting', sorted(after['settings'])))
        if after.get('specifications'):
            details.append('validation specifications')
        return words + (' with ' + '; '.join(details) if details else '')
    phrases = _mapping.changes(before.get('mappings'), after.get('mappings') or {})
    old_settings, new_settings = before.get('settings') or {}, after.get('settings') or {}
    for key in sorted(new_settings):
        if old_settings.get(key) != new_settings[key]:
            phrases.append('setting %s: %s -> %s' % (key, _shown(old_settings.get(key)), _shown(new_settings[key])))
    if 'specifications' in after and (before.get('specifications') or {}) != after['specifications']:
        phrases.append('validation specifications %s' % (
            'removed' if not after['specifications'] else 'set' if not before.get('specifications') else 'replaced'))
    if not phrases:
        return 'collection %s unchanged' % name
    return 'collection %s: %s' % (name, '; '.join(phrases))


def _shown(value):
    return 'unset' if value is None else '%s' % (value,)


def summarize_index(name, existed, wanted, collections=()):
    """Index present or absent: what happened to it, in words (``collections`` it held, if deleted)."""
    if existed == wanted:
        return 'index %s %s' % (name, 'present' if wanted else 'absent')
    if wanted:
        return 'index %s created' % name
    if collections:
        return 'index %s deleted, with %s and their documents' % (name, plural('collection', sorted(collections)))
    return 'index %s deleted' % name
