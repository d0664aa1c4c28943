"""The local web page (``spaser serve``): standard library HTTP server, French pages.

>>> from spaser.web import MAX_UPLOAD_BYTES
>>> MAX_UPLOAD_BYTES // (1024 * 1024)
50
"""

from __future__ import annotations

from spaser.web.server import MAX_UPLOAD_BYTES, SpaserHTTPServer, make_server, serve_in_thread

__all__ = ["MAX_UPLOAD_BYTES", "SpaserHTTPServer", "make_server", "serve_in_thread"]
