"""Search helpers of the Elasticsearch stand-in: body checks, sorting, paging and scrolls."""

import re
import secrets
import time

import es_errors
from es_query import QueryError, compile_query, field_values

MAX_RESULT_WINDOW = 10000  # index.max_result_window default

# Keys of a search body that the stand-in honours or can safely ignore (they do not change
# which documents match or in what order).
_SEARCH_KEYS = {'query', 'from', 'size', 'sort', 'search_after', 'track_total_hits', '_source', 'timeout',
                'version', 'seq_no_primary_term', 'stored_fields', 'explain', 'min_score'}

_UNITS = {'nanos': 1e-9, 'micros': 1e-6, 'ms': 1e-3, 's': 1, 'm': 60, 'h': 3600, 'd': 86400}


def parse_duration(text):
    """Seconds in an ES time value such as ``5s``, ``1m`` or ``30000ms``."""
    match = re.fullmatch(r'(\d+)(nanos|micros|ms|s|m|h|d)', str(text).strip())
    if not match:
        raise es_errors.bad_request(f'failed to parse setting [scroll] with value [{text}] as a time value')
    return int(match.group(1)) * _UNITS[match.group(2)]


def predicate(body):
    """The compiled query of a search, count or delete-by-query body."""
    for key in body:
        if key not in _SEARCH_KEYS:
            raise es_errors.unsupported(f'search body key [{key}]')
    try:
        return compile_query(body.get('query'))
    except QueryError as exc:
        raise es_errors.parsing(str(exc)) from exc


def window(body, params):
    """(from, size) of a search, read from the URL first like Elasticsearch does."""
    try:
        start = int(params.get('from', body.get('from', 0)))
        size = int(params.get('size', body.get('size', 10)))
    except (TypeError, ValueError) as exc:
        raise es_errors.bad_request('[from] and [size] must be integers') from exc
    if start < 0 or size < 0:
        raise es_errors.bad_request('[from] and [size] must be positive')
    if start + size > MAX_RESULT_WINDOW:
        raise es_errors.bad_request(
            f'Result window is too large, from + size must be less than or equal to: [{MAX_RESULT_WINDOW}] '
            f'but was [{start + size}].', 'illegal_argument_exception')
    return start, size


def _sort_specs(sort):
    specs = []
    for item in sort if isinstance(sort, list) else [sort]:
        if isinstance(item, str):
            specs.append((item, 'desc' if item == '_score' else 'asc'))
        elif isinstance(item, dict) and len(item) == 1:
            field, opts = next(iter(item.items()))
            order = opts.get('order', 'asc') if isinstance(opts, dict) else opts
            specs.append((field, str(order).lower()))
        else:
            raise es_errors.parsing('malformed sort')
    return specs


def _key(hit, field, order):
    """Sort key for one field: ES picks the min (asc) or max (desc) of a multi-valued field."""
    _index, doc_id, source = hit
    if field == '_id':
        values = [doc_id]
    else:
        values = [v for v in field_values(source, field) if isinstance(v, (str, int, float)) and not isinstance(v, bool)]
    if not values:
        return (1, 0, '')  # missing values sort last either way
    value = min(values, key=_typed) if order == 'asc' else max(values, key=_typed)
    return (0,) + _typed(value)


def _typed(value):
    return (0, value, '') if isinstance(value, (int, float)) else (1, 0, value)


def sort_hits(hits, sort):
    """Sort ``hits`` (index, id, source) in place; ``_score``/``_doc`` keep insertion order."""
    for field, order in reversed(_sort_specs(sort)):
        if field in ('_score', '_doc'):
            continue
        present = [h for h in hits if _key(h, field, order)[0] == 0]
        missing = [h for h in hits if _key(h, field, order)[0] == 1]
        present.sort(key=lambda h, f=field, o=order: _key(h, f, o), reverse=order == 'desc')
        hits[:] = present + missing


def after(hits, body, start):
    """The hits that sort after ``body['search_after']`` (ES: one value per sort field, from 0 only); ``hits``
    are sorted already. Fields of the sort that are _score or _doc are not supported."""
    values, specs = body['search_after'], _sort_specs(body.get('sort') or [])
    if not specs:
        raise es_errors.bad_request('Sort must contain at least one field.', 'search_phase_execution_exception')
    if start > 0:
        raise es_errors.bad_request('`from` parameter must be set to 0 when `search_after` is used.',
                                    'search_phase_execution_exception')
    if not isinstance(values, list) or len(values) != len(specs):
        raise es_errors.bad_request('search_after has %d value(s) but sort has %d.' % (
            len(values) if isinstance(values, list) else 0, len(specs)), 'illegal_argument_exception')
    if any(field in ('_score', '_doc') for field, _order in specs):
        raise es_errors.unsupported('search_after with a _score or _doc sort')
    wanted = [_typed(value) for value in values]

    def later(hit_):
        for (field, order), value in zip(specs, wanted):
            key = _key(hit_, field, order)
            if key[0] == 1:
                return True  # a missing value sorts last
            if key[1:] != value:
                return key[1:] > value if order == 'asc' else key[1:] < value
        return False
    return [h for h in hits if later(h)]


def hit(index_name, doc_id, source, with_source=True):
    out = {'_index': index_name, '_type': '_doc', '_id': doc_id, '_score': 1.0}
    if with_source:
        out['_source'] = source
    return out


def response(page, total, with_source=True, scroll_id=None):
    body = {
        'took': 1, 'timed_out': False,
        '_shards': {'total': 1, 'successful': 1, 'skipped': 0, 'failed': 0},
        'hits': {'total': {'value': total, 'relation': 'eq'}, 'max_score': 1.0 if page else None,
                 'hits': [hit(i, d, s, with_source) for i, d, s in page]},
    }
    if scroll_id is not None:
        body['_scroll_id'] = scroll_id
    return body


class Scrolls:
    """Open scroll contexts: a frozen list of hits and a cursor, expiring like ES's keep-alive.

    Sources are never mutated in the store (writes replace them), so a snapshot holds
    references rather than copies. Callers hold the store lock.
    """

    def __init__(self):
        self._open = {}

    def _expire(self):
        now = time.monotonic()
        for scroll_id in [k for k, ctx in self._open.items() if ctx['expires'] < now]:
            del self._open[scroll_id]

    def open(self, hits, size, keep_alive, with_source):
        self._expire()
        scroll_id = secrets.token_urlsafe(24)
        self._open[scroll_id] = {'hits': hits, 'pos': size, 'size': size, 'source': with_source,
                                 'keep': keep_alive, 'expires': time.monotonic() + keep_alive}
        return response(hits[:size], len(hits), with_source, scroll_id)

    def next(self, scroll_id, keep_alive=None):
        self._expire()
        ctx = self._open.get(scroll_id)
        if ctx is None:
            raise es_errors.error(404, 'search_phase_execution_exception', 'all shards failed',
                                  caused_by={'type': 'search_context_missing_exception',
                                             'reason': f'No search context found for id [{scroll_id}]'})
        if keep_alive is not None:
            ctx['keep'] = keep_alive
        ctx['expires'] = time.monotonic() + ctx['keep']
        page = ctx['hits'][ctx['pos']:ctx['pos'] + ctx['size']]
        ctx['pos'] += ctx['size']
        return response(page, len(ctx['hits']), ctx['source'], scroll_id)

    def clear(self, scroll_ids):
        """Free scrolls; ``_all`` frees every one. Returns how many were freed."""
        if scroll_ids == ['_all']:
            freed = len(self._open)
            self._open.clear()
            return freed
        return sum(1 for s in scroll_ids if self._open.pop(s, None) is not None)
