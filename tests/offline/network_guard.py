"""Refuse network access: the default test run must work on a machine without a network.

``install()`` replaces ``socket.socket.connect``, ``connect_ex``, ``sendto`` and
``socket.getaddrinfo`` with versions that allow Unix sockets and loopback addresses
(``127.0.0.0/8``, ``::1``, ``localhost``) and refuse everything else *before* any packet
or DNS query leaves the process: they record the attempt (``ATTEMPTS``, and one line on
stderr) and raise ``NetworkAccessRefused``, an ``OSError`` as an unreachable network
would. ``uninstall()`` puts the originals back. The test session fails a test that made
an attempt (``tests/conftest.py``); subprocesses get the same guard from
``tests/offline/sitecustomize.py``.
"""

from __future__ import annotations

import ipaddress
import socket
import sys

ATTEMPTS: list = []
_ORIGINAL = {}


class NetworkAccessRefused(OSError):
    """A test tried to reach a host other than this one."""


def is_local(host) -> bool:
    """Whether ``host`` (a name or address, as str or bytes, or None) is this machine."""
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    host = str(host).split("%", 1)[0].strip("[]")
    if host in ("", "localhost", "localhost.localdomain", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _refuse(what: str, target) -> None:
    ATTEMPTS.append(f"{what} {target!r}")
    print(f"network guard: refused {what} {target!r} (the default tests run offline)", file=sys.stderr)
    raise NetworkAccessRefused(f"network access refused: {what} {target!r}")


def _check_address(sock, address, what: str) -> None:
    if sock.family not in (socket.AF_INET, socket.AF_INET6):
        return
    host = address[0] if isinstance(address, tuple) else address
    if not is_local(host):
        _refuse(what, address)


def install() -> None:
    """Put the guard in place (idempotent)."""
    if _ORIGINAL:
        return
    _ORIGINAL.update(connect=socket.socket.connect, connect_ex=socket.socket.connect_ex,
                     sendto=socket.socket.sendto, getaddrinfo=socket.getaddrinfo)

    def connect(self, address):
        _check_address(self, address, "connect to")
        return _ORIGINAL["connect"](self, address)

    def connect_ex(self, address):
        _check_address(self, address, "connect to")
        return _ORIGINAL["connect_ex"](self, address)

    def sendto(self, data, *rest):
        _check_address(self, rest[-1], "send to")
        return _ORIGINAL["sendto"](self, data, *rest)

    def getaddrinfo(host, *args, **kwargs):
        if not is_local(host):
            _refuse("look up", host)
        return _ORIGINAL["getaddrinfo"](host, *args, **kwargs)

    socket.socket.connect = connect
    socket.socket.connect_ex = connect_ex
    socket.socket.sendto = sendto
    socket.getaddrinfo = getaddrinfo


def uninstall() -> None:
    if not _ORIGINAL:
        return
    socket.socket.connect = _ORIGINAL["connect"]
    socket.socket.connect_ex = _ORIGINAL["connect_ex"]
    socket.socket.sendto = _ORIGINAL["sendto"]
    socket.getaddrinfo = _ORIGINAL["getaddrinfo"]
    _ORIGINAL.clear()
