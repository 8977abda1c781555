# The Linux Test Project's system-call tests (docs/compat.md), built from
# ../shared/ltp at test time into build/ltp/ (tests/ltp/build.py keeps
# stamps, so only the first build costs). `make ltp` runs them all in
# Petrel and on the host and writes docs/compat.md; `make test` runs those
# of tests/ltp/pass.txt (tests/run's ltp/N entries), built beforehand here
# so that no test's time limit pays for the build.
.PHONY: ltp ltp-check-build
ltp: all | $(DEPS_STAMP)
	tests/ltp/ltp run

ltp-check-build: | $(DEPS_STAMP)
	tests/ltp/ltp build --list tests/ltp/pass.txt
