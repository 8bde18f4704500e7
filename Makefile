# Shorthands for the README's commands (build-aux/dev needs no make).
.PHONY: all build run check clean
all build:
	./build-aux/dev build
run:
	./build-aux/dev run
check:
	./build-aux/dev check
clean:
	rm -rf build
