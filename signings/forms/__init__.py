"""Forms of the officer console (django-crispy-forms, Bootstrap 5)."""
