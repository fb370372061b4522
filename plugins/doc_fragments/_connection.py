# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This doc fragment is PRIVATE to the community.kuzzle collection: it can change at any time.
# Do not use it from other collections or standalone modules.

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment:
    # The connection options of plugins/module_utils/_connection.py (connection_argument_spec), and what
    # every module owes to talking to Kuzzle over HTTP with requests: the requirement, the platform attribute
    # (which completes the one of ansible.builtin.action_common_attributes) and the notes.
    DOCUMENTATION = r"""
requirements:
  - Python 3.9 to 3.13 on the host that runs the module
  - requests >= 2.32
attributes:
  platform:
    platforms: all
options:
  url:
    description:
      - Base URL of Kuzzle's HTTP API, for example V(https://kuzzle.example.com:7512).
      - A path is kept as a prefix of every request, for Kuzzle behind a reverse proxy
        (for example V(https://example.com/kuzzle/)).
      - If not set in the task, the E(KUZZLE_URL) environment variable is used when it is set and not empty.
    type: str
    default: http://localhost:7512
  username:
    description:
      - Name to log in with, through the O(auth_strategy) authentication strategy.
      - The module logs in once before its first request and logs out at the end of the task.
      - Requires O(password). Cannot be used with O(token).
      - If not set in the task, the E(KUZZLE_USERNAME) environment variable is used when it is set and not empty,
        unless the task sets O(token).
      - Without O(username), O(password) and O(token), requests are anonymous.
    type: str
  password:
    description:
      - Password for O(username).
      - If not set in the task, the E(KUZZLE_PASSWORD) environment variable is used when it is set and not empty,
        unless the task sets O(token).
    type: str
  auth_strategy:
    description:
      - Kuzzle authentication strategy used to log in with O(username) and O(password).
    type: str
    default: local
  token:
    description:
      - A Kuzzle authentication token (JWT) or an API key, sent as a Bearer token in the C(Authorization) header of every request.
        The module neither logs in nor logs out with it.
      - Cannot be used with O(username) or O(password).
      - If not set in the task, the E(KUZZLE_TOKEN) environment variable is used when it is set and not empty,
        unless the task sets O(username) or O(password).
    type: str
  validate_certs:
    description:
      - Whether to verify Kuzzle's TLS certificate. Set to V(false) only for tests with a self-signed certificate.
    type: bool
    default: true
  ca_path:
    description:
      - A PEM file (or a directory prepared with C(c_rehash)) of certificate authorities to verify Kuzzle's
        certificate with, instead of the system's.
      - Takes precedence over O(validate_certs).
    type: path
  client_cert:
    description:
      - A PEM client certificate for TLS client authentication, for example by a reverse proxy in front of Kuzzle.
      - If it does not also contain the private key, set O(client_key).
    type: path
  client_key:
    description:
      - The PEM private key of O(client_cert). Requires O(client_cert).
    type: path
  timeout:
    description:
      - Seconds to wait for a connection, and then for each answer of Kuzzle.
    type: float
    default: 10
  retries:
    description:
      - How many times a request is sent again after a transient failure. The first retry is immediate, then
        the waits double from 1 second (1, 2, 4...); a C(Retry-After) header is respected, up to 30 seconds.
      - Reads are sent again after connection errors, timeouts and the statuses 429, 502, 503 and 504.
      - Writes are sent again only when Kuzzle cannot have run them, after a failed connection or the statuses
        429 and 503. Never after a timeout or the statuses 502 and 504.
      - V(0) disables retries.
    type: int
    default: 3
notes:
  - The modules talk to Kuzzle over HTTP(S) with the Python C(requests) library, from the host that runs them;
    usually run them on the controller (set C(delegate_to) to V(localhost), or use a play on C(localhost)).
  - Credentials given in the task win over credentials of the other kind found in the environment;
    both kinds in the task, or both kinds in the environment and none in the task, is an error.
  - Passwords, tokens and API keys never appear in messages, results or logs.
"""

    ACTIONGROUP = r"""
options: {}
attributes:
  action_group:
    description: Use C(group/community.kuzzle.kuzzle) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - community.kuzzle.kuzzle
"""
