"""The benchmark behind `make bench`: the API on SQLite and PostgreSQL, Datasette over the same
SQLite data, and each query's raw time in process, printed as one table with the issue's targets.

`python -m benchmarks.run --help` lists the options; the README's Performance section explains
what each scenario asks and how the numbers are made."""
