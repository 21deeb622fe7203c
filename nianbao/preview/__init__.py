"""`build.py serve`: the local preview server, its watcher and its builds in a child process."""
