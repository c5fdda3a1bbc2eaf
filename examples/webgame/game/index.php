<?php
// The web game's API (JSON):
//   POST /players {"name": "ann"}               -> 201 {"player": {"id", "name"}}; 409 if taken
//   POST /scores  {"player_id": 1, "score": 42} -> 201 {"score": {"id", "player_id", "score"}}
//   GET  /top                                   -> {"top": [{"name", "score"}, ...]} best ten
//   GET  /replication                            -> {"primary": counts, "replica": counts}
//   GET  /slow?ms=500                           -> {"slept_ms": 500} (a busy worker; max 5000)
// Every answer names the server that made it in the X-Served-By header.
require __DIR__ . '/db.php';

function answer(int $status, array $body): void {
    http_response_code($status);
    header('Content-Type: application/json');
    header('X-Served-By: ' . gethostname());
    echo json_encode($body), "\n";
}

function error_answer(int $status, string $message): void {
    answer($status, ['error' => ['code' => $status, 'message' => $message]]);
}

function json_body(): array {
    $body = json_decode(file_get_contents('php://input'), true);
    return is_array($body) ? $body : [];
}

function create_player(): void {
    $name = json_body()['name'] ?? null;
    if (!is_string($name) || $name === '' || strlen($name) > 64) {
        error_answer(400, 'name: a string of 1 to 64 characters is required');
        return;
    }
    $link = db();
    $statement = $link->prepare('INSERT INTO players (name) VALUES (?)');
    $statement->bind_param('s', $name);
    try {
        $statement->execute();
    } catch (mysqli_sql_exception $error) {
        if ($error->getCode() === 1062) {
            error_answer(409, "player '$name' exists");
            return;
        }
        throw $error;
    }
    answer(201, ['player' => ['id' => $link->insert_id, 'name' => $name]]);
}

function record_score(): void {
    $body = json_body();
    $player = $body['player_id'] ?? null;
    $score = $body['score'] ?? null;
    if (!is_int($player) || !is_int($score)) {
        error_answer(400, 'player_id and score: integers are required');
        return;
    }
    $link = db();
    $statement = $link->prepare('INSERT INTO scores (player_id, score) VALUES (?, ?)');
    $statement->bind_param('ii', $player, $score);
    try {
        $statement->execute();
    } catch (mysqli_sql_exception $error) {
        if ($error->getCode() === 1452) {
            error_answer(404, "no player $player");
            return;
        }
        throw $error;
    }
    answer(201, ['score' => ['id' => $link->insert_id, 'player_id' => $player,
                             'score' => $score]]);
}

function top_ten(): void {
    $rows = db()->query('SELECT p.name, MAX(s.score) AS score FROM scores s
                         JOIN players p ON p.id = s.player_id
                         GROUP BY p.id, p.name ORDER BY score DESC, p.name LIMIT 10');
    $top = [];
    foreach ($rows as $row) {
        $top[] = ['name' => $row['name'], 'score' => (int) $row['score']];
    }
    answer(200, ['top' => $top]);
}

function replication(): void {
    answer(200, ['primary' => counts(db('primary')), 'replica' => counts(db('replica'))]);
}

function slow(): void {
    $ms = max(0, min(5000, (int) ($_GET['ms'] ?? 500)));
    usleep($ms * 1000);
    answer(200, ['slept_ms' => $ms]);
}

$routes = [
    'POST /players' => 'create_player',
    'POST /scores' => 'record_score',
    'GET /top' => 'top_ten',
    'GET /replication' => 'replication',
    'GET /slow' => 'slow',
];
$path = rtrim(parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH), '/');
$route = $_SERVER['REQUEST_METHOD'] . ' ' . ($path === '/index.php' ? '' : $path);
try {
    if (isset($routes[$route])) {
        $routes[$route]();
    } else {
        error_answer(404, "no route $route; try POST /players, POST /scores, GET /top");
    }
} catch (mysqli_sql_exception $error) {
    error_log("webgame: $route: " . $error->getMessage());
    error_answer(503, 'the database did not answer; try again');
}
