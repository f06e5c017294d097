from tests.permission_tables import Row  # noqa: F401

ROWS: list = []
