"""What the services send, read into papers: pure functions, no network, no files.

The fetchers (papertrack.sources) use them on fresh answers, and the store
(papertrack.store.index) on the raw answers it keeps, so a better parser re-reads old days.
"""
