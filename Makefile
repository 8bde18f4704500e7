# The two commands of the README. Each installs the Debian packages it lacks,
# configures meson in build/, builds, and goes on.
BUILD ?= build
MESON_OPTS ?=

.PHONY: all deps build run check clean

all: build

deps:
	@./build-aux/install-deps

$(BUILD)/build.ninja:
	meson setup $(BUILD) $(MESON_OPTS)

build: deps $(BUILD)/build.ninja
	meson compile -C $(BUILD)

run: build
	./build-aux/run-demo $(BUILD)

check: build
	./build-aux/run-tests $(BUILD)

clean:
	rm -rf $(BUILD)
