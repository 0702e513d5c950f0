#!/bin/bash
# One-shot Elasticsearch setup of the compose stack (runs in the Elasticsearch image, which has
# curl): sets the kibana_system password, creates the role pantau_writer (what `pantau run` and
# `pantau monitor` need: index templates, and everything on pantau-* indices) and the user
# pantau. Idempotent: run it again after changing a secret file. Passwords are read from the
# compose secrets and handed to curl in its config on stdin (-K -), never on a command line.
# (Demo: passwords must not contain a double quote or a backslash.)
set -euo pipefail
ES_URL="${ES_URL:-http://elasticsearch:9200}"
SECRETS_DIR="${SECRETS_DIR:-/run/secrets}"
secret() { tr -d '\n' < "$SECRETS_DIR/$1"; }

# es METHOD PATH [JSON]: one authenticated request as elastic; fails on HTTP errors
es() {
    {
        printf 'user = "elastic:%s"\n' "$(secret elastic_password)"
        printf 'header = "Content-Type: application/json"\n'
        if [ $# -ge 3 ]; then printf 'data = "%s"\n' "$(printf '%s' "$3" | tr '\n' ' ' | sed 's/\\/\\\\/g; s/"/\\"/g')"; fi
    } | curl -fsS -K - -X "$1" "$ES_URL$2"
    echo
}

until es GET "/_cluster/health?wait_for_status=yellow&timeout=30s" >/dev/null; do
    echo "waiting for Elasticsearch at $ES_URL"; sleep 5
done

es POST /_security/user/kibana_system/_password "{\"password\":\"$(secret kibana_system_password)\"}"
es PUT /_security/role/pantau_writer '{
  "cluster": ["monitor", "manage_index_templates"],
  "indices": [{"names": ["pantau-*"], "privileges": ["all"]}]
}'
es PUT /_security/user/pantau "{\"password\":\"$(secret pantau_es_password)\",\"roles\":[\"pantau_writer\"],\"full_name\":\"pantau pipeline and monitor\"}"
echo "es-setup: kibana_system password set, role pantau_writer and user pantau ready"
