"""Full-text search: `/v1/search` and the `q` filter of the lists.

`query` parses the search language; `normalize` cuts and folds words as both indexes do;
`index` keeps the `search_documents` rows in step with the writes; `backends` holds the SQL of
FTS5 and of PostgreSQL; `snippets` turns the words the database marked into HTML; `service`
answers searches and gives lists `matching_ids`.
"""
