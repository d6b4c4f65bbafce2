"""A stand-in for a served app, speaking textual's web-driver protocol just enough for textual-serve:
the ``__GANGLION__`` prelude, then one data packet holding its environment and arguments as JSON;
it exits when the server sends anything on stdin (the ``quit`` meta packet when the browser leaves)."""

from __future__ import annotations

import json
import os
import sys

out = sys.stdout.buffer
out.write(b"__GANGLION__\n")
payload = json.dumps({"env": dict(os.environ), "argv": sys.argv[1:]}).encode("utf-8")
out.write(b"D" + len(payload).to_bytes(4, "big") + payload)
out.flush()
sys.stdin.buffer.read(1)
