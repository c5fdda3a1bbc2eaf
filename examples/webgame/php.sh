#!/bin/sh
# User-data of a web game PHP server (examples/webgame): Apache with mod_php and mod_status
# (ExtendedStatus On: /server-status shows "N requests currently being processed").
# `pocketstack demo webgame` fills in the @-delimited fields and puts the files of game/ in
# place of the GAME_FILES field. The base image's /etc is a skeleton, so Apache's and PHP's
# configuration is written here. Prints "webgame: php ready" once Apache answers.
set -eu
trap 'status=$?; [ "$status" -eq 0 ] || echo "webgame: user-data failed (exit $status)"' EXIT
mkdir -p /etc/webgame /var/www/game /etc/apache2 /etc/php/apache2 /run/apache2 \
    /var/log/apache2 /var/lock/apache2
cat >/etc/webgame/db.ini <<CONF
primary = "@PRIMARY_IP@"
replica = "@REPLICA_IP@"
user = "game"
password = "@DB_PASSWORD@"
database = "game"
CONF
chmod 640 /etc/webgame/db.ini

cd /var/www/game
@GAME_FILES@
cd /

RUN_AS=www-data
id www-data >/dev/null 2>&1 || RUN_AS=nobody
chgrp "$(id -gn "$RUN_AS")" /etc/webgame/db.ini
cat >/etc/php/apache2/php.ini <<CONF
extension_dir = /usr/lib/php/20220829
extension = mysqlnd
extension = mysqli
display_errors = Off
log_errors = On
error_log = /var/log/apache2/php.log
CONF
MODULES=/usr/lib/apache2/modules
cat >/etc/apache2/apache2.conf <<CONF
ServerRoot /etc/apache2
ServerName $(hostname)
Listen 80
PidFile /run/apache2/apache2.pid
Mutex file:/var/lock/apache2 default
User $RUN_AS
Group $(id -gn "$RUN_AS")
LoadModule mpm_prefork_module $MODULES/mod_mpm_prefork.so
LoadModule authz_core_module $MODULES/mod_authz_core.so
LoadModule dir_module $MODULES/mod_dir.so
LoadModule status_module $MODULES/mod_status.so
LoadModule php_module $MODULES/libphp8.2.so
StartServers 4
MinSpareServers 4
MaxSpareServers 16
MaxRequestWorkers 48
KeepAliveTimeout 5
PHPIniDir /etc/php/apache2
ErrorLog /var/log/apache2/error.log
LogFormat "%h %t \"%r\" %>s %D" short
CustomLog /var/log/apache2/access.log short
DocumentRoot /var/www/game
<Directory /var/www/game>
    Require all granted
    DirectoryIndex index.php
    FallbackResource /index.php
</Directory>
<FilesMatch "\.php\$">
    SetHandler application/x-httpd-php
</FilesMatch>
ExtendedStatus On
<Location /server-status>
    SetHandler server-status
    Require all granted
</Location>
CONF
apache2 -f /etc/apache2/apache2.conf -k start ||
    { echo "webgame: apache did not start:"; cat /var/log/apache2/error.log; exit 1; }

tries=0
until [ "$(curl --silent --max-time 2 http://127.0.0.1/health.php)" = ok ]; do
    tries=$((tries + 1))
    [ "$tries" -lt 300 ] || { echo "webgame: apache did not answer"; exit 1; }
    sleep 0.1
done
echo "webgame: php ready"
