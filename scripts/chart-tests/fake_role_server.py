#!/usr/bin/env python3
"""A stand-in for an hft-host role's HTTP server, for the load-test test:
GET /health, /ready -> 200 "ok", /metrics -> 200 Prometheus text, anything
else -> 404. Listens on a free loopback port, writes it to argv[1], and
appends each request path to <dir of argv[1]>/server.requests."""
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

port_file = Path(sys.argv[1])
log = port_file.parent / "server.requests"
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        with lock, open(log, "a") as f:
            f.write(self.path + "\n")
        body = {"/health": b"ok\n", "/ready": b"ok\n",
                "/metrics": b"# TYPE hft_ticks_total counter\nhft_ticks_total 42\n"}.get(self.path)
        self.send_response(200 if body else 404)
        self.send_header("Content-Length", str(len(body or b"")))
        self.end_headers()
        self.wfile.write(body or b"")

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
port_file.write_text(str(server.server_address[1]))
server.serve_forever()
