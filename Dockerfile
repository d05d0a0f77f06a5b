# neuroplay: the page, /healthz and the /ws training socket, served on port 8000.
# BASE_IMAGE is the official python:3.11-slim unless a build names another (the image test's stand-in).
ARG BASE_IMAGE=python:3.11-slim
FROM ${BASE_IMAGE}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    OPENBLAS_NUM_THREADS=1 \
    NEUROPLAY_HOST=0.0.0.0 \
    NEUROPLAY_PORT=8000

# .dockerignore lets in only what `pip install` reads; the copy is removed once the package is installed.
COPY . /tmp/neuroplay
RUN pip install --no-cache-dir /tmp/neuroplay \
 && rm -rf /tmp/neuroplay \
 && useradd --no-log-init --uid 10001 --user-group --no-create-home --shell /usr/sbin/nologin neuroplay

USER 10001:10001
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('NEUROPLAY_PORT', '8000') + '/healthz', timeout=4)"]

CMD ["neuroplay", "serve"]
