"""Saved web pages (File > Save Page As..., "Web page, HTML only").

Metadata, most specific first: Google Scholar's `citation_*` meta tags, schema.org
JSON-LD (Article, BlogPosting, NewsArticle, Report, ScholarlyArticle ...), Dublin Core,
OpenGraph, then what trafilatura reads from the page itself (title, author, date, site
name, categories, tags). extruct reads the JSON-LD, OpenGraph and Dublin Core;
trafilatura finds the article's text among navigation and comments, and htmldate (its
dependency) the publication date when no metadata gives one. The text is kept for
search and mention detection, not exported.

A page that is not the article (a bot check such as "Just a moment...", a login wall,
an empty page, a file that is not HTML) is refused with a one-line reason; a login
wall whose metadata still names the article gives a work flagged needs_review.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from typing import Any

from ..dates import parse_partial_date
from ..errors import KbError
from ..keys import normalise_doi
from ..model import Invalid, NoteRecord, Record, WorkRecord
from ..names import parse_name, split_name_list
from .page_text import affiliation_records, author_bios, earlier_version, interstitial_reason, login_wall

FORMAT = "html"
EXTENSIONS = (".html", ".htm", ".xhtml")

# schema.org types that are a work, and their CSL type.
JSONLD_TYPES = {
    "Article": "article",
    "NewsArticle": "article-newspaper",
    "ReportageNewsArticle": "article-newspaper",
    "AnalysisNewsArticle": "article-newspaper",
    "OpinionNewsArticle": "article-newspaper",
    "BlogPosting": "post-weblog",
    "LiveBlogPosting": "post-weblog",
    "SocialMediaPosting": "post",
    "Report": "report",
    "ScholarlyArticle": "article-journal",
    "TechArticle": "article",
    "WebPage": "webpage",
    "Book": "book",
    "Chapter": "chapter",
    "Thesis": "thesis",
}
_HTML_START = re.compile(r"<(!doctype\s+html|html|head|body|meta|title|article|div|p)\b", re.I)


def detect(head: str) -> bool:
    return bool(re.match(r"\s*(<!--.*?-->\s*)*<(!doctype\s+html|html)\b", head, re.I | re.S))


def _meta(tree: Any) -> dict[str, list[str]]:
    """<meta name|property="..." content="..."> as lower-cased name -> contents, in order."""
    found: dict[str, list[str]] = {}
    for element in tree.iter("meta"):
        name = (element.get("name") or element.get("property") or "").strip().lower()
        content = " ".join((element.get("content") or "").split())
        if name and content:
            found.setdefault(name, []).append(content)
    return found


def _first(*values: Any) -> str | None:
    for value in values:
        if isinstance(value, list):
            value = value[0] if value else None
        if isinstance(value, dict):
            value = value.get("name") or value.get("@value")
        if isinstance(value, str) and value.strip():
            return " ".join(value.split())
    return None


def _jsonld_work(items: list[dict[str, Any]]) -> tuple[dict[str, Any], str | None]:
    """The first JSON-LD node that is a work (looking inside @graph), and its CSL type."""
    nodes: list[dict[str, Any]] = []
    for item in items:
        nodes.extend(item.get("@graph", [item]) if isinstance(item, dict) else [])
    for node in nodes:
        if not isinstance(node, dict):
            continue
        types = node.get("@type")
        for type_name in types if isinstance(types, list) else [types]:
            if isinstance(type_name, str) and type_name in JSONLD_TYPES and type_name != "WebPage":
                return node, JSONLD_TYPES[type_name]
    return {}, None


def _jsonld_names(value: Any) -> list[dict[str, Any]]:
    """schema.org authors: Person -> a personal name, Organization -> a literal."""
    names = []
    for entry in value if isinstance(value, list) else [value] if value else []:
        if isinstance(entry, str):
            names.append(parse_name(entry))
        elif isinstance(entry, dict) and _first(entry.get("name")):
            corporate = entry.get("@type") == "Organization"
            names.append(parse_name(_first(entry.get("name")), corporate=corporate))
    return names


def _date(*candidates: str | None) -> dict[str, Any] | None:
    for value in candidates:
        if not value:
            continue
        value = value.strip()
        iso = re.match(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[T ].*)?$", value)
        if iso:
            value = "-".join(f"{int(part):02d}" if i else part for i, part in enumerate(iso.groups()))
        try:
            return parse_partial_date(value).to_csl()
        except (KbError, ValueError):
            continue
    return None


def _keywords(*values: Any) -> list[str]:
    tags: list[str] = []
    for value in values:
        for entry in value if isinstance(value, list) else [value] if value else []:
            for tag in re.split(r"\s*[;,]\s*", str(entry)):
                tag = " ".join(tag.split())
                if tag and not tag.startswith("http") and tag.casefold() not in {t.casefold() for t in tags}:
                    tags.append(tag)
    return tags


_BLOG = re.compile(r"\b(Leave a (Reply|Comment)|Posted (in|by)|Filed under)\b")
_CATEGORY_LABEL = re.compile(
    r"^\s*((posted|published|filed)\s+(in|under)|categories|category|tags|tagged( with)?|topics)\s*:?\s*$", re.I
)


def _category_links(tree: Any) -> list[str]:
    """The links after a "Posted in" / "Filed under" / "Tags:" label (a blog's footer)."""
    found = []
    for element in tree.iter():
        if isinstance(element.tag, str) and element.text and _CATEGORY_LABEL.match(element.text):
            found += [" ".join(a.text_content().split()) for a in element.iter("a")]
    return [tag for tag in found if tag]


def _names(values: list[str]) -> list[dict[str, Any]]:
    names = []
    for value in values:
        if value.startswith("http"):
            continue  # article:author is often a profile URL
        for part in split_name_list(value) if ";" in value or " and " in value else [value]:
            names.append(parse_name(part.strip()))
    return names


def parse(text: str, source: str, url: str | None = None) -> Iterator[Record]:
    # Imported here: these libraries take a third of a second to load, and every kb
    # command loads the importer registry.
    import extruct
    import lxml.html
    import trafilatura
    from lxml.etree import ParserError

    if not _HTML_START.search(text[:5000]):
        yield Invalid(
            "this is not an HTML page (no HTML tags); a page copied from the browser as text imports with --format pasted",
            source,
        )
        return
    try:
        tree = lxml.html.document_fromstring(text)
    except (ParserError, ValueError) as exc:
        yield Invalid(f"cannot read this HTML: {exc}", source)
        return
    meta = _meta(tree)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            embedded = extruct.extract(
                text, base_url=url, syntaxes=["json-ld", "opengraph", "dublincore"], uniform=True, errors="ignore"
            )
        except Exception:  # extruct raises what its parsers raise; metadata is optional
            embedded = {}
        extracted = trafilatura.bare_extraction(
            text, url=url, with_metadata=True, include_comments=False, include_tables=False, favor_precision=True
        )
    page = extracted.as_dict() if extracted is not None and hasattr(extracted, "as_dict") else (extracted or {})
    ld, ld_type = _jsonld_work(embedded.get("json-ld", []))
    og = (embedded.get("opengraph") or [{}])[0]
    dc = {
        e["name"].split(".", 1)[-1].lower(): e.get("content")
        for block in embedded.get("dublincore", [])
        for e in block.get("elements", []) + block.get("terms", [])
        if e.get("name") and e.get("content")
    }
    html_title = _first(tree.findtext(".//title"))
    body_text = (page.get("text") or "").strip()
    visible = " ".join((tree.body.text_content() if tree.body is not None else "").split())

    reason = interstitial_reason(html_title, visible)
    if reason:
        yield Invalid(
            f"this is {reason}, not the article: open the page in a browser, let it load, and save it again", source
        )
        return
    title = _first(
        meta.get("citation_title"),
        ld.get("headline"),
        ld.get("name"),
        dc.get("title"),
        og.get("og:title"),
        meta.get("twitter:title"),
        page.get("title"),
        html_title,
    )
    walled = login_wall(html_title, visible)
    if not title or (walled and not (meta.get("citation_title") or ld or og.get("og:title"))):
        if walled:
            yield Invalid(
                "this is a login or subscription wall, not the article: sign in, then save the page again", source
            )
        elif not visible:
            yield Invalid("the page is empty: no title and no text", source)
        else:
            yield Invalid("the page has no title (no <title>, citation_title, JSON-LD or OpenGraph title)", source)
        return

    authors = (
        _names(meta.get("citation_author", []))
        or _jsonld_names(ld.get("author"))
        or _names([dc["creator"]] if dc.get("creator") else [])
        or _names(meta.get("article:author", []))
        or _names(meta.get("author", []))
        or _names([a for a in (page.get("author") or "").split("; ") if a])
    )
    publisher = _first(
        meta.get("citation_publisher"),
        meta.get("citation_technical_report_institution"),
        ld.get("publisher"),
        dc.get("publisher"),
    )
    container = _first(
        meta.get("citation_journal_title"),
        meta.get("citation_conference_title"),
        ld.get("isPartOf") if isinstance(ld.get("isPartOf"), dict) else None,
        og.get("og:site_name"),
    )
    if not container and page.get("sitename") != publisher:  # trafilatura's guess may be the publisher again
        container = _first(page.get("sitename"))
    if meta.get("citation_journal_title"):
        work_type = "article-journal"
    elif meta.get("citation_technical_report_institution"):
        work_type = "report"
    elif ld_type:
        work_type = ld_type
    elif _BLOG.search(visible):
        work_type = "post-weblog"
    else:
        work_type = "article-newspaper" if page.get("pagetype") == "newsarticle" else "webpage"
    if container and container == publisher:  # a report's institute, a newspaper's own name: said once
        container, publisher = (None, publisher) if work_type in ("report", "book") else (container, None)
    first_page, last_page = _first(meta.get("citation_firstpage")), _first(meta.get("citation_lastpage"))
    item: dict[str, Any] = {
        "type": work_type,
        "title": title,
        "author": authors,
        "issued": _date(
            _first(meta.get("citation_publication_date")),
            _first(meta.get("citation_date")),
            _first(meta.get("citation_online_date")),
            _first(ld.get("datePublished")),
            dc.get("date"),
            dc.get("issued"),
            _first(meta.get("article:published_time")),
            page.get("date"),
        ),
        "container-title": container,
        "publisher": publisher,
        "volume": _first(meta.get("citation_volume")),
        "issue": _first(meta.get("citation_issue")),
        "page": f"{first_page}-{last_page}" if first_page and last_page else first_page,
        "DOI": normalise_doi(_first(meta.get("citation_doi"), dc.get("identifier"))),
        "ISBN": _first(meta.get("citation_isbn")),
        "URL": url
        or _first(
            meta.get("citation_public_url"),
            meta.get("citation_abstract_html_url"),
            ld.get("url"),
            og.get("og:url"),
            tree.xpath("string(//link[@rel='canonical']/@href)") or None,
            page.get("url"),
        ),
        "abstract": _first(
            meta.get("citation_abstract"),
            dc.get("description"),
            ld.get("description"),
            og.get("og:description"),
            meta.get("description"),
        ),
        "language": _first(meta.get("citation_language"), tree.get("lang"), dc.get("language"), ld.get("inLanguage")),
    }
    tags = _keywords(
        meta.get("citation_keywords"),
        ld.get("keywords"),
        meta.get("article:tag"),
        meta.get("keywords"),
        page.get("categories"),
        page.get("tags"),
        _category_links(tree),
    )
    origin = source
    paragraphs = [p.strip() for p in body_text.split("\n") if p.strip()]
    if paragraphs and paragraphs[0] in (title, page.get("title")):
        paragraphs = paragraphs[1:]  # the heading again: the title is kept on its own
    body_text = "" if walled else "\n\n".join(paragraphs)
    found_authors, bios = author_bios(
        [a.get("literal") or " ".join(filter(None, [a.get("given"), a.get("family")])) for a in authors], paragraphs
    )
    if not authors and found_authors:
        item["author"] = [parse_name(name, corporate=False) for name in found_authors]
    yield from affiliation_records(bios, origin)
    work = WorkRecord(item=item, tags=tags, text=body_text or None, origin=origin, needs_review=walled)
    if walled:
        work.notes.append(
            NoteRecord(
                comment="Saved from behind a login wall: the page's metadata names the work, but its text is missing."
            )
        )
    earlier = earlier_version(title, item["author"], body_text, origin)
    if earlier:
        placeholder, citation = earlier
        yield placeholder
        work.cites.append(citation)
    yield work
