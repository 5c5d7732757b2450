#!/usr/bin/env bash
# Makes sure the services the test suite needs are reachable, starting them when they are
# installed locally but stopped. Fails loudly otherwise: tests that need them never skip.
#
#   PostgreSQL at ${ATTUNE_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432}
#   RabbitMQ at ${ATTUNE_TEST_AMQP_URL:-amqp://guest:guest@127.0.0.1:5672/%2f}
set -euo pipefail

pg_url="${ATTUNE_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432}"
hostport="${pg_url#*://}"; hostport="${hostport#*@}"; hostport="${hostport%%/*}"
pg_host="${hostport%%:*}"; pg_port="${hostport##*:}"
[[ "$pg_port" == "$hostport" ]] && pg_port=5432

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

wait_for() { # name host port
    for _ in $(seq 1 60); do
        port_open "$2" "$3" && return 0
        sleep 0.5
    done
    return 1
}

if ! port_open "$pg_host" "$pg_port"; then
    if command -v pg_ctlcluster >/dev/null 2>&1 && [[ -d /etc/postgresql ]]; then
        echo "PostgreSQL is not answering on $pg_host:$pg_port; starting the local cluster"
        for version in /etc/postgresql/*; do
            pg_ctlcluster --skip-systemctl-redirect "$(basename "$version")" main start || true
        done
    fi
    if ! wait_for PostgreSQL "$pg_host" "$pg_port"; then
        echo "error: PostgreSQL is required by the test suite and is not reachable at $pg_host:$pg_port" >&2
        echo "       start it, or point ATTUNE_TEST_POSTGRES_URL at one (user with CREATE DATABASE)" >&2
        exit 1
    fi
fi
echo "PostgreSQL: reachable at $pg_host:$pg_port"

#   RabbitMQ at ${ATTUNE_TEST_AMQP_URL:-amqp://guest:guest@127.0.0.1:5672/%2f}
amqp_url="${ATTUNE_TEST_AMQP_URL:-amqp://guest:guest@127.0.0.1:5672/%2f}"
hostport="${amqp_url#*://}"; hostport="${hostport#*@}"; hostport="${hostport%%/*}"
mq_host="${hostport%%:*}"; mq_port="${hostport##*:}"
[[ "$mq_port" == "$hostport" ]] && mq_port=5672

if ! port_open "$mq_host" "$mq_port"; then
    if command -v rabbitmqctl >/dev/null 2>&1; then
        echo "RabbitMQ is not answering on $mq_host:$mq_port; starting the local node"
        rabbitmqctl start_app >/dev/null 2>&1 || rabbitmq-server -detached || true
        rabbitmqctl await_startup >/dev/null 2>&1 || true
    fi
    if ! wait_for RabbitMQ "$mq_host" "$mq_port"; then
        echo "error: RabbitMQ is required by the test suite and is not reachable at $mq_host:$mq_port" >&2
        echo "       start it, or point ATTUNE_TEST_AMQP_URL at one" >&2
        exit 1
    fi
fi
echo "RabbitMQ: reachable at $mq_host:$mq_port"
