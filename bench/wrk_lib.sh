# Shell functions shared by the wrk benchmarks (sourced by bench/http_bench.sh and
# bench/content_bench.sh). run_wrk reads the caller's $threads, $conns and $secs.

# wait_port FILE [TENTHS=100] -> the port of "listening on http://HOST:PORT" printed in FILE,
# polled every 0.1 s for at most TENTHS times.
wait_port() {
  for _ in $(seq 1 "${2:-100}"); do
    if grep -qo 'listening on http://[0-9.]*:[0-9]*' "$1" 2>/dev/null; then
      grep -o 'listening on http://[0-9.]*:[0-9]*' "$1" | head -1 | sed 's/.*://'
      return 0
    fi
    sleep 0.1
  done
  echo "server did not start: $(cat "$1")" >&2
  return 1
}

# run_wrk WRK_ARGS... -> "requests_per_s p99_ms"; exits on any non-2xx response.
run_wrk() {
  local out rps p99 non2xx
  out="$(wrk -t"$threads" -c"$conns" -d"${secs}s" --latency "$@")"
  rps="$(echo "$out" | awk '/Requests\/sec/ {print $2}')"
  p99="$(echo "$out" | awk '$1=="99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; print v}')"
  non2xx="$(echo "$out" | awk '/Non-2xx/ {print $4}')"
  [[ -z "$non2xx" ]] || { echo "wrk saw non-2xx responses: $non2xx" >&2; exit 1; }
  echo "$rps $p99"
}

# median NUMBERS... -> their median
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
