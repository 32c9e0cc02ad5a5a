# smtpcodes - convenience targets. Everything builds into build/.
CC       ?= cc
PYTHON   ?= python3
LUA      ?= lua5.4
LUA_INC  ?= $(shell pkg-config --cflags lua5.4 2>/dev/null || echo -I/usr/include/lua5.4)
CSTD     := -std=c11
WARN     := -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes
SAN      := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
# Release builds (the CLI, build/lua, the rock; setup.py adds the same to the extension):
# stack protector, FORTIFY (needs optimisation), full RELRO; tests/check_hardening.sh checks.
HARDEN    := -O2 -fstack-protector-strong -D_FORTIFY_SOURCE=2
HARDEN_LD := -Wl,-z,relro,-z,now
# The core's sources are every csrc/*.c (one file per capability): setup.py globs the same
# list and `make check-rockspec` checks that the rockspec names exactly these files.
CORE_SRC := $(sort $(wildcard csrc/*.c))
CORE_DEP := $(CORE_SRC) $(wildcard csrc/*.h) $(wildcard csrc/*.inc)
ROCKSPEC := smtpcodes-dev-1.rockspec
TEST_C   := tests/c/test_smtpcodes.c

.PHONY: all gen check-gen test test-c test-python test-lua python lua rock rock-check rock-install rock-src test-rock check-rockspec \
        asan asan-python asan-lua valgrind bench classify-exact clean accuracy fuzz lint lint-cppcheck lint-clang-tidy demo

all: build/test_smtpcodes build/libsmtpcodes.a build/smtpcodes

# The command-line tool
build/smtpcodes: $(CORE_DEP) bindings/cli/cli.c bindings/cli/cli.h bindings/cli/main.c
	@mkdir -p build
	$(CC) $(CSTD) $(HARDEN) -g $(WARN) -pthread -Icsrc -Ibindings/cli -o $@ $(CORE_SRC) bindings/cli/cli.c bindings/cli/main.c \
	    $(HARDEN_LD)

gen:
	$(PYTHON) csrc/data/gen_data.py

check-gen:
	$(PYTHON) csrc/data/gen_data.py --check

CORE_OBJ := $(patsubst csrc/%.c,build/obj/%.o,$(CORE_SRC))
build/obj/%.o: csrc/%.c $(wildcard csrc/*.h) $(wildcard csrc/*.inc)
	@mkdir -p build/obj
	$(CC) $(CSTD) -O2 -g $(WARN) -fPIC -c -o $@ $<
build/libsmtpcodes.a: $(CORE_OBJ)
	rm -f $@
	ar rcs $@ $(CORE_OBJ)

build/test_smtpcodes: $(CORE_DEP) $(TEST_C)
	@mkdir -p build
	$(CC) $(CSTD) -O1 -g $(WARN) -Werror -Icsrc -o $@ $(CORE_SRC) $(TEST_C) -lpthread

build/test_smtpcodes_san: $(CORE_DEP) $(TEST_C)
	@mkdir -p build
	$(CC) $(CSTD) -O1 -g $(WARN) $(SAN) -Icsrc -o $@ $(CORE_SRC) $(TEST_C) -lpthread

# C tests under ASan+UBSan (the plain build is what valgrind runs)
test-c: build/test_smtpcodes_san
	cd tests && ../build/test_smtpcodes_san

asan: test-c

valgrind: build/test_smtpcodes
	cd tests && valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=all ../build/test_smtpcodes

# Python extension built in place (bindings/python/smtpcodes/_smtpcodes*.so)
python:
	$(PYTHON) setup.py -q build_ext --inplace

test-python: python
	PYTHONPATH=bindings/python $(PYTHON) -P -m pytest -q -p no:cacheprovider tests/python

# Lua module without luarocks, for the inner loop
lua: build/lua/smtpcodes.so
build/lua/smtpcodes.so: $(CORE_DEP) bindings/lua/lsmtpcodes.c
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(HARDEN) -g $(WARN) -pthread -fPIC -shared -fvisibility=hidden $(LUA_INC) -Icsrc -o $@ $(CORE_SRC) \
	    bindings/lua/lsmtpcodes.c $(HARDEN_LD)

test-lua: lua
	busted

check-rockspec:
	@for f in $(CORE_SRC); do grep -q "\"$$f\"" $(ROCKSPEC) || { echo "rockspec lacks $$f"; exit 1; }; done
	@for f in $$(grep -Eo '"csrc/[^"]+\.c"' $(ROCKSPEC) | tr -d '"'); do \
	    case " $(CORE_SRC) " in *" $$f "*) ;; *) echo "rockspec names $$f, which is not in csrc/"; exit 1;; esac; done

rock: check-rockspec
	luarocks --lua-version=5.4 make --tree=build/lua_modules $(ROCKSPEC) \
	    CFLAGS="$(HARDEN) -fPIC" LIBFLAG="-shared $(HARDEN_LD)" >/dev/null

# The rockspec's make backend: rock-check only checks that the headers are there; rock-install
# compiles and links in one cc call into the rock tree's lib dir (INST_LIBDIR), so nothing is
# written into the source tree. luarocks passes CFLAGS, LUA_INCDIR, LIBFLAG and INST_LIBDIR.
rock-check:
	@test -f csrc/smtpcodes.h && test -f bindings/lua/lsmtpcodes.c && test -f bindings/common/share.h && test -f "$(LUA_INCDIR)/lua.h" \
	    || { echo "rock-check: csrc/smtpcodes.h, bindings/lua/lsmtpcodes.c, bindings/common/share.h or $(LUA_INCDIR)/lua.h missing"; exit 1; }
rock-install:
	mkdir -p "$(INST_LIBDIR)"
	$(CC) $(CSTD) $(CFLAGS) -pthread -I"$(LUA_INCDIR)" -Icsrc -o "$(INST_LIBDIR)/smtpcodes.so" $(CORE_SRC) \
	    bindings/lua/lsmtpcodes.c $(LIBFLAG)

test-rock: rock
	busted --run=rock

# A source rock from the committed tree (HEAD), with no network: git archive into
# build/smtpcodes-dev.tar.gz, HEAD's rockspec copied to build/ with that tarball as its source
# (file://, absolute), then luarocks pack. Install it anywhere with
# `luarocks --lua-version=5.4 build build/smtpcodes-dev-1.src.rock --tree=DIR`.
rock-src: check-rockspec
	@mkdir -p build
	rm -f build/smtpcodes-dev.tar.gz build/$(ROCKSPEC) build/smtpcodes-dev-1.src.rock
	git archive --format=tar.gz --prefix=smtpcodes-dev/ -o build/smtpcodes-dev.tar.gz HEAD
	git show HEAD:$(ROCKSPEC) \
	    | sed 's|^   url = "git+file:///dev/null",.*|   url = "file://$(CURDIR)/build/smtpcodes-dev.tar.gz",\n   dir = "smtpcodes-dev",|' \
	    >build/$(ROCKSPEC)
	@grep -q '^   url = "file://' build/$(ROCKSPEC) || { echo "rock-src: source.url of $(ROCKSPEC) not replaced"; exit 1; }
	cd build && luarocks --lua-version=5.4 pack $(ROCKSPEC)

# Every suite (C under ASan+UBSan, pytest on the installed package, busted on the rock);
# ends with one line "N passed, N failed".
test:
	bash tests/run_all.sh

clean:
	rm -rf build *.egg-info bindings/python/*.egg-info .pytest_cache smtpcodes.so csrc/*.o bindings/lua/*.o \
	       bindings/python/smtpcodes/*.so

build/classify_tsv: $(CORE_DEP) tests/tools/classify_tsv.c tests/tools/unescape.h
	@mkdir -p build
	$(CC) $(CSTD) -O2 -g $(WARN) -Icsrc -o $@ $(CORE_SRC) tests/tools/classify_tsv.c

# Agreement of classify() with the labels of ../shared/corpus/sisimai
build/bounce_tsv: $(CORE_DEP) tests/tools/bounce_tsv.c
	@mkdir -p build
	$(CC) $(CSTD) -O2 -g $(WARN) -Icsrc -o $@ $(CORE_SRC) tests/tools/bounce_tsv.c

# ... and of parse_bounce() with Sisimai's expectations over ../shared/corpus/bounces (read in place)
accuracy: build/classify_tsv build/bounce_tsv
	$(PYTHON) tests/tools/accuracy.py $(ACCURACY_ARGS)
	$(PYTHON) tests/tools/bounce_accuracy.py $(BOUNCE_ACCURACY_ARGS)

# libFuzzer targets (clang + libclang-rt-14-dev), each run FUZZ_SECONDS (default 30)
FUZZ_TARGETS := lookup parse_strict parse_lenient explain compare classify tags bounce log
FUZZ_SECONDS ?= 30
build/fuzz/fuzz_%: $(CORE_DEP) tests/fuzz/fuzz_smtpcodes.c
	@mkdir -p $(@D)
	clang $(CSTD) -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -DFUZZ_$* -Icsrc \
	    -o $@ $(CORE_SRC) tests/fuzz/fuzz_smtpcodes.c

fuzz: $(addprefix build/fuzz/fuzz_,$(FUZZ_TARGETS))
	@$(PYTHON) tests/fuzz/make_seeds.py
	@set -e; for t in $(FUZZ_TARGETS); do \
	    mkdir -p build/fuzz/corpus/$$t; \
	    ./build/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -max_len=4096 -timeout=10 -print_final_stats=0 \
	        -artifact_prefix=build/fuzz/crash-$$t- build/fuzz/corpus/$$t build/fuzz/seeds/$$t 2>build/fuzz/$$t.log \
	        || { tail -n 30 build/fuzz/$$t.log; echo "fuzz: $$t FAILED"; exit 1; }; \
	    echo "fuzz: $$t ok ($$(grep -Eo 'Done [0-9]+ runs' build/fuzz/$$t.log))"; \
	done

# Static analysis: cppcheck on the C sources, clang-tidy (.clang-tidy) on every C file
PY_INC = $(shell $(PYTHON) -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
lint: lint-cppcheck lint-clang-tidy
lint-cppcheck:
	cppcheck --error-exitcode=1 --enable=warning,style,performance,portability --inline-suppr --std=c11 \
	    -Icsrc -Ibindings/cli $(LUA_INC) --quiet $(CORE_SRC) bindings/cli/cli.c bindings/lua/lsmtpcodes.c
lint-clang-tidy:
	clang-tidy --quiet $(CORE_SRC) bindings/cli/cli.c bindings/lua/lsmtpcodes.c bindings/python/_smtpcodes.c \
	    bindings/python/_columns.c -- \
	    $(CSTD) -Icsrc -Ibindings/cli $(LUA_INC) -I$(PY_INC)

# The Python suite against an extension built with ASan+UBSan (in place, under build/asan)
asan-python:
	rm -rf build/asan
	CFLAGS="$(SAN)" LDFLAGS="$(SAN)" $(PYTHON) setup.py -q build_ext --inplace --build-temp build/asan --force
	LD_PRELOAD="$$($(CC) -print-file-name=libasan.so) $$($(CC) -print-file-name=libubsan.so)" \
	    ASAN_OPTIONS=detect_leaks=0 SMTPCODES_LEAK_ITERATIONS=300 PYTHONPATH=bindings/python \
	    $(PYTHON) -P -m pytest -q -p no:cacheprovider tests/python -k "not notebook and not mypy and not stubtest"
	$(PYTHON) setup.py -q build_ext --inplace --force

# The Lua suite against a module built with ASan+UBSan, leak detection on
build/lua-asan/smtpcodes.so: $(CORE_DEP) bindings/lua/lsmtpcodes.c
	@mkdir -p $(@D)
	$(CC) $(CSTD) -O1 -g $(WARN) $(SAN) -pthread -fPIC -shared $(LUA_INC) -Icsrc -o $@ $(CORE_SRC) bindings/lua/lsmtpcodes.c
asan-lua: build/lua-asan/smtpcodes.so
	LD_PRELOAD="$$($(CC) -print-file-name=libasan.so) $$($(CC) -print-file-name=libubsan.so)" \
	    busted --lua=lua5.4 --cpath=./build/lua-asan/?.so

# The main job: the CLI compares 211 and 252 and explains a sample bounce
demo: build/smtpcodes
	./build/smtpcodes compare 211 252
	@echo
	./build/smtpcodes explain "550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown"
	@echo
	./build/smtpcodes classify examples/data/maillog.sample --stats | tail -n 3

# The working tree classifies exactly as REF does (every field; tests/tools/classify_exact.sh)
REF ?= HEAD
classify-exact:
	bash tests/tools/classify_exact.sh $(REF)

# Every benchmark in one run (C, Python, Lua), each with its baseline; writes BENCHMARKS.md
build/bench_c: $(CORE_DEP) tests/bench/bench_c.c
	@mkdir -p build
	$(CC) $(CSTD) -O2 -g $(WARN) -Icsrc -o $@ $(CORE_SRC) tests/bench/bench_c.c
bench: build/bench_c build/bounce_tsv build/smtpcodes python lua
	PYTHONPATH=bindings/python $(PYTHON) -P tests/bench/bench.py
