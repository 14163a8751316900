#!/usr/bin/env bash
# The two quick-start commands:  bash dev.sh app   |   bash dev.sh test
# Each creates ./.venv on first use and installs what it needs (torch 2.14.1 pinned).
set -euo pipefail
cd "$(dirname "$0")"
PY=${PYTHON:-python3}

venv() {  # $1: requirements file
  [ -x .venv/bin/python ] || "$PY" -m venv .venv
  local stamp=".venv/.installed-$(basename "$1")"
  if [ ! -f "$stamp" ] || [ "$1" -nt "$stamp" ] || [ requirements.txt -nt "$stamp" ]; then
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q -r "$1"
    touch "$stamp"
  fi
}

browser() {  # Debian's Chromium (+ CJK and emoji fonts for screenshots), driven by Playwright; nginx for the proxy test
  command -v chromium >/dev/null && fc-list 2>/dev/null | grep -qi "Noto Sans CJK" && [ -x /usr/sbin/nginx ] && return
  local sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -q && $sudo apt-get install -y -q chromium fonts-noto-cjk fonts-noto-color-emoji nginx
}

case "${1:-app}" in
  app)
    venv requirements.txt
    exec .venv/bin/python -m streamlit run app.py "${@:2}" ;;
  test)
    venv requirements-dev.txt
    browser
    .venv/bin/python -m ruff check .
    .venv/bin/python -m ruff format --check .
    exec .venv/bin/python -m pytest "${@:2}" ;;
  *)
    echo "usage: bash dev.sh app | test [pytest args]" >&2; exit 2 ;;
esac
