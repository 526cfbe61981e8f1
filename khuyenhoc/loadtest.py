"""`make load`: mixed readers and writers against a running server, over loopback, for a fixed time.

Readers sign in as the demo users and walk the main pages. Writers sign in as the Tuyên Quang
officer and save commune returns the way a browser does (the form as served, one figure changed),
two writers on each return so that they collide. Afterwards it prints requests per second, p50/p95/
p99 per page and the errors, and checks every acknowledged write against the database:

- a *silently overwritten* write is one of two acknowledged saves made from the same version of a
  return (the second should have been refused as a conflict);
- a *lost* write is the newest acknowledged save of a return whose value the database no longer holds.

A refused save (409, the page's conflict notice) is not acknowledged and counts as neither.
"""

import http.client
import re
import statistics
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit

PASSWORD = "khuyenhoc-demo"


class FormReader(HTMLParser):
    """The fields of the first POST form of a page as a browser would submit them (no button)."""

    def __init__(self, form_id: str | None = None):
        super().__init__()
        self.form_id = form_id
        self.fields: list[tuple[str, str]] = []
        self.inside = False
        self.done = False
        self._select: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if self.done:
            return
        if tag == "form" and a.get("method", "").lower() == "post":
            self.inside = self.form_id is None or a.get("id") == self.form_id
            return
        if not self.inside or "disabled" in a:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("submit", "button", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields.append((name, a.get("value", "on" if kind in ("checkbox", "radio") else "")))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.fields.append((self._select, a.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_data(self, data):
        if self._textarea:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.fields.append((self._textarea, "".join(self._text).lstrip("\n")))
            self._textarea = None
        elif tag == "form" and self.inside:
            self.inside, self.done = False, True


def form_fields(html: str) -> list[tuple[str, str]]:
    reader = FormReader()
    reader.feed(html)
    return reader.fields


class Session:
    """One browser: a keep-alive connection, its cookies, and the CSRF token they carry."""

    def __init__(self, base: str):
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port or 80
        self.connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: dict | list | None = None) -> tuple[int, str, str]:
        # As behind the TLS proxy of a production server: the app sees https, sets secure cookies.
        headers = {
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            "Host": f"{self.host}:{self.port}",
            "X-Forwarded-Proto": "https",
        }
        data = None
        if body is not None:
            data = urlencode(body).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"https://{self.host}:{self.port}{path}"
            headers["Origin"] = f"https://{self.host}:{self.port}"
        for attempt in range(2):
            try:
                self.connection.request(method, path, body=data, headers=headers)
                response = self.connection.getresponse()
                text = response.read().decode("utf-8", "replace")
                break
            except (http.client.HTTPException, OSError):
                # The server closed a kept-alive connection: open a new one, once.
                self.connection.close()
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
                if attempt:
                    raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, response.getheader("Location", ""), text

    def sign_in(self, username: str) -> None:
        _status, _location, page = self.request("GET", "/dang-nhap/")
        fields = dict(form_fields_by_action(page, "/dang-nhap/"))
        status, _location, _page = self.request(
            "POST", "/dang-nhap/", {**fields, "username": username, "password": PASSWORD}
        )
        if status != 302:
            raise RuntimeError(f"{username} could not sign in ({status})")


def form_fields_by_action(html: str, action: str) -> list[tuple[str, str]]:
    """The fields of the POST form whose action is `action` (or empty), skipping the language switch."""
    for match in re.finditer(r"<form\b[^>]*>.*?</form>", html, re.S | re.I):
        tag = match.group(0)
        if 'method="post"' in tag[:200].lower() and (
            f'action="{action}"' in tag[:300] or "action=" not in tag[:300]
        ):
            return form_fields(tag)
    return []


@dataclass
class Results:
    timings: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    acknowledged: list[tuple[int, int, int]] = field(default_factory=list)  # (return pk, version, value)
    refused: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, page: str, started: float, ok: bool) -> None:
        with self.lock:
            self.timings[page].append((time.perf_counter() - started) * 1000)
            if not ok:
                self.errors[page] += 1


def signed_in(base: str, username: str, results: "Results") -> Session | None:
    """A session signed in before the clock starts: a password hash costs the server about 0.5 s of
    CPU by design, and twenty of them would be the test, not the load."""
    session = Session(base)
    started = time.perf_counter()
    try:
        session.sign_in(username)
    except Exception:  # noqa: BLE001 - counted, and the thread stops
        results.record("sign in", started, False)
        return None
    results.record("sign in", started, True)
    return session


def reader(session: Session, pages: list[tuple[str, str]], until: float, results: Results) -> None:
    i = 0
    while time.perf_counter() < until:
        name, path = pages[i % len(pages)]
        i += 1
        started = time.perf_counter()
        try:
            status, _location, _text = session.request("GET", path)
            results.record(name, started, status == 200)
        except Exception:  # noqa: BLE001 - a failed request is an error of the run, not of the tool
            results.record(name, started, False)


POPULATION = "population"


def writer(session: Session, targets: list[tuple[int, int, str]], until: float, results: Results, seed: int):
    """Save each target return in turn, one figure changed to a value no other save uses."""
    n = 0
    while time.perf_counter() < until:
        return_pk, year, path = targets[n % len(targets)]
        n += 1
        value = 10_000_000 + seed * 1_000_000 + n  # unique to this writer and attempt
        started = time.perf_counter()
        try:
            status, _location, page = session.request("GET", path)
            results.record("entry form (GET)", started, status == 200)
            fields = [(k, v) for k, v in form_fields_by_action(page, "") if k != POPULATION]
            version = int(dict(fields).get("version") or 0)
            started = time.perf_counter()
            status, location, page = session.request("POST", path, [*fields, (POPULATION, str(value))])
        except Exception:  # noqa: BLE001
            results.record("entry save (POST)", started, False)
            continue
        if status == 302:
            results.record("entry save (POST)", started, True)
            with results.lock:
                results.acknowledged.append((return_pk, version, value))
        elif status == 409:
            results.record("entry save (POST)", started, True)
            with results.lock:
                results.refused += 1
        else:
            results.record("entry save (POST)", started, False)


def check_writes(acknowledged: list[tuple[int, int, int]], final: dict[int, int]) -> tuple[int, int]:
    """(lost, silently overwritten) writes among the acknowledged, against the final values."""
    by_return: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for pk, version, value in acknowledged:
        by_return[pk].append((version, value))
    lost = overwritten = 0
    for pk, saves in by_return.items():
        versions = [v for v, _value in saves]
        overwritten += len(versions) - len(set(versions))
        newest = max(saves)
        if final.get(pk) != newest[1]:
            lost += 1
    return lost, overwritten


def summary(results: Results, seconds: float) -> str:
    total = sum(len(t) for t in results.timings.values())
    lines = [
        f"{total} requests in {seconds:.0f} s: {total / seconds:.1f} requests/s, "
        f"{sum(results.errors.values())} errors",
        f"{'page':34} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>6}",
    ]
    for name, timings in sorted(results.timings.items()):
        ordered = sorted(timings)

        def pct(p, ordered=ordered):
            return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]

        lines.append(
            f"{name:34} {len(ordered):6d} {statistics.median(ordered):8.0f} {pct(95):8.0f} {pct(99):8.0f} "
            f"{results.errors.get(name, 0):6d}"
        )
    return "\n".join(lines)
