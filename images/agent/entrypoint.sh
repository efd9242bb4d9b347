#!/bin/sh
# INGInious' compose service gives the backend address as BACKEND; AGENT_BACKEND_ADDR, when set, wins.
if [ -z "${AGENT_BACKEND_ADDR:-}" ] && [ -n "${BACKEND:-}" ]; then
  AGENT_BACKEND_ADDR=$BACKEND
fi
# Agents on one host share its /tmp/agent_data (compose replicas): each works in a subfolder named after its container,
# so that an agent emptying its folder at start never touches another's jobs. Same path on the host and in here.
AGENT_TMP_DIR="${AGENT_TMP_DIR:-/tmp/agent_data}/$(hostname)"
export AGENT_BACKEND_ADDR AGENT_TMP_DIR
exec /usr/local/bin/node /opt/agent/dist/main.js "$@"
