"""Who changed what and when: every record's history, the change feed, and the entity tags
that keep concurrent edits from overwriting each other."""
