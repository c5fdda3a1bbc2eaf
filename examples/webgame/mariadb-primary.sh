#!/bin/sh
# User-data of the web game's MariaDB primary (examples/webgame). `pocketstack demo webgame`
# fills in the @-delimited fields; by hand: sed -e 's/@DB_PASSWORD@/.../' ... mariadb-primary.sh
# Writes its own config (the base image's /etc is a skeleton), makes the data dir, starts
# mariadbd with a binary log, then creates the game schema, the game user and the
# replication user. Ends by printing "webgame: primary ready" on the console log.
set -eu
trap 'status=$?; [ "$status" -eq 0 ] || echo "webgame: user-data failed (exit $status)"' EXIT
DB_PASSWORD='@DB_PASSWORD@'
REPL_PASSWORD='@REPL_PASSWORD@'
SERVER_ID=1

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
log-bin = mysql-bin
binlog-format = ROW
innodb_buffer_pool_size = 32M
performance_schema = OFF
max_connections = 200
[client]
socket = /run/mysqld/mysqld.sock
CONF
chown -R "$RUN_AS" /var/lib/mysql /run/mysqld /var/log/mysql
mariadb-install-db --user="$RUN_AS" --datadir=/var/lib/mysql --skip-test-db >/dev/null
mariadbd --defaults-file=/etc/mysql/my.cnf </dev/null >>/var/log/mysql/mariadbd.log 2>&1 &

tries=0
until mariadb-admin ping --silent 2>/dev/null; do
    tries=$((tries + 1))
    [ "$tries" -lt 600 ] || { echo "webgame: mariadbd did not start"; exit 1; }
    sleep 0.1
done
mariadb <<SQL
CREATE DATABASE game;
CREATE TABLE game.players (
    id INT AUTO_INCREMENT PRIMARY KEY,
    name VARCHAR(64) NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP);
CREATE TABLE game.scores (
    id INT AUTO_INCREMENT PRIMARY KEY,
    player_id INT NOT NULL,
    score INT NOT NULL,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    INDEX (score),
    FOREIGN KEY (player_id) REFERENCES game.players (id));
CREATE USER 'game'@'%' IDENTIFIED BY '$DB_PASSWORD';
GRANT SELECT, INSERT ON game.* TO 'game'@'%';
CREATE USER 'repl'@'%' IDENTIFIED BY '$REPL_PASSWORD';
GRANT REPLICATION SLAVE ON *.* TO 'repl'@'%';
SQL
echo "webgame: primary ready"
