# Makefile for pipeproc (PGXS)

EXTENSION = pipeproc
EXTVERSION = $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" pipeproc.control)
MODULE_big = pipeproc
OBJS = $(patsubst %.c,%.o,$(wildcard src/*.c))
DATA = $(wildcard sql/pipeproc--*.sql)
PGFILEDESC = "pipeproc - log processing in PostgreSQL"

PG_CPPFLAGS = -Isrc $(shell pkg-config --cflags jansson 2>/dev/null)
SHLIB_LINK = $(shell pkg-config --libs jansson 2>/dev/null || echo -ljansson)

# pg_regress, isolation and TAP tests all run against a temporary
# instance started with test/pipeproc.conf (pipeproc preloaded).
REGRESS = $(sort $(basename $(notdir $(filter-out sql/pipeproc--%,$(wildcard sql/*.sql)))))
REGRESS_OPTS = --temp-config=$(srcdir)/test/pipeproc.conf --temp-instance=./tmp_check
ISOLATION = $(sort $(basename $(notdir $(wildcard test/specs/*.spec))))
ISOLATION_OPTS = --temp-config=$(srcdir)/test/pipeproc.conf --temp-instance=./tmp_check_iso \
	--inputdir=test --outputdir=output_iso
TAP_TESTS = 1
PROVE_TESTS = $(wildcard test/t/*.pl)

EXTRA_CLEAN = tmp_check tmp_check_iso output_iso results regression.diffs regression.out log

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# The version lives in pipeproc.control; META.json and the install script
# must agree with it.
.PHONY: checkver
checkver:
	@test -f sql/pipeproc--$(EXTVERSION).sql || { echo "missing sql/pipeproc--$(EXTVERSION).sql"; exit 1; }
	@grep -q '"version": "$(EXTVERSION)"' META.json || { echo "META.json version differs from $(EXTVERSION)"; exit 1; }
	@echo "version $(EXTVERSION) consistent"
