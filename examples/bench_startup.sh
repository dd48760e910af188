#!/usr/bin/env bash
# Startup benchmark: the real release binary from exec to its first frame on screen, under
# Xvfb, with the demo project. Prints one JSON line. Needs xvfb and Mesa:
#   apt-get install -y xvfb libgl1-mesa-dri libegl1 libxkbcommon-x11-0
#   cargo build --release && bash examples/bench_startup.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bin=target/release/weft
dir=$(mktemp -d)
trap 'kill $xvfb 2>/dev/null || true; rm -rf "$dir"' EXIT
Xvfb :97 -screen 0 1600x1000x24 >/dev/null 2>&1 &
xvfb=$!
sleep 1
"$bin" demo "$dir/demo.weft" >/dev/null
runs=()
for i in 1 2 3 4 5; do
  start=$(date +%s%3N)
  out=$(DISPLAY=:97 WEFT_STARTUP_PROBE=1 HOME="$dir" XDG_DATA_HOME="$dir" XDG_CONFIG_HOME="$dir" \
    timeout 20 "$bin" "$dir/demo.weft" 2>&1 | grep -o 'weft-first-frame-ms [0-9]*' | cut -d' ' -f2)
  runs+=($((out - start)))
done
sorted=$(printf '%s\n' "${runs[@]}" | sort -n | tr '\n' ' ')
median=$(printf '%s\n' "${runs[@]}" | sort -n | sed -n 3p)
echo "{\"bench\":\"startup\",\"first_frame_ms_median\":$median,\"runs_ms\":\"${sorted% }\",\"target_ms\":1000}"
