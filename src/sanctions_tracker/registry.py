"""Every bundle record type, in the order the bundle format lists them."""

from sanctions_tracker.actors.service import RECORD_TYPE as ACTORS
from sanctions_tracker.engagements.service import RECORD_TYPE as ENGAGEMENTS
from sanctions_tracker.organizations.service import RECORD_TYPE as ORGANIZATIONS
from sanctions_tracker.record_types import RecordType
from sanctions_tracker.sanctions_rounds.service import RECORD_TYPE as SANCTIONS_ROUNDS
from sanctions_tracker.sectors.service import RECORD_TYPE as SECTORS
from sanctions_tracker.sources.service import RECORD_TYPE as SOURCES

RECORD_TYPES: dict[str, RecordType] = {
    record_type.name: record_type
    for record_type in (SOURCES, ORGANIZATIONS, ACTORS, SECTORS, SANCTIONS_ROUNDS, ENGAGEMENTS)
}
