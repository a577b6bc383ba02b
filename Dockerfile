# syntax=docker/dockerfile:1
#
# Wren production image: gunicorn serving app:app on port 5000.
# The same image runs the other processes: `fedi worker`, `flask --app app db upgrade`.

# --- Front-end packages, pinned by package-lock.json ------------------------------------------
FROM node:20-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund \
 && mkdir -p vendor \
 && cp node_modules/htmx.org/dist/htmx.min.js node_modules/htmx-ext-ws/dist/ws.js vendor/

# --- Python dependencies and the project, in a virtualenv -------------------------------------
FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1
RUN python -m venv /opt/venv
WORKDIR /app
# Dependencies first, against a stub package, so that code changes reuse this layer.
COPY pyproject.toml README.md ./
RUN mkdir fedi && touch fedi/__init__.py \
 && /opt/venv/bin/pip install -e . \
 && rm -rf fedi
# The project itself. Installed in editable mode at /app so that fedi/ finds templates/,
# static/ and migrations/ beside it, as it does in a checkout.
COPY fedi/ fedi/
RUN /opt/venv/bin/pip install --no-deps -e .

# --- Runtime ----------------------------------------------------------------------------------
FROM python:3.11-slim
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PORT=5000 \
    MEDIA_ROOT=/data/media
RUN useradd --system --create-home --home-dir /home/wren --shell /usr/sbin/nologin wren \
 && mkdir -p /app/instance /data/media \
 && chown wren:wren /app/instance /data/media
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY . /app
COPY --from=assets /src/vendor/ /app/static/vendor/
# Mount volumes on /app/instance (the generated secret key, when SECRET_KEY is unset) and on
# /data/media (uploads and cached remote media); docker-compose.yml does.
USER wren
EXPOSE 5000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, sys, urllib.request; r = urllib.request.urlopen('http://127.0.0.1:%s/health' % os.environ.get('PORT', '5000'), timeout=4); sys.exit(0 if r.status == 200 else 1)"]
CMD ["sh", "-c", "exec gunicorn --config python:fedi.gunicorn_conf -k gthread --reuse-port --threads ${WEB_THREADS:-4} -w ${WEB_CONCURRENCY:-2} --bind 0.0.0.0:${PORT:-5000} app:app"]
