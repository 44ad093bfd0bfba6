// load_model / random_model: config -> family row -> weights -> model; plus backend threads.
#include <atomic>
#include <cstdlib>
#include <thread>

#include <dlfcn.h>

#include <ATen/Parallel.h>
#include <ATen/ATen.h>
#include <torch/version.h>

#include "engine/core/error.h"
#include "engine/kernels/cpu_isa.h"
#include "engine/model/family_registry.h"
#include "engine/model/model.h"
#include "engine/model/safetensors.h"
#include "engine/model/weight_source.h"

namespace hace::model {
namespace {

std::atomic<bool> g_threads_set{false};

void check_run_options(const LoadOptions& opts) {
    if (opts.device != "cpu") {
        throw InputError("device \"" + opts.device +
                         "\" is not available in this build (CPU LibTorch); use --device cpu");
    }
    if (opts.dtype && !dtype_is_float(*opts.dtype)) {
        throw InputError("run dtype must be f32, f16 or bf16");
    }
    if (opts.dtype == DType::F16) {
        // LibTorch 1.13's CPU kernels lack half-precision matmul; refuse instead of failing deep
        // inside a forward.
        throw InputError("dtype f16 is not supported on the CPU by this LibTorch; use f32 or bf16");
    }
}

std::unique_ptr<Model> build(const ModelConfig& cfg, WeightSource& w, const LoadOptions& opts) {
    const FamilyRow* row = find_family(cfg.architecture);
    if (!row) throw InputError("unknown architecture " + cfg.architecture);
    // LibTorch starts with one intra-op thread on these VMs; use all cores unless told otherwise.
    if (!g_threads_set.load()) set_compute_threads(0);
    return row->create(cfg, w, opts);
}

}  // namespace

std::unique_ptr<Model> load_model(const std::filesystem::path& dir, const LoadOptions& opts) {
    check_run_options(opts);
    const ModelConfig cfg = load_model_config(dir);
    auto store = std::make_shared<const WeightStore>(WeightStore::open_dir(dir));
    auto weights = checkpoint_weights(store);
    return build(cfg, *weights, opts);
}

std::unique_ptr<Model> random_model(const ModelConfig& cfg, const LoadOptions& opts,
                                    std::uint64_t seed) {
    check_run_options(opts);
    auto weights = random_weights(seed);
    return build(cfg, *weights, opts);
}

void set_compute_threads(int n) {
    if (n <= 0) {
        // An explicit OMP_NUM_THREADS wins over "all cores" (test runners and batch schedulers set
        // it to avoid oversubscribing shared machines).
        const char* env = std::getenv("OMP_NUM_THREADS");
        n = env && std::atoi(env) > 0 ? std::atoi(env)
                                      : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    }
    at::set_num_threads(n);
    g_threads_set.store(true);
}

int compute_threads() { return at::get_num_threads(); }

std::string backend_description() {
    std::string s = std::string("LibTorch ") + TORCH_VERSION + " (CPU), " +
                    std::to_string(at::get_num_threads()) + " intra-op threads";
    // Which kernels OpenBLAS chose (it misdetects some CPUs; engine/core/compute_env.h).
    if (auto fn =
            reinterpret_cast<const char* (*)()>(dlsym(RTLD_DEFAULT, "openblas_get_corename"))) {
        s += std::string(", OpenBLAS core ") + fn();
    }
    s += std::string(", decode kernels ") +
         std::string(kernels::cpu_isa_name(kernels::active_cpu_isa()));
    return s;
}

}  // namespace hace::model
