# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This doc fragment is PRIVATE to the community.kuzzle collection: it can change at any time.
# Do not use it from other collections or standalone modules.

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment:
    # The options of plugins/module_utils/_info.py (info_argument_spec), for the modules that read
    # one kind of object (kuzzle_profile_info, kuzzle_role_info, kuzzle_user_info); use with READ_ONLY.
    DOCUMENTATION = r"""
options:
  name:
    description:
      - The identifier of the one object to read (for a user, its kuid).
      - Cannot be used with O(names). With neither, every object of this kind is read.
    type: str
    aliases: [id]
  names:
    description:
      - The identifiers of the objects to read (for users, their kuids). Duplicates are read once.
      - Cannot be used with O(name). With neither, every object of this kind is read.
    type: list
    elements: str
    aliases: [ids]
"""

    # What every info module shares, kuzzle_security_info included: it only reads, and paged searches
    # are bounded by Kuzzle.
    READ_ONLY = r"""
options: {}
attributes:
  check_mode:
    support: full
    details: The module only reads; it runs the same in check mode.
  diff_mode:
    support: none
notes:
  - Kuzzle pages searches up to its C(limits.documentsFetchCount) (10,000 by default) objects of a kind; beyond it
    users and profiles are read with Kuzzle's scroll and roles in pages sorted by identifier (Elasticsearch's
    C(search_after)), and where neither works (roles on an Elasticsearch that refuses to sort on C(_id), as
    version 8 does by default; Kuzzle 1.x) the module fails instead of returning part of them.
"""
