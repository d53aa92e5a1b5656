"""The bundle format's enumerations, shared by the models (CHECK constraints) and the schemas."""

from enum import StrEnum


class SourceKind(StrEnum):
    news_article = "news_article"
    official_statement = "official_statement"
    press_release = "press_release"
    legal_act = "legal_act"
    other = "other"


class OrganizationKind(StrEnum):
    government_body = "government_body"
    alliance = "alliance"
    international_organization = "international_organization"
    bloc = "bloc"
    media = "media"
    company = "company"
    other = "other"


class RoundStatus(StrEnum):
    planned = "planned"
    announced = "announced"
    in_force = "in_force"
    lifted = "lifted"


class Measure(StrEnum):
    asset_freeze = "asset_freeze"
    travel_ban = "travel_ban"
    export_controls = "export_controls"
    import_ban = "import_ban"
    investment_ban = "investment_ban"
    financial_restrictions = "financial_restrictions"
    swift_exclusion = "swift_exclusion"
    sovereign_debt = "sovereign_debt"
    price_cap = "price_cap"
    services_ban = "services_ban"
    transport_ban = "transport_ban"
    other = "other"


class EngagementKind(StrEnum):
    call = "call"
    meeting = "meeting"
    visit = "visit"
    trip = "trip"
    summit = "summit"
    ministerial = "ministerial"
    statement = "statement"
    other = "other"


class DatePrecision(StrEnum):
    day = "day"
    week = "week"
    month = "month"


class EngagementStatus(StrEnum):
    planned = "planned"
    held = "held"
    cancelled = "cancelled"


class ParticipantRole(StrEnum):
    principal = "principal"
    counterpart = "counterpart"
    participant = "participant"
    spokesperson = "spokesperson"
