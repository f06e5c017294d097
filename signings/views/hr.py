"""Officer console views shared by the hr_* modules: pagination and small helpers."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest

PAGE_SIZE = 50


def paginate(request: HttpRequest, queryset):
    """A page of `queryset`; out-of-range or junk page numbers fall back to a valid page."""
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def query_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()
