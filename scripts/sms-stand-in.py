#!/usr/bin/env python3
"""A stand-in SMS gateway for benchmarks: answers every POST like Twilio's Messages API,
at once or after a delay in milliseconds (a real gateway takes tens of them or more).

    python3 scripts/sms-stand-in.py 8091
    python3 scripts/sms-stand-in.py 8091 20
"""
import itertools
import json
import socket
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ids = itertools.count(1)


class Gateway(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        # Headers and body go out in two writes: without this each answer waits ~40 ms.
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if DELAY:
            time.sleep(DELAY)
        body = json.dumps({"sid": f"SM{next(ids):032x}", "status": "queued"}).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


DELAY = float(sys.argv[2]) / 1000 if len(sys.argv) > 2 else 0
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Gateway).serve_forever()
