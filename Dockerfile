# cognito-emulator: local AWS Cognito user pools + API Gateway authorizers.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY pyproject.toml README.md ./
COPY emulator ./emulator
RUN pip install . && useradd --create-home --uid 10001 emulator && mkdir -p /data /config \
    && chown emulator /data

COPY --chown=emulator config.yaml /config/config.yaml
COPY --chown=emulator examples /config/examples

USER emulator
WORKDIR /config
VOLUME ["/data"]
# 9229: the cognito-idp API, hosted UI, JWKS. 8080/8081: the gateway APIs of the bundled config.
EXPOSE 9229 8080 8081

HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
    CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:9229/_emulator/health', timeout=2).status == 200 else 1)"

# Inside a container it must listen on every interface to be reachable from the host, and the host's
# requests arrive from the bridge network, so /_emulator/ must be opened explicitly. docker-compose.yml
# publishes the ports on the host's 127.0.0.1 only.
CMD ["cognito-emulator", "--config", "/config/config.yaml", "--host", "0.0.0.0", "--port", "9229", "--state", "/data", \
     "--expose-emulator-endpoints"]
