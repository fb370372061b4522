"""Fixtures of the stand-in's own tests: a fresh stand-in on a free loopback port per test."""

import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from es_standin import StandIn  # noqa: E402 pylint: disable=wrong-import-position


class Client:
    """Plain HTTP to the stand-in, as Kuzzle's ES client sends it."""

    def __init__(self, standin, write_log):
        self.standin = standin
        self.write_log = write_log

    def __call__(self, method, path, body=None, ndjson=None):
        data = None
        if ndjson is not None:
            data = ''.join(json.dumps(line) + '\n' for line in ndjson).encode()
        elif body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
        request = urllib.request.Request(self.standin.url + path, data=data, method=method,
                                         headers={'Content-Type': 'application/x-ndjson' if ndjson else 'application/json'})
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                status, raw = answer.status, answer.read()
        except urllib.error.HTTPError as exc:
            status, raw = exc.code, exc.read()
        return status, json.loads(raw) if raw else None

    def writes(self):
        with open(self.write_log, encoding='utf-8') as handle:
            return [json.loads(line) for line in handle]

    def index(self, name='%kuzzle.things', alias='@%kuzzle.things', mappings=None):
        status, body = self('PUT', '/' + quote(name), {'aliases': {alias: {}}, 'mappings': mappings or {}, 'settings': {}})
        assert status == 200, body
        return quote(alias)

    def put(self, alias, doc_id, source):
        status, body = self('PUT', f'/{alias}/_doc/{quote(doc_id)}', source)
        assert status in (200, 201), body
        return body


def quote(name):
    return urllib.parse.quote(name, safe='')


@pytest.fixture
def es(tmp_path):
    standin = StandIn(0, str(tmp_path / 'writes.jsonl')).start()
    try:
        yield Client(standin, str(tmp_path / 'writes.jsonl'))
    finally:
        standin.stop()
