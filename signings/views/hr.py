"""Officer console views shared by the hr_* modules: pagination and small helpers."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest

PAGE_SIZE = 50


def paginate(request: HttpRequest, queryset):
    """A page of `queryset`; out-of-range or junk page numbers fall back to a valid page."""
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def id_param(request: HttpRequest, name: str) -> int | None:
    """A primary key from the query string, or None for anything else (junk is ignored).

    isdecimal, not isdigit: "²" is a digit int() refuses; and at most 18 digits, so the value
    fits a bigint.
    """
    value = request.GET.get(name, "")
    return int(value) if value.isdecimal() and len(value) <= 18 else None


def query_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()
