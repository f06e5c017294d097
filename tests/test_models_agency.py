import pytest

from signings.models import Agency, AgencyKind, Employee
from tests import factories


def make_chain(root: Agency, depth: int) -> Agency:
    parent = root
    for level in range(depth):
        parent = Agency.objects.create(
            code=f"{root.code}-{level}", name=f"Unit {level}", kind=AgencyKind.UNIT,
            city="Sampit", parent=parent,
        )
    return parent


@pytest.mark.django_db
def test_path_reflects_ancestry(agency_a, unit_a):
    assert unit_a.path.startswith(agency_a.path)
    assert unit_a.depth == 1
    assert list(unit_a.ancestors()) == [agency_a, unit_a]
    assert unit_a.government == agency_a


@pytest.mark.django_db
@pytest.mark.parametrize("depth", [1, 8])
def test_subtree_query_is_one_query_at_any_depth(agency_a, agency_b, depth,
                                                 django_assert_num_queries):
    leaf = make_chain(agency_a, depth)
    for _ in range(3):
        factories.employee(leaf)
    factories.employee(agency_b)
    with django_assert_num_queries(1):
        agencies = list(Agency.objects.subtree_of(agency_a))
    assert len(agencies) == depth + 1
    with django_assert_num_queries(1):
        employees = list(Employee.objects.in_agency(agency_a))
    assert len(employees) == 3
    assert all(e.agency.path.startswith(agency_a.path) for e in employees)


@pytest.mark.django_db
def test_subtree_excludes_sibling_with_similar_prefix(agency_a):
    # Paths are fixed-width ids with a trailing slash, so agency 1 is not a prefix of agency 12.
    siblings = [Agency.objects.create(code=f"S{i}", name=f"S{i}", kind=AgencyKind.REGENCY,
                                      city="X") for i in range(12)]
    assert list(Agency.objects.subtree_of(siblings[0])) == [siblings[0]]


@pytest.mark.django_db
def test_moving_an_agency_moves_its_subtree(agency_a, agency_b, unit_a):
    leaf = make_chain(unit_a, 2)
    unit_a.parent = agency_b
    unit_a.save()
    leaf.refresh_from_db()
    assert leaf.path.startswith(agency_b.path)
    assert leaf.depth == 3
    assert not Agency.objects.subtree_of(agency_a).filter(pk=leaf.pk).exists()


@pytest.mark.django_db
def test_agency_cannot_move_under_itself(agency_a, unit_a):
    agency_a.parent = unit_a
    with pytest.raises(ValueError):
        agency_a.save()
