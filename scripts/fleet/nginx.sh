#!/usr/bin/env bash
# Writes an nginx configuration that balances MCP over Streamable HTTP round robin across replicas, all on 127.0.0.1,
# with every path (pid, logs, temp files) inside DIR so that it runs unprivileged and leaves nothing behind:
#   scripts/fleet/nginx.sh DIR LISTEN_PORT UPSTREAM_PORT...      -> DIR/nginx.conf
# Then: nginx -p DIR -c DIR/nginx.conf -g 'daemon off;'. Shared by scripts/test-fleet.sh and scripts/bench.sh.
set -euo pipefail
dir="${1:?usage: nginx.sh DIR LISTEN_PORT UPSTREAM_PORT...}"
listen="${2:?listen port}"
shift 2
[ $# -gt 0 ] || { echo "nginx.sh: give at least one upstream port" >&2; exit 2; }
mkdir -p "$dir/logs" "$dir/temp"

servers=""
for port in "$@"; do
  # One failure takes a replica out for 10 s: a killed replica costs at most the calls in flight on it.
  servers+="    server 127.0.0.1:$port max_fails=1 fail_timeout=10s;"$'\n'
done

cat >"$dir/nginx.conf" <<EOF
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
events { worker_connections 1024; }
http {
  # Which replica answered each request: the proof of round robin.
  log_format upstream '\$request_method \$uri \$status upstream=\$upstream_addr';
  access_log $dir/logs/access.log upstream;
  client_body_temp_path $dir/temp/body;
  proxy_temp_path $dir/temp/proxy;
  fastcgi_temp_path $dir/temp/fastcgi;
  uwsgi_temp_path $dir/temp/uwsgi;
  scgi_temp_path $dir/temp/scgi;
  client_max_body_size 8m;

  upstream mcp {
$servers    keepalive 32;
  }

  server {
    listen 127.0.0.1:$listen;
    location / {
      proxy_pass http://mcp;
      # Keep-alive to the replicas needs HTTP/1.1 and no "Connection: close" passed on.
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      # Responses may be Server-Sent Events: pass each event on at once.
      proxy_buffering off;
      proxy_request_buffering off;
      # Above the longest waiting tool call (55 s).
      proxy_read_timeout 120s;
      proxy_send_timeout 120s;
      proxy_connect_timeout 2s;
      # A replica that refuses the connection: try the next one (the request was not sent, so even a POST is safe).
      proxy_next_upstream error timeout;
      proxy_next_upstream_tries 3;
    }
  }
}
EOF
