"""HTML → PDF through WeasyPrint, reading only our own static files (fonts, CSS)."""

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from weasyprint import HTML, Attachment
from weasyprint.urls import URLFetcher, URLFetcherResponse

BASE_URL = "http://khuyenhoc.invalid/"


class StaticFilesFetcher(URLFetcher):
    """Serves /static/… from the staticfiles finders or STATIC_ROOT; refuses every other URL.

    A report never needs the network, and refusing it keeps user-entered text from making the
    server fetch anything.
    """

    def fetch(self, url, headers=None):
        path = unquote(urlsplit(url).path)
        prefix = "/" + settings.STATIC_URL.strip("/") + "/"
        if url.startswith(BASE_URL) and path.startswith(prefix):
            relative = path[len(prefix) :]
            found = finders.find(relative) or _collected(relative)
            if found:
                content_type = mimetypes.guess_type(found)[0] or "application/octet-stream"
                return URLFetcherResponse(url, Path(found).read_bytes(), {"Content-Type": content_type})
        raise ValueError(f"khuyenhoc PDF: refusing to fetch {url}")


def _collected(relative: str) -> str | None:
    candidate = (Path(settings.STATIC_ROOT) / relative).resolve()
    if Path(settings.STATIC_ROOT).resolve() in candidate.parents and candidate.is_file():
        return str(candidate)
    return None


def html_to_pdf(html: str, *, attachments: list[Attachment] = ()) -> bytes:
    return HTML(string=html, base_url=BASE_URL, url_fetcher=StaticFilesFetcher()).write_pdf(
        attachments=list(attachments)
    )
