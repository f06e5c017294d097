"""Who is acting, from where: built once at the edge (view, API, task, admin) and handed to
every service, which puts it in the audit entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest

from signings import text

if TYPE_CHECKING:
    from signings.models import KioskDevice

USER_AGENT_MAX = 300


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    # REMOTE_ADDR only: X-Forwarded-For is set by whoever sends the request. Deployments behind
    # a proxy should have the proxy rewrite REMOTE_ADDR (gunicorn --forwarded-allow-ips).
    return request.META.get("REMOTE_ADDR") or None


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
