"""``cptui serve``: the dashboard in a browser, through textual-serve, guarded.

textual-serve on its own has no authentication, no Origin check on its websocket, and hands the
server's whole environment (AWS credentials included) to every app it spawns. Here:

- ``security``: plain functions, no web framework: the token, the Origin check, the loopback test, the
  environment the spawned app gets, the client's address for the audit log;
- ``cli``: the ``cptui serve`` options, the missing-extra message, the command each browser runs;
- ``server``: the aiohttp/textual-serve part (imported only when the extra is installed).
"""

from __future__ import annotations
