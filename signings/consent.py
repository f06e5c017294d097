"""The consent statement a signer agrees to, and its fingerprint.

The tablet shows it (templates/kiosk/app.html, same msgid) and sends the SHA-256 of the words
as shown, in the language in use; the officer's screen records it as agreed on signing; the
pact's evidence page prints the statement whose fingerprint was recorded.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

CONSENT_STATEMENT = _(
    "Saya telah membaca pakta integritas ini dan menyatakan setuju untuk mematuhinya."
)


def consent_hash(text: str) -> str:
    """sha256 of the statement as shown, whitespace collapsed (the tablet does the same)."""
    return hashlib.sha256(" ".join(str(text).split()).encode()).hexdigest()


def statement_for(fingerprint: str) -> str | None:
    """The statement, in the language it was shown in, whose fingerprint this is; None when
    it is none of ours (another wording, or a tablet sending something else)."""
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            text = " ".join(str(CONSENT_STATEMENT).split())
        if consent_hash(text) == fingerprint:
            return text
    return None
