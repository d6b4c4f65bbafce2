"""A program as a terminal runs it: a child process in a pseudo-terminal (``PtyChild``), its output
drained (``run_in_pty``) or its screen read as a person sees it, with pyte (``screen_run``,
``screen_milestones``: the frame, cached rows, rows whose status is live on the pipelines list).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import select
import struct
import termios
import time
from collections.abc import Callable
from typing import Any

from tui.app.bench_hook import is_live


class PtyChild:
    """A program started in a pseudo-terminal of ``size`` (columns, rows): ``fd`` is the terminal's
    side; ``ended`` polls it, ``reap`` waits for it and closes the terminal."""

    def __init__(self, argv: list[str], env: dict[str, str], size: tuple[int, int]) -> None:
        self.began = time.monotonic()
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: become the program
            try:
                fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
                os.execve(argv[0], argv, env)
            finally:
                os._exit(127)
        self._status: int | None = None
        self._maxrss = 0

    def ended(self, deadline: float) -> bool:
        """Whether the child has exited, or was killed now for running past ``deadline``."""
        done, status, rusage = os.wait4(self.pid, os.WNOHANG)
        if done:
            self._status, self._maxrss = status, int(rusage.ru_maxrss)
            return True
        if time.monotonic() > deadline:
            os.kill(self.pid, 9)
            return True
        return False

    def reap(self) -> tuple[int, int]:
        """Wait for the child (unless ``ended`` saw it exit) and close the terminal: (exit status,
        peak RSS in kB of that child alone)."""
        if self._status is None:
            _, self._status, rusage = os.wait4(self.pid, 0)
            self._maxrss = int(rusage.ru_maxrss)
        os.close(self.fd)
        return os.waitstatus_to_exitcode(self._status), self._maxrss


def run_in_pty(
    argv: list[str], env: dict[str, str], timeout: float, size: tuple[int, int]
) -> tuple[float, int, int]:
    """Run ``argv`` in a pseudo-terminal of ``size``, draining its output; returns
    (monotonic spawn time, exit status, peak RSS in kB of that child alone)."""
    child = PtyChild(argv, env, size)
    deadline = child.began + timeout
    try:
        while True:
            ready, _, _ = select.select([child.fd], [], [], 0.05)
            if ready:
                try:
                    if not os.read(child.fd, 65536):
                        break
                except OSError:  # EIO: the child closed the terminal
                    break
            if child.ended(deadline):
                break
    finally:
        code, rss_kb = child.reap()
    return child.began, code, rss_kb


SCREEN_SIZE = (120, 40)


def screen_milestones(lines: list[str]) -> dict[str, Any]:
    """What a person sees on the pipelines list: the frame, cached rows, rows whose status is live.

    ``lines`` is the terminal's screen; the table is what lies between its header line (``Pipeline``
    ... ``Status``) and the footer (the last line)."""
    out: dict[str, Any] = {
        "frame": any(line.strip() for line in lines),
        "throttled": any("throttl" in line.lower() for line in lines),
        "rows": [],
        "cached": 0,
        "live": 0,
    }
    header = next((i for i, line in enumerate(lines) if "Pipeline" in line and "Status" in line), None)
    if header is None:
        return out
    top = lines[header]
    start = top.index("Status")
    end = top.find("Stage", start)
    end = end if end > start else start + 14
    for line in lines[header + 1 : len(lines) - 1]:
        name = line[:start].strip()
        if not name:
            continue
        status = line[start:end].strip()
        out["rows"].append(name)
        if "cached" in status:
            out["cached"] += 1
        if is_live(status):  # (the words the app's own probe goes by)
            out["live"] += 1
    return out


def screen_run(
    argv: list[str],
    env: dict[str, str],
    timeout: float,
    size: tuple[int, int] = SCREEN_SIZE,
    on_screen: Callable[[float, dict[str, Any]], None] | None = None,
) -> tuple[float, dict[str, float], list[str], int]:
    """Run ``argv`` in a pseudo-terminal of ``size``, reading its screen as a terminal would (pyte);
    returns (spawn time, seconds to each milestone seen on the screen, the rows on screen at the
    end, exit status). Milestones: ``frame``, ``cached_rows`` (a row marked cached),
    ``live_first`` and ``live_screen`` (every row on screen with its live status). ``on_screen``
    is told each screen read (seconds from the spawn, ``screen_milestones``)."""
    import pyte

    screen = pyte.Screen(*size)
    stream = pyte.ByteStream(screen)
    child = PtyChild(argv, env, size)
    began, fd = child.began, child.fd
    seen: dict[str, float] = {}
    rows: list[str] = []
    deadline = began + timeout
    try:
        while True:
            ready, _, _ = select.select([fd], [], [], 0.02)
            if ready:
                # The time the bytes reached the terminal, not when parsing them ended (pyte is
                # slow): drain what is there, then read the screen once.
                now = time.monotonic() - began
                data = b""
                closed = False
                while True:
                    try:
                        chunk = os.read(fd, 1 << 16)
                    except OSError:
                        closed = True
                        break
                    if not chunk:
                        closed = True
                        break
                    data += chunk
                    if not select.select([fd], [], [], 0)[0]:
                        break
                stream.feed(data)
                found = screen_milestones(list(screen.display))
                if on_screen is not None:
                    on_screen(now, found)
                if found["frame"]:
                    seen.setdefault("frame", now)
                if found["throttled"]:
                    seen.setdefault("throttling_shown", now)
                if found["cached"]:
                    seen.setdefault("cached_rows", now)
                if found["live"]:
                    seen.setdefault("live_first", now)
                if found["rows"] and found["live"] == len(found["rows"]) and "live_screen" not in seen:
                    seen["live_screen"] = now
                    rows = found["rows"]
                    # What a person sees decides, not the app's own probe: quit as they would.
                    with contextlib.suppress(OSError):
                        os.write(fd, b"q")
                    deadline = min(deadline, time.monotonic() + 10.0)
                if closed:
                    break
            if child.ended(deadline):
                break
    finally:
        code, _rss_kb = child.reap()
    return began, {k: round(v, 3) for k, v in seen.items()}, rows, code
