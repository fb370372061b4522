"""Elasticsearch 7.17's mapping rules for the stand-in: parse a mapping, merge an update, render it.

Stored mappings are kept in the form ``GET _mapping`` answers: parameters left at their default
are not shown, an object shows ``type: object`` only when it has no properties, ``dynamic`` is
a string, multi-fields and ``copy_to`` as lists. An update (``PUT _mapping``) is parsed keeping
what it states explicitly, then merged the way Elasticsearch merges it:

* objects merge: properties the update does not name stay; ``dynamic`` changes only when
  given; ``enabled`` cannot change; object and nested cannot turn into each other;
* a leaf field's type cannot change (``mapper [x] cannot be changed from type [a] to [b]``);
  its other parameters take the update's value, or the default when the update omits them:
  updateable ones change, the others must be equal or the whole update is refused
  (``Mapper for [x] conflicts with existing mapper``); multi-fields merge like properties;
  ``copy_to`` is replaced;
* ``_meta`` and the other root settings are replaced when given.

Nothing is applied when any field is refused. Field types and parameters outside the tables
below are refused with the stand-in's "not supported" error, never accepted blindly.
"""

import copy

import es_errors

# A parameter: (kind, default, updateable); updateable is True, False or 'to_false' (norms).
_INDEX = ('bool', True, False)
_DOC_VALUES = ('bool', True, False)
_STORE = ('bool', False, False)
_META = ('meta', None, True)
_NULL_VALUE = ('any', None, False)
_NUMBER = {'index': _INDEX, 'doc_values': _DOC_VALUES, 'store': _STORE, 'coerce': ('bool', True, True),
           'ignore_malformed': ('bool', False, True), 'null_value': _NULL_VALUE, 'meta': _META}
_DATE = {'index': _INDEX, 'doc_values': _DOC_VALUES, 'store': _STORE, 'null_value': _NULL_VALUE,
         'format': ('str', 'strict_date_optional_time||epoch_millis', False),
         'ignore_malformed': ('bool', False, True), 'meta': _META}

FIELD_TYPES = {
    'keyword': {'index': _INDEX, 'doc_values': _DOC_VALUES, 'store': _STORE, 'null_value': ('str', None, False),
                'eager_global_ordinals': ('bool', False, True), 'ignore_above': ('int', 2147483647, True),
                'index_options': ('str', 'docs', False), 'norms': ('bool', False, 'to_false'),
                'similarity': ('str', None, False), 'normalizer': ('str', None, False),
                'split_queries_on_whitespace': ('bool', False, True), 'meta': _META},
    'text': {'analyzer': ('str', 'default', False), 'search_analyzer': ('str', None, True),
             'search_quote_analyzer': ('str', None, True), 'index': _INDEX, 'store': _STORE,
             'index_options': ('str', 'positions', False), 'norms': ('bool', True, 'to_false'),
             'term_vector': ('str', 'no', False), 'fielddata': ('bool', False, True),
             'fielddata_frequency_filter': ('map', None, True), 'eager_global_ordinals': ('bool', False, True),
             'index_phrases': ('bool', False, False), 'index_prefixes': ('map', None, False),
             'position_increment_gap': ('int', 100, False), 'similarity': ('str', None, False), 'meta': _META},
    'long': _NUMBER, 'integer': _NUMBER, 'short': _NUMBER, 'byte': _NUMBER,
    'double': _NUMBER, 'float': _NUMBER, 'half_float': _NUMBER,
    'date': _DATE, 'date_nanos': _DATE,
    'boolean': {'index': _INDEX, 'doc_values': _DOC_VALUES, 'store': _STORE, 'null_value': ('bool', None, False),
                'meta': _META},
    'ip': {'index': _INDEX, 'doc_values': _DOC_VALUES, 'store': _STORE, 'null_value': ('str', None, False),
           'ignore_malformed': ('bool', False, True), 'meta': _META},
    'geo_point': {'index': _INDEX, 'doc_values': _DOC_VALUES, 'store': _STORE, 'null_value': _NULL_VALUE,
                  'ignore_malformed': ('bool', False, True), 'ignore_z_value': ('bool', True, True), 'meta': _META},
    'binary': {'doc_values': ('bool', False, False), 'store': _STORE, 'meta': _META},
}

# Real Elasticsearch 7.17 types the stand-in does not model: refused as "not supported", where an
# unknown type gets Elasticsearch's own "No handler for type" error.
_UNMODELLED_TYPES = {
    'scaled_float', 'unsigned_long', 'constant_keyword', 'wildcard', 'match_only_text', 'flattened',
    'geo_shape', 'point', 'shape', 'completion', 'search_as_you_type', 'token_count', 'alias', 'join',
    'percolator', 'rank_feature', 'rank_features', 'dense_vector', 'histogram', 'version',
    'aggregate_metric_double', 'integer_range', 'long_range', 'float_range', 'double_range', 'date_range',
    'ip_range', 'annotated_text', 'murmur3', 'runtime',
}
_OBJECT_KEYS = {'type', 'properties', 'dynamic', 'enabled'}
_NESTED_KEYS = _OBJECT_KEYS | {'include_in_parent', 'include_in_root'}
_ROOT_REPLACED = ('_meta', 'dynamic', 'dynamic_templates', 'date_detection', 'numeric_detection',
                  'dynamic_date_formats')


def _java(value):
    """How Java's toString shows a parsed value in Elasticsearch's messages."""
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if value is None:
        return 'null'
    if isinstance(value, dict):
        return '{' + ', '.join(f'{k}={_java(v)}' for k, v in value.items()) + '}'
    if isinstance(value, list):
        return '[' + ', '.join(_java(v) for v in value) + ']'
    return str(value)


def _unsupported_keys(name, node):
    remaining = ''.join(f' [{key} : {_java(value)}]' for key, value in node.items())
    return es_errors.mapper_parsing(f'Mapping definition for [{name}] has unsupported parameters: {remaining}')


def _parse_bool(value):
    if isinstance(value, bool):
        return value
    if value in ('true', 'false'):
        return value == 'true'
    raise es_errors.mapper_parsing(f'Failed to parse value [{_java(value)}] as only [true] or [false] are allowed.')


def _parse_dynamic(value, path):
    if isinstance(value, str) and value.lower() in ('strict', 'runtime'):
        return value.lower()
    if isinstance(value, bool) or value in ('true', 'false'):
        return 'true' if value in (True, 'true') else 'false'
    raise es_errors.bad_request(f'Could not convert [{path}dynamic] to boolean')


def _parse_param(kind, value):
    if kind == 'bool':
        return _parse_bool(value)
    if kind == 'int':
        try:
            return int(str(value))
        except ValueError:
            raise es_errors.error(400, 'number_format_exception', f'For input string: "{value}"') from None
    if kind == 'str':
        return value if value is None else _java(value)
    if kind in ('map', 'meta') and not isinstance(value, dict):
        raise es_errors.mapper_parsing(f'[{kind}] must be an object')
    return copy.deepcopy(value)


# -- parsing: what an update states explicitly ---------------------------------------------------
def parse(body):
    """A root mapping as given (``PUT`` of an index or of ``_mapping``), checked and coerced."""
    if not isinstance(body, dict):
        raise es_errors.mapper_parsing('mapping must be an object')
    out = {}
    for key, value in body.items():
        if key == 'properties':
            out[key] = _parse_properties(value, '')
        elif key == 'dynamic':
            out[key] = _parse_dynamic(value, '')
        elif key == '_meta':
            if not isinstance(value, dict):
                raise es_errors.mapper_parsing('[_meta] must be an object, got ' + type(value).__name__)
            out[key] = copy.deepcopy(value)
        elif key in _ROOT_REPLACED:
            out[key] = copy.deepcopy(value)
        else:
            raise es_errors.unsupported(f'root mapping parameter [{key}]')
    return out


def _parse_properties(props, prefix):
    if isinstance(props, list) and not props:
        return {}  # Elasticsearch accepts an empty list for empty properties
    if not isinstance(props, dict):
        raise es_errors.mapper_parsing(f'Expected map for property [properties] on field [{prefix.rstrip(".")}]')
    out = {}
    for name, node in props.items():
        parts = name.split('.')
        field = _parse_field(parts[-1], node, prefix + name)
        for depth in range(len(parts) - 2, -1, -1):  # "a.b" is the object a with the property b
            field = {'type': 'object', 'properties': {parts[depth + 1]: field}}
        if parts[0] in out:
            field = _merge_field(out[parts[0]], field, prefix + parts[0], explicit=True)
        out[parts[0]] = field
    return out


def _parse_field(name, node, path):
    if not isinstance(node, dict):
        raise es_errors.mapper_parsing(f'Expected map for property [fields] on field [{name}] but got a class '
                                       f'java.lang.{"String" if isinstance(node, str) else type(node).__name__}')
    node = dict(node)
    ftype = node.get('type')
    if ftype is None:
        if node.get('properties') is not None or set(node) == {'enabled'}:
            ftype = 'object'
        else:
            raise es_errors.mapper_parsing(f'No type specified for field [{name}]')
    if ftype in ('object', 'nested'):
        return _parse_object(name, node, path, ftype)
    if ftype in FIELD_TYPES:
        return _parse_leaf(name, node, path, ftype)
    if ftype in _UNMODELLED_TYPES:
        raise es_errors.unsupported(f'field type [{ftype}] (field [{path}])')
    raise es_errors.mapper_parsing(f'No handler for type [{_java(ftype)}] declared on field [{name}]')


def _parse_object(name, node, path, ftype):
    extra = {k: v for k, v in node.items() if k not in (_NESTED_KEYS if ftype == 'nested' else _OBJECT_KEYS)}
    if extra:
        raise _unsupported_keys(name, extra)
    out = {'type': ftype}
    for key, value in node.items():
        if key == 'properties':
            out[key] = _parse_properties(value, path + '.')
        elif key == 'dynamic':
            out[key] = _parse_dynamic(value, path + '.')
        elif key != 'type':
            out[key] = _parse_bool(value)
    return out


def _parse_leaf(name, node, path, ftype, multi_field=False):
    table = FIELD_TYPES[ftype]
    out = {'type': ftype}
    for key, value in node.items():
        if key == 'type':
            continue
        if key == 'fields' and not multi_field:
            if not isinstance(value, dict):
                raise es_errors.mapper_parsing(f'Expected map for property [fields] on field [{name}]')
            out[key] = {sub: _parse_multi_field(sub, spec, f'{path}.{sub}') for sub, spec in value.items()}
        elif key == 'copy_to':
            out[key] = [value] if isinstance(value, str) else [str(v) for v in value]
        elif key in table:
            out[key] = _parse_param(table[key][0], value)
        else:
            raise es_errors.unsupported(f'parameter [{key}] of field type [{ftype}] (field [{path}])')
    return out


def _parse_multi_field(name, node, path):
    ftype = node.get('type') if isinstance(node, dict) else None
    if ftype in ('object', 'nested') or (isinstance(node, dict) and 'properties' in node):
        raise es_errors.mapper_parsing(f'Type [{ftype or "object"}] cannot be used in multi field')
    if ftype in FIELD_TYPES:
        return _parse_leaf(name, node, path, ftype, multi_field=True)
    return _parse_field(name, node, path)


# -- rendering: what GET _mapping shows ----------------------------------------------------------
def render(mapping):
    """The stored form of a parsed mapping (as a freshly created index shows it)."""
    return merge({}, mapping)


def _render_field(field):
    kind = field['type']
    if kind in ('object', 'nested'):
        out = {}
        props = {name: _render_field(f) for name, f in field.get('properties', {}).items()}
        if kind == 'nested':
            out['type'] = 'nested'
            for key in ('include_in_parent', 'include_in_root'):
                if field.get(key):
                    out[key] = True
        elif not props:
            out['type'] = 'object'
        if 'dynamic' in field:
            out['dynamic'] = field['dynamic']
        if field.get('enabled') is False:
            out['enabled'] = False
        if props:
            out['properties'] = props
        return out
    return _render_leaf(field)


def _render_leaf(field):
    table = FIELD_TYPES[field['type']]
    out = {'type': field['type']}
    for key, (_kind, default, _updateable) in table.items():
        value = field.get(key, default)
        if value != default and not (key == 'meta' and not value):
            out[key] = copy.deepcopy(value)
    # search analyzers default to the analyzer they follow, and are then not shown
    analyzer = out.get('analyzer', 'default')
    if out.get('search_analyzer') == analyzer:
        del out['search_analyzer']
    if out.get('search_quote_analyzer') == out.get('search_analyzer', analyzer):
        del out['search_quote_analyzer']
    if field.get('fields'):
        out['fields'] = {name: _render_leaf(sub) for name, sub in field['fields'].items()}
    if field.get('copy_to'):
        out['copy_to'] = list(field['copy_to'])
    return out


# -- merging: PUT _mapping ------------------------------------------------------------------------
def merge(stored, update):
    """The stored mapping after ``update`` (a parsed mapping), or the error Elasticsearch gives."""
    out = copy.deepcopy(stored)
    for key in _ROOT_REPLACED:
        if key in update:
            out[key] = copy.deepcopy(update[key])
    if 'properties' in update:
        props = _merge_properties(stored.get('properties', {}), update['properties'], '')
        if props:
            out['properties'] = props
    return out


def _kind(field):
    return field.get('type', 'object')


def _merge_properties(stored, update, prefix, explicit=False):
    out = dict(stored)
    for name in sorted(update):
        new = update[name]
        if name not in stored:
            out[name] = new if explicit else _render_field(new)
        else:
            out[name] = _merge_field(stored[name], new, prefix + name, explicit)
    return out


def _merge_field(stored, new, path, explicit):
    old_kind, new_kind = _kind(stored), new['type']
    old_object, new_object = old_kind in ('object', 'nested'), new_kind in ('object', 'nested')
    if old_object != new_object:
        raise es_errors.bad_request(f"can't merge a non object mapping [{path}] with an object mapping")
    if old_object:
        if old_kind != new_kind:
            raise es_errors.bad_request(
                f"can't merge a nested mapping [{path}] with a non-nested mapping" if new_kind == 'nested'
                else f"can't merge a non nested mapping [{path}] with a nested mapping")
        return _merge_object(stored, new, path, explicit)
    if old_kind != new_kind:
        raise es_errors.bad_request(f'mapper [{path}] cannot be changed from type [{old_kind}] to [{new_kind}]')
    if explicit:  # two definitions of one field inside a single body ("a.b" next to "a"): the last wins
        return new
    return _merge_leaf(stored, new, path)


def _merge_object(stored, new, path, explicit):
    out = dict(stored)
    if explicit:
        out.update({k: v for k, v in new.items() if k != 'properties'})
    else:
        if 'enabled' in new and new['enabled'] != stored.get('enabled', True):
            raise es_errors.mapper_error(f"the [enabled] parameter can't be updated for the object mapping [{path}]")
        for key in ('include_in_parent', 'include_in_root'):
            if new['type'] == 'nested' and bool(new.get(key)) != bool(stored.get(key)):
                raise es_errors.mapper_error(f"the [{key}] parameter can't be updated on a nested object mapping")
        if 'dynamic' in new:
            out['dynamic'] = new['dynamic']
    props = _merge_properties(stored.get('properties', {}), new.get('properties', {}), path + '.', explicit)
    if props:
        out['properties'] = props
        if out.get('type') == 'object' and not explicit:
            del out['type']
    return out


def _merge_leaf(stored, new, path):
    table = FIELD_TYPES[new['type']]
    merged = {'type': new['type']}
    conflicts = []
    for key, (_kind_name, default, updateable) in table.items():
        current, wanted = stored.get(key, default), new.get(key, default)
        if key == 'meta':
            current, wanted = current or None, wanted or None
        if current == wanted or updateable is True or (updateable == 'to_false' and current and not wanted):
            merged[key] = wanted
        else:
            conflicts.append(f'Cannot update parameter [{key}] from [{_java(current)}] to [{_java(wanted)}]')
    # Multi-fields merge like properties; a sub-field's type cannot change either.
    subs = dict(stored.get('fields', {}))
    for name in sorted(new.get('fields', {})):
        sub = new['fields'][name]
        subs[name] = _merge_leaf_checked(subs[name], sub, f'{path}.{name}') if name in subs else _render_leaf(sub)
    if conflicts:
        raise es_errors.bad_request(f'Mapper for [{path}] conflicts with existing mapper:\n\t' + '\n\t'.join(conflicts))
    merged['fields'] = subs
    merged['copy_to'] = new.get('copy_to', [])
    return _render_leaf(merged)


def _merge_leaf_checked(stored, new, path):
    if _kind(stored) != new['type']:
        raise es_errors.bad_request(f'mapper [{path}] cannot be changed from type [{_kind(stored)}] to [{new["type"]}]')
    return _merge_leaf(stored, new, path)
