"""API keys and roles: who may read, write, and manage keys."""
