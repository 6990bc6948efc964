# AutoDevOS web app (gunicorn) — the same image runs workers with `python manage.py qcluster`.
FROM python:3.11-slim AS build
WORKDIR /app
# Every dependency at the version requirements.lock pins, each file checked against its hashes (the
# language model first, by its wheel's hash alone); a layer that changes only with the lock.
COPY requirements.lock ./
COPY agents/understanding/model-requirements.txt agents/understanding/
RUN pip wheel --no-cache-dir --no-deps --require-hashes --wheel-dir /wheels -r agents/understanding/model-requirements.txt \
    && pip wheel --no-cache-dir --require-hashes --wheel-dir /wheels -r requirements.lock
COPY pyproject.toml README.md ./
COPY autodevos_site autodevos_site
COPY projects projects
COPY orchestration orchestration
COPY agents agents
# The project's own wheel; its dependencies are the ones above.
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.11-slim AS app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DATA_DIR=/data
RUN useradd --create-home --uid 10001 autodevos && mkdir -p /data && chown autodevos /data
WORKDIR /app
COPY --from=build /wheels /wheels
# Only the wheels checked above: nothing else is fetched, nothing resolved again.
RUN pip install --no-cache-dir --no-index --no-deps /wheels/* && rm -rf /wheels
COPY --chown=autodevos . .
# collectstatic needs settings to import; the key used here is thrown away with the layer.
RUN SECRET_KEY=collectstatic-only ENV_FILE=/dev/null python manage.py collectstatic --noinput
USER autodevos
EXPOSE 8000
CMD ["sh", "-c", "python manage.py migrate --noinput && python manage.py createcachetable && gunicorn autodevos_site.wsgi --bind 0.0.0.0:8000 --workers 3"]

# Workers that verify generated projects (compose.yaml's `verifier`, started with WORKER_QUEUE set to
# VERIFY_QUEUE): Node.js 20 and npm for the generated projects' toolchain, bubblewrap for the sandbox.
FROM node:20-bookworm-slim AS node
FROM app AS verifier
USER root
RUN apt-get update && apt-get install -y --no-install-recommends bubblewrap && rm -rf /var/lib/apt/lists/*
COPY --from=node /usr/local/bin/node /usr/local/bin/node
COPY --from=node /usr/local/lib/node_modules /usr/local/lib/node_modules
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
    && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
    && mkdir -p /var/tmp/autodevos-verify-cache && chown autodevos /var/tmp/autodevos-verify-cache
USER autodevos
CMD ["python", "manage.py", "qcluster"]
