"""Other schedule formats (.mpp, Primavera .xer and P6 XML, .mpx, Planner, …) through MPXJ.

MPXJ is a Java library; the `mpxj` PyPI package ships its jars. We run MPXJ's own converter
in a subprocess (`org.mpxj.sample.MpxjConvert`) to turn any file it reads into MSPDI XML,
which `projects.scheduling.mspdi` then reads like a native MS Project XML file. A subprocess
keeps the JVM out of web and worker processes, and needs no Java bridge library.

The extra is optional: without the `mpxj` package or a Java runtime, `MpxjUnavailableError`
says exactly what to install.
"""

import importlib.util
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

CONVERTER_CLASS = "org.mpxj.sample.MpxjConvert"
# Formats MPXJ reads; MSPDI .xml is read natively and never goes through here.
MPXJ_SUFFIXES = (".mpp", ".mpt", ".xer", ".mpx", ".pmxml", ".pp", ".pod", ".planner", ".gan", ".fts", ".sdef")
TIMEOUT_SECONDS = 300

INSTALL_HINT = (
    "Reading {suffix} files needs MPXJ and a Java runtime: install the optional extra with "
    "`pip install -r requirements-mpxj.txt` and a JRE 11+ (Debian: `apt-get install default-jre-headless`)."
)


class MpxjUnavailableError(RuntimeError):
    """MPXJ or Java is missing; the message says what to install."""


class MpxjConversionError(ValueError):
    """MPXJ could not read the file; the message carries MPXJ's own reason."""


def mpxj_jars() -> Path | None:
    """The folder of MPXJ's jars that the `mpxj` PyPI package ships (mpxj/lib), or None.

    Located without importing the package: its __init__ needs the JPype bridge, which we do not use."""
    spec = importlib.util.find_spec("mpxj")
    if spec is None or not spec.submodule_search_locations:
        return None
    lib = Path(next(iter(spec.submodule_search_locations))) / "lib"
    return lib if lib.is_dir() else None


def _classpath() -> str:
    lib = mpxj_jars()
    return f"{lib}{os.sep}*" if lib else ""


def java_executable() -> str | None:
    """$JAVA_HOME/bin/java when JAVA_HOME names a Java runtime, else `java` on PATH (the Docker
    image's Debian JRE is /usr/bin/java), else None."""
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").exists():
        return str(Path(java_home) / "bin" / "java")
    return shutil.which("java")


def mpxj_available() -> bool:
    return bool(_classpath()) and java_executable() is not None


def convert_with_mpxj(source: Path, target_suffix: str = ".xml") -> bytes:
    """Convert `source` with MPXJ into the format named by `target_suffix` (".xml" = MSPDI)
    and return the bytes. Raises MpxjUnavailableError or MpxjConversionError."""
    classpath, java = _classpath(), java_executable()
    if not classpath or java is None:
        raise MpxjUnavailableError(INSTALL_HINT.format(suffix=source.suffix or "these"))
    with tempfile.TemporaryDirectory(prefix="keel-mpxj-") as tmp:
        target = Path(tmp) / f"converted{target_suffix}"
        try:
            completed = subprocess.run(  # noqa: S603 - fixed argv, no shell
                [java, "-Xmx1g", "-cp", classpath, CONVERTER_CLASS, str(source), str(target)],
                capture_output=True,
                text=True,
                timeout=TIMEOUT_SECONDS,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise MpxjConversionError(f"MPXJ did not finish reading the file within {TIMEOUT_SECONDS} s.") from None
        if completed.returncode != 0 or not target.exists() or target.stat().st_size == 0:
            lines = [ln for ln in (completed.stderr + completed.stdout).splitlines() if ln.strip()]
            reason = next((ln for ln in lines if "Exception" in ln or "Error" in ln), lines[-1] if lines else "")
            raise MpxjConversionError(f"MPXJ could not read the file: {reason.strip() or 'unknown error'}")
        return target.read_bytes()


# A small but complete plan for self_test(). MPXJ's reader takes a file it cannot identify in its
# first 512 bytes or so for an unknown type ("Unsupported file type"), so it is not cut shorter.
PROBE_MSPDI = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Project xmlns="http://schemas.microsoft.com/project">
  <SaveVersion>14</SaveVersion>
  <Name>keel-mpxj-probe.xml</Name>
  <Title>Keel checks that MPXJ and a Java runtime convert schedules on this machine</Title>
  <Author>Keel</Author>
  <ScheduleFromStart>1</ScheduleFromStart>
  <StartDate>2026-01-05T08:00:00</StartDate>
  <MinutesPerDay>480</MinutesPerDay>
  <MinutesPerWeek>2400</MinutesPerWeek>
  <Tasks>
    <Task><UID>1</UID><ID>1</ID><Name>Keel MPXJ probe</Name><OutlineLevel>1</OutlineLevel>
      <Duration>PT8H0M0S</Duration><Start>2026-01-05T08:00:00</Start><Finish>2026-01-05T17:00:00</Finish></Task>
  </Tasks>
</Project>
"""


def self_test() -> str:
    """Convert a one-task MS Project XML plan to Primavera XER through MPXJ, then that XER back
    through Keel's P6 converter (java/KeelConvert.java), as imports run them, and check the task
    came through. Returns a line for a log; raises MpxjUnavailableError or
    MpxjConversionError. The Docker build runs it (WITH_MPXJ=1), as the user the containers run as."""
    with tempfile.TemporaryDirectory(prefix="keel-mpxj-probe-") as tmp:
        probe = Path(tmp) / "probe.xml"
        probe.write_text(PROBE_MSPDI, encoding="utf-8")
        xer = convert_with_mpxj(probe, ".xer")
        if not xer.startswith(b"ERMHDR") or b"Keel MPXJ probe" not in xer:
            raise MpxjConversionError(f"MPXJ wrote an unexpected XER file: {xer[:60]!r}")
        # Back through Keel's own P6 converter (single-file Java source: needs a JDK's compiler).
        from projects.scheduling.p6 import convert_with_options

        back = Path(tmp) / "probe.xer"
        back.write_bytes(xer)
        mspdi, _options = convert_with_options(back)
    if b"Keel MPXJ probe" not in mspdi:
        raise MpxjConversionError(f"Keel's P6 converter wrote an unexpected file: {mspdi[:60]!r}")
    return f"MPXJ converts schedules here: java {java_executable()}, jars {mpxj_jars()}"
