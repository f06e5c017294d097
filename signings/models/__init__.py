from signings.models.agency import Agency, AgencyKind, IndonesianTimeZone
from signings.models.archive import ArchiveJob, ArchiveStatus
from signings.models.audit import AppendOnlyError, AuditCheckpoint, AuditEntry
from signings.models.employee import (
    GRADE_CHOICES,
    PNS_GRADES,
    PPPK_GRADES,
    Echelon,
    Employee,
    EmployeeCategory,
    Sex,
    superior_rule_problem,
)
from signings.models.event import (
    AbsenceReason,
    AttendanceOutcome,
    AttendanceStatus,
    EventKind,
    EventStatus,
    EventStatusChange,
    ExpectedSigner,
    IdentityCheck,
    SigningEvent,
    Tally,
)
from signings.models.identity_lock import IdentityAttempt, IdentityLock
from signings.models.import_mapping import ColumnMapping, UnitMapping
from signings.models.kiosk import KioskDevice
from signings.models.recap import EventRecap, RecapCertifiedSignature
from signings.models.report_job import BknReportJob, ReportStatus
from signings.models.role import Role, RoleAssignment
from signings.models.seal_certificate import SealCertificate
from signings.models.signature import (
    IdentityMethod,
    IdentityResult,
    SealStatus,
    Signature,
    SignatureMethod,
)
from signings.models.template import ImmutableVersionError, PactTemplate, PactTemplateVersion
from signings.models.witness import (
    WitnessIdentity,
    WitnessLink,
    WitnessMethod,
    WitnessRecordError,
    WitnessSignature,
)

__all__ = [
    "ArchiveJob",
    "ArchiveStatus",
    "BknReportJob",
    "ReportStatus",
    "GRADE_CHOICES",
    "PNS_GRADES",
    "PPPK_GRADES",
    "AbsenceReason",
    "Agency",
    "AgencyKind",
    "AppendOnlyError",
    "AttendanceOutcome",
    "AttendanceStatus",
    "AuditCheckpoint",
    "AuditEntry",
    "ColumnMapping",
    "Echelon",
    "Employee",
    "EmployeeCategory",
    "EventKind",
    "EventRecap",
    "RecapCertifiedSignature",
    "SealStatus",
    "EventStatus",
    "EventStatusChange",
    "ExpectedSigner",
    "IdentityAttempt",
    "IdentityCheck",
    "IdentityLock",
    "IdentityMethod",
    "IdentityResult",
    "ImmutableVersionError",
    "IndonesianTimeZone",
    "KioskDevice",
    "PactTemplate",
    "PactTemplateVersion",
    "Role",
    "RoleAssignment",
    "SealCertificate",
    "Sex",
    "Signature",
    "SignatureMethod",
    "SigningEvent",
    "Tally",
    "UnitMapping",
    "WitnessIdentity",
    "WitnessLink",
    "WitnessMethod",
    "WitnessRecordError",
    "WitnessSignature",
    "superior_rule_problem",
]
