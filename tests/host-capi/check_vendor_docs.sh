#!/usr/bin/env bash
# docs/vendors.md section 7 promises a complete minimal host per language: this extracts each one
# (the first code block of "### C", "### C++", "### Python", "### PHP"), builds it against the
# build tree as a vendor would, and runs it on the real plugin. Each must send a message.
# Usage: check_vendor_docs.sh SOURCE_DIR BUILD_DIR WORK_DIR
set -euo pipefail
source_dir="$1"
build="$2"
work="$3"
rm -rf "$work"
mkdir -p "$work"
/usr/bin/python3 - "$source_dir/docs/vendors.md" "$work" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
for heading, fence, name in (("### C\n", "c", "host.c"), ("### C++\n", "cpp", "host.cpp"),
                             ("### Python\n", "python", "host.py"), ("### PHP\n", "php", "host.php")):
    section = text[text.index(heading):]
    block = re.search(r"```" + re.escape(fence) + r"\n(.*?)```", section, re.S)
    if not block:
        sys.exit(f"docs/vendors.md {heading.strip()}: no ```{fence} block")
    open(f"{sys.argv[2]}/{name}", "w").write(block.group(1))
PY
library="$build/host-sdk/libehr_host.so"
plugins="$build/plugins"
cc -std=c99 -Wall -Wextra -pedantic -Werror "$work/host.c" -I "$source_dir/host-sdk/include" \
  -L "$build/host-sdk" -lehr_host -Wl,-rpath,"$build/host-sdk" -o "$work/host-c"
# Output to a file first: grep -q would end a pipe early, and pipefail would count the writer's SIGPIPE.
"$work/host-c" "$plugins" "$work/data-c" >"$work/c.out"
grep -q "sent: thread 1" "$work/c.out"
echo "C host: ok"
c++ -std=c++20 -Wall -Wextra -Werror "$work/host.cpp" -I "$source_dir/host-sdk/include" \
  "$build/host-sdk/libehr_host_sdk.a" "$build/storage/libehr_storage_postgresql.a" "$build/storage/libehr_storage.a" \
  -lpugixml -lsqlite3 -lpq -lsodium -ldl -lpthread -o "$work/host-cpp"
"$work/host-cpp" "$plugins" "$work/data-cpp" >"$work/cpp.out"
grep -q "1 thread, badge 1, 1 message" "$work/cpp.out"
echo "C++ host: ok"
EHR_HOST_LIBRARY="$library" PYTHONPATH="$source_dir/bindings/python" \
  /usr/bin/python3 "$work/host.py" "$plugins" "$work/data-py" >"$work/py.out"
grep -q "audit ok: True" "$work/py.out"
echo "Python host: ok"
sed -i "s|require 'bindings/php/EhrHost.php';|require '$source_dir/bindings/php/EhrHost.php';|; s|/usr/local/lib/libehr_host.so|$library|" \
  "$work/host.php"
php -d ffi.enable=true "$work/host.php" "$plugins" "$work/data-php" >"$work/php.out"
grep -q "Your results are in." "$work/php.out"
echo "PHP host: ok"
