#!/bin/sh
# INGInious' compose service gives the backend address as BACKEND; AGENT_BACKEND_ADDR, when set, wins.
if [ -z "${AGENT_BACKEND_ADDR:-}" ] && [ -n "${BACKEND:-}" ]; then
  AGENT_BACKEND_ADDR=$BACKEND
  export AGENT_BACKEND_ADDR
fi
exec /usr/local/bin/node /opt/agent/dist/main.js "$@"
