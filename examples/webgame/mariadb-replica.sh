#!/bin/sh
# User-data of the web game's MariaDB replica (examples/webgame). `pocketstack demo webgame`
# fills in the @-delimited fields, among them the primary's fixed IP.
# Writes its own config, makes the data dir, starts mariadbd read-only, waits until the
# primary accepts the replication user, then replicates from the start of the primary's
# binary log (GTID), so the schema and users arrive by replication too.
# Prints "webgame: replica ready" on the console log once the replica threads run.
set -eu
trap 'status=$?; [ "$status" -eq 0 ] || echo "webgame: user-data failed (exit $status)"' EXIT
PRIMARY_IP='@PRIMARY_IP@'
REPL_PASSWORD='@REPL_PASSWORD@'
SERVER_ID=2

RUN_AS=mysql
id mysql >/dev/null 2>&1 || RUN_AS=root
mkdir -p /etc/mysql /var/lib/mysql /run/mysqld /var/log/mysql
cat >/etc/mysql/my.cnf <<CONF
[mysqld]
user = $RUN_AS
datadir = /var/lib/mysql
socket = /run/mysqld/mysqld.sock
pid-file = /run/mysqld/mysqld.pid
bind-address = 0.0.0.0
port = 3306
skip-name-resolve
server-id = $SERVER_ID
relay-log = relay-bin
read-only = 1
innodb_buffer_pool_size = 32M
performance_schema = OFF
[client]
socket = /run/mysqld/mysqld.sock
CONF
chown -R "$RUN_AS" /var/lib/mysql /run/mysqld /var/log/mysql
mariadb-install-db --user="$RUN_AS" --datadir=/var/lib/mysql --skip-test-db >/dev/null
mariadbd --defaults-file=/etc/mysql/my.cnf </dev/null >>/var/log/mysql/mariadbd.log 2>&1 &

tries=0
until mariadb-admin ping --silent 2>/dev/null &&
      mariadb -h "$PRIMARY_IP" -u repl -p"$REPL_PASSWORD" -e 'SELECT 1' >/dev/null 2>&1; do
    tries=$((tries + 1))
    [ "$tries" -lt 1200 ] || { echo "webgame: primary $PRIMARY_IP not reachable"; exit 1; }
    sleep 0.1
done
mariadb <<SQL
CHANGE MASTER TO MASTER_HOST='$PRIMARY_IP', MASTER_USER='repl',
    MASTER_PASSWORD='$REPL_PASSWORD', MASTER_CONNECT_RETRY=1, MASTER_USE_GTID=slave_pos;
START SLAVE;
SQL
echo "webgame: replica ready"
