"""Layer 1: reading list files and statutes into spans over their text."""
