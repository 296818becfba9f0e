#!/usr/bin/env bash
# Installs exactly the Debian 12 packages kiln's build and tests need. Idempotent: it asks apt
# only for what is missing, so a second run does nothing and needs no network.
set -euo pipefail

packages=(
  build-essential cmake ninja-build git ca-certificates
  clang-format clang-tidy
  clang libclang-rt-14-dev  # the fuzz preset: clang's libFuzzer, ASan and UBSan runtimes
  libboost1.81-dev          # Asio (RealLoop); Beast for the servers
  nlohmann-json3-dev        # JSON everywhere
  libssl-dev                # SHA-256 trace fingerprints; TLS
  libhowardhinnant-date-dev # time zones for cron schedules (uses tzdata)
  tzdata
  libfmt-dev
  libcli11-dev              # command lines
  catch2                    # tests (v2)
  libbenchmark-dev          # bench/
  libyaml-cpp-dev           # job configs
  libarchive-dev            # build archives
  libsqlite3-dev            # the metadata DB
  git                       # build metadata (commit SHA)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Debian 12's libboost-dev pulls Boost 1.74, which would shadow 1.81: refuse to mix them.
if dpkg-query -W -f='${Status}' libboost1.74-dev 2>/dev/null | grep -q "install ok installed"; then
  echo "install-deps: libboost1.74-dev is installed; kiln builds against 1.81. Remove it with:" >&2
  echo "  apt-get remove libboost1.74-dev libboost-dev" >&2
  exit 1
fi
# node and npm run the official Databricks SDK against `fake-databricks serve`. Asked for by
# command, not by package: a NodeSource nodejs bundles its own npm and conflicts with Debian's.
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
