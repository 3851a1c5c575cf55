"""Looking works up online: by DOI, ISBN, arXiv id or URL.

- `identifiers`: what a string is (DOI, ISBN, arXiv id, URL), by its shape;
- `http`: the one HTTP client (httpx) with a cache beside the database, a polite
  User-Agent, timeouts, per-service rate limits and retries with back-off;
- `crossref`, `datacite`, `openalex`, `openlibrary`, `arxiv`, `web`: one module per
  service, each turning that service's answer into kb records (a CSL item and the
  people and organisations around it); pure functions of the response;
- `lookup`: an identifier -> records, asking the services in order.

Each service's base URL is a setting (`KB_CROSSREF_URL` ...), so the same code talks
to the real service and to a local stand-in in the tests.
"""
