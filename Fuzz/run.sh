#!/usr/bin/env bash
# Builds the coverage-guided fuzzers (libFuzzer, with AddressSanitizer) and runs each for RUNS
# executions, starting from its seed corpus in Fuzz/Corpus/<target>. Not part of `swift test`.
#
#   Fuzz/run.sh [RUNS] [TARGET ...]     RUNS defaults to 1000000; TARGETs to all of them:
#   JSONMessages MessagePackMessages Handshake ServerSentEvents Negotiate MessagePackCodable
#
# Builds go to .build-fuzz/ (git-ignored); the corpus each run grows goes to
# .build-fuzz/corpus/<target>, findings to .build-fuzz/findings/<target>/.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-1000000}"
shift || true
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
    TARGETS=(JSONMessages MessagePackMessages Handshake ServerSentEvents Negotiate MessagePackCodable)
fi
OUT=.build-fuzz
mkdir -p "$OUT"
FLAGS=(-O -sanitize=fuzzer,address -parse-as-library -package-name swift_signalr -swift-version 6)

# SignalRProtocol, instrumented, as a module of its own (the targets import it as users do).
if [ ! -f "$OUT/libSignalRProtocol.a" ] || [ -n "$(find Sources/SignalRProtocol -newer "$OUT/libSignalRProtocol.a" -name '*.swift')" ]; then
    echo "Building SignalRProtocol for fuzzing…"
    swiftc "${FLAGS[@]}" -module-name SignalRProtocol -emit-module -emit-module-path "$OUT/SignalRProtocol.swiftmodule" \
        -emit-library -static -o "$OUT/libSignalRProtocol.a" $(find Sources/SignalRProtocol -name '*.swift')
fi

# The client's parsers that are not in SignalRProtocol, compiled into each target.
CLIENT_FILES=(
    Sources/SignalRClient/Configuration/SignalRError.swift
    Sources/SignalRClient/Connection/NegotiateResponse.swift
    Sources/SignalRClient/Transports/ServerSentEvents/ServerSentEventsParser.swift
)

for target in "${TARGETS[@]}"; do
    echo "Building $target…"
    swiftc "${FLAGS[@]}" -module-name "Fuzz$target" -I "$OUT" -L "$OUT" -lSignalRProtocol \
        Fuzz/Support/*.swift "Fuzz/Targets/$target.swift" "${CLIENT_FILES[@]}" -o "$OUT/fuzz-$target" 2>&1 \
        | grep -v "ld.gold: warning: Cannot export local symbol" || true
    test -x "$OUT/fuzz-$target"
    mkdir -p "$OUT/corpus/$target" "$OUT/findings/$target"
    echo "Running $target for $RUNS executions…"
    "$OUT/fuzz-$target" -runs="$RUNS" -malloc_limit_mb=512 -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
        -artifact_prefix="$OUT/findings/$target/" "$OUT/corpus/$target" "Fuzz/Corpus/$target" 2>&1 \
        | grep -E "^#[0-9]+[[:space:]]+(DONE|INITED)|stat::|ERROR|FINDING|SUMMARY|Fatal|artifact" || true
    if [ -n "$(ls -A "$OUT/findings/$target")" ]; then
        echo "FINDINGS for $target in $OUT/findings/$target"
        exit 1
    fi
done
