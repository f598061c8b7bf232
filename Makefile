# Kefu - one plain Makefile. Targets:
#   make            build ./kefu (gcc, -O2)
#   make demo       install what is missing, build, seed ./data, serve on 127.0.0.1:8080
#   make check      install what is missing; gcc + clang builds; unit, HTTP and browser tests,
#                   then the unit and HTTP tests again under ASan+UBSan
#   make bench      benchmarks into bench/results/
#   make fuzz       libFuzzer targets (FUZZ_SECONDS each, default 60)
#   make clean
# Switches: CC=clang, SAN=1 (sanitizers), O=build dir, V=1 (show commands).

VERSION   := 0.1.0
CC        ?= cc
O         ?= build/$(notdir $(CC))$(if $(SAN),-asan)
PKGS      := libuv jansson libsodium sqlite3 inih icu-uc icu-i18n libcurl libmaxminddb libcmark gmime-3.0
CFLAGS    ?= -O2 -g
WARN      := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-unused-parameter
ALLCFLAGS := -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) -Isrc -DKEFU_VERSION='"$(VERSION)"' \
             $(shell pkg-config --cflags $(PKGS) 2>/dev/null) -MMD -MP
LIBS      := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lhttp_parser -lwslay -lpthread
Q         := $(if $(V),,@)
ifdef SAN
ALLCFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDSAN     := -fsanitize=address,undefined
endif

CORE_SRC  := $(wildcard src/core/*.c)
HTTP_SRC  := $(wildcard src/http/*.c)
STORE_SRC := $(wildcard src/store/*.c)
FEAT_SRC  := $(wildcard src/app/*.c src/auth/*.c src/chat/*.c src/search/*.c src/mail/*.c src/track/*.c src/kb/*.c src/crm/*.c src/ticket/*.c)
GEN_SRC   := build/gen/assets.c build/gen/migrations.c
LIB_SRC   := $(CORE_SRC) $(HTTP_SRC) $(STORE_SRC) $(FEAT_SRC)
LIB_OBJ   := $(patsubst %.c,$(O)/%.o,$(LIB_SRC) $(GEN_SRC))

UNIT_SRC  := $(wildcard tests/unit/test_*.c)
UNIT_BIN  := $(patsubst tests/unit/%.c,$(O)/tests/%,$(UNIT_SRC))

WEB_SRC   := $(wildcard web/index.html web/src/* web/widget/*) scripts/build-web.mjs
SQL_SRC   := $(wildcard src/store/migrations/*.sql)

.PHONY: all demo check check-deps unit http e2e deploy-test checksrc clean bench fuzz
all: kefu

kefu: $(O)/kefu
	@if [ "$(O)" = "build/$(notdir $(CC))" ]; then cp $< $@.tmp && mv -f $@.tmp $@; fi

$(O)/kefu: $(O)/src/main.o $(LIB_OBJ)
	@$(if $(Q),printf '  %-6s %s\n' LINK $@)
	$(Q)$(CC) $(LDSAN) -o $@ $(filter %.o,$^) $(LIBS)

$(O)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),printf '  %-6s %s\n' $(notdir $(CC)) $<)
	$(Q)$(CC) $(ALLCFLAGS) -c -o $@ $<

$(O)/build/gen/%.o: build/gen/%.c
	@mkdir -p $(dir $@)
	@$(if $(Q),printf '  %-6s %s\n' $(notdir $(CC)) $<)
	$(Q)$(CC) $(ALLCFLAGS) -Wno-overlength-strings -c -o $@ $<

build/gen/assets.c: $(WEB_SRC) package-lock.json
	node scripts/build-web.mjs
	@touch $@

build/gen/migrations.c: $(SQL_SRC) scripts/embed-sql.mjs
	node scripts/embed-sql.mjs $@ src/store/migrations
	@touch $@

# ---- tests ----
$(O)/tests/%: tests/unit/%.c $(LIB_OBJ)
	@mkdir -p $(dir $@)
	@$(if $(Q),printf '  %-6s %s\n' LINK $@)
	$(Q)$(CC) $(ALLCFLAGS) $(LDSAN) -o $@ $(filter %.c %.o,$^) $(LIBS) -lcmocka

unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; $$t; done

KEFU_BIN ?= $(CURDIR)/kefu
# Node 20 runs test files one at a time on 2 cores unless told; Node 18 has no such flag.
NODE_CONC := $(shell node -e 'process.exit(+process.versions.node.split(".")[0] < 20)' 2>/dev/null && echo --test-concurrency=2)
http: kefu
	KEFU_BIN=$(KEFU_BIN) node --test $(NODE_CONC) tests/http/ tests/search/

e2e: kefu
	KEFU_BIN=$(KEFU_BIN) node --test tests/e2e/

deploy-test: kefu
	KEFU_BIN=$(KEFU_BIN) node --test tests/deploy/

checksrc:
	@scripts/checksrc

check-deps:
	@scripts/deps check

check: check-deps
	$(MAKE) checksrc
	$(MAKE) kefu unit
	$(MAKE) CC=clang kefu unit
	$(MAKE) http deploy-test e2e
	$(MAKE) CC=clang SAN=1 unit
	$(MAKE) CC=clang SAN=1 build/clang-asan/kefu
	$(MAKE) http KEFU_BIN=$(CURDIR)/build/clang-asan/kefu
	@echo "make check: all passed"

demo:
	@scripts/deps build
	$(MAKE) kefu
	@scripts/demo

bench:
	@scripts/deps bench
	$(MAKE) kefu
	bench/run

FUZZ_SECONDS ?= 60
fuzz:
	@scripts/deps check
	$(MAKE) -f fuzz/Makefile FUZZ_SECONDS=$(FUZZ_SECONDS)

clean:
	rm -rf build kefu

-include $(shell find $(O) -name '*.d' 2>/dev/null)
