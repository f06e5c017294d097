"""Permission rows of the officer console (signings/urls/hr.py)."""

from tests.permission_tables import HR_LIST_PAGE, HR_OBJECT_PAGE, Row, login_then

# A POST without a body: HR of A gets a redirect with an error message, never a 500.
HR_OBJECT_POST = login_then(hr_a=302, hr_b=404, auditor_a=403, admin=302)


def employee(world):
    return {"pk": world.employee.pk}


ROWS = [
    Row("hr:agencies", expect=HR_LIST_PAGE),
    Row("hr:employees", expect=HR_LIST_PAGE),
    Row("hr:employee_create", expect=HR_LIST_PAGE),
    Row("hr:employee_edit", expect=HR_OBJECT_PAGE, kwargs=employee),
    Row("hr:employee_set_active", expect=HR_OBJECT_POST, kwargs=employee, method="post"),
    Row("hr:employee_delete", expect=HR_OBJECT_POST, kwargs=employee, method="post"),
]

# A token that is not this session's pending import: officers are sent back to the upload.
NO_IMPORT = login_then(hr_a=302, hr_b=302, auditor_a=403, admin=302)

ROWS += [
    Row("hr:import_upload", expect=HR_LIST_PAGE),
    Row("hr:import_preview", expect=NO_IMPORT, kwargs=lambda world: {"token": "none"}),
    Row("hr:import_confirm", expect=NO_IMPORT, kwargs=lambda world: {"token": "none"},
        method="post"),
    Row("hr:import_template", expect=HR_LIST_PAGE, kwargs=lambda world: {"fmt": "xlsx"}),
    Row("hr:roster_export", expect=HR_LIST_PAGE, kwargs=lambda world: {"fmt": "csv"}),
]
