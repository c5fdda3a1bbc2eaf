<?php
// The load balancer's health check: this server runs PHP. (The database has its own checks.)
header('Content-Type: text/plain');
echo "ok\n";
