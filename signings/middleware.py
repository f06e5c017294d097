from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

from signings import request_id


class IndonesianFirstLocaleMiddleware(LocaleMiddleware):
    """Bahasa Indonesia unless the user picked another language in the menu.

    Django's own middleware follows the browser's Accept-Language, which would show English to
    every officer whose browser happens to be set to English; here only the language cookie
    (set by the menu) counts.
    """

    def process_request(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class RequestIdMiddleware:
    """First in the chain: every response, even a redirect to HTTPS, carries `X-Request-ID`,
    and every log line written while the request runs (the 500 traceback included) names it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = request_id.choose(request.headers.get(request_id.HEADER))
        token = request_id.bind(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id.unbind(token)
        response[request_id.HEADER] = request.request_id
        return response


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every response Django makes.

    Nearly every page carries personal data (names, NIPs, signatures, pacts, roster exports,
    archives), and a browser's disk cache or a shared proxy must keep none of it; the few that
    do not (the login form, the kiosk shell) gain nothing from caching. Static files are served
    by whitenoise before this middleware and keep their long cache lifetimes.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "no-store" not in response.get("Cache-Control", ""):
            response["Cache-Control"] = "no-store"
        return response
