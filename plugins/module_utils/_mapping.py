# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""Collection mappings as data: check, read, merge, plan the write, summarise. No I/O.

For internal use of the community.kuzzle collection only: no compatibility promise.

A task's mapping is additive, the way Elasticsearch merges a mapping update and the way the
elasticstack Terraform provider manages index mappings: its fields must be present with the same
definition, and fields stored but not in the task are not a change. ``dynamic``, ``_meta`` and
``dynamic_templates`` are compared only when the task gives them (``_meta`` and the templates are
then replaced whole, as Elasticsearch does). Inside a field, only the parameters the task gives
are compared, multi-fields (``fields``) and object ``properties`` are subsets too.

Two forms:

* the **stored form** is what ``collection:getMapping`` answers (Elasticsearch's own form:
  parameters at their default left out, ``type: object`` only on objects without properties),
  without ``_kuzzle_info``. ``before`` and ``after`` are in it, so they decide ``changed``, the
  diff and the summary;
* the **desired form** is the task's mapping as given, checked (:func:`mapping_problems`) and
  coerced (:func:`desired_mapping`): it keeps which parameters the task states.

:func:`plan` merges the desired mapping into the stored one and lists what Elasticsearch would
refuse (a field's type, a parameter that cannot change on an existing field): such a task is
refused before any write. :func:`update_body` is the smallest ``mappings`` body that turns
``before`` into ``after``: each changed field is sent whole, with the parameters it already has,
because Elasticsearch resets a parameter left out of an update (or refuses the update).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

from ansible_collections.community.kuzzle.plugins.module_utils._report import plural

KUZZLE_META_FIELD = '_kuzzle_info'

# What Kuzzle accepts at the root of a mapping (lib/service/storage/7/elasticsearch.ts, _checkMappings:
# anything else is invalid_mapping). Inside an object field that has properties Kuzzle also refuses
# enabled, include_in_parent and include_in_root, which Elasticsearch takes.
ROOT_KEYS = ('properties', 'dynamic', '_meta', 'dynamic_templates')
DYNAMIC_VALUES = ('true', 'false', 'strict')
OBJECT_TYPES = ('object', 'nested')

# Elasticsearch 7.17's parameters of the common field types: (kind, default, updateable), where
# updateable is True, False or 'to_false' (norms can be turned off, never on again). A parameter
# at its default is not shown by getMapping; one that is not updateable cannot change on an
# existing field. Types and parameters not listed are compared as given, and only Elasticsearch
# can refuse them.
_INDEX = ('bool', True, False)
_DOC_VALUES = ('bool', True, False)
_STORE = ('bool', False, False)
_META = ('map', None, True)
_NULL_VALUE = ('any', None, False)
_NUMBER = {'index': _INDEX, 'doc_values': _DOC_VALUES, 'store': _STORE, 'coerce': ('bool', True, True),
           'ignore_malformed': ('bool', False, True), 'null_value': _NULL_VALUE, 'meta': _META}
_DATE = {'index': _INDEX, 'doc_values': _DOC_VALUES, 'store': _STORE, 'null_value': _NULL_VALUE,
         'format': ('str', 'strict_date_optional_time||epoch_millis', False),
         'ignore_malformed': ('bool', False, True), 'meta': _META}
PARAMETERS = {
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
_OBJECT_FLAGS = {'enabled': True, 'include_in_parent': False, 'include_in_root': False}
_KIND_WORDS = {'bool': 'true or false', 'int': 'an integer', 'map': 'a dict', 'str': 'a string'}

REINDEX_ADVICE = ('Elasticsearch cannot change this on an existing field: create a new collection with the new '
                  'mapping and reindex the documents into it')


# -- checks --------------------------------------------------------------------------------------
def _dynamic_problem(value, where):
    if isinstance(value, bool) or value in DYNAMIC_VALUES:
        return []
    return ['%s: dynamic must be true, false or "strict" (Kuzzle refuses %r)' % (where, value)]


def _field_problems(name, node, where, multi_field=False):
    if not name or not isinstance(name, str):
        return ['%s: field names must be non-empty strings' % where]
    path = '%s.%s' % (where, name)
    if name == 'dynamic' and isinstance(node, dict):
        return ['%s: Kuzzle cannot map a field named "dynamic" (it reads it as the dynamic setting)' % path]
    if not isinstance(node, dict):
        return ['%s must be a dict with a type (or properties, for an object)' % path]
    ftype = node.get('type')
    has_properties = node.get('properties') is not None
    if ftype is None and not has_properties and set(node) != {'enabled'}:
        return ['%s has no type (give a type, or properties for an object)' % path]
    if ftype is not None and not isinstance(ftype, str):
        return ['%s: type must be a string' % path]
    if multi_field and (has_properties or ftype in OBJECT_TYPES):
        return ['%s: a multi-field cannot be an object' % path]
    if has_properties or ftype in OBJECT_TYPES:
        return _object_problems(node, path, has_properties)
    problems = []
    fields = node.get('fields')
    if fields is not None:
        if not isinstance(fields, dict) or multi_field:
            problems.append('%s: fields must be a dict of multi-fields (on a field that is not itself one)' % path)
        else:
            for sub in fields:
                problems.extend(_field_problems(sub, fields[sub], path + '.fields', multi_field=True))
    table = PARAMETERS.get(ftype, {})
    for key in sorted(set(node) & set(table)):
        kind = table[key][0]
        if not _coercible(kind, node[key]):
            problems.append('%s: %s must be %s' % (path, key, _KIND_WORDS[kind]))
    return problems


def _object_problems(node, path, has_properties):
    problems = []
    if node.get('type') not in (None,) + OBJECT_TYPES:
        problems.append('%s: a field of type %s cannot have properties' % (path, node['type']))
    for key in sorted(node):
        if key in _OBJECT_FLAGS and has_properties:
            problems.append('%s: key "%s" is refused by Kuzzle next to properties' % (path, key))
        elif key not in ('type', 'properties', 'dynamic') and key not in _OBJECT_FLAGS:
            problems.append('%s: key "%s" is not a parameter of an object field' % (path, key))
    if 'dynamic' in node:
        problems.extend(_dynamic_problem(node['dynamic'], path))
    for key in ('enabled', 'include_in_parent', 'include_in_root'):
        if key in node and not _coercible('bool', node[key]):
            problems.append('%s: %s must be true or false' % (path, key))
    properties = node.get('properties')
    if has_properties:
        if not isinstance(properties, dict):
            problems.append('%s: properties must be a dict' % path)
        else:
            for name in properties:
                problems.extend(_field_problems(name, properties[name], path + '.properties'))
    return problems


def mapping_problems(mapping, where='mappings'):
    """Checks of a task's mapping for what Kuzzle or Elasticsearch would refuse to parse; a list of messages.

    Refusals that depend on the stored mapping (a field's type, a parameter that cannot change)
    come from :func:`plan`.
    """
    if not isinstance(mapping, dict):
        return ['%s must be a dict (dynamic, _meta, properties, dynamic_templates)' % where]
    problems = ['%s: key "%s" is not a mapping key (Kuzzle accepts %s)' % (where, key, ', '.join(ROOT_KEYS))
                for key in sorted(mapping) if key not in ROOT_KEYS]
    if 'dynamic' in mapping:
        problems.extend(_dynamic_problem(mapping['dynamic'], where))
    if '_meta' in mapping and not isinstance(mapping['_meta'], dict):
        problems.append('%s: _meta must be a dict' % where)
    if 'dynamic_templates' in mapping and not isinstance(mapping['dynamic_templates'], list):
        problems.append('%s: dynamic_templates must be a list' % where)
    properties = mapping.get('properties', {})
    if not isinstance(properties, dict):
        return problems + ['%s: properties must be a dict' % where]
    for name in properties:
        if name == KUZZLE_META_FIELD:
            problems.append('%s.properties: %s is Kuzzle\'s own field, not part of a task' % (where, name))
            continue
        problems.extend(_field_problems(name, properties[name], where + '.properties'))
    return problems


# -- the desired form ----------------------------------------------------------------------------
def _coercible(kind, value):
    try:
        _coerce(kind, value)
    except (TypeError, ValueError):
        return False
    return True


def _coerce(kind, value):
    """A parameter as Elasticsearch parses it ("true" is true, "256" is 256)."""
    if kind == 'bool':
        if isinstance(value, bool):
            return value
        if value in ('true', 'false'):
            return value == 'true'
        raise ValueError(value)
    if kind == 'int':
        if isinstance(value, bool):
            raise ValueError(value)
        return int(str(value))
    if kind == 'str':
        if isinstance(value, (dict, list)):
            raise TypeError(value)
        return value if value is None or isinstance(value, str) else str(value).lower() if isinstance(value, bool) else str(value)
    if kind == 'map' and value is not None and not isinstance(value, dict):
        raise TypeError(value)
    return copy.deepcopy(value)


def _dynamic(value):
    return ('true' if value else 'false') if isinstance(value, bool) else value


def _desired_field(node, multi_field=False):
    ftype = node.get('type') or 'object'
    if ftype in OBJECT_TYPES:
        field = {'type': ftype}
        for key, value in node.items():
            if key == 'properties':
                field['properties'] = _desired_properties(value)
            elif key == 'dynamic':
                field['dynamic'] = _dynamic(value)
            elif key in _OBJECT_FLAGS:
                field[key] = _coerce('bool', value)
            elif key != 'type':
                field[key] = copy.deepcopy(value)
        field.setdefault('properties', {})
        return field
    table = PARAMETERS.get(ftype, {})
    field = {}
    for key, value in node.items():
        if key == 'fields' and not multi_field:
            field['fields'] = dict((sub, _desired_field(spec, True)) for sub, spec in value.items())
        elif key == 'copy_to':
            field['copy_to'] = [value] if isinstance(value, str) else list(value)
        elif key in table:
            field[key] = _coerce(table[key][0], value)
        else:
            field[key] = copy.deepcopy(value)
    return field


def _desired_properties(properties):
    """Fields by name; ``a.b`` names become the object ``a`` with the property ``b``, as in Elasticsearch."""
    out = {}
    for name in properties:
        parts = name.split('.')
        field = _nest(parts, _desired_field(properties[name]))
        if parts[0] in out and _kind(out[parts[0]]) in OBJECT_TYPES and _kind(field) in OBJECT_TYPES:
            merged = dict(out[parts[0]], **dict((k, v) for k, v in field.items() if k != 'properties'))
            merged['properties'] = dict(out[parts[0]]['properties'], **field['properties'])
            field = merged
        out[parts[0]] = field
    return out


def _nest(parts, field):
    for depth in range(len(parts) - 1, 0, -1):
        field = {'type': 'object', 'properties': {parts[depth]: field}}
    return field


def desired_mapping(mapping):
    """The desired form of a task's mapping that passed :func:`mapping_problems`."""
    desired = {}
    for key, value in mapping.items():
        if key == 'properties':
            desired['properties'] = _desired_properties(value)
        elif key == 'dynamic':
            desired['dynamic'] = _dynamic(value)
        else:
            desired[key] = copy.deepcopy(value)
    return desired


def stored_mapping(result):
    """The stored form of a ``collection:getMapping`` result (with or without Kuzzle's meta field)."""
    stored = dict((key, copy.deepcopy(result[key])) for key in ('dynamic', '_meta', 'dynamic_templates')
                  if result.get(key) is not None)
    stored['properties'] = dict((name, copy.deepcopy(field)) for name, field in (result.get('properties') or {}).items()
                                if name != KUZZLE_META_FIELD)
    return stored


# -- the stored form of a field ------------------------------------------------------------------
def _kind(field):
    return field.get('type', 'object')


def _render(field):
    """The stored form of a field in either form: defaults left out, as Elasticsearch shows it."""
    kind = _kind(field)
    if kind in OBJECT_TYPES:
        out = {}
        properties = dict((name, _render(sub)) for name, sub in (field.get('properties') or {}).items())
        if kind == 'nested' or not properties:
            out['type'] = kind
        for key, default in sorted(_OBJECT_FLAGS.items()):
            if key in field and field[key] != default and (key == 'enabled' or kind == 'nested'):
                out[key] = field[key]
        for key in field:
            if key not in ('type', 'properties') and key not in _OBJECT_FLAGS:
                out[key] = copy.deepcopy(field[key])
        if properties:
            out['properties'] = properties
        return out
    table = PARAMETERS.get(kind)
    out = {}
    for key, value in field.items():
        if key == 'fields':
            if value:
                out['fields'] = dict((name, _render(sub)) for name, sub in value.items())
        elif key == 'copy_to':
            if value:
                out['copy_to'] = list(value)
        elif table is None or key not in table:
            out[key] = copy.deepcopy(value)
        elif value != table[key][1] and not (table[key][0] == 'map' and not value):
            out[key] = copy.deepcopy(value)
    if table is not None:  # search analyzers default to the analyzer they follow
        analyzer = out.get('analyzer', 'default')
        if out.get('search_analyzer') == analyzer:
            del out['search_analyzer']
        if out.get('search_quote_analyzer') == out.get('search_analyzer', analyzer):
            del out['search_quote_analyzer']
    return out


def _value(field, key):
    """A stored field's parameter, its default when Elasticsearch does not show it."""
    if key in field:
        return field[key]
    kind = _kind(field)
    if kind in OBJECT_TYPES:
        return _OBJECT_FLAGS.get(key)
    table = PARAMETERS.get(kind, {})
    return table[key][1] if key in table else None


def _can_change(kind, key, current, wanted):
    table = PARAMETERS.get(kind)
    if table is None or key not in table:
        return True  # not known here: Elasticsearch decides
    updateable = table[key][2]
    return updateable is True or (updateable == 'to_false' and current and not wanted)


# -- merging -------------------------------------------------------------------------------------
def _merge_field(stored, desired, path, refusals):
    old_kind, new_kind = _kind(stored), desired.get('type', 'object')
    if old_kind != new_kind:
        refusals.append('field %s is stored as %s and the task asks %s: %s' % (path, old_kind, new_kind, REINDEX_ADVICE))
        return stored
    merged = dict(stored)
    if new_kind in OBJECT_TYPES:
        for key in _OBJECT_FLAGS:
            if key in desired and desired[key] != _value(stored, key):
                refusals.append('field %s: %s is %s and the task asks %s: %s' % (
                    path, key, _text(_value(stored, key)), _text(desired[key]), REINDEX_ADVICE))
        for key in desired:
            if key not in ('type', 'properties') and key not in _OBJECT_FLAGS:
                merged[key] = copy.deepcopy(desired[key])
        merged['properties'] = _merge_properties(stored.get('properties') or {}, desired.get('properties') or {},
                                                 path + '.', refusals)
        flags = sorted(key for key in ('include_in_parent', 'include_in_root') if stored.get(key))
        if flags and merged['properties'] != (stored.get('properties') or {}):
            # Elasticsearch wants the flags in the update, and Kuzzle refuses them next to properties
            refusals.append('field %s: Kuzzle cannot add or change properties of a nested field with %s' % (
                path, ' and '.join(flags)))
        if new_kind == 'object' and merged['properties']:
            merged.pop('type', None)
        return _render(merged)
    for key, value in desired.items():
        if key in ('type', 'fields', 'copy_to'):
            continue
        current = _value(stored, key)
        if value != current:
            if _can_change(old_kind, key, current, value):
                merged[key] = copy.deepcopy(value)
            else:
                refusals.append('field %s: %s is %s and the task asks %s: %s' % (
                    path, key, _text(current), _text(value), REINDEX_ADVICE))
    if 'copy_to' in desired:
        merged['copy_to'] = list(desired['copy_to'])
    if desired.get('fields'):
        subs = dict(stored.get('fields') or {})
        for name in sorted(desired['fields']):
            sub = desired['fields'][name]
            subs[name] = _merge_field(subs[name], sub, '%s.%s' % (path, name), refusals) if name in subs else _render(sub)
        merged['fields'] = subs
    return _render(merged)


def _merge_properties(stored, desired, prefix, refusals):
    merged = dict(stored)
    for name in sorted(desired):
        if name in stored:
            merged[name] = _merge_field(stored[name], desired[name], prefix + name, refusals)
        else:
            merged[name] = _render(desired[name])
    return merged


def _text(value):
    if isinstance(value, bool):
        return 'true' if value else 'false'
    return 'unset' if value is None else '%s' % (value,)


def plan(before, desired):
    """``(after, refusals)``: the stored form after merging ``desired`` into ``before`` (stored
    form, ``{}`` for a new collection), and a message for each change Elasticsearch would refuse.

    With refusals, nothing may be written; ``after`` then keeps the refused fields as stored.
    """
    refusals = []
    after = copy.deepcopy(before) if before else {}
    for key in ('dynamic', '_meta', 'dynamic_templates'):
        if key in desired:
            after[key] = copy.deepcopy(desired[key])
    after['properties'] = _merge_properties((before or {}).get('properties') or {}, desired.get('properties') or {},
                                            '', refusals)
    return after, refusals


# -- writing -------------------------------------------------------------------------------------
def _field_update(before, after):
    """What to send for one field that differs: objects only their changed properties, a leaf whole."""
    if before is None or _kind(after) not in OBJECT_TYPES:
        return copy.deepcopy(after)
    update = {'type': _kind(after)}  # a field given without type nor properties is refused
    for key in after:
        flag = key in ('include_in_parent', 'include_in_root')
        if key not in ('type', 'properties') and (flag or after[key] != before.get(key)):
            update[key] = copy.deepcopy(after[key])
    changed = _properties_update(before.get('properties') or {}, after.get('properties') or {})
    if changed:
        update['properties'] = changed
    return update


def _properties_update(before, after):
    return dict((name, _field_update(before.get(name), after[name])) for name in sorted(after)
                if before.get(name) != after[name])


def update_body(before, after):
    """The ``mappings`` to send so that ``before`` becomes ``after`` (stored forms); None when equal.

    Unchanged fields are left out; a changed leaf field is sent with every parameter ``after``
    gives it, and a nested object with its include flags, so that nothing the task does not
    name is reset.
    """
    body = dict((key, copy.deepcopy(after[key])) for key in ('dynamic', '_meta', 'dynamic_templates')
                if key in after and after.get(key) != (before or {}).get(key))
    properties = _properties_update((before or {}).get('properties') or {}, after.get('properties') or {})
    if properties:
        body['properties'] = properties
    return body or None


# -- summary -------------------------------------------------------------------------------------
def _field_phrases(before, after, prefix):
    phrases = []
    added = sorted(name for name in after if name not in before)
    if added:
        phrases.append('%s added' % plural('field', [prefix + name for name in added]))
    for name in sorted(set(before) & set(after)):
        old, new = before[name], after[name]
        if old == new:
            continue
        path = prefix + name
        if _kind(new) in OBJECT_TYPES:
            for key in sorted(set(old) | set(new)):
                if key not in ('properties', 'type') and old.get(key) != new.get(key):
                    phrases.append('%s %s: %s -> %s' % (path, key, _text(old.get(key)), _text(new.get(key))))
            phrases.extend(_field_phrases(old.get('properties') or {}, new.get('properties') or {}, path + '.'))
            continue
        subs_old, subs_new = old.get('fields') or {}, new.get('fields') or {}
        new_subs = sorted(sub for sub in subs_new if sub not in subs_old)
        if new_subs:
            phrases.append('field %s: %s added' % (path, plural('multi-field', new_subs)))
        changed = sorted(key for key in set(old) | set(new) if key != 'fields' and old.get(key) != new.get(key))
        changed += sorted('fields.%s' % sub for sub in subs_old if sub in subs_new and subs_old[sub] != subs_new[sub])
        if changed:
            phrases.append('field %s: %s changed' % (path, ', '.join(changed)))
    return phrases


def changes(before, after):
    """Plain-language changes from ``before`` to ``after`` (stored forms of one mapping); [] when equal."""
    before = before or {}
    phrases = _field_phrases(before.get('properties') or {}, after.get('properties') or {}, '')
    for key in ('dynamic', 'dynamic_templates', '_meta'):
        if key in after and after[key] != before.get(key):
            phrases.append('dynamic %s -> %s' % (_text(before.get(key)), after[key]) if key == 'dynamic' else '%s replaced' % key)
    return phrases
