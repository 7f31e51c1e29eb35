"""What ward staff edit (FAQ, offices, synonyms, texts) and the code that loads and checks it.

The data files live in ``content/data/`` (or ``TSUNAGU_CONTENT_DIR``); see
``content/data/README.md`` for how staff edit them.
"""
