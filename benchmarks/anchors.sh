#!/bin/sh
# The anchors benchmarks/compare.py measures Masthead against, installed from
# scratch into a folder of their own: Pelican (with Python-Markdown) in a
# Python venv, and node mjml. Benchmark-only: neither is a dependency of
# Masthead or of its tests, and nothing here touches the project's venv.
#
#   benchmarks/anchors.sh [DIR]      (default: .bench-anchors in the checkout)
#   python benchmarks/compare.py --anchors DIR ...
#
# Makes DIR/venv (python3 -m venv; PYTHON=... to use another Python) and
# DIR/node (npm install of mjml, exact version, with its lock file).
# Versions are pinned so two runs months apart compare the same anchors.
set -eu

PELICAN_VERSION=4.12.0
MARKDOWN_VERSION=3.11.3
MJML_VERSION=4.18.0

here=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-$here/.bench-anchors}
python=${PYTHON:-python3}

mkdir -p "$dir/node"
"$python" -m venv "$dir/venv"
"$dir/venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    "pelican==$PELICAN_VERSION" "markdown==$MARKDOWN_VERSION"
npm install --prefix "$dir/node" --save-exact --no-audit --no-fund --loglevel=error \
    "mjml@$MJML_VERSION"

echo "pelican $("$dir/venv/bin/pelican" --version) in $dir/venv"
echo "$("$dir/node/node_modules/.bin/mjml" --version | tr '\n' ' ')in $dir/node"
