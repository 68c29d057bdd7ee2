# The verbs people type. Each one is a thin call; the work lives in the scripts it names.
SHELL := /bin/bash
MVN ?= mvn -B -q
JAR := target/depot.jar
# The verbs start python3 and the commands installed beside it (aws, cfn-lint, moto_server)
# hundreds of times. When python3 is a version manager's shim (pyenv's costs about a second per
# start on a busy machine), the interpreter's own directory goes first on PATH: same programs.
PYTHON_DIR := $(shell python3 -c 'import os, sys; print(os.path.dirname(sys.executable))' 2>/dev/null)
ifneq ($(PYTHON_DIR),$(patsubst %/,%,$(dir $(shell command -v python3))))
export PATH := $(PYTHON_DIR):$(PATH)
endif

.PHONY: run test package lint chaos e2e host-test rehearse bench clean help

help: ## list the verbs
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

run: package ## build the jar and run Depot locally on a throwaway stack (Ctrl-C stops it all)
	scripts/run-local

test: ## unit and integration tests against real PostgreSQL, Redis and S3Proxy
	$(MVN) verify

package: $(JAR) ## build target/depot.jar and its SBOM (tests skipped), unless it is newer than its sources

# Rebuilt only when what goes into it changed: the verbs that need the jar (and make test's
# verify, which builds it too) share one build instead of re-shading it each.
$(JAR): pom.xml $(shell find src/main -type f)
	$(MVN) -DskipTests package

lint: ## every static checker: shellcheck, yamllint, ansible-lint, nginx -t, systemd, packer, workflows, cross-layer timings
	scripts/lint

chaos: package ## hostile clients and failing dependencies against the real jar, nginx site and servers; prints each case's figures
	scripts/chaos

host-test: package ## deploy with Ansible into a booted systemd-nspawn host and switch colours under load
	e2e/host-test

e2e: package ## the proving ground: bake, fleet, balancer, deploy, fail, roll back, refresh under load
	e2e/run

rehearse: ## bootstrap, then release.yml (staging, production), deploy.yml and rollback.yml played from their files, against moto_server standing in for AWS
	scripts/rehearse

bench: package ## every performance goal against a baseline from the same run: build/bench/results.json and charts
	scripts/bench

clean: ## remove build output and the local stack's state
	rm -rf target build .run
