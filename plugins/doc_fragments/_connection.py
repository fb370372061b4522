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
      - A URL that is not a valid C(http) or C(https) URL fails the task before any request.
      - A C(user:password@) part is not sent (Kuzzle does not read it) and is masked in every output, with a warning;
        use O(username) and O(password), or O(token).
      - If not set in the task, the E(KUZZLE_URL) environment variable is used when it is set and not empty.
    type: str
    default: http://localhost:7512
  username:
    description:
      - Name to log in with, through the O(auth_strategy) authentication strategy.
      - The module logs in once before its first request, for a session of 5 minutes, and does not log out. Kuzzle
        gives two logins of one user within the same second the same token, so a logout would also end the session
        of any task (or M(community.kuzzle.kuzzle_login) token) of that user that logged in at that moment, for
        example in another fork. The session expires 5 minutes after the login (or within Kuzzle's
        C(security.authToken.maxTTL), when that is shorter).
      - When Kuzzle refuses that session during the task (expired, or revoked by a logout elsewhere), the module
        logs in again and sends the refused request once more, writes included, since Kuzzle checks the token
        before it runs anything. A O(token) given to the task is never replaced.
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
      - Seconds that each try of a request may take, from its start to the last byte of Kuzzle's answer,
        the connection, the TLS handshake, the headers and the body together. A try still going is cut.
      - Name resolution is left to the system's resolver, which cannot be cut.
    type: float
    default: 10
  retries:
    description:
      - How many times a request is tried again after a transient failure. The first retry is immediate, then
        the waits double from 1 second (1, 2, 4...); a C(Retry-After) header is respected, up to 30 seconds.
      - Reads are tried again after any transient failure, connection errors, timeouts, an answer cut short (a reset
        in its body, or fewer bytes than it announced) and the statuses 429, 502, 503 and 504.
      - Writes are tried again only when Kuzzle cannot have run them, after a failed connection or the statuses
        429 and 503. Never after a timeout, a connection lost once the request was sent, or the statuses 502 and
        504. The task then fails with C(outcome=unknown), since the change may or may not have been applied.
      - V(0) disables retries.
      - A request therefore takes at most (O(retries) + 1) x O(timeout) seconds, plus the waits between its tries
        (with the defaults, 4 x 10 + 0 + 1 + 2 = 43 seconds; each wait can be up to 30 seconds when Kuzzle or a proxy
        asks for it with C(Retry-After)). When Kuzzle refuses the task's own session, one login and one more try are
        added. A task makes one or more requests.
    type: int
    default: 3
notes:
  - The modules talk to Kuzzle over HTTP(S) with the Python C(requests) library, from the host that runs them;
    usually run them on the controller (set C(delegate_to) to V(localhost), or use a play on C(localhost)).
  - Credentials given in the task win over credentials of the other kind found in the environment;
    both kinds in the task, or both kinds in the environment and none in the task, is an error.
  - Passwords, tokens and API keys never appear in messages, results or logs, whatever the verbosity, failures
    included. An C(environment) keyword of the play or task is not the module's to hide, though; Ansible shows it at
    C(-vvv). Set E(KUZZLE_PASSWORD) in the environment of C(ansible-playbook), or pass secrets as options.
  - When a write fails once it may have reached Kuzzle (a timeout, a connection lost, a gateway error), the task fails
    with C(outcome=unknown) and C(changed=true), and its message says that the change may or may not have
    been applied. Running the task again converges, since the modules compare before they write.
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
