# The production image: one `oms` binary, run as `oms worker`, `oms api` or `oms migrate`.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY domain domain
COPY workflows workflows
COPY config config
COPY adapters adapters
COPY services services
COPY activities activities
COPY api api
COPY worker worker
COPY devstack devstack
COPY oms oms
RUN pip install --no-cache-dir . && useradd --system --uid 10001 oms
USER oms
CMD ["oms", "--help"]
