"""The write log of serve's storage stand-in: what check-mode tests rely on to prove nothing was written."""

from contract_helpers import create_profile, ok, profile_body


def test_reads_write_nothing(kuzzle):
    profile = create_profile(kuzzle)
    mark = kuzzle.mark()
    ok(kuzzle.api('GET', f'/profiles/{profile}'))
    ok(kuzzle.api('POST', '/profiles/_mGet', {'ids': [profile]}))
    ok(kuzzle.api('POST', '/profiles/_search', {'query': {'ids': {'values': [profile]}}}))
    ok(kuzzle.api('POST', '/roles/_mGet', {'ids': ['default']}))
    assert kuzzle.writes_since(mark) == []


def test_each_write_is_logged_before_the_answer(kuzzle):
    profile = kuzzle.uid('profile')
    mark = kuzzle.mark()
    ok(kuzzle.api('POST', f'/profiles/{profile}/_create', profile_body('default')))
    ok(kuzzle.api('PUT', f'/profiles/{profile}/_update', profile_body('admin')))
    ok(kuzzle.api('PUT', f'/profiles/{profile}', profile_body('default')))
    ok(kuzzle.api('DELETE', f'/profiles/{profile}'))
    writes = [(w['method'], w['index'], w['id'], w['result']) for w in kuzzle.writes_since(mark)]
    assert writes == [
        ('create', '%kuzzle.profiles', profile, 'created'),
        ('update', '%kuzzle.profiles', profile, 'updated'),
        ('index', '%kuzzle.profiles', profile, 'updated'),
        ('delete', '%kuzzle.profiles', profile, 'deleted'),
    ]


def test_failed_writes_are_logged_too(kuzzle):
    profile = create_profile(kuzzle)
    mark = kuzzle.mark()
    status, _answer = kuzzle.api('POST', f'/profiles/{profile}/_create', profile_body('admin'))
    assert status == 400
    assert [(w['method'], w['id'], w['result']) for w in kuzzle.writes_since(mark)] == [('create', profile, 'conflict')]
