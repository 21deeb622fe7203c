"""File operations every layer may use: atomic writes, links, the exchange of two trees, digests, a tree's manifest."""
