"""The public verification page: anyone holding a printed pact may open it, no login."""

from tests.permission_tables import Row, everyone
from tests.permission_tables.audit import _signature

ROWS = [
    Row("verify:home", expect=everyone(200)),
    Row("verify:signature", expect=everyone(200),
        kwargs=lambda w: {"code": _signature(w).verification_code}),
]
