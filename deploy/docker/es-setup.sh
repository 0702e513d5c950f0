#!/bin/bash
# One-shot Elasticsearch setup of the compose stack, least privilege (runs in the Elasticsearch
# image, which has curl; roles in deploy/elasticsearch/roles/, see deploy/README.md):
#   * the kibana_system password;
#   * roles pantau_writer (pipeline), pantau_monitor (monitor), pantau_analyst (Kibana, read only);
#   * user analyst (role pantau_analyst) for people in Kibana;
#   * API keys pantau-pipeline and pantau-monitor, limited to their role, written to
#     $KEYS_DIR/{pipeline,monitor}_api_key (a volume mounted read-only into those services).
# Idempotent: run it again after changing a secret file; an API key that still authenticates is
# kept, otherwise the keys of that name are invalidated and a new one is made. Passwords and keys
# go to curl in its config on stdin (-K -), never on a command line.
# (Demo: passwords must not contain a double quote or a backslash.)
set -euo pipefail
ES_URL="${ES_URL:-http://elasticsearch:9200}"
SECRETS_DIR="${SECRETS_DIR:-/run/secrets}"
ROLES_DIR="${ROLES_DIR:-/opt/pantau/roles}"
KEYS_DIR="${KEYS_DIR:-/run/pantau-keys}"
KEY_OWNER="${KEY_OWNER:-10001:10001}"   # the pantau image's user
secret() { tr -d '\n' < "$SECRETS_DIR/$1"; }
json_string() { printf '%s' "$1" | tr '\n' ' ' | sed 's/\\/\\\\/g; s/"/\\"/g'; }

# es METHOD PATH [JSON]: one authenticated request as elastic; fails on HTTP errors
es() {
    {
        printf 'user = "elastic:%s"\n' "$(secret elastic_password)"
        printf 'header = "Content-Type: application/json"\n'
        if [ $# -ge 3 ]; then printf 'data = "%s"\n' "$(json_string "$3")"; fi
    } | curl -fsS -K - -X "$1" "$ES_URL$2"
    echo
}

# key_works FILE: whether the API key in FILE authenticates
key_works() {
    [ -s "$1" ] || return 1
    printf 'header = "Authorization: ApiKey %s"\n' "$(tr -d '\n' < "$1")" \
        | curl -fsS -o /dev/null -K - "$ES_URL/_security/_authenticate"
}

# api_key NAME ROLE FILE: an API key limited to ROLE's privileges, in FILE
api_key() {
    if key_works "$3"; then echo "es-setup: API key $1 still valid"; return; fi
    es DELETE /_security/api_key "{\"name\": \"$1\"}" >/dev/null || true
    local answer encoded
    answer=$(es POST /_security/api_key "{\"name\": \"$1\", \"role_descriptors\": {\"$2\": $(cat "$ROLES_DIR/$2.json")}, \"metadata\": {\"application\": \"pantau\"}}")
    encoded=$(printf '%s' "$answer" | sed -n 's/.*"encoded" *: *"\([^"]*\)".*/\1/p')
    [ -n "$encoded" ] || { echo "es-setup: no API key in the answer for $1" >&2; exit 1; }
    umask 077
    printf '%s\n' "$encoded" > "$3.tmp"
    chown "$KEY_OWNER" "$3.tmp" 2>/dev/null || true
    chmod 0400 "$3.tmp"
    mv -f "$3.tmp" "$3"
    echo "es-setup: API key $1 written to $3"
}

until es GET "/_cluster/health?wait_for_status=yellow&timeout=30s" >/dev/null; do
    echo "waiting for Elasticsearch at $ES_URL"; sleep 5
done

es POST /_security/user/kibana_system/_password "{\"password\":\"$(secret kibana_system_password)\"}"
for role in "$ROLES_DIR"/*.json; do
    es PUT "/_security/role/$(basename "$role" .json)" "$(cat "$role")"
done
es PUT /_security/user/analyst "{\"password\":\"$(secret analyst_password)\",\"roles\":[\"pantau_analyst\"],\"full_name\":\"pantau analyst (read only)\"}"
mkdir -p "$KEYS_DIR"
api_key pantau-pipeline pantau_writer "$KEYS_DIR/pipeline_api_key"
api_key pantau-monitor pantau_monitor "$KEYS_DIR/monitor_api_key"
echo "es-setup: roles pantau_writer, pantau_monitor, pantau_analyst; user analyst; API keys ready"
