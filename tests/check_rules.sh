#!/usr/bin/env bash
# check_rules: the code's own rules, checked on every test run.
#  - SQLite is used only in src/store/ (handlers never see SQL);
#  - fcgiapp.h only in src/front/fcgi.c, microhttpd.h only in src/front/http.c;
#  - FCGX_FPrintF is not used (its own printf mishandles %zu);
#  - nothing on the request path calls exit() or abort();
#  - every tv_trusted_html call carries a comment on the same line saying why
#    the HTML is safe;
#  - no SQL text is built with printf-style formatting in the store.
set -u
src=${1:-$(dirname "$0")/../src}
status=0
fail() { echo "check_rules: $*"; status=1; }

hits=$(grep -rlE 'sqlite3\.h|sqlite3_(prepare|exec)' "$src" --include='*.c' --include='*.h' | grep -v "/store/")
[ -z "$hits" ] || fail "SQLite used outside src/store/: $hits"

hits=$(grep -rl 'fcgiapp\.h\|fcgi_stdio\.h' "$src" | grep -v '/front/fcgi\.c$')
[ -z "$hits" ] || fail "libfcgi included outside src/front/fcgi.c: $hits"

hits=$(grep -rl 'microhttpd\.h' "$src" | grep -v '/front/http\.c$')
[ -z "$hits" ] || fail "libmicrohttpd included outside src/front/http.c: $hits"

hits=$(grep -rn 'FCGX_FPrintF\|FCGX_VFPrintF' "$src")
[ -z "$hits" ] || fail "FCGX_FPrintF is not to be used: $hits"

hits=$(grep -rnE '\b(exit|abort)\s*\(' "$src/core" "$src/pages" "$src/admin" "$src/store" "$src/front" 2>/dev/null)
[ -z "$hits" ] || fail "exit/abort on the request path: $hits"

hits=$(grep -rn 'tv_trusted_html(' "$src" --include='*.c' | grep -v '/core/template\.c:' | grep -v '/\*')
[ -z "$hits" ] || fail "tv_trusted_html without a comment saying why it is safe: $hits"

hits=$(grep -rnE '(printf|snprintf|strcat)\s*\([^;]*"(SELECT|INSERT|UPDATE|DELETE)' "$src/store")
[ -z "$hits" ] || fail "SQL built with formatting in src/store: $hits"

[ $status -eq 0 ] && echo "check_rules: all rules hold"
exit $status
