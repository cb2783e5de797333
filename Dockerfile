# Keel web / worker / beat image. One image; docker-compose.yml picks the command.
#   docker build -t keel .
#   docker run --env-file .env -p 8000:8000 keel            (gunicorn on :8000)
FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    KEEL_DATA_DIR=/app/var \
    WEB_CONCURRENCY=3

WORKDIR /app

# An unprivileged user runs everything; it owns only the data directory.
RUN groupadd --system keel \
    && useradd --system --gid keel --home-dir /app --no-create-home --shell /usr/sbin/nologin keel

# WeasyPrint (the PDF reports) needs Pango and a font from Debian.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# Dependencies first, so code changes reuse this layer. (MPXJ imports need Java and
# requirements-mpxj.txt; this image has neither, so .mpp/.xer import is off in it.) Every runtime package ships a wheel
# for CPython 3.13 (psycopg[binary] included), so no compiler is needed.
COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY . .

# Static files are collected (hashed and compressed for WhiteNoise) at build time. The
# settings refuse DEBUG=0 without a SECRET_KEY, so give a throwaway one for this step only:
# it is not in the image's environment and the real one comes from .env at run time.
RUN DEBUG=0 SECRET_KEY=build-only-collectstatic-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz \
        python manage.py collectstatic --noinput -v0 \
    && mkdir -p /app/var/media \
    && chown -R keel:keel /app/var

USER keel
EXPOSE 8000

# gunicorn reads WEB_CONCURRENCY (set above, override at run time) as its worker count.
# HTTPS is terminated by a proxy in front: set BEHIND_PROXY=1 so Django trusts its
# X-Forwarded-Proto header.
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
