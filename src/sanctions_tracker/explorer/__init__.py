"""The analyst's page at `/`: one HTML file and its scripts, built on the public JSON API."""
