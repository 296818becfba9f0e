#!/usr/bin/env bash
# fake-databricks serve under concurrent keep-alive load, beside nginx serving a static file of
# the same size on the same machine (its physical limit here). Loopback only; bounded in time.
#
#   bash bench/serve_bench.sh [build-dir] [seconds]
#
# Installs wrk, nginx-light and curl (Debian) if missing. Prints requests/s for runs/get and
# jobs/list, nginx's, and the ratio. Figures go in docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
seconds=${2:-10}
for p in wrk nginx-light curl; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$p" >/dev/null
done
cmake --build "$build" --target fake-databricks >/dev/null

work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; nginx -c "$work/nginx.conf" -s stop 2>/dev/null || true; rm -rf "$work"' EXIT
echo '{"limits": {"rate_limits": false}, "latency_ms": 0}' > "$work/config.json"
"$build/fake-databricks/fake-databricks" serve --port 0 --token bench --config "$work/config.json" \
  > "$work/serve.log" &
for _ in $(seq 50); do grep -q listening "$work/serve.log" && break; sleep 0.1; done
url=$(sed -n 's/.*listening on //p' "$work/serve.log")
auth="Authorization: Bearer bench"
job=$(curl -s -H "$auth" -X POST "$url/api/2.2/jobs/create" \
  -d '{"name":"bench","tasks":[{"task_key":"t","notebook_task":{"notebook_path":"/x"}}]}' |
  sed 's/.*"job_id":\([0-9]*\).*/\1/')
run=$(curl -s -H "$auth" -X POST "$url/api/2.2/jobs/run-now" -d "{\"job_id\":$job}" |
  sed 's/.*"run_id":\([0-9]*\).*/\1/')
for i in $(seq 2 20); do
  curl -s -H "$auth" -X POST "$url/api/2.2/jobs/create" \
    -d "{\"name\":\"bench-$i\",\"tasks\":[{\"task_key\":\"t\",\"notebook_task\":{\"notebook_path\":\"/x\"}}]}" >/dev/null
done
runs_get="$url/api/2.2/jobs/runs/get?run_id=$run"
jobs_list="$url/api/2.2/jobs/list?limit=20"
size=$(curl -s -H "$auth" "$runs_get" | wc -c)

# nginx: the same response size from a static file, keep-alive, one worker per core.
mkdir -p "$work/www"
head -c "$size" /dev/zero | tr '\0' 'x' > "$work/www/run.json"
cat > "$work/nginx.conf" <<CONF
worker_processes auto;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path $work; proxy_temp_path $work; fastcgi_temp_path $work;
  uwsgi_temp_path $work; scgi_temp_path $work;
  server { listen 127.0.0.1:18099; root $work/www; }
}
CONF
nginx -c "$work/nginx.conf"

measure() {  # name url [header]
  local out
  if [ $# -ge 3 ]; then out=$(wrk -t2 -c32 -d"${seconds}s" -H "$3" "$2"); else out=$(wrk -t2 -c32 -d"${seconds}s" "$2"); fi
  local rps errors
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  errors=$(echo "$out" | awk '/Non-2xx/ {print $5}')
  printf '%-32s %12s req/s%s\n' "$1" "$rps" "${errors:+  (non-2xx: $errors)}" >&2
  echo "$rps"
}
echo "response size: $size bytes; wrk -t2 -c32 -d${seconds}s on $(nproc) cores" >&2
a=$(measure "serve runs/get" "$runs_get" "$auth")
b=$(measure "serve jobs/list (20 jobs)" "$jobs_list" "$auth")
c=$(measure "nginx static file, same size" "http://127.0.0.1:18099/run.json")
awk -v a="$a" -v c="$c" 'BEGIN { printf "serve runs/get / nginx: %.2f\n", a / c }' >&2
