"""Contract tests: the Kuzzle behaviours community.kuzzle relies on, pinned against a real Kuzzle.

Run: ``python -m pytest tests/contract`` (the ``kuzzle`` fixture starts tests/kuzzle/serve), or
with ``KUZZLE_URL=http://127.0.0.1:7512`` against another Kuzzle (docker-compose).
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'kuzzle'))


def pytest_configure(config):
    if not config.pluginmanager.has_plugin('pytest_kuzzle'):
        config.pluginmanager.import_plugin('pytest_kuzzle')
