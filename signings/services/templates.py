"""Pact templates: the text is data officers edit, and a signed text never changes.

Editing a template updates its latest version in place while nobody has signed it and no
event using it has been opened; otherwise the edit becomes a new version, so what was signed
(or is being signed right now) keeps its exact text and hash.
"""

from __future__ import annotations

from django.db import transaction

from signings import regulation_templates
from signings.models import (
    Agency,
    EventStatus,
    ImmutableVersionError,
    PactTemplate,
    PactTemplateVersion,
)
from signings.services import audit
from signings.services.context import AuditContext


def version_is_frozen(version: PactTemplateVersion) -> bool:
    """True when the version's text must not change any more."""
    return version.is_signed or version.events.exclude(status=EventStatus.DRAFT).exists()


@transaction.atomic
def create_template(*, agency: Agency, name: str, description: str, content: dict,
                    context: AuditContext) -> PactTemplateVersion:
    template = PactTemplate.objects.create(agency=agency, name=name, description=description,
                                           created_by=context.actor)
    version = PactTemplateVersion.objects.create(template=template, number=1,
                                                 created_by=context.actor,
                                                 **content)
    audit.record(
        action="template.created", obj=version, agency=agency, context=context,
        details={"template": template.pk, "content_hash": version.content_hash},
    )
    return version


@transaction.atomic
def save_template(*, template: PactTemplate, name: str, description: str, content: dict,
                  context: AuditContext) -> tuple[PactTemplateVersion, bool]:
    """Save an edit; returns (the version now current, whether it is a new version)."""
    template = PactTemplate.objects.select_for_update().get(pk=template.pk)
    template.name, template.description = name, description
    template.save(update_fields=["name", "description"])
    latest = template.versions.order_by("-number").first()
    # The witness block is no part of the text's hash but is frozen with the version all
    # the same: changing it on a used version makes a new version too.
    witness = content.get("witness_required",
                          latest.witness_required if latest is not None else False)
    content = {key: content[key] for key in PactTemplateVersion.CONTENT_FIELDS}
    content["witness_required"] = bool(witness)
    created = True
    if latest is not None and not version_is_frozen(latest):
        for key, value in content.items():
            setattr(latest, key, value)
        try:
            # A savepoint: a signature landing meanwhile makes save() refuse, and then the
            # edit becomes a new version instead.
            with transaction.atomic():
                latest.save()
            version, created = latest, False
        except ImmutableVersionError:
            latest.refresh_from_db()
    if created:
        number = latest.number + 1 if latest is not None else 1
        version = PactTemplateVersion.objects.create(template=template, number=number,
                                                     created_by=context.actor, **content)
    audit.record(
        action="template.version_created" if created else "template.version_updated",
        obj=version, agency=template.agency, context=context,
        details={"template": template.pk, "number": version.number,
                 "content_hash": version.content_hash},
    )
    return version, created


@transaction.atomic
def install_regulation_templates(*, agency: Agency,
                                 context: AuditContext) -> list[PactTemplateVersion]:
    """Give the agency its copy of each shipped regulation template that it lacks (by name);
    one that exists already, even edited since, is left alone. Returns the versions made."""
    made = []
    for shipped in regulation_templates.SHIPPED:
        if PactTemplate.objects.filter(agency=agency, name=shipped.name).exists():
            continue
        template = PactTemplate.objects.create(agency=agency, name=shipped.name,
                                               description=shipped.description,
                                               created_by=context.actor)
        version = PactTemplateVersion.objects.create(
            template=template, number=1, created_by=context.actor,
            witness_required=shipped.witness_required, **shipped.content_for(agency.name))
        audit.record(
            action="template.regulation_installed", obj=version, agency=agency,
            context=context,
            details={"template": template.pk, "name": shipped.name,
                     "content_hash": version.content_hash,
                     "witness_required": shipped.witness_required},
        )
        made.append(version)
    return made
