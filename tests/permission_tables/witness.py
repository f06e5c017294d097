"""The witness's own device: whoever holds the one-time link may open it, no login."""

from tests.permission_tables import Row, everyone
from tests.permission_tables.hr import event_witness


def token(world):
    from signings.services import witnesses
    from signings.services.context import AuditContext

    if "witness_token" not in world.extra:
        event_witness(world)
        _link, world.extra["witness_token"] = witnesses.create_link(
            event=world.event, witness=world.extra["witness"],
            context=AuditContext.for_user(world.extra["users"]["hr_a"]))
    return {"token": world.extra["witness_token"]}


ROWS = [
    # A GET never spends the link; a POST without a signature only shows the form's errors.
    Row("witness:sign", expect=everyone(200), kwargs=token),
    Row("witness:sign", expect=everyone(200), kwargs=token, method="post"),
]
