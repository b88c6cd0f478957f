"""Issue 11, kind 11: nothing printed from user data reaches the terminal as a control sequence."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from urllib.parse import quote

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st

from builders import coll, ex
from mockkit.terminal import printable

# what a terminal must never receive from user data: C0 but the newlines we print ourselves, DEL,
# C1, line/paragraph separators, bidi controls
FORBIDDEN = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
EVIL = "\x1b[2J\x1b]0;pwned\x07\r\nFAKE LINE\u202eolleh\x9b31m\u2028\x00"


@settings(max_examples=300)
@given(text=st.text())
def test_printable_escapes_every_control_and_keeps_the_rest(text):
    shown = printable(text)
    assert not FORBIDDEN.search(shown) and "\n" not in shown
    shown.encode("utf-8")  # no lone surrogate left
    if not re.search("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]", text):
        assert shown == text
    assert printable("café ☕ \\path") == "café ☕ \\path"
    assert printable("a\x1b[1mb\u202ec") == "a\\x1b[1mb\\u202ec"


def evil_collection(tmp_path):
    doc = coll(ex("/files/" + EVIL.replace("/", ""), name="ex " + EVIL, response_body="x"),
               ex("/plain", name="plain", response_body="ok"), name="api " + EVIL)
    doc["item"][0]["response"][0]["body"] = "{{$nope" + "\x1b[31m}}"  # a template problem for `check`
    path = tmp_path / "evil.json"
    path.write_text(json.dumps(doc))
    return path


def assert_clean(output: str, where: str) -> None:
    for line in output.splitlines():
        assert not FORBIDDEN.search(line), (where, line)
        assert "FAKE LINE" not in line or "\\r\\nFAKE LINE" in line, (where, line)


def test_serve_banner_and_call_lines_escape_user_text(tmp_path):
    path = evil_collection(tmp_path)
    proc = subprocess.Popen([sys.executable, "-m", "mockkit", "serve", str(path), "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        banner = [proc.stdout.readline() for _ in range(4)]  # title, two endpoints, "Ctrl-C stops"
        port = int(banner[0].split("http://127.0.0.1:")[1].split()[0])
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", trust_env=False, timeout=10) as client:
            client.get("/files/" + quote(EVIL.replace("/", ""), safe=""))  # the evil example answers
            client.get("/plain")
        deadline = time.monotonic() + 10
        lines = []
        while len(lines) < 2 and time.monotonic() < deadline:
            lines.append(proc.stdout.readline())
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=20)
    assert "\\x1b[2J" in banner[0] and "\\u202e" in banner[0]
    assert_clean("".join(banner) + "".join(lines) + out + err, "serve")
    assert "'ex \\x1b[2J\\x1b]0;pwned\\x07\\r\\nFAKE LINE\\u202eolleh\\x9b31m" in lines[0]


def test_check_explain_and_errors_escape_user_text(tmp_path):
    path = evil_collection(tmp_path)
    for args in (["check", str(path)], ["explain", str(path), "GET", "/plain"]):
        done = subprocess.run([sys.executable, "-m", "mockkit", *args], capture_output=True, text=True, timeout=120)
        assert "\\x1b" in done.stdout, args
        assert_clean(done.stdout + done.stderr, args[0])
    broken = tmp_path / "broken\x1b[31m\u202e.json"  # errors name the file
    broken.write_text('{"info": {"name": "b"}, "item": [}')
    done = subprocess.run([sys.executable, "-m", "mockkit", "check", str(broken)], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2 and "\\x1b" in done.stderr
    assert_clean(done.stderr, "error")


def test_hub_output_escapes_its_folder_name(tmp_path):
    folder = tmp_path / "data\x1b[31m\u202e"
    proc = subprocess.Popen([sys.executable, "-m", "mockkit", "hub", "--port", "0", "--data", str(folder)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines = [proc.stdout.readline() for _ in range(3)]
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=20)
    assert "data\\x1b[31m\\u202e" in lines[0]
    assert_clean("".join(lines) + out + err, "hub")
