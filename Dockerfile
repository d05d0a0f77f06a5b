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
    NEUROPLAY_PORT=8000 \
    NEUROPLAY_DATA_DIR=/data

# .dockerignore lets in only what the install reads. uv (pinned with hashes) installs exactly the set
# in uv.lock, without the test extras, into /opt/venv; uv and the copy are removed afterwards.
COPY . /tmp/neuroplay
WORKDIR /tmp/neuroplay
RUN python -m venv /tmp/uv \
 && /tmp/uv/bin/pip install --no-cache-dir --require-hashes -r deploy/uv-requirements.txt \
 && python -m venv /opt/venv \
 && UV_PROJECT_ENVIRONMENT=/opt/venv UV_PYTHON_DOWNLOADS=never \
    /tmp/uv/bin/uv sync --frozen --no-dev --no-editable --no-cache --python /opt/venv/bin/python \
 && rm -rf /tmp/uv /tmp/neuroplay \
 && useradd --no-log-init --uid 10001 --user-group --no-create-home --shell /usr/sbin/nologin neuroplay \
 && mkdir /data && chown 10001:10001 /data
WORKDIR /
ENV PATH=/opt/venv/bin:$PATH

USER 10001:10001
EXPOSE 8000
# The runs and classes kept across a restart (SQLite): mount a named volume here to keep them across
# a new container too, e.g. docker run -v neuroplay-data:/data …
VOLUME /data

HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('NEUROPLAY_PORT', '8000') + '/healthz', timeout=4)"]

CMD ["neuroplay", "serve"]
