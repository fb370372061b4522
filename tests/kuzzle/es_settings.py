"""Elasticsearch 7.17's index settings rules for the stand-in.

Settings are kept flat (``index.number_of_replicas`` -> ``"1"``), every value a string or a list
of strings, as Elasticsearch keeps them, and answered nested under ``index``. A settings update
follows ``PUT _settings``: private settings are refused, final ones never change (even to the
same value), static ones change only while the index is closed, dynamic ones at any time, and
``null`` puts a setting back to its default. Keys outside the tables below get the stand-in's
"not supported" error rather than a guess.
"""

import time

import es_errors

FINAL = {'number_of_shards', 'number_of_routing_shards', 'routing_partition_size', 'soft_deletes.enabled',
         'sort.field', 'sort.order', 'sort.mode', 'sort.missing'}
STATIC = {'codec', 'shard.check_on_startup', 'load_fixed_bitset_filters_eagerly', 'store.type', 'store.preload',
          'mapping.coerce', 'mapping.ignore_malformed', 'queries.cache.enabled', 'translog.sync_interval'}
DYNAMIC = {
    'number_of_replicas', 'auto_expand_replicas', 'refresh_interval', 'max_result_window',
    'max_inner_result_window', 'max_rescore_window', 'max_docvalue_fields_search', 'max_script_fields',
    'max_ngram_diff', 'max_shingle_diff', 'max_refresh_listeners', 'analyze.max_token_count',
    'highlight.max_analyzed_offset', 'max_terms_count', 'max_regex_length', 'query.default_field',
    'routing.allocation.enable', 'routing.rebalance.enable', 'gc_deletes', 'default_pipeline', 'final_pipeline',
    'hidden', 'blocks.read_only', 'blocks.read_only_allow_delete', 'blocks.read', 'blocks.write', 'blocks.metadata',
    'mapping.total_fields.limit', 'mapping.depth.limit', 'mapping.nested_fields.limit',
    'mapping.nested_objects.limit', 'mapping.field_name_length.limit', 'translog.durability',
    'translog.flush_threshold_size', 'search.idle.after', 'unassigned.node_left.delayed_timeout', 'priority',
    'write.wait_for_active_shards', 'max_slices_per_scroll', 'soft_deletes.retention_lease.period',
}
STATIC_PREFIXES = ('analysis.', 'similarity.')
DYNAMIC_PREFIXES = ('routing.allocation.include.', 'routing.allocation.exclude.', 'routing.allocation.require.',
                    'search.slowlog.', 'indexing.slowlog.', 'merge.')
PRIVATE = {'uuid', 'creation_date', 'provided_name', 'version.created', 'version.upgraded', 'verified_before_close'}
_INTEGERS = {'number_of_shards', 'number_of_replicas', 'number_of_routing_shards', 'routing_partition_size',
             'max_result_window', 'max_inner_result_window', 'max_rescore_window', 'max_docvalue_fields_search',
             'max_script_fields', 'max_ngram_diff', 'max_shingle_diff', 'max_refresh_listeners', 'max_terms_count',
             'max_regex_length', 'mapping.total_fields.limit', 'mapping.depth.limit', 'mapping.nested_fields.limit',
             'mapping.nested_objects.limit', 'mapping.field_name_length.limit', 'priority', 'max_slices_per_scroll'}
_BOOLEANS = {'hidden', 'blocks.read_only', 'blocks.read_only_allow_delete', 'blocks.read', 'blocks.write',
             'blocks.metadata', 'soft_deletes.enabled', 'mapping.coerce', 'mapping.ignore_malformed',
             'queries.cache.enabled', 'load_fixed_bitset_filters_eagerly'}
VERSION_CREATED = '7172699'  # 7.17.26


def kind(key):
    """final, static, dynamic or private for a flat ``index.`` key; None when not modelled."""
    short = key[len('index.'):]
    for name, keys, prefixes in (('private', PRIVATE, ()), ('final', FINAL, ()),
                                 ('static', STATIC, STATIC_PREFIXES), ('dynamic', DYNAMIC, DYNAMIC_PREFIXES)):
        if short in keys or short.startswith(prefixes):
            return name
    return None


def _string(value):
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, list):
        return [_string(v) for v in value]
    return str(value)


def flatten(body, prefix=''):
    """``{"index": {"a": {"b": 1}}}`` or ``{"a.b": 1}`` -> ``{"index.a.b": 1}`` (values as given)."""
    flat = {}
    for key, value in body.items():
        if isinstance(value, dict):
            flat.update(flatten(value, f'{prefix}{key}.'))  # an empty object sets nothing
        else:
            flat[f'{prefix}{key}'] = value
    if prefix:
        return flat
    return {(k if k.startswith('index.') else 'index.' + k): v for k, v in flat.items()}


def nest(flat):
    """The nested form Elasticsearch answers: ``{"index": {"number_of_shards": "1", ...}}``."""
    out = {}
    for key in sorted(flat):
        node = out
        parts = key.split('.')
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = flat[key]
    return out


def _check_value(key, value):
    short = key[len('index.'):]
    if value is None:
        return None
    text = _string(value)
    if short in _INTEGERS:
        try:
            number = int(text)
        except (TypeError, ValueError):
            raise es_errors.bad_request(f'Failed to parse value [{text}] for setting [{key}]') from None
        if number < (1 if short == 'number_of_shards' else 0):
            raise es_errors.bad_request(f'Failed to parse value [{text}] for setting [{key}] must be >= '
                                        f'{1 if short == "number_of_shards" else 0}')
    if short in _BOOLEANS and text not in ('true', 'false'):
        raise es_errors.bad_request(f'Failed to parse value [{text}] as only [true] or [false] are allowed.')
    return text


def _checked(body, private_error):
    if not isinstance(body, dict):
        raise es_errors.bad_request('settings must be an object')
    if set(body) == {'settings'} and isinstance(body['settings'], dict):
        body = body['settings']
    flat = flatten(body)
    out = {}
    for key, value in flat.items():
        found = kind(key)
        if found is None:
            raise es_errors.unsupported(f'index setting [{key}] (unknown to the stand-in)')
        if found == 'private':
            raise es_errors.bad_request(private_error(key))
        out[key] = _check_value(key, value)
    return out


def create(name, uuid, body):
    """The flat settings of a new index: what was given, the defaults, and the private settings."""
    given = _checked(body or {}, lambda key: f'private index setting [{key}] can not be set explicitly')
    settings = {'index.number_of_shards': '1', 'index.number_of_replicas': '1',
                'index.routing.allocation.include._tier_preference': 'data_content'}
    settings.update({k: v for k, v in given.items() if v is not None})
    settings.update({'index.uuid': uuid, 'index.provided_name': name, 'index.version.created': VERSION_CREATED,
                     'index.creation_date': str(int(time.time() * 1000))})
    return settings


def update(index_name, uuid, settings, body, closed):
    """The flat settings after ``PUT _settings``, or the error Elasticsearch 7.17 answers."""
    changes = _checked(body, lambda key: f'can not update private setting [{key}]; this setting is managed by '
                                         'Elasticsearch')
    if not closed:
        skipped = sorted(k for k in changes if kind(k) != 'dynamic')
        if skipped:
            raise es_errors.bad_request(f"Can't update non dynamic settings [[{', '.join(skipped)}]] for open "
                                        f'indices [[{index_name}/{uuid}]]')
    for key in changes:
        if kind(key) == 'final':
            raise es_errors.bad_request(f'final index setting [{key}], not updateable')
    out = dict(settings)
    for key, value in changes.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = value
    return out
