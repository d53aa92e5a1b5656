# Sanctions Diplomacy Tracker: production image.
#
#   docker build -t sanctions-tracker .
#   docker run -p 8000:8000 -v sanctions-data:/app/data sanctions-tracker
#
# The container migrates the database and seeds an empty store on start; turn that off with
# -e SANCTIONS_TRACKER_MIGRATE_ON_START=false / -e SANCTIONS_TRACKER_SEED_ON_START=false.
# Point it at PostgreSQL with -e SANCTIONS_TRACKER_DATABASE_URL=postgresql+psycopg://...
# Worker processes: -e WEB_CONCURRENCY=4.

ARG PYTHON_IMAGE=python:3.11-slim

# --- builder: the application and its runtime dependencies in /opt/venv ----------------------
FROM ${PYTHON_IMAGE} AS builder

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /build
COPY pyproject.toml constraints.txt README.md ./
COPY src/ src/
# A regular (non-editable) install of the runtime dependencies only, pinned by constraints.txt.
RUN pip install -c constraints.txt . \
    && pip check

# --- runtime ----------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime

RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin app

COPY --from=builder /opt/venv /opt/venv

WORKDIR /app
COPY alembic.ini ./
COPY migrations/ migrations/
# Created and chowned before VOLUME so a new named volume starts out owned by the app user.
RUN mkdir -p /app/data && chown app:app /app/data

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    SANCTIONS_TRACKER_DATABASE_URL=sqlite:////app/data/sanctions-tracker.db \
    SANCTIONS_TRACKER_ALEMBIC_INI=/app/alembic.ini \
    HOST=0.0.0.0 \
    PORT=8000

VOLUME ["/app/data"]
EXPOSE 8000

# Liveness only (/healthz does not touch the database); slim images have no curl.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('PORT', '8000') + '/healthz', timeout=4)"]

USER app

# `serve` reads HOST, PORT and WEB_CONCURRENCY; it migrates unless
# SANCTIONS_TRACKER_MIGRATE_ON_START=false and seeds an empty store unless
# SANCTIONS_TRACKER_SEED_ON_START=false.
CMD ["sanctions-tracker", "serve"]
