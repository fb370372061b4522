"""In-memory indices, aliases and documents of the Elasticsearch stand-in.

Every public method takes the one store lock, so requests from Kuzzle's connection pool are
serialised: simple, and still far faster than Kuzzle itself. Documents are read back at once
whatever ``refresh`` says (no near-real-time delay). Stored sources are never mutated; a write
stores a new object, which lets search snapshots and scrolls keep plain references.
"""

import copy
import fnmatch
import json
import threading
import time
import uuid

import es_errors
import es_mapping
import es_search
import es_settings

VERSION = '7.17.26'  # what the kuzzleio/elasticsearch:7 image runs
_BAD_INDEX_CHARS = set('\\/*?"<>| ,#:')


def _deep_merge(base, changes):
    """ES partial-update semantics: objects merge recursively, anything else is replaced."""
    out = dict(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


class Index:
    """One concrete index: documents by id, its mappings (as GET _mapping shows them), its flat
    settings (es_settings) and whether it is closed."""

    def __init__(self, name, mappings, settings):
        self.name = name
        self.uuid = uuid.uuid4().hex[:22]
        self.mappings = mappings
        self.settings = es_settings.create(name, self.uuid, settings)
        self.closed = False
        self.docs = {}  # id -> [source, version, seq_no]
        self.seq_no = -1

    def next_seq(self):
        self.seq_no += 1
        return self.seq_no


class Store:
    """The whole stand-in state, plus the write log (one JSON line per write, flushed)."""

    def __init__(self, write_log=None):
        self.lock = threading.RLock()
        self.indices = {}
        self.aliases = {}  # alias -> set of index names
        self.scrolls = es_search.Scrolls()
        self.tasks = 0  # ids of the background tasks _update_by_query answers with
        self._log = open(write_log, 'a', encoding='utf-8') if write_log else None  # pylint: disable=consider-using-with

    def close(self):
        with self.lock:
            if self._log:
                self._log.close()
                self._log = None

    def log_write(self, method, index, doc_id=None, result=None):
        """Record one write attempt before it is answered, so a client that got its answer
        can rely on the line being there."""
        if self._log:
            line = {'method': method, 'index': index, 'id': doc_id, 'result': result}
            self._log.write(json.dumps(line, sort_keys=True) + '\n')
            self._log.flush()

    # -- names -----------------------------------------------------------------------------
    def resolve(self, names, ignore_unavailable=False, open_only=False):
        """Concrete indices named by a comma list of indices, aliases or wildcards.

        ``open_only`` is for data requests (documents, searches, refresh): wildcards skip closed
        indices and a closed index named explicitly is an ``index_closed_exception``."""
        found = []
        for name in (names or '_all').split(','):
            wildcard = name in ('_all', '*') or '*' in name or '?' in name
            if name in ('_all', '*'):
                matches = list(self.indices)
            elif wildcard:
                matches = [i for i in self.indices if fnmatch.fnmatchcase(i, name)]
                matches += [i for a, targets in self.aliases.items() if fnmatch.fnmatchcase(a, name) for i in targets]
            elif name in self.indices:
                matches = [name]
            elif name in self.aliases:
                matches = sorted(self.aliases[name])
            elif ignore_unavailable:
                matches = []
            else:
                raise es_errors.index_not_found(name)
            for match in matches:
                index = self.indices[match]
                if open_only and index.closed:
                    if wildcard or ignore_unavailable:
                        continue
                    raise es_errors.index_closed(index.name, index.uuid)
                if match not in found:
                    found.append(match)
        return [self.indices[name] for name in found]

    def target(self, name):
        """The single index a document write or read goes to (an index or a one-index alias)."""
        if name in self.indices:
            return self.resolve(name, open_only=True)[0]
        targets = self.aliases.get(name)
        if not targets:
            # Real ES would auto-create the index; Kuzzle always creates collections first.
            raise es_errors.index_not_found(name)
        if len(targets) > 1:
            raise es_errors.bad_request(f'no write index is defined for alias [{name}]')
        return self.resolve(next(iter(targets)), open_only=True)[0]

    # -- indices ---------------------------------------------------------------------------
    def index_exists(self, names):
        with self.lock:
            try:
                return bool(self.resolve(names))
            except es_errors.EsError:
                return False

    def create_index(self, name, body):
        with self.lock:
            if name in self.indices:
                raise es_errors.index_exists(name, self.indices[name].uuid)
            if (not name or name != name.lower() or name[0] in '_-+' or name in ('.', '..')
                    or set(name) & _BAD_INDEX_CHARS or name in self.aliases):
                raise es_errors.error(400, 'invalid_index_name_exception',
                                      f'Invalid index name [{name}], must be lowercase, not an alias, '
                                      'and without \\, /, *, ?, ", <, >, |, space, comma, #, :',
                                      index=name, index_uuid='_na_')
            try:
                mappings = es_mapping.render(es_mapping.parse(body.get('mappings') or {}))
            except es_errors.EsError as exc:
                if exc.body['error']['type'] == 'mapper_parsing_exception':
                    raise es_errors.failed_to_parse_mapping(exc) from exc
                raise
            self.indices[name] = Index(name, mappings, body.get('settings'))
            for alias in body.get('aliases') or {}:
                self.aliases.setdefault(alias, set()).add(name)
            self.log_write('create_index', name)
            return {'acknowledged': True, 'shards_acknowledged': True, 'index': name}

    def delete_index(self, names):
        with self.lock:
            for index in self.resolve(names):
                del self.indices[index.name]
                for alias in list(self.aliases):
                    self.aliases[alias].discard(index.name)
                    if not self.aliases[alias]:
                        del self.aliases[alias]
                self.log_write('delete_index', index.name)
            return {'acknowledged': True}

    def describe(self, names):
        """``GET /{index}``: aliases, mappings and settings of each index."""
        with self.lock:
            return {i.name: {'aliases': {a: {} for a in self.aliases_of(i.name)},
                             'mappings': i.mappings, 'settings': es_settings.nest(i.settings)}
                    for i in self.resolve(names)}

    def aliases_of(self, index_name):
        return sorted(a for a, targets in self.aliases.items() if index_name in targets)

    def get_aliases(self, index_names=None, alias_names=None):
        """``GET /{index}/_alias[/{name}]`` and ``GET /_alias/{name}``; 404 when a named alias is absent."""
        with self.lock:
            indices = self.resolve(index_names) if index_names else list(self.indices.values())
            wanted = alias_names.split(',') if alias_names else None
            out = {}
            for index in indices:
                names = [a for a in self.aliases_of(index.name)
                         if wanted is None or any(fnmatch.fnmatchcase(a, w) for w in wanted)]
                if names or wanted is None:
                    out[index.name] = {'aliases': {a: {} for a in names}}
            if wanted and not out:
                raise es_errors.error(404, 'aliases_not_found_exception', f'aliases [{alias_names}] missing',
                                      **{'resource.type': 'aliases', 'resource.id': alias_names})
            return out

    def alias_exists(self, alias_names, index_names=None):
        try:
            return bool(self.get_aliases(index_names, alias_names))
        except es_errors.EsError:
            return False

    def update_aliases(self, actions):
        with self.lock:
            for action in actions:
                (verb, spec), = action.items()
                indices = spec.get('indices') or [spec.get('index')]
                aliases = spec.get('aliases') or [spec.get('alias')]
                for index in (i for name in indices for i in self.resolve(name)):
                    for alias in aliases:
                        if verb == 'add':
                            self.aliases.setdefault(alias, set()).add(index.name)
                        elif verb == 'remove':
                            if index.name not in self.aliases.get(alias, ()):
                                raise es_errors.error(404, 'aliases_not_found_exception', f'aliases [{alias}] missing')
                            self.aliases[alias].discard(index.name)
                            if not self.aliases[alias]:
                                del self.aliases[alias]
                        else:
                            raise es_errors.unsupported(f'alias action [{verb}]')
                        self.log_write(f'{verb}_alias', index.name, alias)
            return {'acknowledged': True}

    def get_mapping(self, names):
        with self.lock:
            return {i.name: {'mappings': i.mappings} for i in self.resolve(names)}

    def put_mapping(self, names, body):
        """ES's mapping update: merged by es_mapping's rules, all indices or none (the attempt is
        logged either way)."""
        with self.lock:
            indices = self.resolve(names)
            try:
                update = es_mapping.parse(body)
                merged = [(index, es_mapping.merge(index.mappings, update)) for index in indices]
            except es_errors.EsError:
                for index in indices:
                    self.log_write('put_mapping', index.name, None, 'refused')
                raise
            for index, mappings in merged:
                index.mappings = mappings
                self.log_write('put_mapping', index.name)
            return {'acknowledged': True}

    def get_settings(self, names):
        with self.lock:
            return {i.name: {'settings': es_settings.nest(i.settings)} for i in self.resolve(names)}

    def put_settings(self, names, body):
        """ES's settings update (es_settings): static settings only on closed indices."""
        with self.lock:
            indices = self.resolve(names)
            try:
                updated = [(i, es_settings.update(i.name, i.uuid, i.settings, body, i.closed)) for i in indices]
            except es_errors.EsError:
                for index in indices:
                    self.log_write('put_settings', index.name, None, 'refused')
                raise
            for index, settings in updated:
                index.settings = settings
                self.log_write('put_settings', index.name)
            return {'acknowledged': True}

    def close_index(self, names):
        """``POST /{index}/_close``: documents and searches are refused until it is reopened."""
        with self.lock:
            indices = self.resolve(names)
            for index in indices:
                index.closed = True
                index.settings['index.verified_before_close'] = 'true'
                self.log_write('close_index', index.name)
            return {'acknowledged': True, 'shards_acknowledged': True,
                    'indices': {i.name: {'closed': True} for i in indices}}

    def open_index(self, names):
        with self.lock:
            for index in self.resolve(names):
                index.closed = False
                index.settings.pop('index.verified_before_close', None)
                self.log_write('open_index', index.name)
            return {'acknowledged': True, 'shards_acknowledged': True}

    def stats(self, names=None):
        with self.lock:
            per_index = {}
            for index in self.resolve(names, open_only=True):
                size = sum(len(json.dumps(doc[0])) for doc in index.docs.values())
                figures = {'docs': {'count': len(index.docs), 'deleted': 0}, 'store': {'size_in_bytes': size}}
                per_index[index.name] = {'uuid': index.uuid, 'primaries': figures, 'total': figures}
            count = sum(i['total']['docs']['count'] for i in per_index.values())
            size = sum(i['total']['store']['size_in_bytes'] for i in per_index.values())
            total = {'docs': {'count': count, 'deleted': 0}, 'store': {'size_in_bytes': size}}
            return {'_shards': {'total': len(per_index), 'successful': len(per_index), 'failed': 0},
                    '_all': {'primaries': total, 'total': total}, 'indices': per_index}

    # -- documents -------------------------------------------------------------------------
    @staticmethod
    def _doc_response(index, doc_id, doc, result):
        return {'_index': index.name, '_type': '_doc', '_id': doc_id, '_version': doc[1], 'result': result,
                '_shards': {'total': 2, 'successful': 1, 'failed': 0}, '_seq_no': doc[2], '_primary_term': 1}

    def get(self, name, doc_id, with_source=True):
        with self.lock:
            index = self.target(name)
            doc = index.docs.get(doc_id)
            if doc is None:
                raise es_errors.EsError(404, {'_index': index.name, '_type': '_doc', '_id': doc_id, 'found': False})
            out = {'_index': index.name, '_type': '_doc', '_id': doc_id, '_version': doc[1],
                   '_seq_no': doc[2], '_primary_term': 1, 'found': True}
            if with_source:
                out['_source'] = doc[0]
            return out

    def put(self, name, doc_id, source, op_type='index'):
        """Index a document; ``op_type=create`` refuses an existing id with a 409."""
        with self.lock:
            index = self.target(name)
            if not isinstance(source, dict):
                raise es_errors.parsing('request body must be a JSON object')
            doc_id = doc_id or uuid.uuid4().hex[:20]
            current = index.docs.get(doc_id)
            if current is not None and op_type == 'create':
                self.log_write('create', index.name, doc_id, 'conflict')
                raise es_errors.version_conflict(index.name, index.uuid, doc_id, current[1])
            doc = [source, current[1] + 1 if current else 1, index.next_seq()]
            index.docs[doc_id] = doc
            result = 'updated' if current else 'created'
            self.log_write(op_type, index.name, doc_id, result)
            return (200 if current else 201), self._doc_response(index, doc_id, doc, result)

    def update(self, name, doc_id, body, with_source=False):
        """Partial update (``doc``, ``upsert``, ``doc_as_upsert``); no scripts."""
        with self.lock:
            index = self.target(name)
            if 'script' in body:
                raise es_errors.unsupported('update scripts')
            changes = body.get('doc')
            current = index.docs.get(doc_id)
            if current is None:
                upsert = changes if body.get('doc_as_upsert') else body.get('upsert')
                if upsert is None:
                    self.log_write('update', index.name, doc_id, 'not_found')
                    raise es_errors.document_missing(index.name, index.uuid, doc_id)
                doc, result = [upsert, 1, index.next_seq()], 'created'
            else:
                merged = _deep_merge(current[0], changes or {})
                if merged == current[0]:  # ES's detect_noop
                    doc, result = current, 'noop'
                else:
                    doc, result = [merged, current[1] + 1, index.next_seq()], 'updated'
            index.docs[doc_id] = doc
            self.log_write('update', index.name, doc_id, result)
            out = self._doc_response(index, doc_id, doc, result)
            if with_source:
                out['get'] = {'_seq_no': doc[2], '_primary_term': 1, 'found': True, '_source': doc[0]}
            return (201 if result == 'created' else 200), out

    def delete(self, name, doc_id):
        with self.lock:
            index = self.target(name)
            doc = index.docs.pop(doc_id, None)
            self.log_write('delete', index.name, doc_id, 'deleted' if doc else 'not_found')
            if doc is None:
                body = self._doc_response(index, doc_id, [None, 1, index.seq_no], 'not_found')
                raise es_errors.EsError(404, body)
            return 200, self._doc_response(index, doc_id, [None, doc[1] + 1, index.next_seq()], 'deleted')

    def mget(self, default_index, body, with_source=True):
        with self.lock:
            if 'ids' in body:
                specs = [{'_id': i} for i in body['ids']]
            else:
                specs = body.get('docs', [])
            docs = []
            for spec in specs:
                name, doc_id = spec.get('_index', default_index), str(spec.get('_id'))
                if not name:
                    raise es_errors.bad_request('index is missing for doc 0', 'action_request_validation_exception')
                try:
                    docs.append(self.get(name, doc_id, spec.get('_source', with_source) is not False))
                except es_errors.EsError as exc:
                    if 'found' in exc.body:
                        docs.append(exc.body)
                    else:
                        docs.append({'_index': name, '_type': '_doc', '_id': doc_id, 'error': exc.body['error']})
            return {'docs': docs}

    # -- search ----------------------------------------------------------------------------
    def _matches(self, names, body, params):
        indices = self.resolve(names, params.get('ignore_unavailable') == 'true', open_only=True)
        pred = es_search.predicate(body)
        hits = [(i.name, doc_id, doc[0]) for i in indices for doc_id, doc in i.docs.items() if pred(doc_id, doc[0])]
        if body.get('sort') is not None:
            es_search.sort_hits(hits, body['sort'])
        return hits

    def search(self, names, body, params):
        with self.lock:
            start, size = es_search.window(body, params)
            hits = self._matches(names, body, params)
            with_source = params.get('_source', body.get('_source')) not in ('false', False)
            total = len(hits)  # every match, as ES counts them, search_after or not
            if body.get('search_after') is not None:
                if params.get('scroll'):
                    raise es_errors.bad_request('`search_after` cannot be used in a scroll context.', 'search_phase_execution_exception')
                hits = es_search.after(hits, body, start)
            if params.get('scroll'):
                return self.scrolls.open(hits[start:], size, es_search.parse_duration(params['scroll']), with_source)
            return es_search.response(hits[start:start + size], total, with_source)

    def scroll(self, scroll_id, keep_alive=None):
        with self.lock:
            return self.scrolls.next(scroll_id, es_search.parse_duration(keep_alive) if keep_alive else None)

    def clear_scroll(self, scroll_ids):
        with self.lock:
            freed = self.scrolls.clear(scroll_ids)
            return (200 if freed else 404), {'succeeded': True, 'num_freed': freed}

    def count(self, names, body, params):
        with self.lock:
            return {'count': len(self._matches(names, body, params)),
                    '_shards': {'total': 1, 'successful': 1, 'skipped': 0, 'failed': 0}}

    def delete_by_query(self, names, body, params):
        with self.lock:
            started = time.monotonic()
            hits = self._matches(names, body, params)
            for index_name, doc_id, _source in hits:
                del self.indices[index_name].docs[doc_id]
                self.log_write('delete_by_query', index_name, doc_id, 'deleted')
            return {'took': int((time.monotonic() - started) * 1000), 'timed_out': False, 'total': len(hits),
                    'deleted': len(hits), 'batches': 1 if hits else 0, 'version_conflicts': 0, 'noops': 0,
                    'retries': {'bulk': 0, 'search': 0}, 'throttled_millis': 0, 'requests_per_second': -1.0,
                    'throttled_until_millis': 0, 'failures': []}

    def update_by_query(self, names, body, params):
        """``_update_by_query`` without a script: every match is reindexed as it is (a new
        version), as Kuzzle asks after a ``dynamic`` change; scripts are not supported."""
        with self.lock:
            if 'script' in body:
                raise es_errors.unsupported('update_by_query scripts')
            started = time.monotonic()
            hits = self._matches(names, body, params)
            for index_name, doc_id, _source in hits:
                index = self.indices[index_name]
                doc = index.docs[doc_id]
                index.docs[doc_id] = [doc[0], doc[1] + 1, index.next_seq()]
                self.log_write('update_by_query', index_name, doc_id, 'updated')
            self.tasks += 1
            if params.get('wait_for_completion') == 'false':
                return {'task': f'es-standin:{self.tasks}'}
            return {'took': int((time.monotonic() - started) * 1000), 'timed_out': False, 'total': len(hits),
                    'updated': len(hits), 'deleted': 0, 'batches': 1 if hits else 0, 'version_conflicts': 0,
                    'noops': 0, 'retries': {'bulk': 0, 'search': 0}, 'throttled_millis': 0,
                    'requests_per_second': -1.0, 'throttled_until_millis': 0, 'failures': []}

    # -- bulk ------------------------------------------------------------------------------
    def bulk(self, default_index, lines):
        """``_bulk``: each item runs like its single-document action; failures stay per item."""
        with self.lock:
            started = time.monotonic()
            items, errors = [], False
            pos = 0
            while pos < len(lines):
                action = lines[pos]
                if not isinstance(action, dict) or len(action) != 1:
                    raise es_errors.bad_request(f'Malformed action/metadata line [{pos + 1}]')
                (verb, meta), = action.items()
                payload = lines[pos + 1] if verb != 'delete' and pos + 1 < len(lines) else None
                pos += 1 if verb == 'delete' else 2
                item = self._bulk_item(verb, meta, payload, default_index)
                errors = errors or 'error' in item
                items.append({verb: item})
            return {'took': int((time.monotonic() - started) * 1000), 'errors': errors, 'items': items}

    def _bulk_item(self, verb, meta, payload, default_index):
        name, doc_id = meta.get('_index', default_index), meta.get('_id')
        try:
            if verb in ('index', 'create'):
                status, out = self.put(name, doc_id, payload, verb)
            elif verb == 'update':
                status, out = self.update(name, doc_id, payload or {}, '_source' in meta)
            elif verb == 'delete':
                status, out = self.delete(name, doc_id)
            else:
                raise es_errors.bad_request(f'Malformed action/metadata line, unknown action [{verb}]')
        except es_errors.EsError as exc:
            if exc.body.get('result') == 'not_found':  # a bulk delete of a missing id is not an error
                return dict(exc.body, status=404)
            err = copy.deepcopy(exc.body.get('error', {}))
            err.pop('root_cause', None)
            return {'_index': name, '_type': '_doc', '_id': doc_id, 'status': exc.status, 'error': err}
        return dict(out, status=status)

    # -- cluster ---------------------------------------------------------------------------
    def cat_indices(self):
        with self.lock:
            return [{'health': 'green', 'status': 'close' if i.closed else 'open', 'index': i.name, 'uuid': i.uuid, 'pri': '1', 'rep': '0',
                     'docs.count': str(len(i.docs)), 'docs.deleted': '0', 'store.size': '0b', 'pri.store.size': '0b'}
                    for i in self.indices.values()]

    def cat_aliases(self, names=None):
        with self.lock:
            wanted = names.split(',') if names else ['*']
            return [{'alias': alias, 'index': index, 'filter': '-', 'routing.index': '-',
                     'routing.search': '-', 'is_write_index': '-'}
                    for alias, targets in sorted(self.aliases.items()) for index in sorted(targets)
                    if any(fnmatch.fnmatchcase(alias, w) for w in wanted)]

    def health(self):
        with self.lock:
            shards = len(self.indices)
        return {'cluster_name': 'es-standin', 'status': 'green', 'timed_out': False, 'number_of_nodes': 1,
                'number_of_data_nodes': 1, 'active_primary_shards': shards, 'active_shards': shards,
                'relocating_shards': 0, 'initializing_shards': 0, 'unassigned_shards': 0,
                'delayed_unassigned_shards': 0, 'number_of_pending_tasks': 0, 'number_of_in_flight_fetch': 0,
                'task_max_waiting_in_queue_millis': 0, 'active_shards_percent_as_number': 100.0}

    def cluster_stats(self):
        figures = self.stats()['_all']['total']
        size = figures['store']['size_in_bytes']
        return {'_nodes': {'total': 1, 'successful': 1, 'failed': 0}, 'cluster_name': 'es-standin',
                'timestamp': int(time.time() * 1000), 'status': 'green',
                'indices': {'count': len(self.indices), 'docs': figures['docs'],
                            'store': {'size': f'{size}b', 'size_in_bytes': size}},
                'nodes': {'count': {'total': 1, 'data': 1, 'master': 1}, 'versions': [VERSION]}}


def info():
    return {'name': 'es-standin', 'cluster_name': 'es-standin', 'cluster_uuid': 'es-standin-cluster',
            'version': {'number': VERSION, 'build_flavor': 'default', 'build_type': 'tar', 'build_hash': 'stand-in',
                        'build_date': '2024-11-28T08:05:55.550508263Z', 'build_snapshot': False,
                        'lucene_version': '8.11.3', 'minimum_wire_compatibility_version': '6.8.0',
                        'minimum_index_compatibility_version': '6.0.0-beta1'},
            'tagline': 'You Know, for Search'}


CAT_NODES = [{'ip': '127.0.0.1', 'heap.percent': '10', 'ram.percent': '50', 'cpu': '1', 'load_1m': '0.00',
              'load_5m': '0.00', 'load_15m': '0.00', 'node.role': 'cdfhilmrstw', 'master': '*', 'name': 'es-standin'}]
