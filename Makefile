# The two commands of the README: `make demo` and `make test`. Both create the environment
# first when this machine has none (scripts/env.sh; cached outside the checkout).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
DEMO_DIR ?= build/demo

.PHONY: demo test lint docs env lock clean-demo

env:
	@bash scripts/env.sh >/dev/null

demo:
	@env_dir=$$(bash scripts/env.sh); \
	rm -rf "$(DEMO_DIR)"; \
	"$$env_dir/bin/vivid-build" source=example parse.keep_existing=false \
		subset_rule=vivid_s_like subset_rule.window_frames=16 \
		work_dir="$(DEMO_DIR)/work" export_to="$(DEMO_DIR)/export"; \
	"$$env_dir/bin/vivid-sanity" "$(DEMO_DIR)/work/dataset" --out "$(DEMO_DIR)/sanity"; \
	for kind in agnostic shuffled frozen; do \
		"$$env_dir/bin/vivid-eval" predictions="$(DEMO_DIR)/sanity/$$kind" references="$(DEMO_DIR)/work/dataset" \
			dataset=example out_dir="$(DEMO_DIR)/eval/$$kind"; \
	done; \
	"$$env_dir/bin/vivid-eval" predictions="$(DEMO_DIR)/sanity/agnostic" references="$(DEMO_DIR)/work/dataset" \
		dataset=example built_subset=vivid_s_like out_dir="$(DEMO_DIR)/eval/agnostic_vivid_s_like"; \
	"$$env_dir/bin/vivid-leaderboard" $(DEMO_DIR)/eval/agnostic $(DEMO_DIR)/eval/shuffled $(DEMO_DIR)/eval/frozen \
		$(DEMO_DIR)/eval/agnostic_vivid_s_like \
		--out "$(DEMO_DIR)/leaderboard"

test:
	@env_dir=$$(bash scripts/env.sh); \
	$(MAKE) --no-print-directory lint ENV_DIR="$$env_dir"; \
	$(MAKE) --no-print-directory docs ENV_DIR="$$env_dir"; \
	bash scripts/browser.sh; \
	"$$env_dir/bin/python" -m pytest $(PYTEST_ARGS); \
	"$$env_dir/bin/python" scripts/timings.py check

# the documentation site (mkdocs.yml, docs/) into build/site; any warning (a broken link, an
# API page naming what does not exist) fails the build; `make test` runs this
docs:
	@env_dir=$${ENV_DIR:-$$(bash scripts/env.sh)}; \
	NO_MKDOCS_2_WARNING=1 "$$env_dir/bin/mkdocs" build --strict 2>&1 | { grep -v "^INFO" || true; }; \
	echo "docs: site built in build/site (mkdocs --strict)"

# ruff (lint and format) and mypy, as configured in pyproject.toml; `make test` runs this first
lint:
	@env_dir=$${ENV_DIR:-$$(bash scripts/env.sh)}; \
	"$$env_dir/bin/ruff" check --quiet .; \
	"$$env_dir/bin/ruff" format --check --quiet . || { echo "ruff format: run '$$env_dir/bin/ruff format .'"; exit 1; }; \
	"$$env_dir/bin/mypy" --no-error-summary; \
	echo "lint: ruff check, ruff format and mypy clean"

# Refresh requirements/*.lock from pyproject.toml (deliberately: review the diff, commit it)
lock:
	@env_dir=$$(bash scripts/env.sh); PYTHON="$$env_dir/bin/python" bash scripts/lock.sh

clean-demo:
	rm -rf "$(DEMO_DIR)"
