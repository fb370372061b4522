"""Indexes and collections for the storage contract tests (each test makes its own, unique)."""

from contract_helpers import fails, ok


def new_index(kuzzle, prefix='idx'):
    index = kuzzle.uid(prefix)
    assert ok(kuzzle.api('POST', f'/{index}/_create')) is None
    return index


def new_collection(kuzzle, body=None, index=None):
    """(index, collection), created with ``collection:create`` and ``body`` ({mappings, settings})."""
    index = index or new_index(kuzzle)
    collection = kuzzle.uid('coll')
    assert ok(kuzzle.api('PUT', f'/{index}/{collection}', body or {})) == {'acknowledged': True}
    return index, collection


def mapping(kuzzle, index, collection, kuzzle_meta=False):
    query = {'includeKuzzleMeta': None} if kuzzle_meta else None
    return ok(kuzzle.api('GET', f'/{index}/{collection}/_mapping', query=query))


def settings(kuzzle, index, collection):
    return ok(kuzzle.api('GET', f'/{index}/{collection}/_settings'))


def es_refusal(answer, message):
    """An Elasticsearch refusal as Kuzzle passes it on: 400 unexpected_bad_request, ES's reason."""
    error = fails(answer, 400, 'services.storage.unexpected_bad_request')
    assert (error['message'], error['props']) == (message, [message])
    return error
