# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""The whole of an ``<object>_info`` module: read one security object, several, or all of a kind.

For internal use of the community.kuzzle collection only: no compatibility promise.

``run_info_module('profiles', _profile.profile_to_params)`` is the main() of kuzzle_profile_info:
options ``name`` (one), ``names`` (several) or neither (all), the connection options, and the
result ``{changed: false, <kind>: [to_params(id, _source), ...], missing: [ids not found]}``.
Each item has the input shape of the matching module, so it can be given back to it unchanged.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.community.kuzzle.plugins.module_utils._connection import (
    fail_kuzzle,
    kuzzle_client,
    kuzzle_module,
)
from ansible_collections.community.kuzzle.plugins.module_utils._errors import KuzzleError
from ansible_collections.community.kuzzle.plugins.module_utils._ids import KIND_NAMES, id_problems
from ansible_collections.community.kuzzle.plugins.module_utils import _objects


def info_argument_spec():
    return dict(
        name=dict(type='str', aliases=['id']),
        names=dict(type='list', elements='str', aliases=['ids']),
    )


def run_info_module(kind, to_params, details=None):
    """Run an info module for ``kind`` ('profiles', 'roles', 'users'); never returns.

    ``details(client, ids, every)``, when given, reads what the items need besides their ``_source``
    (the users' usernames, for example) and returns dict id -> value, which ``to_params`` gets as a
    third argument; ``ids`` are the ids found, ``every`` is true when all objects of the kind were read.
    """
    module = kuzzle_module(info_argument_spec(), mutually_exclusive=[('name', 'names')])
    params = module.params
    asked = [params['name']] if params['name'] is not None else (params['names'] or [])
    problems = id_problems(kind, asked)
    if problems:
        module.fail_json(msg='Invalid task: %s' % '; '.join(problems), changed=False)

    client = kuzzle_client(module)
    failure = None
    try:
        with client:
            found, order = _objects.read_selection(client, kind, params['name'], params['names'])
            ids = [object_id for object_id in order if object_id in found]
            extra = details(client, ids, params['name'] is None and params['names'] is None) if details else None
    except KuzzleError as err:
        failure = err
    if failure:
        fail_kuzzle(module, failure, changed=False)

    def item(object_id):
        if details is None:
            return to_params(object_id, found[object_id] or {})
        return to_params(object_id, found[object_id] or {}, extra.get(object_id))

    result = {
        'changed': False,
        kind: [item(object_id) for object_id in ids],
        'missing': [object_id for object_id in order if object_id not in found],
    }
    count = len(result[kind])
    result['msg'] = '%d %s%s found' % (count, KIND_NAMES[kind], '' if count == 1 else 's')
    if result['missing']:
        result['msg'] += ', %d missing: %s' % (len(result['missing']), ', '.join(result['missing']))
    module.exit_json(**result)
