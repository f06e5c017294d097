import pytest
from django.db import IntegrityError, transaction

from signings.models import ImmutableVersionError, PactTemplateVersion
from tests import factories


@pytest.mark.django_db
def test_content_hash_is_sha256_of_canonical_content(template_version):
    assert len(template_version.content_hash) == 64
    same = factories.template_version(template_version.template.agency, name="Other")
    assert same.content_hash == template_version.content_hash
    changed = factories.template_version(template_version.template.agency, name="Third",
                                         points=["Menjaga netralitas."])
    assert changed.content_hash != template_version.content_hash


@pytest.mark.django_db
def test_hash_ignores_insignificant_whitespace(template_version):
    template_version.closing = "  " + template_version.closing + "\n"
    before = template_version.content_hash
    template_version.save()
    assert template_version.content_hash == before


@pytest.mark.django_db
def test_unsigned_version_can_still_be_edited(template_version):
    template_version.points = [*template_version.points, "Butir baru."]
    template_version.save()
    template_version.refresh_from_db()
    assert template_version.points[-1] == "Butir baru."


@pytest.mark.django_db
def test_signed_version_can_never_change(open_event, hr_a):
    employee = open_event.expected.first().employee
    factories.signature(open_event, employee, officer=hr_a)
    version = PactTemplateVersion.objects.get(pk=open_event.template_version_id)
    version.title = "Diubah"
    with pytest.raises(ImmutableVersionError):
        version.save()
    with pytest.raises(ImmutableVersionError):
        PactTemplateVersion.objects.filter(pk=version.pk).update(title="Diubah")
    with pytest.raises(ImmutableVersionError):
        version.delete()
    version.refresh_from_db()
    assert version.title != "Diubah"


@pytest.mark.django_db
def test_version_numbers_are_unique_per_template(template_version):
    with pytest.raises(IntegrityError), transaction.atomic():
        PactTemplateVersion.objects.create(
            template=template_version.template, number=template_version.number, title="x",
            opening="x", points=[], closing="x", election="x",
        )
