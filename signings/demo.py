"""Demo data built from the news reports in shared/seeds: real agencies, synthetic people.

`python manage.py load_demo` calls `load()`. Everything is looked up by a natural key before
it is created, so loading twice changes nothing.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from signings.demo_people import (
    NIK_REGION,
    NON_ASN_POSITIONS,
    STAFF_POSITIONS,
    People,
    signature_png,
)
from signings.models import (
    AbsenceReason,
    Agency,
    AgencyKind,
    AttendanceStatus,
    Echelon,
    Employee,
    EmployeeCategory,
    EventKind,
    IndonesianTimeZone,
    PactTemplate,
    PactTemplateVersion,
    Role,
    RoleAssignment,
    Signature,
    SignatureMethod,
    SigningEvent,
    WitnessMethod,
)
from signings.regulation_templates import IKRAR_NETRALITAS_2024, PAKTA_INTEGRITAS
from signings.services import attendance, events, roles, roster, signatures, templates, witnesses
from signings.services.context import AuditContext
from signings.services.events import NewEvent

DEMO_PASSWORD = "pakta-demo-2024"  # noqa: S105 (printed in the README on purpose)
DEMO_USERS = [
    # username, full name, superuser, role, agency code
    ("admin", "Administrator Pakta", True, None, None),
    ("hr.kotim", "Rina Kartika (BKPSDM Kotim)", False, Role.HR_OFFICER, "KOTIM"),
    ("auditor.kotim", "Yusuf Hidayat (Inspektorat Kotim)", False, Role.AUDITOR, "KOTIM"),
]

LEGAL_BASIS_2024 = [
    "Undang-Undang Nomor 20 Tahun 2023 tentang Aparatur Sipil Negara",
    "Undang-Undang Nomor 5 Tahun 2014 tentang Aparatur Sipil Negara",
    "Keputusan Bersama Menteri PANRB, Menteri Dalam Negeri, Kepala BKN, Ketua KASN dan Ketua "
    "Bawaslu Nomor 2 Tahun 2022, Nomor 800-5474 Tahun 2022, Nomor 246 Tahun 2022, Nomor 30 "
    "Tahun 2022, Nomor 1447.1/PM.01/K.1/09/2022 tanggal 22 September 2022 tentang Pedoman "
    "Pembinaan dan Pengawasan Netralitas Pegawai ASN dalam Penyelenggaraan Pemilihan Umum dan "
    "Pemilihan",
]

# The 2024 Ikrar Netralitas as shipped (signings/regulation_templates.py), citing the old ASN
# law too, as the seeds' agencies did.
PEMILU_2024 = {**IKRAR_NETRALITAS_2024.content, "legal_basis": LEGAL_BASIS_2024}

PILKADA_2024 = {
    "title": "PAKTA INTEGRITAS DAN IKRAR NETRALITAS ASN DAN TENAGA KONTRAK DAERAH",
    "opening": "Saya yang bertanda tangan di bawah ini:",
    "points": [
        "Menjaga dan menegakkan prinsip netralitas Pegawai ASN dan Tenaga Kontrak Daerah dalam "
        "melaksanakan fungsi pelayanan publik, selama dan sesudah pelaksanaan Pemilihan Kepala "
        "Daerah dan Wakil Kepala Daerah 2024.",
        "Menghindari konflik kepentingan, tidak melakukan praktik intimidasi dan ancaman kepada "
        "Pegawai ASN, Tenaga Kontrak Daerah, dan seluruh elemen masyarakat serta tidak memihak "
        "pada Pemilihan Kepala Daerah dan Wakil Kepala Daerah 2024.",
        "Menggunakan media sosial secara bijak dan tidak menyebarkan ujaran kebencian serta "
        "berita bohong.",
        "Menolak politik uang dari segala jenis pemberian dalam bentuk apapun.",
    ],
    "closing": "Demikian ikrar ini kami buat dan dilaksanakan dengan penuh integritas dan "
    "tanggung jawab dalam rangka mewujudkan netralitas Pegawai ASN yang bermartabat, beretika "
    "dan demokratis demi terwujudnya persatuan dan kesatuan NKRI.",
    "sanctions": "Apabila melanggar, saya bersedia menerima sanksi sesuai dengan ketentuan "
    "peraturan perundang-undangan.",
    "legal_basis": LEGAL_BASIS_2024[:2],
    "election": "Pemilihan Kepala Daerah dan Wakil Kepala Daerah Tahun 2024",
}


@dataclass(frozen=True)
class AgencySpec:
    code: str
    name: str
    kind: str
    city: str
    address: str = ""
    parent: str | None = None
    staff: int = 0  # synthetic staff below the head and officials


AGENCIES = [
    AgencySpec("KALTENG", "Pemerintah Provinsi Kalimantan Tengah", AgencyKind.PROVINCE,
               "Palangka Raya", "Jl. RTA Milono No. 1, Palangka Raya"),
    AgencySpec("KALTENG-BAPPEDALITBANG",
               "Badan Perencanaan Pembangunan Daerah, Penelitian dan Pengembangan",
               AgencyKind.DEPARTMENT, "Palangka Raya", "Jl. Diponegoro No. 60, Palangka Raya",
               "KALTENG", 30),
    AgencySpec("KALTENG-SATPOLPP", "Satuan Polisi Pamong Praja Provinsi Kalimantan Tengah",
               AgencyKind.DEPARTMENT, "Palangka Raya", "Jl. Imam Bonjol, Palangka Raya",
               "KALTENG", 30),
    AgencySpec("KOTIM", "Pemerintah Kabupaten Kotawaringin Timur", AgencyKind.REGENCY,
               "Sampit", "Jl. Jenderal Sudirman Km. 5,5, Sampit"),
    AgencySpec("KOTIM-SETDA", "Sekretariat Daerah Kabupaten Kotawaringin Timur",
               AgencyKind.DEPARTMENT, "Sampit", "Jl. Jenderal Sudirman Km. 5,5, Sampit",
               "KOTIM", 30),
    AgencySpec("KOTIM-BKPSDM", "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",
               AgencyKind.DEPARTMENT, "Sampit", "Jl. Jenderal Sudirman, Sampit", "KOTIM", 20),
    AgencySpec("KOTIM-DINKES", "Dinas Kesehatan Kabupaten Kotawaringin Timur",
               AgencyKind.DEPARTMENT, "Sampit", "Jl. Sudirman, Sampit", "KOTIM", 35),
    AgencySpec("KOTIM-DINKES-YANKES", "Bidang Pelayanan Kesehatan", AgencyKind.UNIT, "Sampit",
               parent="KOTIM-DINKES", staff=12),
    AgencySpec("KOTIM-DISDIK", "Dinas Pendidikan Kabupaten Kotawaringin Timur",
               AgencyKind.DEPARTMENT, "Sampit", "Jl. HM Arsyad, Sampit", "KOTIM", 35),
    AgencySpec("KOTIM-DISDIK-SD", "Bidang Pembinaan Sekolah Dasar", AgencyKind.UNIT, "Sampit",
               parent="KOTIM-DISDIK", staff=12),
    AgencySpec("KOTIM-KEC-MBK", "Kecamatan Mentawa Baru Ketapang", AgencyKind.DEPARTMENT,
               "Sampit", "Jl. Ahmad Yani, Sampit", "KOTIM", 20),
    AgencySpec("SERUYAN", "Pemerintah Kabupaten Seruyan", AgencyKind.REGENCY, "Kuala Pembuang",
               "Jl. Ahmad Yani No. 1, Kuala Pembuang", staff=25),
    AgencySpec("SUMBAR", "Pemerintah Provinsi Sumatera Barat", AgencyKind.PROVINCE, "Padang",
               "Jl. Jenderal Sudirman No. 51, Padang"),
    AgencySpec("SUMBAR-SETDA", "Sekretariat Daerah Provinsi Sumatera Barat",
               AgencyKind.DEPARTMENT, "Padang", "Jl. Jenderal Sudirman No. 51, Padang",
               "SUMBAR", 30),
]

# Province codes for synthetic NIKs: Kalimantan Tengah 62, Sumatera Barat 13.
def _employee_key(data: dict) -> dict:
    if data.get("nip"):
        return {"nip": data["nip"]}
    return {"nik": data["nik"]}


def _ensure_employee(data: dict) -> Employee:
    employee = Employee.objects.filter(**_employee_key(data)).first()
    if employee is not None:
        return employee
    employee = Employee(**data)
    employee.full_clean()
    employee.save()
    return employee


def _build_staff(agency: Agency, spec: AgencySpec, people: People, root_code: str) -> None:
    region = NIK_REGION[root_code]
    rng = people.rng
    if spec.kind in (AgencyKind.DEPARTMENT, AgencyKind.REGENCY, AgencyKind.PROVINCE):
        name, sex, suffix = people.person()
        head = _ensure_employee({
            "name": name, "title_prefix": rng.choice(["", "Dr.", "Ir."]), "title_suffix": "M.Si",
            "category": EmployeeCategory.PNS, "nip": people.pns_nip(sex),
            "position": f"Kepala {spec.name}" if spec.kind == AgencyKind.DEPARTMENT
            else "Sekretaris Daerah", "grade": "IV/c", "echelon": Echelon.II, "agency": agency,
        })
        agency.head = head
        agency.save(update_fields=["head"])
        officials = [("Sekretaris", "IV/a", Echelon.III), ("Kepala Bidang", "III/d", Echelon.III),
                     ("Kepala Sub Bagian Umum", "III/c", Echelon.IV),
                     ("Kepala Seksi", "III/b", Echelon.IV)]
    else:
        officials = [("Kepala Bidang", "IV/a", Echelon.III), ("Kepala Seksi", "III/c", Echelon.IV)]
    for position, grade, echelon in officials:
        name, sex, suffix = people.person()
        _ensure_employee({
            "name": name, "title_suffix": suffix, "category": EmployeeCategory.PNS,
            "nip": people.pns_nip(sex), "position": position, "grade": grade, "echelon": echelon,
            "agency": agency,
        })
    pns_grades = ["II/c", "II/d", "III/a", "III/b", "III/c"]
    for i in range(spec.staff):
        name, sex, suffix = people.person()
        roll = i % 10
        if roll < 5:
            data = {"category": EmployeeCategory.PNS, "nip": people.pns_nip(sex),
                    "grade": rng.choice(pns_grades), "title_suffix": suffix,
                    "position": rng.choice(STAFF_POSITIONS)}
        elif roll < 7:
            data = {"category": EmployeeCategory.PPPK, "nip": people.pppk_nip(sex),
                    "grade": rng.choice(["V", "VII", "IX"]), "title_suffix": suffix,
                    "position": rng.choice(STAFF_POSITIONS)}
        else:
            category = [EmployeeCategory.HONORER, EmployeeCategory.CONTRACT,
                        EmployeeCategory.TKD][roll - 7]
            data = {"category": category, "nik": people.nik(region, sex),
                    "position": rng.choice(NON_ASN_POSITIONS)}
        _ensure_employee({"name": name, "agency": agency, "echelon": Echelon.NONE, **data})


def _ensure_template(owner: Agency, name: str, content: dict, user) -> PactTemplateVersion:
    template, _created = PactTemplate.objects.get_or_create(
        agency=owner, name=name, defaults={"created_by": user}
    )
    version = template.versions.filter(number=1).first()
    if version is None:
        version = PactTemplateVersion.objects.create(template=template, number=1, created_by=user,
                                                     **content)
    return version


def _ensure_users() -> dict[str, object]:
    user_model = get_user_model()
    users = {}
    for username, full_name, superuser, role, code in DEMO_USERS:
        user = user_model.objects.filter(username=username).first()
        if user is None:
            first, _sep, last = full_name.partition(" ")
            user = user_model(username=username, first_name=first, last_name=last,
                        is_staff=superuser, is_superuser=superuser)
            user.set_password(DEMO_PASSWORD)
            user.save()
        if role:
            agency = Agency.objects.get(code=code)
            if not RoleAssignment.objects.filter(user=user, agency=agency, role=role).exists():
                roles.grant_role(user=user, role=role, agency=agency,
                                 context=AuditContext.system("demo"))
        users[username] = user
    return users


def _ensure_event(*, agency: Agency, details: NewEvent,
                  context: AuditContext) -> tuple[SigningEvent, bool]:
    event = SigningEvent.objects.filter(agency=agency, title=details.title).first()
    if event is not None:
        return event, False
    event = events.create_event(agency=agency, details=details, context=context)
    return event, True


def _ensure_follow_up(event: SigningEvent, *, context: AuditContext,
                      rng: random.Random) -> None:
    """The follow-up ("susulan") a week later, held and closed: the BKN report of the agency
    then counts those who signed there as signed, and lists the rest with their reasons."""
    if SigningEvent.objects.filter(agency=event.agency,
                                   title=f"{event.title} (susulan)").exists():
        return
    follow_up = events.create_follow_up_event(
        event=event, date=event.date + datetime.timedelta(days=7), context=context)
    events.open_event(event=follow_up, context=context)
    _sign_many(follow_up, share=0.6, context=context, rng=rng)
    events.close_event(event=follow_up, context=context)


def _sign_many(event: SigningEvent, *, share: float, context: AuditContext,
               rng: random.Random) -> None:
    """Sign a share of the expected, in the seeds' order, and record reasons for some others."""
    expected = list(
        Employee.objects.filter(expected_at__event=event).in_signing_order()
    )
    cutoff = int(len(expected) * share)
    base = timezone.make_aware(datetime.datetime.combine(event.date, datetime.time(8, 30)))
    backdate = base < timezone.now()
    for i, employee in enumerate(expected[:cutoff]):
        when = base + datetime.timedelta(seconds=40 * i)
        result = signatures.record_signature(
            event=event, employee=employee,
            submission=signatures.Submission(
                method=SignatureMethod.OFFICER, image_png=signature_png(rng), strokes=[],
                template_hash=event.template_version.content_hash, client_signed_at=when,
            ),
            context=context,
        )
        if backdate:
            # Demo events from the seeds happened in the past: show them signed at the
            # assembly, not at the moment the demo was loaded.
            Signature.objects.filter(pk=result.signature.pk).update(signed_at=when,
                                                                    received_at=when)
    reasons = [AbsenceReason.SICK, AbsenceReason.LEAVE, AbsenceReason.DUTY_TRAVEL]
    for i, employee in enumerate(expected[cutoff:cutoff + 6]):
        if i < 3:
            attendance.record_outcome(
                event=event, employee=employee,
                outcome=attendance.OutcomeNote(status=AttendanceStatus.ABSENT,
                                               reason=reasons[i]),
                context=context,
            )
        else:
            attendance.record_outcome(
                event=event, employee=employee,
                outcome=attendance.OutcomeNote(status=AttendanceStatus.SIGN_LATER),
                context=context,
            )


def _set_superiors(department: Agency, context: AuditContext) -> None:
    """Direct superiors down one department and its units, as its organisation chart would:
    echelon III answer to the head, echelon IV to an echelon III of their unit (else the
    head), staff to an echelon IV of their unit, in turn. Only where none is set yet."""
    head = department.head
    for agency in Agency.objects.filter(path__startswith=department.path).order_by("path"):
        people = list(Employee.objects.filter(agency=agency).order_by("echelon", "name"))
        threes = [p for p in people if p.echelon == Echelon.III and p != head]
        fours = [p for p in people if p.echelon == Echelon.IV]
        for i, person in enumerate(people):
            if person == head or person.superior_id is not None:
                continue
            if person.echelon == Echelon.III:
                superior = head
            elif person.echelon == Echelon.IV:
                superior = threes[0] if threes else head
            else:
                superior = fours[i % len(fours)] if fours else head
            if superior is None or superior == person:
                continue
            person.superior = superior
            roster.update_employee(employee=person, context=context)


def _witnessed_event(agencies: dict[str, Agency], context: AuditContext,
                     rng: random.Random) -> None:
    """The Permenpan RB 49/2011 Pakta Integritas at the Dinas Kesehatan: superiors witness,
    most on the officer's screen; a few pacts still wait for their witness."""
    government = agencies["KOTIM"]
    templates.install_regulation_templates(agency=government, context=context)
    version = PactTemplateVersion.objects.get(
        template__agency=government, template__name=PAKTA_INTEGRITAS.name, number=1)
    department = agencies["KOTIM-DINKES"]
    _set_superiors(department, context)
    event, created = _ensure_event(
        agency=department, context=context, details=NewEvent(
            template_version=version, kind=EventKind.APEL,
            title="Penandatanganan Pakta Integritas Pegawai Dinas Kesehatan",
            date=timezone.localdate(), venue="Aula Dinas Kesehatan Kotim", witnesses=[],
        ),
    )
    if not created:
        return
    events.open_event(event=event, context=context)
    _sign_many(event, share=0.7, context=context, rng=rng)
    by_witness: dict[int, list[int]] = {}
    for signature_id, witness_id in (event.signatures.valid().filter(witness__isnull=False)
                                     .order_by("pk").values_list("pk", "witness_id")):
        by_witness.setdefault(witness_id, []).append(signature_id)
    # All but the last witness sign, each for all their pacts: the rest shows "pending".
    for witness_id, signature_ids in sorted(by_witness.items())[:-1]:
        witnesses.record_witness(
            event=event, witness=Employee.objects.get(pk=witness_id),
            context=context,
            submission=witnesses.WitnessSubmission(
                signature_ids=signature_ids, image_png=signature_png(rng),
                method=WitnessMethod.OFFICER_SCREEN))


def load() -> dict[str, int]:
    people = People()
    rng = random.Random(17012024)
    with transaction.atomic():
        agencies: dict[str, Agency] = {}
        for spec in AGENCIES:
            agency = Agency.objects.filter(code=spec.code).first()
            if agency is None:
                agency = Agency.objects.create(
                    code=spec.code, name=spec.name, kind=spec.kind, city=spec.city,
                    address=spec.address, timezone=IndonesianTimeZone.WIB,
                    parent=agencies.get(spec.parent) if spec.parent else None,
                )
            agencies[spec.code] = agency
        if not Employee.objects.exists():
            for spec in AGENCIES:
                root = spec.code.split("-")[0]
                _build_staff(agencies[spec.code], spec, people, root)
        users = _ensure_users()

    admin, hr = users["admin"], users["hr.kotim"]
    as_admin, as_hr = AuditContext.for_user(admin), AuditContext.for_user(hr)
    pemilu_name = "Pakta Integritas Netralitas ASN – Pemilu 2024"
    pilkada_name = "Ikrar Netralitas ASN dan TKD – Pilkada 2024"
    pemilu = {code: _ensure_template(agencies[code], pemilu_name, PEMILU_2024, admin)
              for code in ("KALTENG", "KOTIM", "SUMBAR")}
    pilkada = {code: _ensure_template(agencies[code], pilkada_name, PILKADA_2024, admin)
               for code in ("KOTIM", "SERUYAN")}

    kotim_witnesses = ["Rinie Anderson — Ketua DPRD Kotim", "Letkol Inf Muhammad Tandri Subrata — "
                       "Dandim 1015/Sampit", "Perwakilan Polres Kotim", "Perwakilan Kejari Kotim"]
    closed, created = _ensure_event(
        agency=agencies["KOTIM"], context=as_hr, details=NewEvent(
            template_version=pemilu["KOTIM"], kind=EventKind.UPACARA,
            title="Upacara Ikrar dan Penandatanganan Pakta Integritas Netralitas ASN Pemilu 2024",
            date=datetime.date(2024, 1, 17), venue="Pelataran Kantor Bupati Kotawaringin Timur",
            witnesses=kotim_witnesses,
        ),
    )
    if created:
        events.open_event(event=closed, context=as_hr)
        _sign_many(closed, share=0.85, context=as_hr, rng=rng)
        events.close_event(event=closed, context=as_hr)
    _ensure_follow_up(closed, context=as_hr, rng=rng)

    opened, created = _ensure_event(
        agency=agencies["KOTIM-DINKES"], context=as_hr, details=NewEvent(
            template_version=pilkada["KOTIM"], kind=EventKind.APEL,
            title="Apel Pagi Ikrar Netralitas ASN Pilkada 2024 – Dinas Kesehatan",
            date=timezone.localdate(), venue="Halaman Kantor Dinas Kesehatan Kotim",
            witnesses=["Perwakilan Bawaslu Kabupaten Kotawaringin Timur"],
        ),
    )
    if created:
        events.open_event(event=opened, context=as_hr)
        _sign_many(opened, share=0.3, context=as_hr, rng=rng)

    _ensure_event(
        agency=agencies["KOTIM-DISDIK"], context=as_hr, details=NewEvent(
            template_version=pilkada["KOTIM"], kind=EventKind.APEL,
            title="Apel Ikrar Netralitas ASN Pilkada 2024 – Dinas Pendidikan",
            date=timezone.localdate() + datetime.timedelta(days=7),
            venue="Aula Dinas Pendidikan Kotim", witnesses=[],
        ),
    )

    bappeda, created = _ensure_event(
        agency=agencies["KALTENG-BAPPEDALITBANG"], context=as_admin, details=NewEvent(
            template_version=pemilu["KALTENG"],
            kind=EventKind.APEL, title="Apel Pagi Penandatanganan Pakta Integritas Bappedalitbang",
            date=datetime.date(2023, 9, 25), venue="Halaman Kantor Bappedalitbang Prov. Kalteng",
            witnesses=[],
        ),
    )
    if created:
        events.open_event(event=bappeda, context=as_admin)
        _sign_many(bappeda, share=0.9, context=as_admin, rng=rng)
        events.close_event(event=bappeda, context=as_admin)

    _ensure_event(
        agency=agencies["SERUYAN"], context=as_admin, details=NewEvent(
            template_version=pilkada["SERUYAN"], kind=EventKind.SEMINAR,
            title="Seminar dan Ikrar Netralitas ASN Menuju Pilkada 2024",
            date=datetime.date(2024, 11, 4), venue="Lapangan Tenis Indoor Kuala Pembuang",
            witnesses=["Kepala Kejaksaan Negeri Seruyan", "Wakil Ketua I DPRD Kabupaten Seruyan"],
        ),
    )
    _witnessed_event(agencies, as_hr, rng)
    return {
        "agencies": Agency.objects.count(),
        "employees": Employee.objects.count(),
        "events": SigningEvent.objects.count(),
    }
