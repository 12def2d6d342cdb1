"""What the site's forms and the service that receives them must agree on: the fields and
their limits, the messages shown per field, the topic labels, the ``fb`` template context and
the signed token format. Imports neither Pelican nor Starlette: the build and the service
both use it."""
