# Installs what hezhang needs on a fresh Debian/Ubuntu machine with Python 3.11+ (sourced by demo.sh and test.sh).
# Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

want_apt=()
need() { command -v "$1" >/dev/null 2>&1 || want_apt+=("$2"); }
python3 -c 'import venv, ensurepip' 2>/dev/null || want_apt+=(python3-venv)
need npm npm
need msgfmt gettext
for pkg in ${HEZHANG_EXTRA_APT:-}; do want_apt+=("$pkg"); done
if [ ${#want_apt[@]} -gt 0 ]; then
  echo "hezhang: installing system packages: ${want_apt[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${want_apt[@]}" >/dev/null
fi

python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "hezhang needs Python 3.11 or newer" >&2; exit 1; }
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null
# pip's own chatter goes to a log that is shown only when the install fails.
pip_log=$(mktemp)
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".${HEZHANG_PIP_EXTRAS:-}" >"$pip_log" 2>&1 || {
  cat "$pip_log" >&2; rm -f "$pip_log"; exit 1; }
rm -f "$pip_log"
# Leaflet and other front-end libraries: from npm, pinned by package-lock.json.
npm ci --no-audit --no-fund --loglevel=error >/dev/null
.venv/bin/hezhang compilemessages -v0 --ignore=.venv --ignore=node_modules
