# Build every step into <step>/server, and run every test.
#
#   make            build all steps
#   make run        build and start the newest step (STEP=01 picks another)
#   make test       run every test suite against every step
#   make unit       build the C unit tests of common/
#   make tsan       build step02 under ThreadSanitizer
#   make asan       build every step under AddressSanitizer + UBSan
#   make fuzz       build the libFuzzer targets (clang) and run each for a while
#   make bench      measure every step and Redis (QUICK=1: under a minute)
#   make exercise   run one exercise's test (NAME=...; without it, list them)
#                   (NAME=write-step01: write step01's server.c yourself, in write/)
#   make diff       show what a step changed (STEP=04: step03 -> step04; FROM=01 for another)

CC      ?= cc
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L
LDFLAGS ?=
LDLIBS  ?=

# The shared core, lowest layer first (TUTORIAL.md, chapter 0, says what each does).
COMMON_SRC := common/mem.c common/buf.c common/number.c common/resp.c common/store.c \
              common/glob.c common/core.c common/cmd_helpers.c common/cmd_connection.c \
              common/cmd_string.c common/cmd_keyspace.c common/cmd_server.c \
              common/commands.c common/session.c common/options.c common/net.c
COMMON_HDR := $(wildcard common/*.h)

# The steps, oldest first: the names that start with "step" in the list of
# servers that make bench and its report read too (a new step is one more
# line there). awk prints one name a line; $(shell) joins them with spaces.
STEPS := $(shell awk '/^step/ { print $$1 }' tests/bench/servers.txt)
$(if $(STEPS),,$(error tests/bench/servers.txt lists no step))
# `make run` starts the newest step unless STEP=01 (or 02, ...) names one.
RUN_STEP = $(if $(STEP),$(filter step$(STEP)_%,$(STEPS)),$(lastword $(STEPS)))

SERVERS := $(addsuffix /server,$(STEPS))
TOOLS   := tests/tools/wire tests/tools/excerpts tests/tools/holdconns tests/tools/no_io_uring
UNITS   := tests/unit/test_resp tests/unit/test_store tests/unit/test_scan tests/unit/test_glob \
           tests/unit/test_commands

PORT ?= 6379

.PHONY: all run test unit tsan asan fuzzers fuzz bench exercise diff clean

all: $(SERVERS) $(TOOLS) tests/bench/floor_server tests/bench/floor05_server

# Every step builds the same way: its server.c plus the shared core.
%/server: %/server.c $(COMMON_SRC) $(COMMON_HDR)
	$(CC) $(CFLAGS) -pthread -Icommon -o $@ $< $(COMMON_SRC) $(LDFLAGS) $(LDLIBS)

# step05 has a second file of its own: the io_uring ring (uring.c), which
# only it uses, so it is built into step05's server alone.
# With valgrind's headers installed, step05 tells valgrind which bytes the
# kernel received into its buffers (see server.c).
STEP05_SRC := step05_io_uring/server.c step05_io_uring/uring.c
STEP05_FLAGS := $(if $(wildcard /usr/include/valgrind/memcheck.h),-DHAVE_VALGRIND_MEMCHECK_H)
step05_io_uring/server: $(STEP05_SRC) step05_io_uring/uring.h $(COMMON_SRC) $(COMMON_HDR)
	$(CC) $(CFLAGS) $(STEP05_FLAGS) -pthread -Icommon -o $@ $(STEP05_SRC) $(COMMON_SRC) $(LDFLAGS) $(LDLIBS)

# step02 again under ThreadSanitizer, which reports any data race it sees
# while the tests run (tests/run_all runs step02's suite against it).
TSAN_FLAGS := -std=c11 -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L -O1 -g -fsanitize=thread
step02_threads/server-tsan: step02_threads/server.c $(COMMON_SRC) $(COMMON_HDR)
	$(CC) $(TSAN_FLAGS) -pthread -Icommon -o $@ $< $(COMMON_SRC) $(LDFLAGS) $(LDLIBS)

tsan: step02_threads/server-tsan

# The benchmark's floor: step04's event loop with a session that answers
# +OK to every command and does nothing else (tests/bench/floor_session.c in
# place of common/session.c). `make bench ONLY="floor ..."` measures it.
FLOOR_SRC := $(filter-out common/session.c,$(COMMON_SRC)) tests/bench/floor_session.c
tests/bench/floor_server: step04_epoll/server.c $(FLOOR_SRC) $(COMMON_HDR)
	$(CC) $(CFLAGS) -pthread -Icommon -o $@ $< $(FLOOR_SRC) $(LDFLAGS) $(LDLIBS)

# A reader's own step05 (make exercise NAME=write-step05) is built with
# the shipped ring code, which the exercise does not ask them to write.
write/step05_io_uring/server: write/step05_io_uring/server.c $(STEP05_SRC) step05_io_uring/uring.h $(COMMON_SRC) $(COMMON_HDR)
	$(CC) $(CFLAGS) $(STEP05_FLAGS) -pthread -Icommon -Istep05_io_uring -o $@ $< step05_io_uring/uring.c $(COMMON_SRC) $(LDFLAGS) $(LDLIBS)

# The same do-nothing session in step05's io_uring loop: floor05.
tests/bench/floor05_server: $(STEP05_SRC) step05_io_uring/uring.h $(FLOOR_SRC) $(COMMON_HDR)
	$(CC) $(CFLAGS) -pthread -Icommon -o $@ $(STEP05_SRC) $(FLOOR_SRC) $(LDFLAGS) $(LDLIBS)

# Every step again under AddressSanitizer and UndefinedBehaviorSanitizer: an
# out-of-bounds access, a use after free, a leak at exit or a signed overflow
# stops the server with a report naming the line (tests/run_all runs the
# server suites against these builds too).
SAN_FLAGS := -std=c11 -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L -O1 -g \
             -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
ASAN_SERVERS := $(addsuffix /server-asan,$(STEPS))
%/server-asan: %/server.c $(COMMON_SRC) $(COMMON_HDR)
	$(CC) $(SAN_FLAGS) -pthread -Icommon -o $@ $< $(COMMON_SRC) $(LDFLAGS) $(LDLIBS)

step05_io_uring/server-asan: $(STEP05_SRC) step05_io_uring/uring.h $(COMMON_SRC) $(COMMON_HDR)
	$(CC) $(SAN_FLAGS) $(STEP05_FLAGS) -pthread -Icommon -o $@ $(STEP05_SRC) $(COMMON_SRC) $(LDFLAGS) $(LDLIBS)

asan: $(ASAN_SERVERS)

# libFuzzer targets, built with clang: the parser alone, and a client's bytes
# through parser, commands and store. `make fuzz` runs each for FUZZ_SECONDS
# (tests/fuzz/run); `make test` runs them through tests/fuzz.bats when clang
# and its fuzzer runtime are installed.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_FLAGS   := -std=c11 -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L -O1 -g \
                -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
FUZZERS      := tests/fuzz/fuzz_resp tests/fuzz/fuzz_commands
tests/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(COMMON_SRC) $(COMMON_HDR)
	$(FUZZ_CC) $(FUZZ_FLAGS) -Icommon -o $@ $< $(COMMON_SRC)

fuzzers: $(FUZZERS)

fuzz: fuzzers
	tests/fuzz/run $(FUZZ_SECONDS)

tests/tools/%: tests/tools/%.c
	$(CC) $(CFLAGS) -o $@ $< $(LDFLAGS)

tests/unit/%: tests/unit/%.c tests/unit/check.h tests/unit/bytes.h $(COMMON_SRC) $(COMMON_HDR)
	$(CC) $(CFLAGS) -Icommon -o $@ $< $(COMMON_SRC) $(LDFLAGS) $(LDLIBS)

unit: $(UNITS)

run: all
	@test -n "$(RUN_STEP)" || { echo "no step matches STEP=$(STEP) (two digits: STEP=03); steps: $(STEPS)"; exit 1; }
	./$(RUN_STEP)/server --port $(PORT)

# The fuzzers need clang; without it, tests/fuzz.bats says so and skips.
HAVE_FUZZ_CC := $(shell command -v $(FUZZ_CC) 2>/dev/null)

test: all unit tsan asan $(if $(HAVE_FUZZ_CC),fuzzers)
	FUZZ_SECONDS=$(FUZZ_SECONDS) tests/run_all

# Measure every step, and redis-server if installed, with redis-benchmark;
# writes tests/bench/out/results.md, chart.svg and pace.svg. QUICK=1 is
# one short round; ROUNDS=N, ONLY="step04_epoll redis", CASES="c50-P1
# c50-P32" and OUT=dir change the rest; SERVER_CPUS=0-3, CLIENT_CPUS=4-7
# and CLIENT_THREADS=4 say where the server and redis-benchmark run.
bench: all
	QUICK=$(QUICK) ROUNDS=$(ROUNDS) ONLY="$(ONLY)" CASES="$(CASES)" OUT=$(OUT) CC=$(CC) \
	    SERVER_CPUS="$(SERVER_CPUS)" CLIENT_CPUS="$(CLIENT_CPUS)" CLIENT_THREADS="$(CLIENT_THREADS)" tests/bench/run

# The exercises of TUTORIAL.md: each is a test that fails until you have
# done it (tests/exercises/NAME.bats). Without NAME, list them. The
# write-stepNN ones are a step's whole server.c, written from a skeleton in
# write/ and graded by the step's suites (tests/exercises/write).
WRITE_EXERCISES := $(foreach step,$(STEPS),write-$(firstword $(subst _, ,$(step))))
EXERCISES := $(WRITE_EXERCISES) $(basename $(notdir $(wildcard tests/exercises/*.bats)))
exercise: all
	@if [ -z "$(NAME)" ]; then echo "make exercise NAME=..., one of:"; \
	  printf '  %s\n' $(EXERCISES); \
	elif [ -n "$(filter $(NAME),$(WRITE_EXERCISES))" ]; then \
	  tests/exercises/write $(NAME); \
	elif [ ! -f tests/exercises/$(NAME).bats ]; then \
	  echo "no exercise $(NAME); make exercise lists them"; exit 2; \
	else echo "bats tests/exercises/$(NAME).bats"; bats tests/exercises/$(NAME).bats; fi

# What a step changed, as a unified diff of its server.c against the step
# before it: `make diff STEP=04` is step03 -> step04. Without STEP, every
# step against the one before it. FROM compares with another step instead:
# `make diff STEP=03 FROM=01` is step01 -> step03.
DIFF_STEPS = $(if $(STEP),$(filter step$(STEP)_%,$(STEPS)),$(wordlist 2,$(words $(STEPS)),$(STEPS)))
DIFF_FROM = $(if $(FROM),$(filter step$(FROM)_%,$(STEPS)))
diff:
	@test -n "$(DIFF_STEPS)" || { echo "STEP=$(STEP) names no step after the first (two digits: STEP=03); steps: $(STEPS)"; exit 2; }
	@test -z "$(FROM)" || test -n "$(STEP)" || { echo "FROM goes with STEP: make diff STEP=03 FROM=01"; exit 2; }
	@test -z "$(FROM)" || test -n "$(DIFF_FROM)" || { echo "FROM=$(FROM) names no step (two digits: FROM=01); steps: $(STEPS)"; exit 2; }
	@for to in $(DIFF_STEPS); do \
	  from="$(DIFF_FROM)"; \
	  test -n "$$from" || from=$$(echo " $(STEPS) " | sed "s| $$to .*||" | awk '{ print $$NF }'); \
	  test -n "$$from" || { echo "$$to is the first step: nothing to compare it with"; exit 2; }; \
	  diff -u --label $$from/server.c --label $$to/server.c $$from/server.c $$to/server.c; \
	done; true

clean:
	rm -f $(SERVERS) $(TOOLS) tests/bench/floor_server $(UNITS) step02_threads/server-tsan $(ASAN_SERVERS) $(FUZZERS)
