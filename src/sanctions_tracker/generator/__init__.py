"""A generator of realistic, reproducible data sets for `sanctions-tracker generate`.

`records(engagements, rounds, seed)` yields every record of a bundle in bundle order (reference
tables first, engagements last, a trip before its legs), so a writer can stream it to a file or
import it into the store in chunks. The same arguments always give the same records.
"""

from sanctions_tracker.generator.plan import Plan, records

__all__ = ["Plan", "records"]
