"""A tiny HTTP client for the web tests (stdlib http.client, one cookie jar).

Shared by tests/test_web*.py; not a test module itself.
"""

from __future__ import annotations

import http.client
import re
import secrets
from dataclasses import dataclass, field


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass
class Client:
    host: str
    port: int
    cookies: dict[str, str] = field(default_factory=dict)

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> Reply:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            hdrs = dict(headers or {})
            if self.cookies and "Cookie" not in hdrs:
                hdrs["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            conn.request(method, path, body=body, headers=hdrs)
            resp = conn.getresponse()
            data = resp.read()
            got = {k.lower(): v for k, v in resp.getheaders()}
            cookie = got.get("set-cookie")
            if cookie:
                name, _, rest = cookie.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
            return Reply(resp.status, got, data)
        finally:
            conn.close()

    def get(self, path: str, **kw: object) -> Reply:
        return self.request("GET", path, **kw)  # type: ignore[arg-type]

    def csrf(self) -> str:
        """Open the home page (creates the session) and return its CSRF token."""
        page = self.get("/")
        m = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert m, "no CSRF token on the home page"
        return m.group(1)

    def post_form(
        self,
        path: str,
        fields: dict[str, str],
        files: dict[str, tuple[str, bytes]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        body, ctype = multipart(fields, files or {})
        hdrs = {"Content-Type": ctype, "Origin": f"http://{self.host}:{self.port}"}
        hdrs.update(headers or {})
        return self.request("POST", path, body=body, headers=hdrs)

    def upload(self, name: str, data: bytes) -> Reply:
        return self.settle(self.post_form("/importer", {"csrf": self.csrf()}, {"fichier": (name, data)}))

    def settle(self, reply: Reply, seconds: float = 120) -> Reply:
        """A reply as if the work were instant: a background job's page is waited for and replaced by
        where it leads (a 303 to its result), or by its error page (422)."""
        import json
        import time

        location = reply.header("location") or ""
        if reply.status != 303 or not location.startswith("/travail/"):
            return reply
        end = time.monotonic() + seconds
        while True:
            info = json.loads(self.get(location + ".json").body)
            if info["state"] in ("done", "failed") or time.monotonic() > end:
                break
            time.sleep(0.1)
        if info.get("next"):
            return Reply(303, {"location": info["next"]}, b"")
        return self.get(location)


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = "----spaser" + secrets.token_hex(8)
    out = []
    for k, v in fields.items():
        out.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode())
    for k, (name, data) in files.items():
        quoted = name.replace('"', "%22")
        out.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"; filename="{quoted}"\r\n'
            f"Content-Type: application/octet-stream\r\n\r\n".encode()
            + data
            + b"\r\n"
        )
    out.append(f"--{boundary}--\r\n".encode())
    return b"".join(out), f"multipart/form-data; boundary={boundary}"
