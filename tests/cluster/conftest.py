"""Cross-node contract tests: what Kuzzle 2.56 guarantees when consecutive requests land on different nodes.

Run: ``python -m pytest tests/cluster`` as root (the ``kuzzle_cluster`` fixture starts
``tests/kuzzle/serve --nodes 2``: two nodes in network namespaces, a round-robin proxy in front).
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'kuzzle'))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'contract'))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # convergence.py


def pytest_configure(config):
    if not config.pluginmanager.has_plugin('pytest_kuzzle'):
        config.pluginmanager.import_plugin('pytest_kuzzle')
