"""Errors of the Elasticsearch stand-in, with the bodies Elasticsearch 7 sends.

Kuzzle turns storage errors into its own by reading ``error.reason`` (regular expressions),
the status code, and for 404s ``_index``, ``_id`` and ``found`` (``esWrapper.js``), so the
reasons below follow Elasticsearch's wording where Kuzzle matches on it.
"""


class EsError(Exception):
    """An error answer: an HTTP status and the JSON body Elasticsearch would send."""

    def __init__(self, status, body):
        super().__init__(f'{status} {body}')
        self.status = status
        self.body = body


def error(status, etype, reason, **extra):
    """The usual ``{"error": {root_cause, type, reason, ...}, "status": n}`` body."""
    cause = dict(type=etype, reason=reason, **extra)
    return EsError(status, {'error': dict(cause, root_cause=[dict(cause)]), 'status': status})


def bad_request(reason, etype='illegal_argument_exception'):
    return error(400, etype, reason)


def parsing(reason):
    return error(400, 'parsing_exception', reason)


def index_not_found(name):
    return error(404, 'index_not_found_exception', f'no such index [{name}]',
                 **{'resource.type': 'index_or_alias', 'resource.id': name, 'index_uuid': '_na_', 'index': name})


def index_exists(name, uuid):
    return error(400, 'resource_already_exists_exception', f'index [{name}/{uuid}] already exists',
                 index_uuid=uuid, index=name)


def version_conflict(index, uuid, doc_id, version):
    # Kuzzle maps this exact reason to services.storage.document_already_exists.
    return error(409, 'version_conflict_engine_exception',
                 f'[{doc_id}]: version conflict, document already exists (current version [{version}])',
                 index_uuid=uuid, shard='0', index=index)


def document_missing(index, uuid, doc_id):
    return error(404, 'document_missing_exception', f'[_doc][{doc_id}]: document missing',
                 index_uuid=uuid, shard='0', index=index)


def unsupported(what):
    """Something real Elasticsearch does and this stand-in deliberately does not."""
    return bad_request(f'not supported by the Elasticsearch stand-in of the tests: {what}')


def mapper_parsing(reason):
    """A mapping Elasticsearch cannot parse (``PUT _mapping``)."""
    return error(400, 'mapper_parsing_exception', reason)


def mapper_error(reason):
    """Elasticsearch's MapperException, which carries no HTTP status of its own: a 500."""
    return error(500, 'mapper_exception', reason)


def failed_to_parse_mapping(exc):
    """What index creation answers for a mapping error: wrapped, the original as root cause."""
    cause = {k: v for k, v in exc.body['error'].items() if k != 'root_cause'}
    outer = {'type': 'mapper_parsing_exception', 'reason': f'Failed to parse mapping [_doc]: {cause["reason"]}',
             'caused_by': cause}
    return EsError(400, {'error': dict(outer, root_cause=[dict(cause)]), 'status': 400})


def index_closed(name, uuid):
    return error(400, 'index_closed_exception', 'closed', index_uuid=uuid, index=name)
