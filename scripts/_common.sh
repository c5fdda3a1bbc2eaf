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

# ensure_debian_daemon_packages PKG...: like ensure_debian_packages, for packages that ship a
# daemon only instances run (mariadb-server, apache2, haproxy): a policy-rc.d that exits
# 101 keeps their postinst from starting it on the host, and their services are disabled.
ensure_debian_daemon_packages() {
    local policy=/usr/sbin/policy-rc.d saved="" package service
    local missing=()
    for package in "$@"; do
        debian_package_missing "$package" && missing+=("$package")
    done
    ((${#missing[@]})) || return 0
    [[ $EUID -eq 0 ]] || die "Debian packages ${missing[*]} are missing; run as root (sudo)"
    if [[ -e "$policy" ]]; then
        saved="$(mktemp)"
        cp -p "$policy" "$saved"
    fi
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy"
    ensure_debian_packages "${missing[@]}" || true
    if [[ -n "$saved" ]]; then mv "$saved" "$policy"; else rm -f "$policy"; fi
    for package in "${missing[@]}"; do
        debian_package_missing "$package" && die "could not install $package (see above)"
        for service in $(dpkg -L "$package" | sed -n 's:^/etc/init.d/::p'); do
            update-rc.d "$service" disable >/dev/null 2>&1 || true
            command -v systemctl >/dev/null && systemctl disable "$service" >/dev/null 2>&1
        done
    done
    return 0
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
