#!/usr/bin/env bash
# check_layers: an #include that points upward does not compile. Each case
# takes a real file of a layer, puts one include of a higher (or a
# neighbouring) layer at its top, and compiles it with exactly that layer's
# include roots; it must fail on that include. The same file unchanged must
# compile, so the failure is the include's and nothing else's.
#   check_layers.sh CC BUILD_DIR SRC_DIR
set -u
cc=$1 build=$2 src=$3
tmp=$(mktemp -d "${TMPDIR:-/tmp}/folio-layers.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
status=0

flags_of() {  # the include roots a layer's library compiles with (itself and below)
  case $1 in
    base) echo "-I$build/include/folio_base" ;;
    store) echo "$(flags_of base) -I$build/include/folio_store" ;;
    pages) echo "$(flags_of store) -I$build/include/folio_pages" ;;
    admin) echo "$(flags_of store) -I$build/include/folio_admin" ;;
  esac
}

try() {  # try LAYER FILE INCLUDE
  local layer=$1 file=$2 include=$3 flags
  flags="$(flags_of "$layer") -D_POSIX_C_SOURCE=200809L -D_XOPEN_SOURCE=700 -D_DEFAULT_SOURCE"
  flags="$flags $(pkg-config --cflags libxml-2.0 2>/dev/null)"
  # shellcheck disable=SC2086
  if ! "$cc" -std=c11 -fsyntax-only $flags "$src/$file" 2>"$tmp/plain.err"; then
    echo "check_layers: $file does not compile as it is:"; cat "$tmp/plain.err"; status=1; return
  fi
  { echo "#include \"$include\""; cat "$src/$file"; } >"$tmp/upward.c"
  # shellcheck disable=SC2086
  if "$cc" -std=c11 -fsyntax-only $flags -iquote "$src/$(dirname "$file")" "$tmp/upward.c" \
       2>"$tmp/upward.err"; then
    echo "check_layers: $file (layer $layer) compiled with #include \"$include\""; status=1
  elif ! grep -q "$include" "$tmp/upward.err"; then
    echo "check_layers: $file with $include failed, but not on that include:"
    cat "$tmp/upward.err"; status=1
  else
    echo "check_layers: $layer refuses $include, as it must"
  fi
}

try base core/buf.c store/db.h
try base core/template.c store/store.h
try base core/text.c pages/pages.h
try store store/tokens.c pages/pages.h
try store store/tokens.c app/app.h
try pages pages/health.c admin/admin.h
try pages pages/health.c app/app.h
try admin admin/log.c pages/pages.h
try admin admin/log.c front/front.h
exit $status
