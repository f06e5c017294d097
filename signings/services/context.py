"""Who is acting, from where: built once at the edge (view, API, task, admin) and handed to
every service, which puts it in the audit entry.
"""

from __future__ import annotations

import functools
import ipaddress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.http import HttpRequest

from signings import text

if TYPE_CHECKING:
    from signings.models import KioskDevice

USER_AGENT_MAX = 300

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def client_ip(request: HttpRequest | None) -> str | None:
    """The address of whoever sent the request: for the audit log, rate limits and login
    lockouts (django-axes calls this too, AXES_CLIENT_IP_CALLABLE).

    REMOTE_ADDR, the connection's other end. X-Forwarded-For is written by whoever sends the
    request, so it counts only when REMOTE_ADDR is one of our own reverse proxies
    (PAKTA_TRUSTED_PROXIES), and then only the hops those proxies appended: read from the right,
    the first address that is not a trusted proxy is the client. Without that setting, behind a
    proxy every visitor would share the proxy's address, and its limits.
    """
    if request is None:
        return None
    remote: str | None = request.META.get("REMOTE_ADDR") or None
    proxies = _trusted_proxies(tuple(settings.PAKTA_TRUSTED_PROXIES))
    if remote is None or not proxies or not _is_trusted(remote, proxies):
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for hop in reversed(hops):
        try:
            address = ipaddress.ip_address(hop)
        except ValueError:
            return remote  # a hop our proxy did not write: trust nothing beyond the proxy
        if not _is_trusted(str(address), proxies):
            return str(address)
    return remote


@functools.cache
def _trusted_proxies(entries: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _is_trusted(address: str, proxies: tuple[IPNetwork, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in proxies)


@dataclass(frozen=True)
class AuditContext:
    actor: Any = None  # an authenticated User, or None (a tablet, a task, the public)
    label: str = ""  # who, in words, when there is no user: "kiosk:Tablet 1", "task:archive"
    ip_address: str | None = None
    user_agent: str = ""
    device: KioskDevice | None = None

    @classmethod
    def from_request(cls, request: HttpRequest, *, device: KioskDevice | None = None,
                     label: str = "") -> AuditContext:
        user = getattr(request, "user", None)
        actor = user if user is not None and user.is_authenticated else None
        if device is not None and not label:
            label = f"kiosk:{device.name}"
        return cls(
            actor=actor,
            label=label,
            ip_address=client_ip(request),
            # Whatever a client claims, stored and shown: never a hidden character.
            user_agent=text.scrub(request.headers.get("User-Agent", "")[:USER_AGENT_MAX]),
            device=device,
        )

    @classmethod
    def system(cls, label: str) -> AuditContext:
        """Work nobody started directly: background tasks, management commands."""
        return cls(label=label)

    @classmethod
    def for_user(cls, user: Any) -> AuditContext:
        """A user acting outside a request (tests, shell, management commands)."""
        return cls(actor=user if getattr(user, "is_authenticated", False) else None)

    @property
    def actor_label(self) -> str:
        if self.label:
            return self.label
        return self.actor.get_username() if self.actor is not None else ""
