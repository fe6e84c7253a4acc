#!/usr/bin/env bash
# install_test: `cmake --install` puts folio, www/ and sql/ where the
# installed binary finds them (BIN/../share/folio), not in the source tree.
set -euo pipefail
build=$1
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
test -x "$prefix/bin/folio"
test -f "$prefix/share/folio/sql/001_initial.sql"
test -f "$prefix/share/folio/www/templates/article.html"
# An article only the installed copy has proves which www/ is read.
cat > "$prefix/share/folio/www/demo/zz-installed-only.md" <<'MD'
---
title: Only in the installed tree
status: published
---
Body.
MD
out=$(cd / && "$prefix/bin/folio" init --demo --db "$prefix/test.db")
echo "$out" | grep -q "only-in-the-installed-tree: created" || {
  echo "install_test: the installed folio did not read its installed www/:"; echo "$out"; exit 1; }
echo "install_test: the installed folio uses $prefix/share/folio"
