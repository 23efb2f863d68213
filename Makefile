# The two commands of the quick start are `make demo` and `make test`; everything else here is
# what they are made of. Both install missing Debian packages first (no apt call when none is
# missing), then configure and build in Release under build/.

BUILD_DIR  ?= build
BUILD_TYPE ?= Release
JOBS       ?= $(shell nproc)
DEMO_DB    ?= edgejoule.db
DEMO_ZOO   ?= $(BUILD_DIR)/zoo/demo
# A budget per inference between the demo models' costs on a small CPU (estimated energy).
DEMO_BUDGET_J ?= 0.3
DEMO_REPORT   ?= edgejoule-report.html
# A device serving DEMO_RATE inferences/s within DEMO_POWER_W on average (DEMO_POWER_W / DEMO_RATE
# J per inference, the same 0.3 J).
DEMO_RATE     ?= 10
DEMO_POWER_W  ?= 3
# The demo's runs under a budget: DEMO_RUN_N inferences of the ImageNet models at DEMO_BUDGET_J
# each (synthetic input), and DEMO_FMNIST_N Fashion-MNIST test images at DEMO_FMNIST_J each
# (between the Fashion-MNIST models' costs on a small CPU), whose top-1 is measured.
DEMO_RUN_N     ?= 150
DEMO_FMNIST_N  ?= 100000
DEMO_FMNIST_J  ?= 0.0002
# Every engine built in (torchscript, opencv; openvino and onnxruntime where make deps got their wheels).
DEMO_ENGINES  ?= $$($(BUILD_DIR)/edgejoule engines --names)
FMNIST_ZOO ?= $(BUILD_DIR)/zoo/fmnist-small
CMAKE_ARGS ?=
SAN_DIR    ?= build-sanitize

.PHONY: all deps configure build demo test test-sanitize fuzz bench clean

all: build

deps:
	@scripts/setup-deps.sh

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_ARGS)

configure: deps $(BUILD_DIR)/build.ninja

# The Python package (pyproject.toml) is built into .venv beside the binary; skipped when its
# sources are unchanged.
build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)
	scripts/setup-python-package.sh

# The main job on the embedded defaults: export the demo zoo (declared ImageNet accuracy) and
# train three Fashion-MNIST models (measured accuracy), in TorchScript and ONNX, profile them in
# every engine built in (LibTorch, OpenCV DNN, OpenVINO, ONNX Runtime; a model an engine cannot run is shown
# UNSUPPORTED with why), the ImageNet models also in the offline scenario (requests in flight,
# OpenVINO with its throughput hint too), store them, show them with the scenarios side by side,
# then the Pareto frontier, a recommendation for DEMO_BUDGET_J, one for a device serving
# DEMO_RATE inferences/s within DEMO_POWER_W, the mix of two frontier points that spends
# DEMO_BUDGET_J, two runs under a budget (the stored runs listed), and the HTML report.
# Re-running resumes: exported models and measured points are reused.
# Each profile runs twice: the second pass re-measures only points that came out INVALID (a
# window caught the machine busy); whatever is still INVALID is shown with its reason.
demo: build
	$(BUILD_DIR)/edgejoule zoo build --set demo --out $(DEMO_ZOO) --formats torchscript,onnx
	$(BUILD_DIR)/edgejoule zoo build --set fmnist-small --out $(FMNIST_ZOO) --formats torchscript,onnx
	for pass in 1 2; do \
	  $(BUILD_DIR)/edgejoule profile --zoo $(DEMO_ZOO) --db $(DEMO_DB) --engine $(DEMO_ENGINES) --batch 1 \
	      --threads 1,$(JOBS) --retry-invalid --quiet > /dev/null || exit $$?; \
	  $(BUILD_DIR)/edgejoule profile --zoo $(DEMO_ZOO) --db $(DEMO_DB) --engine $(DEMO_ENGINES) --batch 1 \
	      --threads $(JOBS) --scenario offline --concurrency auto --retry-invalid --quiet > /dev/null || exit $$?; \
	  case ",$(DEMO_ENGINES)," in *,openvino,*) \
	    $(BUILD_DIR)/edgejoule profile --zoo $(DEMO_ZOO) --db $(DEMO_DB) --engine openvino --batch 1 --threads $(JOBS) \
	        --scenario offline --concurrency auto --ov-hint throughput --retry-invalid --quiet > /dev/null || exit $$?;; \
	  esac; \
	  $(BUILD_DIR)/edgejoule profile --zoo $(FMNIST_ZOO) --db $(DEMO_DB) --engine $(DEMO_ENGINES) --batch 1 \
	      --threads 1,$(JOBS) --retry-invalid --quiet --dataset fmnist:test > /dev/null || exit $$?; \
	done
	$(BUILD_DIR)/edgejoule list --db $(DEMO_DB)
	$(BUILD_DIR)/edgejoule frontier --db $(DEMO_DB) --dataset imagenet-1k
	$(BUILD_DIR)/edgejoule recommend --db $(DEMO_DB) --dataset imagenet-1k --energy-budget-j $(DEMO_BUDGET_J) \
	    || [ $$? -eq 3 ]  # 3: nothing fits this budget on this machine (the output says what would)
	$(BUILD_DIR)/edgejoule recommend --db $(DEMO_DB) --dataset imagenet-1k --rate $(DEMO_RATE) \
	    --power-budget-w $(DEMO_POWER_W) --runners-up 2 || [ $$? -eq 3 ]
	$(BUILD_DIR)/edgejoule recommend --db $(DEMO_DB) --dataset imagenet-1k --energy-budget-j $(DEMO_BUDGET_J) \
	    --mix --runners-up 0 || [ $$? -eq 3 ]
	$(BUILD_DIR)/edgejoule run --db $(DEMO_DB) --dataset imagenet-1k --input synthetic --inferences $(DEMO_RUN_N) \
	    --energy-per-inference-j $(DEMO_BUDGET_J)
	$(BUILD_DIR)/edgejoule run --db $(DEMO_DB) --input fmnist:test --inferences $(DEMO_FMNIST_N) \
	    --energy-per-inference-j $(DEMO_FMNIST_J)
	$(BUILD_DIR)/edgejoule list --db $(DEMO_DB) --runs
	$(BUILD_DIR)/edgejoule report --db $(DEMO_DB) --out $(DEMO_REPORT) --energy-budget-j $(DEMO_BUDGET_J)

# The unit tests under AddressSanitizer + UBSan first (the project's code without LibTorch), then
# each libFuzzer target for FUZZ_TEST_S seconds, then every test of the Release build; ctest's
# summary is the last thing printed.
FUZZ_TEST_S ?= 15
test: build test-sanitize
	scripts/fuzz.sh $(FUZZ_TEST_S)
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

test-sanitize: deps
	cmake -S . -B $(SAN_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DEDGEJOULE_SANITIZE=ON \
	      -DEDGEJOULE_WITH_TORCH=OFF -DEDGEJOULE_WITH_OPENVINO=OFF -DEDGEJOULE_WITH_ONNXRUNTIME=OFF -DEDGEJOULE_BUILD_BENCH=OFF -DEDGEJOULE_WITH_REPORT_CHARTS=OFF > /dev/null
	cmake --build $(SAN_DIR) -j $(JOBS) --target edgejoule_unit_tests edgejoule_fake_nvml
	cd $(SAN_DIR) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	    ctest --output-on-failure -j $(JOBS) -L unit

# libFuzzer on every parser the project writes (clang, ASan + UBSan), FUZZ_S seconds each
# (make test runs them for FUZZ_TEST_S seconds).
FUZZ_S ?= 60
fuzz: deps
	scripts/fuzz.sh $(FUZZ_S)

bench: build
	$(BUILD_DIR)/bench/edgejoule_bench_micro
	$(BUILD_DIR)/bench/edgejoule_bench_recommend
	scripts/bench-overhead.sh $(BUILD_DIR)

clean:
	rm -rf $(BUILD_DIR) $(SAN_DIR) build-fuzz
