"""The subset of the Elasticsearch 7 query DSL that the stand-in evaluates.

A query is compiled once into a predicate ``f(doc_id, source) -> bool`` so a search costs one
call per document. Field values are read like Elasticsearch reads them: a path such as
``policies.roleId`` walks through arrays of objects and yields every value found, and a
document matches a term query when any of those values is equal. There is no text analysis:
``match`` is an equality test, as on a ``keyword`` field.
"""

import fnmatch
import re


class QueryError(Exception):
    """A query the stand-in cannot evaluate; answered as an ES ``parsing_exception``."""


_MISSING = object()


def field_values(source, path):
    """Every value at ``path`` in ``source``, arrays flattened (ES's multi-value semantics)."""
    out = []
    _collect(source, path.split('.'), out)
    return out


def _collect(node, parts, out):
    if isinstance(node, list):
        for item in node:
            _collect(item, parts, out)
        return
    if not parts:
        if node is not None:
            out.append(node)
        return
    if not isinstance(node, dict):
        return
    # A key may itself contain dots ({"a.b": 1}); ES treats both spellings alike.
    for cut in range(len(parts), 0, -1):
        key = '.'.join(parts[:cut])
        if key in node:
            _collect(node[key], parts[cut:], out)


def _norm(value):
    """A comparable form: ES compares a term with the field's indexed form, "5" equals 5."""
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value) if isinstance(value, (int, float)) else value


def _single_field(clause, name):
    """Split ``{field: spec}`` (ignoring ES options such as boost) into (field, spec)."""
    if not isinstance(clause, dict):
        raise QueryError(f'[{name}] query malformed, no start_object after query name')
    fields = [key for key in clause if key not in ('boost', '_name')]
    if len(fields) != 1:
        raise QueryError(f'[{name}] query doesn\'t support multiple fields, found {sorted(fields)}')
    return fields[0], clause[fields[0]]


def _value_of(spec, *keys):
    """The operand of ``{field: operand}`` or ``{field: {"value": operand, ...}}``."""
    if not isinstance(spec, dict):
        return spec
    for key in keys or ('value', 'query'):
        if key in spec:
            return spec[key]
    return _MISSING


def _field_pred(field, test):
    """Predicate true when ``test`` holds for one value of ``field`` (``_id`` included)."""
    if field == '_id':
        return lambda doc_id, source: test(doc_id)
    return lambda doc_id, source: any(test(v) for v in field_values(source, field))


def _term(clause, name='term'):
    field, spec = _single_field(clause, name)
    wanted = _value_of(spec)
    if wanted is _MISSING:
        raise QueryError(f'[{name}] query does not support [{field}] without a value')
    wanted = _norm(wanted)
    return _field_pred(field, lambda v: _norm(v) == wanted)


def _terms(clause):
    field, values = _single_field(clause, 'terms')
    if not isinstance(values, list):
        raise QueryError('[terms] query does not support a lookup here (stand-in)')
    wanted = {_norm(v) for v in values if not isinstance(v, (dict, list))}
    return _field_pred(field, lambda v: not isinstance(v, (dict, list)) and _norm(v) in wanted)


def _ids(clause):
    wanted = {str(v) for v in clause.get('values', [])}
    return lambda doc_id, source: doc_id in wanted


def _exists(clause):
    field = clause.get('field')
    if not isinstance(field, str):
        raise QueryError('[exists] must be provided with a [field]')

    def present(value):
        return value != {} and value != []
    return _field_pred(field, present)


def _prefix(clause):
    field, spec = _single_field(clause, 'prefix')
    start = str(_value_of(spec))
    return _field_pred(field, lambda v: isinstance(v, str) and v.startswith(start))


def _wildcard(clause):
    field, spec = _single_field(clause, 'wildcard')
    pattern = re.compile(fnmatch.translate(str(_value_of(spec, 'value', 'wildcard'))))
    return _field_pred(field, lambda v: isinstance(v, str) and pattern.match(v) is not None)


def _regexp(clause):
    field, spec = _single_field(clause, 'regexp')
    try:
        pattern = re.compile(str(_value_of(spec)))
    except re.error as exc:
        raise QueryError(f'[regexp] invalid pattern: {exc}') from exc
    # Lucene regular expressions are anchored at both ends.
    return _field_pred(field, lambda v: isinstance(v, str) and pattern.fullmatch(v) is not None)


_RANGE_OPS = {
    'gt': lambda a, b: a > b, 'gte': lambda a, b: a >= b,
    'lt': lambda a, b: a < b, 'lte': lambda a, b: a <= b,
}


def _comparable(a, b):
    numbers = (int, float)
    if isinstance(a, bool) or isinstance(b, bool):
        return False
    return (isinstance(a, numbers) and isinstance(b, numbers)) or (isinstance(a, str) and isinstance(b, str))


def _range(clause):
    field, spec = _single_field(clause, 'range')
    if not isinstance(spec, dict):
        raise QueryError('[range] query malformed')
    bounds = [(_RANGE_OPS[op], bound) for op, bound in spec.items() if op in _RANGE_OPS and bound is not None]

    def within(value):
        return all(_comparable(value, bound) and op(value, bound) for op, bound in bounds)
    return _field_pred(field, within)


def _as_list(clauses):
    if clauses is None:
        return []
    return clauses if isinstance(clauses, list) else [clauses]


def _bool(clause):
    if not isinstance(clause, dict):
        raise QueryError('[bool] query malformed')
    required = [compile_query(q) for q in _as_list(clause.get('must')) + _as_list(clause.get('filter'))]
    excluded = [compile_query(q) for q in _as_list(clause.get('must_not'))]
    optional = [compile_query(q) for q in _as_list(clause.get('should'))]
    minimum = clause.get('minimum_should_match', 0 if required else 1)
    try:
        minimum = int(minimum)
    except (TypeError, ValueError) as exc:
        raise QueryError('[bool] minimum_should_match: only integers are supported (stand-in)') from exc
    if not optional:
        minimum = 0

    def pred(doc_id, source):
        if not all(p(doc_id, source) for p in required):
            return False
        if any(p(doc_id, source) for p in excluded):
            return False
        if minimum <= 0:
            return True
        return sum(1 for p in optional if p(doc_id, source)) >= minimum
    return pred


def _constant_score(clause):
    return compile_query(clause.get('filter', {'match_all': {}}) if isinstance(clause, dict) else None)


_COMPILERS = {
    'match_all': lambda clause: lambda doc_id, source: True,
    'match_none': lambda clause: lambda doc_id, source: False,
    'term': _term,
    'match': lambda clause: _term(clause, 'match'),
    'terms': _terms,
    'ids': _ids,
    'exists': _exists,
    'prefix': _prefix,
    'wildcard': _wildcard,
    'regexp': _regexp,
    'range': _range,
    'bool': _bool,
    'constant_score': _constant_score,
}


def compile_query(query):
    """Compile an ES query object into a predicate; raise QueryError when out of scope."""
    if query is None or query == {}:
        return _COMPILERS['match_all'](None)
    if not isinstance(query, dict) or len(query) != 1:
        raise QueryError('query malformed, must start with start_object and hold exactly one query')
    name, clause = next(iter(query.items()))
    compiler = _COMPILERS.get(name)
    if compiler is None:
        raise QueryError(f'unknown query [{name}] (the Elasticsearch stand-in supports: {", ".join(sorted(_COMPILERS))})')
    return compiler(clause)
