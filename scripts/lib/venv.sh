# shellcheck shell=bash
# Sourced by scripts/test-all and scripts/quickstart: creates or reuses the project's virtualenv
# (KUZZLE_VENV, default <repo>/.venv) with tests/requirements.txt, reinstalling only when that file
# or the Python version changed, then puts it first on PATH. Sets VENV. Needs REPO, say and die.

ensure_venv() {
    local venv=${KUZZLE_VENV:-$REPO/.venv} py=${KUZZLE_PYTHON:-python3}
    local req=$REPO/tests/requirements.txt
    [ -f "$req" ] || die "missing $req"
    # a venv made without ensurepip (Debian without python3-venv) has a python but no pip: recreate it too
    if [ -e "$venv" ] && ! "$venv/bin/python" -c 'import pip' >/dev/null 2>&1; then
        if [ -f "$venv/pyvenv.cfg" ]; then
            say "    venv $venv is broken, recreating it"
            rm -rf "$venv"
        else
            die "$venv exists and is not a virtualenv (set KUZZLE_VENV elsewhere)"
        fi
    fi
    if [ ! -e "$venv" ]; then
        command -v "$py" >/dev/null || die "no '$py' to create the venv with (set KUZZLE_PYTHON)"
        "$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
            || die "$py is $("$py" -V 2>&1); ansible-core 2.19 needs Python >= 3.11"
        say "    creating venv $venv with $("$py" -V 2>&1)"
        "$py" -m venv "$venv" || die "python -m venv failed"
    fi
    VENV=$(cd "$venv" && pwd -P)
    local stamp want
    stamp="$VENV/.community-kuzzle-requirements"
    want="$(sha256sum "$req" | cut -d' ' -f1) $("$VENV/bin/python" -V 2>&1)"
    if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
        say "    installing tests/requirements.txt into $VENV"
        "$VENV/bin/python" -m pip install --disable-pip-version-check -q -r "$req" \
            || die "pip install -r tests/requirements.txt failed"
        printf '%s\n' "$want" >"$stamp"
    else
        say "    venv $VENV is up to date with tests/requirements.txt"
    fi
    export VIRTUAL_ENV=$VENV
    export PATH="$VENV/bin:$PATH"
    hash -r
}
