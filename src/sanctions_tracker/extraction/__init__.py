"""Draft records from an article's text: engagements, sanctions rounds, people, places, dates.

Rule-based and deterministic, with no network and no model: `extractor.extract` is a pure
function of the text, the publication date and what the store already knows (`Context`); the
service feeds it the store, the evaluator feeds it the packaged seed."""
