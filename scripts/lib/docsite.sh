# shellcheck shell=bash
# Sourced by scripts/docs and scripts/test-all: builds the collection's HTML docsite (module and role reference
# from the plugin docs, guides from docs/docsite/) with antsibull-docs and Sphinx, the way the Ansible
# documentation builds collection docsites, with warnings as errors and without the network.
#
# build_docsite DEST VERSION: community.kuzzle VERSION must be installed where ANSIBLE_COLLECTIONS_PATH points,
# and antsibull-docs and sphinx-build on PATH (tests/requirements.txt). DEST is emptied; the site ends up in
# DEST/build/html (index.html). Needs say.

# The labels of the Ansible documentation that the generated pages link to (antsibull-docs writes
# :ref:`common_return_values` on every module page, for instance). Sphinx's intersphinx would download the
# Ansible documentation's inventory to resolve them; we write a small inventory of these labels instead,
# so that the build needs no network and every link still points at docs.ansible.com.
ANSIBLE_DOCS_URL=https://docs.ansible.com/projects/ansible/devel/
ANSIBLE_DOCS_LABELS='common_return_values reference_appendices/common_return_values.html Return Values
ansible_configuration_settings reference_appendices/config.html Ansible Configuration Settings
module_defaults playbook_guide/playbooks_module_defaults.html Module defaults
module_defaults_groups playbook_guide/playbooks_module_defaults.html#module-defaults-groups Module defaults groups
check_mode_dry playbook_guide/playbooks_checkmode.html Validating tasks: check mode and diff mode
diff_mode playbook_guide/playbooks_checkmode.html#using-diff-mode Using diff mode
playbooks_delegation playbook_guide/playbooks_delegation.html Controlling where tasks run: delegation and local actions
keep_secret_data reference_appendices/faq.html#keep-secret-data How do I keep secret data in my playbook?'

# The module pages say how to install the collection and link to it: from the tarball that
# `ansible-galaxy collection build` makes, as the README says (not from a collection server where it is not
# published), and to the collection's index page, which sits next to every module and role page.
DOCSITE_INSTALL='ansible-galaxy collection install community-kuzzle-VERSION.tar.gz'
DOCSITE_URL=index.html

build_docsite() {
    local dest=$1 version=$2 src index
    rm -rf "$dest"
    mkdir -p "$dest" && chmod 700 "$dest" || return 1   # antsibull-docs wants it writable by its owner only
    src=$(cd "$dest" && pwd -P)
    index=$(mktemp) || return 1
    cat >"$index" <<'RST'
.. _docsite_root_index:

community.kuzzle
================

Ansible modules and a role that manage the security of a `Kuzzle <https://kuzzle.io>`_ backend as code:
profiles, roles, users and API keys, idempotent, safe in check mode and readable in diff mode.

Guides:

- :ref:`ansible_collections.community.kuzzle.docsite.guide_connection`, shared by every module
- :ref:`ansible_collections.community.kuzzle.docsite.guide_profiles`
- :ref:`ansible_collections.community.kuzzle.docsite.guide_roles`
- :ref:`ansible_collections.community.kuzzle.docsite.guide_users`
- :ref:`ansible_collections.community.kuzzle.docsite.guide_security`
- :ref:`ansible_collections.community.kuzzle.docsite.guide_performance`

The reference of every module and role is in the collection's index below.

.. toctree::
   :maxdepth: 2
   :caption: Collection:

   collections/community/kuzzle/index

.. toctree::
   :maxdepth: 1
   :caption: Reference indexes:

   collections/index_module
   collections/index_role
   collections/environment_variables
RST
    say "    antsibull-docs sphinx-init in $src"
    antsibull-docs sphinx-init --use-current --fail-on-error --dest-dir "$src" \
        --project community.kuzzle --copyright 'community.kuzzle contributors' \
        --title 'community.kuzzle documentation' --html-short-title community.kuzzle \
        --index-rst-source "$index" community.kuzzle >/dev/null
    local rc=$?
    rm -f "$index"
    [ $rc -eq 0 ] || return 1

    # offline intersphinx: the local inventory above instead of the ones sphinx-init lists
    python - "$src/ansible_devel.inv" <<PY || return 1
import sys, zlib
lines = [line.split(' ', 2) for line in '''$ANSIBLE_DOCS_LABELS'''.splitlines()]
body = ''.join('%s std:label -1 %s %s\n' % (name, uri, title) for name, uri, title in lines)
with open(sys.argv[1], 'wb') as handle:
    handle.write(b'# Sphinx inventory version 2\n# Project: Ansible\n# Version: devel\n'
                 b'# The remainder of this file is compressed using zlib.\n' + zlib.compress(body.encode()))
PY
    cat >>"$src/conf.py" <<PY

# -- scripts/lib/docsite.sh: no network during the build ---------------------------------------------
# Links to the Ansible documentation resolve through a local inventory of the few labels the pages use.
intersphinx_mapping = {'ansible_devel': ('$ANSIBLE_DOCS_URL', '$src/ansible_devel.inv')}
PY
    # the install command and the collection link of the module pages, for this collection only
    python - "$src/antsibull-docs.cfg" "${DOCSITE_INSTALL/VERSION/$version}" "$DOCSITE_URL" <<'PY' || return 1
import re, sys
path, command, url = sys.argv[1:4]
with open(path, encoding='utf-8') as handle:
    text = handle.read()
for key, value in (('collection_install', command), ('collection_url', url)):
    text, count = re.subn(r'(%s = \{\n)' % key, '\\1  community.kuzzle = "%s"\n' % value, text)
    if count != 1:
        sys.exit('antsibull-docs.cfg: no %s table to complete' % key)
with open(path, 'w', encoding='utf-8') as handle:
    handle.write(text)
PY

    say "    antsibull-docs collection: module and role pages, guides"
    mkdir -p "$src/rst" && chmod og-w "$src/rst"
    (cd "$src" && antsibull-docs --config-file antsibull-docs.cfg collection --use-current --fail-on-error \
        --cleanup everything --dest-dir rst community.kuzzle) || return 1
    say "    sphinx-build (warnings are errors)"
    (cd "$src" && sphinx-build -M html rst build -c . -W --keep-going -q) || return 1
    [ -f "$src/build/html/index.html" ] || { say "!! no $src/build/html/index.html"; return 1; }
    say "    docsite: $src/build/html/index.html ($(find "$src/build/html" -name '*.html' | wc -l) pages)"
}
