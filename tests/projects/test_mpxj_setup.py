"""Where Keel finds Java for MPXJ (JAVA_HOME, else PATH: the Docker image's /usr/bin/java), and the
system check (projects.W001) that tells an operator when .mpp / .xer / P6 XML import is off."""

from io import StringIO

import pytest
from django.core import checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from projects.checks import MPXJ_MISSING, TAG
from projects.scheduling import mpxj


def fake_java(folder):
    """An executable named java in folder/bin; returns its path."""
    java = folder / "bin" / "java"
    java.parent.mkdir(parents=True)
    java.write_text("#!/bin/sh\necho fake\n")
    java.chmod(0o755)
    return java


def fake_jdk(folder) -> str:
    java = fake_java(folder)
    (java.parent / "javac").write_text("")
    return str(java)


class TestJavaExecutable:
    def test_java_on_path_is_found_without_java_home(self, tmp_path, monkeypatch):
        java = fake_java(tmp_path / "usr")
        monkeypatch.delenv("JAVA_HOME", raising=False)
        monkeypatch.setenv("PATH", str(java.parent))
        assert mpxj.java_executable() == str(java)

    def test_java_home_wins_over_path(self, tmp_path, monkeypatch):
        on_path = fake_java(tmp_path / "usr")
        home = fake_java(tmp_path / "jdk")
        monkeypatch.setenv("PATH", str(on_path.parent))
        monkeypatch.setenv("JAVA_HOME", str(tmp_path / "jdk"))
        assert mpxj.java_executable() == str(home)

    def test_a_java_home_without_java_falls_back_to_path(self, tmp_path, monkeypatch):
        on_path = fake_java(tmp_path / "usr")
        (tmp_path / "empty").mkdir()
        monkeypatch.setenv("PATH", str(on_path.parent))
        monkeypatch.setenv("JAVA_HOME", str(tmp_path / "empty"))
        assert mpxj.java_executable() == str(on_path)

    def test_no_java_anywhere(self, tmp_path, monkeypatch):
        monkeypatch.delenv("JAVA_HOME", raising=False)
        monkeypatch.setenv("PATH", str(tmp_path))
        assert mpxj.java_executable() is None
        assert not mpxj.mpxj_available()


def test_the_jars_come_from_the_mpxj_package_or_nowhere(monkeypatch):
    monkeypatch.setattr(mpxj.importlib.util, "find_spec", lambda name: None)
    assert mpxj.mpxj_jars() is None
    assert not mpxj.mpxj_available()


@pytest.mark.mpxj
def test_the_installed_extra_ships_mpxjs_converter():
    jars = mpxj.mpxj_jars()
    assert jars is not None
    assert any(jar.name.startswith("mpxj") and jar.suffix == ".jar" for jar in jars.iterdir())


@pytest.mark.mpxj
def test_self_test_converts_the_probe_through_mpxj():
    """What the Docker build runs (WITH_MPXJ=1): a real conversion in a java subprocess."""
    assert mpxj.self_test().startswith("MPXJ converts schedules here: java ")


def test_self_test_says_what_is_missing(monkeypatch):
    monkeypatch.setattr(mpxj, "java_executable", lambda: None)
    with pytest.raises(mpxj.MpxjUnavailableError, match="Java runtime"):
        mpxj.self_test()


def issues_of_the_check() -> list[checks.CheckMessage]:
    return [issue for issue in checks.run_checks(tags=[TAG]) if issue.id == MPXJ_MISSING]


class TestSystemCheck:
    def test_quiet_when_the_extra_and_a_jdk_are_there(self, tmp_path, monkeypatch):
        java = fake_jdk(tmp_path / "jdk")
        monkeypatch.setattr(mpxj, "mpxj_jars", lambda: tmp_path)
        monkeypatch.setattr(mpxj, "java_executable", lambda: java)
        assert issues_of_the_check() == []

    def test_warns_naming_java_when_java_is_missing(self, tmp_path, monkeypatch):
        monkeypatch.setattr(mpxj, "mpxj_jars", lambda: tmp_path)
        monkeypatch.setattr(mpxj, "java_executable", lambda: None)
        [issue] = issues_of_the_check()
        assert issue.level == checks.WARNING
        assert "Java runtime" in issue.msg
        assert "mpxj package" not in issue.msg
        assert ".xer" in issue.msg
        assert "MS Project XML still imports" in issue.msg
        assert "WITH_MPXJ=1" in issue.hint

    def test_warns_when_java_is_a_jre_without_a_compiler(self, tmp_path, monkeypatch):
        java = fake_java(tmp_path / "jre")
        monkeypatch.setattr(mpxj, "mpxj_jars", lambda: tmp_path)
        monkeypatch.setattr(mpxj, "java_executable", lambda: str(java))
        [issue] = issues_of_the_check()
        assert "Java compiler" in issue.msg
        (java.parent / "javac").write_text("")
        assert issues_of_the_check() == []

    def test_warns_naming_the_package_when_the_extra_is_missing(self, tmp_path, monkeypatch):
        java = fake_jdk(tmp_path / "jdk")
        monkeypatch.setattr(mpxj, "mpxj_jars", lambda: None)
        monkeypatch.setattr(mpxj, "java_executable", lambda: java)
        [issue] = issues_of_the_check()
        assert "requirements-mpxj.txt" in issue.msg
        assert "Java runtime" not in issue.msg

    def test_manage_py_check_tag_runs_it_alone(self, monkeypatch):
        monkeypatch.setattr(mpxj, "java_executable", lambda: None)
        err = StringIO()
        call_command("check", tags=[TAG], stdout=StringIO(), stderr=err)
        assert MPXJ_MISSING in err.getvalue()
        assert "1 issue" in err.getvalue()

    @pytest.mark.django_db
    def test_manage_py_check_shows_it_and_a_warning_fail_level_fails(self, monkeypatch):
        monkeypatch.setattr(mpxj, "java_executable", lambda: None)
        err = StringIO()
        call_command("check", stdout=StringIO(), stderr=err)
        assert MPXJ_MISSING in err.getvalue()
        with pytest.raises(SystemCheckError, match=MPXJ_MISSING):
            call_command("check", fail_level="WARNING", stdout=StringIO(), stderr=StringIO())

    def test_both_missing_are_named_in_one_warning(self, monkeypatch):
        monkeypatch.setattr(mpxj, "mpxj_jars", lambda: None)
        monkeypatch.setattr(mpxj, "java_executable", lambda: None)
        [issue] = issues_of_the_check()
        assert "requirements-mpxj.txt" in issue.msg
        assert "Java runtime" in issue.msg
        assert " are missing." in issue.msg

    @pytest.mark.mpxj
    def test_quiet_on_this_machine_when_mpxj_is_really_there(self):
        assert issues_of_the_check() == []
