"""Fetching PTB's official DCC schema, and validating a DCC against it.

caltrace ships no copy of the DCC schema. :func:`fetch_schema` downloads ``dcc.xsd`` 3.3.0 from
PTB's publication URL, follows its ``xs:import``/``xs:include`` statements (D-SI 2.2.1, the XML
Signature schema, D-SI's quantity kinds), saves every file in one directory and points each
``schemaLocation`` at the saved copy, so :func:`validate` then works offline.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

DCC_SCHEMA_URL = "https://ptb.de/dcc/v3.3.0/dcc.xsd"
ROOT_NAME = "dcc.xsd"
_LOCATION = re.compile(rb'(<(?:\w+:)?(?:import|include|redefine)\b[^>]*?\bschemaLocation\s*=\s*")([^"]+)(")', re.S)


class SchemaFetchError(Exception):
    """A schema file could not be downloaded (network unreachable, HTTP error, not XML)."""


class InvalidDCC(ValueError):
    """The XML does not validate against the DCC schema."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("DCC is not valid: " + "; ".join(errors[:5]))


def _download(url: str, timeout: float) -> bytes:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:  # noqa: S310 - https URLs from the schema
            data = resp.read()
    except urllib.error.HTTPError as exc:
        raise SchemaFetchError(f"cannot download {url}: HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise SchemaFetchError(f"cannot download {url}: {reason}") from None
    if b"<" not in data[:512]:
        raise SchemaFetchError(f"cannot download {url}: the answer is not an XML schema")
    return data


def fetch_schema(dest_dir, url: str = DCC_SCHEMA_URL, *, timeout: float = 30.0) -> Path:
    """Download the DCC schema at ``url`` and everything it imports into ``dest_dir``.

    Returns the path of the saved ``dcc.xsd``. Files are written only when all downloads succeeded.
    Raises :class:`SchemaFetchError` naming the URL that failed.
    """
    dest = Path(dest_dir)
    names: dict[str, str] = {url: ROOT_NAME}  # URL → local file name
    contents: dict[str, bytes] = {}
    queue = [url]
    while queue:
        current = queue.pop(0)
        data = _download(current, timeout)

        def relocate(m, base=current):
            target = urllib.parse.urljoin(base, m.group(2).decode())
            if target not in names:
                name = Path(urllib.parse.urlparse(target).path).name or "schema.xsd"
                stem, n = name, 2
                while name in names.values():
                    name = f"{Path(stem).stem}-{n}{Path(stem).suffix}"
                    n += 1
                names[target] = name
                queue.append(target)
            return m.group(1) + names[target].encode() + m.group(3)

        contents[names[current]] = _LOCATION.sub(relocate, data)
    dest.mkdir(parents=True, exist_ok=True)
    for name, data in contents.items():
        (dest / name).write_bytes(data)
    return dest / ROOT_NAME


_schemas: dict[Path, object] = {}


def load_schema(schema_dir):
    """The compiled schema in ``schema_dir`` (its ``dcc.xsd``), cached per directory."""
    import xmlschema

    path = Path(schema_dir) / ROOT_NAME
    key = path.resolve()
    if key not in _schemas:
        if not path.is_file():
            raise FileNotFoundError(f"no DCC schema at {path} (run 'caltrace dcc fetch-schema')")
        _schemas[key] = xmlschema.XMLSchema(str(path))
    return _schemas[key]


def validate(xml_bytes: bytes, schema_dir) -> None:
    """Raise :class:`InvalidDCC` listing each problem when ``xml_bytes`` is not a valid DCC."""
    schema = load_schema(schema_dir)
    errors = [f"{e.reason} at {e.path}" for e in schema.iter_errors(xml_bytes)]
    if errors:
        raise InvalidDCC(errors)
