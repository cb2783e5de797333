# Keel web / worker / beat image. One image; docker-compose.yml picks the command.
#   docker build -t keel .
#   docker build --build-arg WITH_MPXJ=0 -t keel .          (no Java: MS Project XML import only)
#   docker run --env-file .env -p 8000:8000 keel            (gunicorn on :8000)
FROM python:3.13-slim

# 1 (the default): a Java runtime and the MPXJ extra (requirements-mpxj.txt), so .mpp, Primavera
# .xer / P6 XML, .mpx and the other formats MPXJ reads import here. 0 leaves both out (about 340 MB
# smaller); MS Project XML still imports natively, and `manage.py check` warns that the rest is off.
ARG WITH_MPXJ=1

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

# MPXJ runs in a `java` subprocess (projects/scheduling/mpxj.py): Debian's headless JDK puts it on
# PATH (/usr/bin/java). A JDK, not a JRE: Keel's P6 converter (projects/scheduling/java/*.java) runs as
# single-file source, which needs the compiler module. The man directory is missing in slim images
# and the JDK's postinst wants it.
RUN case "$WITH_MPXJ" in 0|1) ;; *) echo "WITH_MPXJ must be 0 or 1, not '$WITH_MPXJ'" >&2; exit 1;; esac \
    && if [ "$WITH_MPXJ" = 1 ]; then \
        mkdir -p /usr/share/man/man1 \
        && apt-get update \
        && apt-get install -y --no-install-recommends default-jdk-headless \
        && rm -rf /var/lib/apt/lists/* \
        && java -version; \
    fi

# Dependencies first, so code changes reuse this layer. Every runtime package ships a wheel for
# CPython 3.13 (psycopg[binary] included), so no compiler is needed; the mpxj package is MPXJ's jars.
COPY requirements.txt requirements-mpxj.txt ./
RUN pip install -r requirements.txt \
    && if [ "$WITH_MPXJ" = 1 ]; then pip install -r requirements-mpxj.txt; fi

COPY . .

# Static files are collected (hashed and compressed for WhiteNoise) at build time. The
# settings refuse DEBUG=0 without a SECRET_KEY, so give a throwaway one for this step only:
# it is not in the image's environment and the real one comes from .env at run time.
RUN DEBUG=0 SECRET_KEY=build-only-collectstatic-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz \
        python manage.py collectstatic --noinput -v0 \
    && mkdir -p /app/var/media \
    && chown -R keel:keel /app/var

USER keel

# With WITH_MPXJ=1 the build fails unless Keel itself finds MPXJ's jars and a java that runs them
# as the user the containers run as: mpxj.self_test() converts a one-task MS Project XML plan to
# Primavera XER through MPXJ and back through Keel's P6 converter, as imports do (web and worker
# both run this image).
RUN if [ "$WITH_MPXJ" = 1 ]; then \
        python -c "from projects.scheduling import mpxj; print(mpxj.self_test())" \
        && rm -rf /tmp/hsperfdata_keel; \
    fi

EXPOSE 8000

# gunicorn reads WEB_CONCURRENCY (set above, override at run time) as its worker count.
# HTTPS is terminated by a proxy in front: set BEHIND_PROXY=1 so Django trusts its
# X-Forwarded-Proto header. --timeout 120: a schedule upload runs MPXJ (a JVM) in the request,
# once for the check and once for the preview, 3-9 s each here for a small file; gunicorn's
# default 30 s killed such uploads (a 500) when the machine was busy.
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--timeout", "120", "--access-logfile", "-"]
