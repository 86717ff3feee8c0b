"""Articles fetched from a list of URLs: a timeout, a size cap, and an address guard.

The guard checks the address a connection is actually made to (after DNS, on every
redirect), so a name that resolves to 127.0.0.1, 10.x, 169.254.x or ::1 is refused even if
it looked public. `URL_IMPORT_ALLOW_PRIVATE` turns the guard off (the tests' local server).
"""

import ipaddress
import socket
import time
import warnings
from urllib.parse import urljoin, urlsplit

import urllib3
from django.conf import settings
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from annotations.importers.base import (
    ArticleIn,
    ReadError,
    Row,
    Rows,
    as_dict,
    first_line_title,
    row_error,
)
from annotations.importers.sources import human_bytes

MAX_REDIRECTS = 5
CHUNK = 65536
USER_AGENT = "factcheck-importer/1.0 (+article import for fact-checking)"
HTML_TYPES = ("text/html", "application/xhtml+xml")


class FetchError(ReadError):
    """One URL gave no article: its row reports why, and the other URLs are still read."""


def address_refusal(address: str) -> str | None:
    """Why an address may not be fetched from, or None if it may."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_private:
        return "a private address"
    if ip.is_multicast or ip.is_reserved or ip.is_unspecified or not ip.is_global:
        return "a reserved address"
    return None


def allowed_address(host: str, port: int) -> str:
    """The address to connect to for host: the first one the guard allows."""
    try:
        infos = socket.getaddrinfo(host.strip("[]"), port, 0, socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise FetchError(
            "fetch_failed", f"could not be fetched: {host} is not a known host"
        ) from exc
    refusals: list[str] = []
    for *_, sockaddr in infos:
        address = str(sockaddr[0])
        why = None if settings.URL_IMPORT_ALLOW_PRIVATE else address_refusal(address)
        if why is None:
            return address
        refusals.append(f"{address} ({why})")
    where = (
        f"is {refusals[0].split(' (')[1].rstrip(')')}"
        if len(refusals) == 1 and refusals[0].startswith(f"{host.strip('[]')} ")
        else f"resolves to {', '.join(refusals)}"
    )
    raise FetchError(
        "address_not_allowed",
        f"was refused: {host} {where}, and importing from private, loopback and link-local "
        "addresses is turned off",
    )


class _GuardedHTTPConnection(HTTPConnection):
    """Connects to the checked address itself, so DNS cannot answer differently later."""

    def _new_conn(self) -> socket.socket:
        self._dns_host = allowed_address(self._dns_host, self.port)
        return super()._new_conn()


class _GuardedHTTPSConnection(HTTPSConnection):
    def _new_conn(self) -> socket.socket:
        self._dns_host = allowed_address(self._dns_host, self.port)
        return super()._new_conn()


class _GuardedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _GuardedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


def _pool_manager() -> urllib3.PoolManager:
    manager = urllib3.PoolManager(headers={"User-Agent": USER_AGENT}, retries=False)
    manager.pool_classes_by_scheme = {"http": _GuardedHTTPPool, "https": _GuardedHTTPSPool}
    return manager


def _check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError("invalid_url", "is not an http:// or https:// URL")


def _fetch_error(exc: Exception, timeout: float) -> FetchError:
    reason = getattr(exc, "reason", None) or exc
    if isinstance(reason, urllib3.exceptions.NewConnectionError):
        cause = reason.__cause__ or reason
        return FetchError("fetch_failed", f"could not be reached ({cause})")
    if isinstance(reason, urllib3.exceptions.TimeoutError):
        return FetchError("timeout", f"did not answer within {timeout:g} s")
    cause = reason.__cause__ or reason
    return FetchError("fetch_failed", f"could not be fetched ({cause})")


def fetch(url: str, manager: urllib3.PoolManager | None = None) -> tuple[str, bytes, str]:
    """(final URL, body, content type) of a page, following up to five checked redirects."""
    manager = manager or _pool_manager()
    # A whole number of seconds from the environment; a test may set a fraction.
    timeout = float(settings.URL_IMPORT_TIMEOUT_SECONDS)
    limit = settings.URL_IMPORT_MAX_BYTES
    deadline = time.monotonic() + 3 * timeout
    for _ in range(MAX_REDIRECTS + 1):
        _check_url(url)
        try:
            response = manager.request(
                "GET",
                url,
                redirect=False,
                preload_content=False,
                timeout=urllib3.Timeout(connect=timeout, read=timeout),
            )
        except urllib3.exceptions.HTTPError as exc:
            raise _fetch_error(exc, timeout) from exc
        try:
            if response.status in (301, 302, 303, 307, 308) and response.headers.get("Location"):
                url = urljoin(url, response.headers["Location"])
                continue
            if response.status != 200:
                raise FetchError("http_error", f"answered HTTP {response.status}")
            # urllib3's parse of Content-Length (it reads "42, 42"; None when the header is
            # absent or says "many"), where int() of the header would crash the whole job.
            declared = response.length_remaining or 0
            if declared > limit:
                raise FetchError(
                    "too_large",
                    f"is {human_bytes(declared)}, more than the {human_bytes(limit)} limit",
                )
            body = bytearray()
            for chunk in response.stream(CHUNK):
                body.extend(chunk)
                if len(body) > limit:
                    raise FetchError("too_large", f"is larger than the {human_bytes(limit)} limit")
                if time.monotonic() > deadline:
                    raise FetchError("timeout", f"took longer than {3 * timeout:g} s to download")
            content_type = response.headers.get("Content-Type", "").split(";")[0].strip()
            return url, bytes(body), content_type.lower()
        except urllib3.exceptions.HTTPError as exc:
            raise _fetch_error(exc, timeout) from exc
        finally:
            response.release_conn()
    raise FetchError("too_many_redirects", f"redirects more than {MAX_REDIRECTS} times")


def article_from_page(url: str, body: bytes, content_type: str) -> ArticleIn | None:
    if content_type == "text/plain":
        text = body.decode("utf-8", errors="replace")
        return ArticleIn(
            text=text, title=first_line_title(text), source_url=url, retrieved_from=url
        )
    import trafilatura

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        document = trafilatura.bare_extraction(
            body, url=url, with_metadata=True, include_comments=False
        )
    found = as_dict(document)
    if not (found.get("text") or "").strip():
        return None
    text = found["text"]
    return ArticleIn(
        text=text,
        title=(found.get("title") or "").strip() or first_line_title(text),
        source_url=found.get("url") or url,
        outlet=found.get("sitename") or "",
        author=found.get("author") or "",
        published_at=found.get("date") or "",
        language=found.get("language") or "",
        retrieved_from=url,
        metadata={k: found[k] for k in ("hostname", "description") if found.get(k)},
    )


def read_urls(urls: list[tuple[int, str]], source: str) -> Rows:
    """Rows for a URL list: one article per URL, or that URL's error with its line."""
    manager = _pool_manager()
    for line, url in urls:
        where = f"line {line}"
        try:
            final, body, content_type = fetch(url, manager)
            if content_type and content_type not in (*HTML_TYPES, "text/plain"):
                raise FetchError("not_html", f"is {content_type}, not an HTML page or plain text")
            article = article_from_page(final, body, content_type)
            if article is None:
                raise FetchError("no_article_text", "has no article text that could be found")
        except FetchError as exc:
            yield row_error(
                source, where, line, exc.code, f"{source}, {where}: {url} {exc.message}."
            )
            continue
        except OSError as exc:
            yield row_error(
                source,
                where,
                line,
                "fetch_failed",
                f"{source}, {where}: {url} could not be fetched ({exc}).",
            )
            continue
        yield Row(source=source, where=where, line=line, article=article)
