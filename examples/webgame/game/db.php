<?php
// Connections to the game's MariaDB servers, from /etc/webgame/db.ini (written by php.sh).

function db_settings(): array {
    static $settings = null;
    $settings ??= parse_ini_file('/etc/webgame/db.ini');
    return $settings;
}

function db(string $role = 'primary'): mysqli {
    mysqli_report(MYSQLI_REPORT_ERROR | MYSQLI_REPORT_STRICT);
    $s = db_settings();
    $link = mysqli_init();
    $link->options(MYSQLI_OPT_CONNECT_TIMEOUT, 2);
    $link->real_connect($s[$role], $s['user'], $s['password'], $s['database']);
    return $link;
}

function counts(mysqli $link): array {
    $row = $link->query('SELECT (SELECT COUNT(*) FROM players) AS players,
                                (SELECT COUNT(*) FROM scores) AS scores')->fetch_assoc();
    return ['players' => (int) $row['players'], 'scores' => (int) $row['scores']];
}
