"""The feedback service: an ASGI application (Starlette, served by uvicorn) that stores every
message durably, thanks the sender, notifies staff and lets staff answer, plus its command-line
tools. Installed with the ``luotsi[service]`` extra; it never imports Pelican."""
