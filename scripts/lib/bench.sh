# Shared by the scripts/bench-*.sh benchmarks (sourced, not run): a release build of the
# products a benchmark needs, a scratch folder removed on exit, and treadsim started on a free
# port of 127.0.0.1. Each function exits the script with a message when it cannot do its part.

# bench_build PRODUCT...: release-builds the products in BUILD_PATH (default .build); sets BIN.
# Linked as the .deb ships them (--static-swift-stdlib), so start-up, RSS and CPU are the
# product's.
bench_build() {
    BUILD_PATH="${BUILD_PATH:-.build}"
    echo "building $* (release, static Swift runtime, $BUILD_PATH)" >&2
    local product
    for product in "$@"; do
        swift build -c release --static-swift-stdlib --scratch-path "$BUILD_PATH" --product "$product" >&2
    done
    BIN="$(swift build -c release --static-swift-stdlib --scratch-path "$BUILD_PATH" --show-bin-path)"
}

# bench_workdir NAME: sets WORK to a fresh folder; it and treadsim (if started) go on exit.
bench_workdir() {
    WORK="$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")"
    SIM_PID=""
    trap bench_cleanup EXIT
    trap 'exit 130' INT TERM
}

bench_cleanup() {
    if [[ -n "${SIM_PID:-}" ]] && kill -0 "$SIM_PID" 2>/dev/null; then
        kill "$SIM_PID" 2>/dev/null || true
        wait "$SIM_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}

# bench_stop_treadsim: stops the treadsim bench_start_treadsim started, if it still runs.
bench_stop_treadsim() {
    if [[ -n "${SIM_PID:-}" ]] && kill -0 "$SIM_PID" 2>/dev/null; then
        kill "$SIM_PID" 2>/dev/null || true
        wait "$SIM_PID" 2>/dev/null || true
    fi
    SIM_PID=""
}

# bench_start_treadsim PROFILE: treadsim from BIN serving PROFILE on 127.0.0.1, a free port;
# sets SIM_PID and PORT once treadsim has reported the port it bound.
bench_start_treadsim() {
    "$BIN/treadsim" --profile "$1" --tcp 127.0.0.1:0 2>"$WORK/treadsim.err" &
    SIM_PID=$!
    PORT=""
    local _
    for _ in $(seq 1 100); do
        PORT="$(sed -n 's/^treadsim: .* on tcp 127\.0\.0\.1:\([0-9][0-9]*\) unit 1$/\1/p' "$WORK/treadsim.err" | head -n 1)"
        [[ -n "$PORT" ]] && break
        if ! kill -0 "$SIM_PID" 2>/dev/null; then
            echo "treadsim exited:" >&2
            cat "$WORK/treadsim.err" >&2
            exit 1
        fi
        sleep 0.1
    done
    if [[ -z "$PORT" ]]; then
        echo "treadsim did not report its port within 10 s:" >&2
        cat "$WORK/treadsim.err" >&2
        exit 1
    fi
    echo "treadsim (pid $SIM_PID) on 127.0.0.1:$PORT" >&2
}
