# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""Reading and writing indexes and collections through the action layer (kuzzle_index, kuzzle_collection,
kuzzle_storage, kuzzle_storage_info). What to compare and what to send is decided in _storage and _mapping,
which do no I/O; this file only reads the canonical ``before`` of a collection and writes the change from
``before`` to ``after``.

For internal use of the community.kuzzle collection only: no compatibility promise.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.community.kuzzle.plugins.module_utils._errors import KuzzleError, PredictedRefusal
from ansible_collections.community.kuzzle.plugins.module_utils import _mapping, _storage

# What Kuzzle answers for a collection or index it does not have (tests/contract/test_storage_collections.py), or
# that went while it looked for it (unknown_index_collection: its Elasticsearch alias is gone)
MISSING = ('services.storage.unknown_collection', 'services.storage.unknown_index', 'services.storage.unknown_index_collection')
NO_SPECIFICATIONS = 'validation.assert.not_found'
# On a Kuzzle cluster each node keeps its own list of collections, and learns of a collection created through
# another node a few milliseconds later; until then it answers unknown_collection (tests/cluster/
# test_cross_node_storage.py). The requests that follow a creation are sent again after these waits (seconds).
NEW_COLLECTION_WAITS = (0.05, 0.25)
# What Kuzzle answers when Elasticsearch refuses a mapping or settings update
ES_REFUSAL = (400, 'services.storage.unexpected_bad_request')
# What Kuzzle 2.56 answers a write that another client made since the module read (lib/core/storage/clientAdapter.js,
# lib/service/storage/7/elasticsearch.ts and esWrapper.ts), all 412: index:create of an index that exists now
# (index_already_exists, an error Kuzzle's own loadMappings ignores for this very race between nodes); index:delete of
# an index already gone (unknown_index), or gone while Kuzzle deleted it (unknown_collection: Elasticsearch's
# index_not_found for one of its collections); collection:delete of a collection gone (MISSING: unknown_collection,
# or unknown_index_collection when it went between Kuzzle's checks). Two collection:create
# of one collection both succeed (Kuzzle updates an existing collection, and ignores resource_already_exists_exception).
INDEX_EXISTS = 'services.storage.index_already_exists'
UNKNOWN_INDEX = 'services.storage.unknown_index'
UNKNOWN_COLLECTION = 'services.storage.unknown_collection'


def label(index, collection):
    return 'collection %s/%s' % (index, collection)


def read_mapping(client, index, collection):
    """The ``collection:getMapping`` result, or None when the collection (or its index) does not exist."""
    try:
        return client.act('collection:getMapping', index=index, collection=collection)
    except KuzzleError as err:
        if err.error_id in MISSING:
            return None
        raise


def read_specifications(client, index, collection):
    """The collection's validation specifications, {} when it has none."""
    try:
        result = client.act('collection:getSpecifications', index=index, collection=collection)
    except KuzzleError as err:
        if err.status == 404 and err.error_id == NO_SPECIFICATIONS:
            return {}
        raise
    return result.get('validation') or {}


def read_collection(client, index, collection, setting_keys=(), specifications=False, mapping_result=None):
    """The canonical ``before`` of a collection ({} when absent): its mapping, the stored values of
    ``setting_keys`` (one more read when there are any), its specifications when ``specifications``
    (one more read). ``mapping_result``: a getMapping result already read."""
    if mapping_result is None:
        mapping_result = read_mapping(client, index, collection)
        if mapping_result is None:
            return {}
    settings = client.act('collection:getSettings', index=index, collection=collection) if setting_keys else None
    specs = read_specifications(client, index, collection) if specifications else None
    return _storage.collection_before(mapping_result, settings, setting_keys, specs)


def list_collections(client, index):
    """The names of the stored collections of an index, sorted (realtime ones left out)."""
    result = client.act('collection:list', index=index)
    return sorted(item['name'] for item in result.get('collections') or ()
                  if isinstance(item, dict) and item.get('type', 'stored') == 'stored' and isinstance(item.get('name'), str))


def list_collections_if_any(client, index):
    """list_collections, or None when the index does not exist (deleted since index:exists said it did)."""
    try:
        return list_collections(client, index)
    except KuzzleError as err:
        if err.error_id == UNKNOWN_INDEX:
            return None
        raise


def list_indexes(client):
    """The public indexes, sorted (Kuzzle lists none of its own)."""
    return sorted(name for name in client.act('index:list').get('indexes') or () if isinstance(name, str))


def write_index(client, index, wanted, again=True):
    """index:create (``wanted``) or index:delete; False when another client did it since the module read (the state
    the task wants, so not a failure), True when this request did."""
    try:
        client.act('index:create' if wanted else 'index:delete', index=index)
    except KuzzleError as err:
        if err.status != 412:
            raise
        if err.error_id == (INDEX_EXISTS if wanted else UNKNOWN_INDEX):
            return False
        if not wanted and err.error_id == UNKNOWN_COLLECTION and again:
            # a collection vanished under the deletion: the index is gone (unknown_index), or what is left goes now
            return write_index(client, index, wanted, again=False)
        raise
    return True


def plan_collection(index, collection, before, mappings, settings, specifications):
    """``(after, refusals)``: the task's ``mappings`` (as the task gives them, checked), ``settings`` (as given, or
    None) and ``specifications`` (None: not managed) merged into ``before``. Refusals read
    ``field price is stored as float and the task asks keyword: ...``, without the collection's name."""
    where = label(index, collection)
    flat = _storage.flatten_settings(settings) if settings else None
    after, refusals = _storage.collection_after(before, _mapping.desired_mapping(mappings or {}), flat, specifications,
                                                where=where)
    return after, [refusal[len(where) + 2:] if refusal.startswith(where + ': ') else refusal for refusal in refusals]


def refusal_text(refusals):
    """The refusals of one mapping (and its settings) in one sentence: the advice of several refused fields once."""
    suffix = ': ' + _mapping.REINDEX_ADVICE
    fields = [text[:-len(suffix)] for text in refusals if text.endswith(suffix)]
    others = [text for text in refusals if not text.endswith(suffix)]
    if len(fields) > 1:
        fields = ['%s: Elasticsearch cannot change these on existing fields: create a new collection with the new mapping '
                  'and reindex the documents into it' % '; '.join(fields)]
    else:
        fields = [text + suffix for text in fields]
    return '; '.join(fields + others)


def refusal(index, collection, refusals):
    """The PredictedRefusal of a collection whose change Elasticsearch would refuse."""
    return PredictedRefusal(label(index, collection), ES_REFUSAL[0], ES_REFUSAL[1], refusal_text(refusals))


def check_specifications(client, index, collection, specifications):
    """A PredictedRefusal when Kuzzle would refuse these specifications (collection:validateSpecifications, which
    stores nothing), else None."""
    if not specifications:
        return None
    result = client.act('collection:validateSpecifications', index=index, collection=collection, body=specifications)
    if result.get('valid') is not False:
        return None
    details = result.get('details') or [result.get('description') or 'invalid specifications']
    return PredictedRefusal(label(index, collection), 400, 'validation.assert.invalid_specifications',
                            '; '.join(str(detail) for detail in details))


def write_collection(client, index, collection, before, after, sent):
    """Write what turns ``before`` into ``after`` (canonical forms; {} for absent): the requests, in order, are
    collection:create (which creates a missing index) or collection:update of the settings then of the mapping
    (settings first: a mapping may use an analyser they add), then the specifications; collection:delete for
    ``after`` {}. Appends the name of each action to ``sent`` once Kuzzle answered it (so that a failure can say
    what was written before it). False when another client deleted the collection first (nothing sent), else True."""
    route = dict(index=index, collection=collection)

    def act(name, **kwargs):
        client.act(name, **dict(route, **kwargs))
        sent.append(name)

    if not after:
        try:
            act('collection:delete')
        except KuzzleError as err:
            if err.error_id in MISSING:
                return False  # deleted by another client since the module read
            raise
        return True
    then = act
    if not before:
        at_creation, afterwards = _storage.creation_settings(after.get('settings') or {})
        body = {'mappings': _mapping.update_body({}, after['mappings']) or {}}
        if at_creation:
            body['settings'] = at_creation
        act('collection:create', body=body)
        then = new_collection_tolerant(act)  # the next request may reach a node that does not know it yet
        if afterwards:
            then('collection:update', body={'settings': afterwards})
    else:
        settings = _storage.settings_body(before.get('settings') or {}, after.get('settings') or {})
        if settings:
            act('collection:update', body={'settings': settings})
        mappings = _mapping.update_body(before.get('mappings') or {}, after['mappings'])
        if mappings:
            act('collection:update', body={'mappings': mappings})
    if 'specifications' in after and after['specifications'] != (before.get('specifications') or {}):
        if after['specifications']:
            then('collection:updateSpecifications', body=after['specifications'])
        else:
            then('collection:deleteSpecifications')
    return True


def new_collection_tolerant(act):
    """``act``, sent again up to twice (NEW_COLLECTION_WAITS) while Kuzzle says the collection or its index does
    not exist: only for the requests that follow the task's own collection:create. Kuzzle refused the request
    before writing anything, so sending it again cannot apply it twice."""
    def tolerant(name, **kwargs):
        for wait in NEW_COLLECTION_WAITS:
            try:
                return act(name, **kwargs)
            except KuzzleError as err:
                if err.error_id not in MISSING:
                    raise
            time.sleep(wait)
        return act(name, **kwargs)
    return tolerant
