# The two commands of the README. Each sets up .venv first (quickly, when done before).
.PHONY: run test setup lint

ARGS ?=

run: setup
	.venv/bin/python app.py $(ARGS)

test: setup
	.venv/bin/python -m ruff check .
	.venv/bin/python -m pytest $(ARGS)

setup:
	@scripts/setup.sh
