"""Tools for the people who start and write a Luotsi site: ``luotsi init`` (a new site from a
few answers), ``luotsi new …`` (posts, translations, staff and trips with the fields they
need), ``luotsi status`` (what is left to do before publishing) and ``luotsi serve`` (the
site rebuilt on every save, with the feedback service).

Each command is its own module; :mod:`.cli` puts them on the ``luotsi`` command line.
"""
