"""Metadata listeners: an HTTP server on ``169.254.169.254:80`` inside each router namespace.

The socket is made by a thread switched into the router's namespace, so it lives there
(a listening socket stays in the namespace it was created in) while this process serves
it from ordinary threads: no extra processes. Instances reach it through their default
gateway (the router leg); the router holds ``169.254.169.254/32`` on its ``lo``. Requests
go to ``responder(router_id, source_ip, path)``; with none set every path answers 404.
A listener must be stopped before its namespace is deleted (an open socket would keep
the namespace alive, unnamed).
"""

from __future__ import annotations

import logging
import socketserver
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from pocketstack.host.proc import in_netns

ADDRESS, PORT = "169.254.169.254", 80
Responder = Callable[[str, str, str], tuple[int, str, bytes]]
log = logging.getLogger(__name__)


class _Handler(BaseHTTPRequestHandler):
    server_version = "pocketstack-metadata"
    protocol_version = "HTTP/1.0"

    def do_GET(self) -> None:
        responder = self.server.listeners.responder
        if responder is None:
            status, ctype, body = 404, "text/plain", b"Not Found"
        else:
            status, ctype, body = responder(self.server.router_id, self.client_address[0],
                                            self.path)
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:
        log.debug("metadata %s: " + format, self.server.router_id, *args)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def server_bind(self) -> None:
        # HTTPServer's own looks up getfqdn(address): a router has no resolver, and the
        # lookup would stall the agent for seconds.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = ADDRESS, PORT


class MetadataListeners:
    """One listener per router, made and stopped by the network driver."""

    def __init__(self, responder: Responder | None = None) -> None:
        self.responder = responder
        self._servers: dict[str, tuple[_Server, threading.Thread]] = {}
        self._lock = threading.Lock()

    def running(self, router_id: str) -> bool:
        with self._lock:
            entry = self._servers.get(router_id)
            return entry is not None and entry[1].is_alive()

    def ensure(self, router_id: str, ns: str) -> None:
        """Listen in ``ns`` for ``router_id`` (no-op when already listening)."""
        if self.running(router_id):
            return
        self.stop(router_id)
        server = in_netns(ns, _Server, (ADDRESS, PORT), _Handler)
        server.router_id, server.listeners = router_id, self
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.5},
                                  name=f"metadata-{ns}", daemon=True)
        thread.start()
        with self._lock:
            self._servers[router_id] = (server, thread)

    def stop(self, router_id: str) -> None:
        with self._lock:
            entry = self._servers.pop(router_id, None)
        if entry is not None:
            server, thread = entry
            server.shutdown()
            server.server_close()
            thread.join(2)

    def stop_all(self) -> None:
        for router_id in list(self._servers):
            self.stop(router_id)
