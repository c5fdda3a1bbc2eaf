# Shared by scripts/up and scripts/test (sourced, not run): Debian packages and the .venv.
# Runs from the checkout's root. Safe to run again: it does nothing when all is in place.

VENV_DIR="${VENV_DIR:-.venv}"
SYSTEM_PYTHON="${SYSTEM_PYTHON:-/usr/bin/python3}"

say() { printf 'pocketstack: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

debian_package_missing() {
    [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" != "install ok installed" ]]
}

# ensure_debian_packages PKG...: apt-get install the ones not installed yet (needs root).
ensure_debian_packages() {
    local missing=() package
    command -v dpkg-query >/dev/null || die "this script is for Debian 12; install $* by hand"
    for package in "$@"; do
        debian_package_missing "$package" && missing+=("$package")
    done
    ((${#missing[@]})) || return 0
    [[ $EUID -eq 0 ]] || die "Debian packages ${missing[*]} are missing; run as root (sudo)"
    say "installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

venv_works() {
    [[ -x "$VENV_DIR/bin/python" ]] && "$VENV_DIR/bin/python" -c 'import sys' 2>/dev/null
}

# ensure_venv [EXTRAS]: the venv exists and holds `pip install -e .[EXTRAS]`.
# pip runs again only when pyproject.toml (or EXTRAS) changed since the last success.
ensure_venv() {
    local extras="${1:-}" target="." stamp digest
    [[ -n "$extras" ]] && target=".[$extras]"
    if ! venv_works; then
        say "creating the virtualenv $VENV_DIR with $SYSTEM_PYTHON"
        rm -rf "$VENV_DIR"
        "$SYSTEM_PYTHON" -m venv "$VENV_DIR"
    fi
    stamp="$VENV_DIR/.pocketstack-installed${extras:+-$extras}"
    digest="$( (cat pyproject.toml; echo "$target"; "$VENV_DIR/bin/python" -V) | sha256sum | cut -d' ' -f1)"
    if [[ -f "$stamp" && "$(cat "$stamp")" == "$digest" && -x "$VENV_DIR/bin/pocketstack" ]]; then
        return 0
    fi
    say "installing pocketstack and its Python dependencies into $VENV_DIR (a minute or two the first time)"
    if ! pip_install "$target"; then
        # Every dependency ships wheels for Debian 12's Python; a compiler is only a fallback.
        say "pip failed; retrying with a C toolchain in case a dependency must be built"
        ensure_debian_packages python3-dev gcc
        pip_install "$target" || die "pip install -e '$target' failed (see above)"
    fi
    echo "$digest" >"$stamp"
}

pip_install() {
    "$VENV_DIR/bin/python" -m pip install -q --disable-pip-version-check -e "$1"
}
