"""Layer 1: statute texts (laws and amending decisions) read into articles with spans."""
