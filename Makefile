# lector — the two commands that matter: `make run` and `make test`.
# Both install missing Debian packages first, then configure and build.

SANITIZE ?=
ifeq ($(SANITIZE),)
BUILD_DIR ?= build
else
BUILD_DIR ?= build-sanitize
endif
PREFIX ?= /usr/local
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_BUILD_TYPE ?= RelWithDebInfo
ARTICLE := tests/fixtures/000_eec91c594e6a2ce7.txt

# chromium: the browser tests of the HTML reports (tests/cli/report_spec.lua)
DEBIAN_PACKAGES := build-essential cmake pkg-config \
	lua5.4 liblua5.4-dev lua-lpeg lua-lpeg-dev lua-cjson lua-cjson-dev \
	libsqlite3-dev libutf8proc-dev libsodium-dev libcmocka-dev lua-busted \
	libarchive-dev zlib1g-dev libstemmer-dev libedit-dev chromium

SANITIZER_ENV := ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

.PHONY: all deps configure build run test install bench bench-peers clean

all: build

deps:
	@missing=""; \
	for p in $(DEBIAN_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	echo "Missing Debian packages:$$missing"; \
	if [ "$$(id -u)" != 0 ]; then \
	  echo "Install them as root, then run make again:"; \
	  echo "  sudo apt-get update && sudo apt-get install -y$$missing"; \
	  exit 1; \
	fi; \
	apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing

$(BUILD_DIR)/CMakeCache.txt:
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(CMAKE_BUILD_TYPE) \
	  -DCMAKE_INSTALL_PREFIX=$(PREFIX) -DSANITIZE=$(SANITIZE)

configure: $(BUILD_DIR)/CMakeCache.txt

build: deps configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	$(BUILD_DIR)/lector analyze $(ARTICLE)

test: build
	cd $(BUILD_DIR) && $(if $(SANITIZE),$(SANITIZER_ENV)) ctest --output-on-failure -j $(JOBS)

install: build
	cmake --install $(BUILD_DIR) --prefix $(PREFIX)

bench: build
	$(BUILD_DIR)/lector run bench/bench.lua --build $(BUILD_DIR) $(BENCH_ARGS)

# Other NLP libraries on the same corpus; needs Node.js and npm (not Debian
# packages here): the script says so when they are missing.
bench-peers: build
	$(BUILD_DIR)/lector run bench/peers/peers.lua --build $(BUILD_DIR) $(PEERS_ARGS)

clean:
	rm -rf build build-sanitize
