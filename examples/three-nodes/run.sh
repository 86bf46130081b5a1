#!/usr/bin/env bash
# Three Tidemark nodes on one machine over one PostgreSQL, and a client given all three URLs.
#
#   examples/three-nodes/run.sh          (Ctrl-C stops everything; logs and files in .tidemark/three-nodes/)
#
# Starts: the demo's embedded PostgreSQL with its writer (tidemark demo-postgres, port $PG_PORT, default 5433),
# three `tidemark serve` nodes on ports 7071, 7072, 7073 (the first one started leads capture, the others stand
# by and serve), and a tidemark-client syncing into a SQLite file with the three URLs. It then prints how to kill
# the leader and watch another node take over while the client goes on.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=${THREE_NODES_DIR:-$root/.tidemark/three-nodes}
pg_port=${PG_PORT:-5433}
ports=(7071 7072 7073)
tables=customers,orders,audit_log
mkdir -p "$dir"
secret=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
pids=()

cleanup() {
  trap - EXIT INT TERM
  echo "three-nodes: stopping the client, the nodes, then PostgreSQL"
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill "${pids[$i]}" 2>/dev/null || true
    wait "${pids[$i]}" 2>/dev/null || true
  done
}
trap cleanup EXIT INT TERM

wait_for() { # file, text, what
  for _ in $(seq 1 600); do
    if grep -q "$2" "$1" 2>/dev/null; then return 0; fi
    sleep 0.2
  done
  echo "three-nodes: $3 did not start; see $1" >&2
  exit 1
}

"$root/tidemark" --version >/dev/null # builds the server jar once, before anything starts
"$root/tidemark-client" --version >/dev/null # and the client's, so it syncs as soon as the nodes run
"$root/tidemark" demo-postgres --dir "$dir/pg" --port "$pg_port" >"$dir/postgres.log" 2>&1 &
pids+=($!)
wait_for "$dir/postgres.log" "PostgreSQL running" "PostgreSQL"
source="jdbc:postgresql://localhost:$pg_port/postgres?user=postgres"

for i in 0 1 2; do
  "$root/tidemark" serve --source "$source" --tables "$tables" --port "${ports[$i]}" \
    --set tidemark.http.bind-address=127.0.0.1 --set "tidemark.auth.secret=$secret" \
    >"$dir/node-$((i + 1)).log" 2>&1 &
  pids+=($!)
  echo "three-nodes: node $((i + 1)) pid ${pids[-1]} on ws://127.0.0.1:${ports[$i]}/sync (log $dir/node-$((i + 1)).log)"
  wait_for "$dir/node-$((i + 1)).log" "tidemark is serving" "node $((i + 1))"
done

token=$("$root/tidemark" token --set "tidemark.auth.secret=$secret" --client-id three-nodes-client)
urls="ws://127.0.0.1:${ports[0]}/sync,ws://127.0.0.1:${ports[1]}/sync,ws://127.0.0.1:${ports[2]}/sync"
"$root/tidemark-client" --server "$urls" --token "$token" --client-id three-nodes-client \
  --file "$dir/client.db" >"$dir/client.log" 2>&1 &
pids+=($!)

cat <<INFO

three-nodes: running. Node 1 (pid ${pids[1]}) leads capture; nodes 2 and 3 stand by and serve.
  See the nodes, the leader and each node's clients:
    $root/tidemark status --source '$source'
  Kill the leader and watch another node lead within seconds, the client move on:
    kill -9 ${pids[1]}
    $root/tidemark status --source '$source'     (node 1 shows as gone after 3 missed heartbeats)
    tail -f $dir/client.log
  Readiness of each node (leader or standby): curl -s http://127.0.0.1:${ports[1]}/readyz
  The client (pid ${pids[-1]}) runs until Ctrl-C; Ctrl-C (or the client ending) stops everything.
INFO
wait "${pids[-1]}"
