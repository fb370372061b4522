# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# Simplified BSD License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause

"""The run of a task that converges one security object (kuzzle_profile, kuzzle_role, kuzzle_user).

For internal use of the community.kuzzle collection only: no compatibility promise.

Every such module reads its object, decides, reports and converges the same way; it only brings its own
three steps, with the same signatures in every module:

- ``canonical_pair(module, client, source)``: ``(before, after)``, the canonical stored object ({} when
  absent) and the one the task wants ({} to delete it), from the stored ``_source`` (None when absent);
- ``converge(module, client, source, before, after)``: called only when they differ; checks what the
  write needs (raising ``_errors.PredictedRefusal`` for what Kuzzle would refuse), writes unless in check
  mode, and returns the result keys of the change (the object as stored after it, at least);
- ``summarize(name, before, after)``: the task's ``msg``.

Several hosts may converge the same object at once: when Kuzzle refuses a create because the object exists now, or a
delete because it is gone (_objects.raced), the object is read again and decided again; as the task asks, nothing
changed here and ``msg`` says that another client did it, else ``converge`` writes the difference (once).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.community.kuzzle.plugins.module_utils._connection import fail_kuzzle
from ansible_collections.community.kuzzle.plugins.module_utils._errors import KuzzleError
from ansible_collections.community.kuzzle.plugins.module_utils._ids import KIND_NAMES
from ansible_collections.community.kuzzle.plugins.module_utils import _objects, _report, _rights_review


def run_object_task(module, client, kind, canonical_pair, converge, summarize, rights=False):
    """Read object ``module.params['name']`` of ``kind`` ('profiles', 'roles', 'users'), decide, report and
    converge with the module's steps (see above); never returns.

    The result has ``changed``, ``msg``, the diff in diff mode and, under the kind's noun (``profile``...),
    the stored object when nothing changes; a failure on Kuzzle has its ``error_id`` and ``status``.

    ``rights``: the result has ``rights``, the rights change by profile ({} when nothing changes); ``converge``
    returns the review under ``_review``, ``(changes, scopes)`` (see _rights_review.report).
    """
    name = module.params['name']
    noun = KIND_NAMES[kind]
    result = dict(changed=False)
    if rights:
        result['rights'] = {}
    failure = refused = None
    try:
        with client:
            source = _objects.read_object(client, kind, name)
            before, after = canonical_pair(module, client, source)
            result.update(changed=before != after, msg=summarize(name, before, after))
            if module._diff:
                result['diff'] = _report.build_diff(noun, name, before, after)
            outcome = {noun: _report.stored_view(source)}
            if result['changed']:
                try:
                    outcome = converge(module, client, source, before, after)
                except KuzzleError as err:
                    action = 'create' if not before else 'delete' if not after else 'update'
                    if module.check_mode or not _objects.raced(err, action):
                        raise
                    refused = err
                if refused is not None:  # another client created or deleted it since the read: decide again
                    if refused.error_id == _objects.CREDENTIALS_GONE:
                        time.sleep(_objects.DELETE_SETTLE)  # the other deleteUser removed the credentials; the user goes next
                    source = _objects.read_object(client, kind, name)
                    again = canonical_pair(module, client, source)
                    if again[0] == again[1]:
                        result.update(changed=False, msg='%s (%sd by another client meanwhile)' % (summarize(name, before, after), action))
                        outcome = {noun: _report.stored_view(source)}
                        if module._diff:
                            result['diff'] = _report.build_diff(noun, name, *again)
                    elif source is None and action == 'create':
                        raise refused  # not there after all: Kuzzle's refusal stands
                    else:
                        before, after = again
                        result.update(changed=True, msg=summarize(name, before, after))
                        if module._diff:
                            result['diff'] = _report.build_diff(noun, name, before, after)
                        outcome = converge(module, client, source, before, after)
            review = outcome.pop('_review', None)
            result.update(outcome)
            if review is not None:
                _rights_review.report(module, result, *review)
    except KuzzleError as err:
        failure = err
    if failure:
        fail_kuzzle(module, failure, changed=False)
    module.exit_json(**result)
