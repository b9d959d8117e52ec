"""``pinknoise serve``: a directory as a production static site, on an embedded server.

The server is granian (the ``serve`` extra): measured on this project's machines it
serves pinknoise's ASGI app fastest of the mature Python servers, and it offers
``http.response.pathsend``, so large files go out by sendfile. See docs/serve.md.
"""
