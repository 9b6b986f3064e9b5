"""The parts of the no-op update check that need no AWS: which command lines it answers, which files it
watches, which credentials it reads (the whole check runs against the local AWS in
tests/core/local/test_local_noop_update.py)."""

from __future__ import annotations

import os
import time

import pytest

from zappa_core import receipts


@pytest.mark.parametrize("args, stage", [
    (["update", "dev"], "dev"), (["update", "prod", "--local"], "prod"),
    (["update", "dev", "--json"], None), (["update", "--local", "dev"], None), (["update"], None),
    (["deploy", "dev"], None), (["update", "dev", "--local", "--refresh"], None), (["update", "dev", "-s", "x.json"], None),
])
def test_only_the_plain_update_forms_are_answered(args, stage):
    assert receipts.update_stage(args) == stage


def test_project_files_leave_out_caches_version_control_and_virtual_environments(tmp_path):
    for path in ("app.py", "pkg/mod.py", ".git/HEAD", "pkg/__pycache__/mod.cpython-311.pyc", ".zappa/local.json",
                 "venv/pyvenv.cfg", "venv/lib/site.py", "node_modules/x.js"):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text("x")
    assert [name for name, _size, _mtime in receipts.project_files(str(tmp_path))] == [
        "app.py", "node_modules/x.js", "pkg/mod.py"]


def test_a_file_rewritten_with_other_bytes_changes_the_project_stamp(tmp_path):
    (tmp_path / "app.py").write_text("A = 1\n")
    before = receipts.project_files(str(tmp_path))
    (tmp_path / "app.py").write_text("A = 22\n")
    assert receipts.project_files(str(tmp_path)) != before


def test_credentials_from_the_environment_and_from_a_profile(tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAENV")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "env-secret")
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    assert receipts.credentials("env") == ("AKIAENV", "env-secret", None)
    (tmp_path / "credentials").write_text("[default]\naws_access_key_id = AKIADEF\naws_secret_access_key = d\n"
                                          "[work]\naws_access_key_id = AKIAWORK\naws_secret_access_key = w\n"
                                          "aws_session_token = tok\n")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    assert receipts.credentials("profile:work") == ("AKIAWORK", "w", "tok")
    with pytest.raises(KeyError):
        receipts.credentials("profile:missing")
    with pytest.raises(ValueError):
        receipts.credentials("sso")


def test_no_receipt_for_a_command_line_with_other_options(tmp_path):
    receipts.remember_command_line(["update", "dev", "--json"])
    try:
        written = receipts.write_receipt(str(tmp_path), "dev", False, {"function": "f", "endpoint": "http://127.0.0.1:9",
                                                                        "region": "us-east-1", "credentials": "local"}, [],
                                         time.time())
    finally:
        receipts.remember_command_line([])
    assert written is False and not (tmp_path / ".zappa").exists()


def test_forget_removes_one_stage_or_every_stage(tmp_path):
    folder = tmp_path / ".zappa" / "receipts"
    folder.mkdir(parents=True)
    for name in ("update-dev-1.json", "update-dev-2.json", "update-prod-1.json"):
        (folder / name).write_text("{}")
    receipts.forget(str(tmp_path), "dev")
    assert sorted(p.name for p in folder.iterdir()) == ["update-prod-1.json"]
    receipts.forget(str(tmp_path))
    assert list(folder.iterdir()) == []


def test_no_receipt_when_a_file_changed_after_the_update_began_reading(tmp_path, monkeypatch):
    """The file may hold other bytes than those deployed, with a time the coarse clock cannot tell apart. (AWS's
    answer is stood in for here: this is about the files; the real call is made in the local AWS tests.)"""
    monkeypatch.setattr(receipts, "read_function", lambda remote: {"function": {"FunctionName": "f"}})
    remote = {"function": "f", "endpoint": "http://127.0.0.1:9", "region": "us-east-1", "credentials": "local"}
    app = tmp_path / "app.py"
    app.write_text("A = 1\n")
    receipts.remember_command_line(["update", "dev"])
    try:
        began = time.time()
        os.utime(app, (began - 5, began - 5))  # written before the update began
        assert receipts.write_receipt(str(tmp_path), "dev", False, remote, [], began) is True
        app.write_text("A = 2\n")  # written while it ran
        receipts.forget(str(tmp_path))
        assert receipts.write_receipt(str(tmp_path), "dev", False, remote, [], began) is False
    finally:
        receipts.remember_command_line([])
    assert list((tmp_path / ".zappa" / "receipts").iterdir()) == []


def test_the_inputs_key_holds_no_secret_and_changes_with_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "do-not-write-me")
    key = receipts.inputs_key(["update", "dev"], str(tmp_path))
    assert "do-not-write-me" not in key
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "another")
    other = receipts.inputs_key(["update", "dev"], str(tmp_path))
    assert other != key
    monkeypatch.setenv("OLDPWD", "/somewhere/else")  # a shell's own bookkeeping changes nothing
    assert receipts.inputs_key(["update", "dev"], str(tmp_path)) == other
