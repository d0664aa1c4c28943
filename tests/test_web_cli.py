"""``spaser serve``: starts, prints the French address, serves the home page, stops on a signal."""

from __future__ import annotations

import http.client
import os
import re
import signal
import subprocess
import sys

from spaser.cli import main


def test_serve_help_is_french(capsys):
    try:
        main(["serve", "--help"])
    except SystemExit as e:
        assert e.code == 0
    out = capsys.readouterr().out
    assert "--no-browser" in out and "127.0.0.1" in out and "port d'écoute" in out


def test_serve_starts_prints_the_address_and_answers():
    proc = subprocess.Popen(
        [sys.executable, "-m", "spaser", "serve", "--port", "0", "--no-browser"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONFAULTHANDLER": "1"},
        # Ctrl+C as in a terminal: a test run started in the background (nohup, « & ») ignores SIGINT, and
        # the server would inherit that (Python keeps an ignored SIGINT ignored).
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        line = proc.stdout.readline()
        m = re.search(r"page web disponible à l'adresse http://127\.0\.0\.1:(\d+)/", line)
        assert m, line + proc.stderr.read() if proc.poll() is not None else line
        conn = http.client.HTTPConnection("127.0.0.1", int(m.group(1)), timeout=10)
        conn.request("GET", "/")
        resp = conn.getresponse()
        assert resp.status == 200 and "Importer vos achats" in resp.read().decode()
        conn.close()
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            out, err = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGABRT)  # the fault handler writes where every thread stands
            out, err = proc.communicate()
    assert proc.returncode == 0, err[-6000:]
    assert "serveur arrêté" in out
    assert "Traceback" not in err


def test_port_in_use_is_a_french_error(capsys):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        code = main(["serve", "--port", str(port), "--no-browser"])
    assert code != 0
    assert "--port" in capsys.readouterr().err
