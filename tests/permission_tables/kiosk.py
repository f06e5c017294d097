"""Kiosk URLs: the officer's tablet pages (HR officers of the event's agency), the public
kiosk web app, and the JSON API (device token only: an officer's session grants nothing)."""

from signings.services.context import AuditContext
from tests.permission_tables import HR_OBJECT_PAGE, Row, everyone, login_then


def kiosk_world(event, actor) -> dict:
    """Objects the kiosk rows need, added to World.extra: an unpaired and a paired tablet."""
    from signings.services import kiosk

    unpaired = kiosk.add_device(
        event=event,
        name="Tablet belum terpasang",
        context=AuditContext.for_user(actor),
    ).device
    code = kiosk.add_device(
        event=event,
        name="Tablet terpasang",
        context=AuditContext.for_user(actor),
    ).code
    paired, token = kiosk.pair_device(code=code, context=AuditContext())
    return {"kiosk_unpaired": unpaired, "kiosk_paired": paired, "kiosk_token": token}


def _event(world):
    return {"event_pk": world.event.pk}


def _unpaired(world):
    return {"event_pk": world.event.pk, "pk": world.extra["kiosk_unpaired"].pk}


def _token(world):
    return {"Authorization": f"Device {world.extra['kiosk_token']}"}


ROWS = [
    Row("kiosk:devices", expect=HR_OBJECT_PAGE, kwargs=_event),
    # A POST without a name is a form error (422) for those allowed in.
    Row("kiosk:device_add", method="post", kwargs=_event,
        expect=login_then(hr_a=422, hr_b=404, auditor_a=403, admin=422)),
    Row("kiosk:device_code", method="post", kwargs=_unpaired,
        expect=login_then(hr_a=200, hr_b=404, auditor_a=403, admin=200)),
    Row("kiosk:device_revoke", method="post", kwargs=_unpaired,
        expect=login_then(hr_a=302, hr_b=404, auditor_a=403, admin=302)),
    # Without an officer chosen: back to the tablets page with a message.
    Row("kiosk:device_officer", method="post", kwargs=_unpaired,
        expect=login_then(hr_a=302, hr_b=404, auditor_a=403, admin=302)),
    # The kiosk app shell carries no data: public, like a login page.
    Row("kiosk:app", expect=everyone(200)),
    Row("kiosk:service_worker", expect=everyone(200)),
    Row("kiosk:manifest", expect=everyone(200)),
    Row("kiosk:api:openapi-json", expect=everyone(200)),
    Row("kiosk:api:api-root", expect=everyone(404)),
    # Pairing needs a JSON body with a code; an empty body is refused for everyone alike.
    Row("kiosk:api:pair", method="post", expect=everyone(400)),
    Row("kiosk:api:roster", expect=everyone(401)),
    Row("kiosk:api:roster", expect=everyone(200), headers=_token),
    Row("kiosk:api:status", expect=everyone(401)),
    Row("kiosk:api:status", expect=everyone(200), headers=_token),
    Row("kiosk:api:identity", method="post", expect=everyone(401)),
    Row("kiosk:api:identity", method="post", expect=everyone(400), headers=_token),
    Row("kiosk:api:identity_attempts", method="post", expect=everyone(401)),
    Row("kiosk:api:identity_attempts", method="post", expect=everyone(400), headers=_token),
    Row("kiosk:api:submit", method="post", expect=everyone(401)),
    Row("kiosk:api:submit", method="post", expect=everyone(400), headers=_token),
    Row("kiosk:api:submit_batch", method="post", expect=everyone(401)),
    Row("kiosk:api:submit_batch", method="post", expect=everyone(400), headers=_token),
]
