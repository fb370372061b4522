# -*- coding: utf-8 -*-
# Copyright (c) community.kuzzle contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Hypothesis settings shared by every unit test.

scripts/test-all runs the unit tests of several ansible-core and Python versions side by side on a
2-core machine, where Hypothesis's timing checks (the ``too_slow`` health check, the per-example
deadline) fail tests that are correct, only because the machine is busy. The property tests check
properties, not speed: those timing checks are off; the number of examples and every other health
check stay as each test sets them.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from hypothesis import HealthCheck, settings

settings.register_profile('community.kuzzle', deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile('community.kuzzle')
