#!/usr/bin/env bash
# Starts (and if needed installs) what the test suite talks to: PostgreSQL, Redis, headless Chromium.
# Idempotent. With CI=true anything missing is an error, never a skip.
set -u
fail() { echo "services: $*" >&2; if [ "${CI:-}" = "true" ]; then exit 1; fi; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo -n "$@"; else return 1; fi; }

# PostgreSQL
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start || true
  else
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get update -qq && as_root apt-get install -y -qq postgresql >/dev/null \
      && as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start || true
  fi
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
pg_isready -q -h 127.0.0.1 -p 5432 || fail "PostgreSQL is not reachable on 127.0.0.1:5432"

# Redis (the Redis task backend and cache tests): started when installed but down, installed
# from apt when missing. Nothing is kept on disk.
redis_up() { (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null; }
if ! redis_up; then
  command -v redis-server >/dev/null || { export DEBIAN_FRONTEND=noninteractive; \
    (as_root apt-get update -qq && as_root apt-get install -y -qq redis-server >/dev/null) || true; }
  command -v redis-server >/dev/null && redis-server --daemonize yes --bind 127.0.0.1 --port 6379 \
    --save "" --appendonly no >/dev/null 2>&1
  for _ in $(seq 1 20); do redis_up && break; sleep 0.5; done
fi
redis_up || fail "Redis is not reachable on 127.0.0.1:6379"

# Chromium for the browser tests (Debian's package; never a browser downloaded by a test tool)
# and gettext for the translation catalog checks.
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v xgettext >/dev/null || missing+=(gettext)
[ -x /usr/sbin/dovecot ] || missing+=(dovecot-imapd dovecot-pop3d)       # real IMAP/POP3 server for mail tests
command -v prometheus-alertmanager >/dev/null || missing+=(prometheus-alertmanager)  # real Alertmanager
command -v Xvfb >/dev/null || missing+=(xvfb xauth)                   # the Red Button's Tk window test
command -v node >/dev/null || missing+=(nodejs)                        # webhook signature snippet test
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  (as_root apt-get update -qq && as_root apt-get install -y -qq "${missing[@]}" >/dev/null) || true
fi
command -v chromium >/dev/null || fail "Chromium is not installed (apt-get install chromium)"
command -v xgettext >/dev/null || fail "gettext is not installed (apt-get install gettext)"
[ -x /usr/sbin/dovecot ] || fail "Dovecot is not installed (apt-get install dovecot-imapd dovecot-pop3d)"
command -v prometheus-alertmanager >/dev/null || fail "Alertmanager is not installed (apt-get install prometheus-alertmanager)"
exit 0
