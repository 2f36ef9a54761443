#!/bin/sh
# `pkce token` with a fresh cached session, as a whole process, beside `pkce --version` in the
# same run: wall time (mean of N runs) and peak memory (max RSS, /usr/bin/time -v). Not part
# of CI. The session is written straight into a throwaway store; the fast path asks no server.
#
# usage: benches/cli-startup.sh [RUNS]    (PKCE_BIN=path to use a built binary; default: a
#        release build, deleted afterwards to spare the shared disk unless KEEP_RELEASE=1)
set -eu
runs="${1:-50}"
root="$(cd "$(dirname "$0")/.." && pwd)"
if [ -z "${PKCE_BIN:-}" ]; then
    cargo build --release -q -p pkce-cli --manifest-path "$root/Cargo.toml"
    PKCE_BIN="$root/target/release/pkce"
    built=1
fi
home="$(mktemp -d)"
trap 'rm -rf "$home"; if [ "${built:-0}" = 1 ] && [ "${KEEP_RELEASE:-0}" != 1 ]; then rm -rf "$root/target/release"; fi' EXIT
mkdir -p "$home/config/pkce" "$home/sessions"
chmod 700 "$home/sessions"
cat > "$home/config/pkce/config.toml" <<TOML
default_profile = "bench"
[profiles.bench]
issuer = "https://as.example.invalid"
client_id = "bench"
TOML
now="$(date +%s)"
printf '{"version":1,"issuer":"https://as.example.invalid","client_id":"bench","token_endpoint":"https://as.example.invalid/token","access_token":"bench-access-token","expires_at":%s,"refresh_token":"bench-refresh-token","scope":"openid","resources":[],"id_token":null,"stale":false,"dpop_key":null}' \
    "$((now + 3600))" > "$home/sessions/bench.json"
chmod 600 "$home/sessions/bench.json"
export XDG_CONFIG_HOME="$home/config" PKCE_STORE_DIR="$home/sessions"
unset PKCE_CONFIG PKCE_PROFILE KUBERNETES_EXEC_INFO || true

[ "$("$PKCE_BIN" token)" = "bench-access-token" ] || { echo "pkce token did not print the cached token" >&2; exit 1; }

if command -v hyperfine >/dev/null 2>&1; then
    hyperfine -N --warmup 5 --runs "$runs" "$PKCE_BIN --version" "$PKCE_BIN token"
fi

# Mean wall time in microseconds of RUNS runs of the command.
mean_us() {
    start="$(date +%s%N)"
    i=0
    while [ "$i" -lt "$runs" ]; do
        "$@" >/dev/null
        i=$((i + 1))
    done
    end="$(date +%s%N)"
    echo $(((end - start) / runs / 1000))
}

# Peak resident memory in KiB of one run.
peak_kib() {
    /usr/bin/time -v "$@" 2>&1 >/dev/null | awk -F: '/Maximum resident set size/ { gsub(/ /, "", $2); print $2 }'
}

version_us="$(mean_us "$PKCE_BIN" --version)"
token_us="$(mean_us "$PKCE_BIN" token)"
echo "runs: $runs"
echo "pkce --version : mean ${version_us} us, peak $(peak_kib "$PKCE_BIN" --version) KiB"
echo "pkce token     : mean ${token_us} us, peak $(peak_kib "$PKCE_BIN" token) KiB"
awk -v t="$token_us" -v v="$version_us" 'BEGIN { printf "ratio (token / --version): %.2f (target: at most 1.5)\n", t / v }'
