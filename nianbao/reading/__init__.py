"""Stages 1-2: a content file loaded (front matter) and parsed (prose sections, the three tables) into a Report."""
