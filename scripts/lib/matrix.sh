# shellcheck shell=bash
# Sourced by scripts/test-all: the support matrix of tests/matrix.yml.
#
# A cell is an ansible-core minor (2.18, ...) with its controller Python. The cell of the project's venv
# (tests/requirements.txt) runs in that venv and in the usual copy of the collection ($COLL, HOME=$WORK/home);
# every other cell gets its own venv ($VENV/matrix/ansible-core-X.Y, from PyPI, kept between runs), its own
# copy of the collection ($WORK/cells/X.Y/ansible_collections/community/kuzzle) and its own HOME
# ($WORK/cells/X.Y/home, where ansible-test keeps its sanity venvs), so that cells can run side by side.
# Interpreters come from PATH (pythonX.Y) or pyenv, and are linked into $WORK/pythons, which ansible-test
# finds on PATH. Needs REPO, WORK, VENV, REAL_HOME, say, guarded, now_ms and secs_since from scripts/test-all.

# shellcheck disable=SC2034  # MATRIX_INTEGRATION and the C_ rows are read by scripts/test-all
declare -A MATRIX_CTRL=()
MATRIX_CORES=()
MATRIX_INTEGRATION=()
MODULE_PYTHONS=()
MATRIX_MAIN=""
MATRIX_JOBS=${KUZZLE_JOBS:-2}
# rows of the cells of the running stage, added to the summary after the stage's own row
C_NAME=()
C_RESULT=()
C_SECS=()
C_NOTE=()

matrix_load() {  # reads tests/matrix.yml; the main cell is the ansible-core of the project venv
    local out
    out=$(python - "$REPO/tests/matrix.yml" <<'PY'
import sys
import yaml

with open(sys.argv[1], encoding='utf-8') as handle:
    matrix = yaml.safe_load(handle)
print('MATRIX_CORES=(%s)' % ' '.join(matrix['ansible_core']))
for core, python in matrix['ansible_core'].items():
    print('MATRIX_CTRL[%s]=%s' % (core, python))
print('MATRIX_INTEGRATION=(%s)' % ' '.join(matrix['integration']))
print('MODULE_PYTHONS=(%s)' % ' '.join(matrix['module_pythons']))
PY
    ) || return 1
    eval "$out"
    MATRIX_MAIN=$(python -c 'import ansible.release as r; print(".".join(r.__version__.split(".")[:2]))')
    if [ -z "${MATRIX_CTRL[$MATRIX_MAIN]:-}" ]; then
        say "!! tests/requirements.txt installs ansible-core $MATRIX_MAIN, which tests/matrix.yml does not list"
        return 1
    fi
    if [ "${MATRIX_CTRL[$MATRIX_MAIN]}" != "$PYVER" ]; then
        say "!! tests/matrix.yml runs ansible-core $MATRIX_MAIN on Python ${MATRIX_CTRL[$MATRIX_MAIN]}, the project venv has $PYVER"
        return 1
    fi
}

find_python() {  # find_python X.Y: prints the real path of a CPython X.Y (pythonX.Y on PATH, else pyenv's)
    local version=$1 candidate
    for candidate in "python$version" "${PYENV_ROOT:-$REAL_HOME/.pyenv}/versions/$version".*/bin/"python$version"; do
        candidate=$(command -v "$candidate" 2>/dev/null) || continue
        "$candidate" - "$version" 2>/dev/null <<'PY' && return 0
import os, sys
if '%d.%d' % sys.version_info[:2] != sys.argv[1]:
    sys.exit(1)
print(os.path.realpath(getattr(sys, '_base_executable', None) or sys.executable))
PY
    done
    return 1
}

matrix_pythons() {  # links every Python the matrix needs into $WORK/pythons; fails naming the missing ones
    local version path missing=()
    rm -rf "$WORK/pythons" && mkdir -p "$WORK/pythons"
    for version in $(printf '%s\n' "${MODULE_PYTHONS[@]}" "${MATRIX_CTRL[@]}" | sort -uV); do
        if path=$(find_python "$version"); then
            ln -s "$path" "$WORK/pythons/python$version"
        else
            missing+=("$version")
        fi
    done
    say "    Pythons for the matrix: $(cd "$WORK/pythons" && printf '%s ' python*)"
    if [ ${#missing[@]} -gt 0 ]; then
        say "!! no interpreter for Python ${missing[*]} (neither pythonX.Y on PATH nor pyenv)"
        return 1
    fi
}

# shellcheck disable=SC2153  # VENV is set by scripts/test-all
cell_venv() { if [ "$1" = "$MATRIX_MAIN" ]; then echo "$VENV"; else echo "$VENV/matrix/ansible-core-$1"; fi; }
cell_root() { if [ "$1" = "$MATRIX_MAIN" ]; then echo "$WORK"; else echo "$WORK/cells/$1"; fi; }
cell_home() { if [ "$1" = "$MATRIX_MAIN" ]; then echo "$WORK/home"; else echo "$WORK/cells/$1/home"; fi; }
cell_label() { echo "ansible-core $1, Python ${MATRIX_CTRL[$1]}"; }

cell_requirements() {  # the requirements of a cell's venv: its ansible-core, and the test runners of tests/requirements.txt
    local core=$1
    printf 'ansible-core>=%s.0,<%s.%s\n' "$core" "${core%.*}" "$(( ${core#*.} + 1 ))"
    grep -E '^(requests|pytest|pytest-xdist|pytest-mock|responses|hypothesis)[<>=~! ]' "$REPO/tests/requirements.txt"
}

ensure_cell_venv() {  # ensure_cell_venv CORE: creates or updates the venv of a cell other than the main one
    local core=$1 venv req stamp want python
    venv=$(cell_venv "$core")
    python=$WORK/pythons/python${MATRIX_CTRL[$core]}
    req=$WORK/logs/requirements-$core.txt
    cell_requirements "$core" >"$req"
    want="$(sha256sum "$req" | cut -d' ' -f1) $("$python" -V 2>&1)"
    stamp=$venv/.community-kuzzle-requirements
    if [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
        echo "venv $venv is up to date"
        return 0
    fi
    rm -rf "$venv"
    "$python" -m venv "$venv" || return 1
    "$venv/bin/python" -m pip install --disable-pip-version-check -q -r "$req" || return 1
    printf '%s\n' "$want" >"$stamp"
    echo "venv $venv: $("$venv/bin/python" -V 2>&1), ansible-core $("$venv/bin/python" -c 'import ansible.release as r; print(r.__version__)')"
}

matrix_setup() {  # the other cells: venvs (side by side, from PyPI), copies of the collection, HOMEs with get-pip
    local core pids=() failed=0 i
    for core in "${MATRIX_CORES[@]}"; do
        [ "$core" = "$MATRIX_MAIN" ] && continue
        ensure_cell_venv "$core" >"$WORK/logs/venv-$core.log" 2>&1 &
        pids+=($!)
    done
    i=0
    for core in "${MATRIX_CORES[@]}"; do
        [ "$core" = "$MATRIX_MAIN" ] && continue
        if wait "${pids[$i]}"; then
            say "    $(tail -n 1 "$WORK/logs/venv-$core.log")"
        else
            say "!! the venv of ansible-core $core failed:"
            tail -n 20 "$WORK/logs/venv-$core.log"
            failed=1
        fi
        i=$((i + 1))
        rm -rf "$(cell_root "$core")/ansible_collections"
        mkdir -p "$(cell_root "$core")/ansible_collections/community" "$(cell_home "$core")"
        cp -a "$WORK/pristine/community/kuzzle" "$(cell_root "$core")/ansible_collections/community/kuzzle"
        [ $failed -eq 0 ] && write_get_pip "$(cell_venv "$core")/bin/python" "$(cell_home "$core")"
    done
    return $failed
}

# run_cell STAGE FUNC CORE (in the background): runs `FUNC CORE` in the cell's copy of the collection, with
# its venv, HOME and collections path, its output in $WORK/logs/STAGE-CORE.log (not streamed), and writes
# the result, seconds and FUNC's NOTE to $WORK/logs/STAGE-CORE.result
run_cell() {
    local stage=$1 func=$2 core=$3 started rc root venv
    root=$(cell_root "$core")
    venv=$(cell_venv "$core")
    local STAGE_LOG=$WORK/logs/$stage-$core.log NO_STREAM=1 NOTE=""
    local -x VIRTUAL_ENV=$venv PATH="$venv/bin:$WORK/pythons:$PATH" ANSIBLE_COLLECTIONS_PATH=$root PYTHONPATH=$root
    local -x HOME
    HOME=$(cell_home "$core")
    : >"$STAGE_LOG"
    started=$(now_ms)
    if cd "$root/ansible_collections/community/kuzzle"; then
        "$func" "$core"
        rc=$?
    else
        rc=1 NOTE="no copy of the collection"
    fi
    printf '%s\t%s\t%s\n' "$rc" "$(secs_since "$started")" "$NOTE" >"$WORK/logs/$stage-$core.result"
}

# run_cells STAGE FUNC CORE...: run_cell for each core, MATRIX_JOBS at a time. FUNC sets NOTE and returns 0
# (pass) or not. Adds one summary row per cell, prints the end of the log of a failed one, and appends the
# cells' logs to the stage's log. Returns 1 if any cell failed.
run_cells() {
    local stage=$1 func=$2 core running=() result rc=0 secs note
    shift 2
    for core in "$@"; do
        while [ ${#running[@]} -ge "$MATRIX_JOBS" ]; do
            wait -n "${running[@]}" 2>/dev/null
            mapfile -t running < <(jobs -rp)
        done
        say "    $stage on $(cell_label "$core"): started (log: $WORK/logs/$stage-$core.log)"
        rm -f "$WORK/logs/$stage-$core.result"
        run_cell "$stage" "$func" "$core" &
        running+=($!)
    done
    wait
    for core in "$@"; do
        IFS=$'\t' read -r result secs note <"$WORK/logs/$stage-$core.result" || { result=1 secs=- note="no result"; }
        if [ "$result" = 0 ]; then result=pass; else result=FAIL; rc=1; fi
        say "    $stage on $(cell_label "$core"): $result in ${secs}s${note:+ ($note)}"
        if [ "$result" = FAIL ]; then
            say "    --- end of $WORK/logs/$stage-$core.log"
            tail -n 40 "$WORK/logs/$stage-$core.log" | sed 's/^/    | /'
        fi
        C_NAME+=("  $core/py${MATRIX_CTRL[$core]}")
        C_RESULT+=("$result")
        C_SECS+=("$secs")
        C_NOTE+=("$note")
        cat "$WORK/logs/$stage-$core.log" >>"$STAGE_LOG"
    done
    return $rc
}
