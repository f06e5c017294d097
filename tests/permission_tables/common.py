from tests.permission_tables import READ_LIST_PAGE, Row, everyone

ROWS = [
    Row("home", expect=READ_LIST_PAGE),
    Row("login", expect={**everyone(200), "hr_a": 302, "hr_b": 302, "auditor_a": 302,
                         "admin": 302}),
    # Logging out is a POST only; a GET is refused.
    Row("logout", expect=everyone(405)),
]
