"""System checks for the projects app, run by `manage.py check`, `migrate` and `runserver`.

projects.W001: the optional MPXJ extra (the `mpxj` package and a Java runtime) is missing, so .mpp,
Primavera .xer / P6 XML and the other formats MPXJ reads cannot be imported here. A Warning, not an
Error: MS Project XML still imports, and an image built with WITH_MPXJ=0 is a deliberate choice.
"""

from pathlib import Path

from django.core.checks import Warning, register

from projects.scheduling import mpxj

MPXJ_MISSING = "projects.W001"
# `manage.py check --tag schedule_import` runs this check alone.
TAG = "schedule_import"


@register(TAG)
def mpxj_formats_available(app_configs=None, **kwargs) -> list[Warning]:
    missing = []
    if not mpxj.mpxj_jars():
        missing.append("the mpxj package (pip install -r requirements-mpxj.txt)")
    java = mpxj.java_executable()
    if java is None:
        missing.append("a Java runtime 11+ on PATH or in JAVA_HOME (Debian: apt-get install default-jdk-headless)")
    elif not (Path(java).resolve().parent / "javac").exists():
        # Keel's P6 converter runs as single-file source, which needs the JDK's compiler module.
        missing.append(f"a Java compiler beside {java} (a JDK, not only a JRE: apt-get install default-jdk-headless)")
    if not missing:
        return []
    return [
        Warning(
            "Schedule import of .mpp, Primavera .xer / P6 XML and .mpx files is off: "
            + " and ".join(missing)
            + (" are" if len(missing) > 1 else " is")
            + " missing. MS Project XML still imports.",
            hint="Install what is named, or build the Docker image with WITH_MPXJ=1 (the default).",
            id=MPXJ_MISSING,
        )
    ]
