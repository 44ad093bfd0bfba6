#include "engine/runner/exec/run_batch_size.h"

#include <fstream>
#include <sstream>
#include <vector>

#include "engine/core/error.h"
#include "engine/runner/batch_size.h"

#ifdef HACE_HAVE_CUDA_KERNELS
#include <cuda_runtime_api.h>
#endif

namespace hace::runner {

BatchRequest batch_request(const SweepSpec& spec, const std::optional<BatchRequest>& override) {
    if (override) return *override;
    return {spec.batch_size, spec.batch_size_auto};
}

std::optional<std::int64_t> meminfo_available_bytes(const std::string& meminfo) {
    std::istringstream in(meminfo);
    std::string key, unit;
    std::int64_t value = 0;
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        if (!(fields >> key) || key != "MemAvailable:") continue;
        if (!(fields >> value) || value < 0) return std::nullopt;
        fields >> unit;
        return unit == "kB" ? value * 1024 : value;
    }
    return std::nullopt;
}

namespace {

std::int64_t cuda_free_bytes(const std::string& device) {
    int index = 0;
    if (device.size() > 5) {
        try {
            index = std::stoi(device.substr(5));
        } catch (const std::exception&) {
            throw InputError("batch_size \"auto\": cannot read the device index of \"" + device +
                             "\"");
        }
    }
#ifdef HACE_HAVE_CUDA_KERNELS
    std::size_t free = 0, total = 0;
    cudaError_t rc = cudaSetDevice(index);
    if (rc == cudaSuccess) rc = cudaMemGetInfo(&free, &total);
    if (rc != cudaSuccess) {
        throw InputError("batch_size \"auto\": cannot read the free memory of " + device + ": " +
                         cudaGetErrorString(rc));
    }
    return static_cast<std::int64_t>(free);
#else
    (void)index;
    throw InputError("batch_size \"auto\" on " + device +
                     " needs a build with CUDA (HACE_WITH_CUDA=ON); give a number instead");
#endif
}

}  // namespace

std::int64_t available_memory_bytes(const std::string& device) {
    if (device.rfind("cuda", 0) == 0) return cuda_free_bytes(device);
    std::ifstream in("/proc/meminfo");
    std::stringstream text;
    text << in.rdbuf();
    const auto bytes = meminfo_available_bytes(text.str());
    if (!bytes) {
        throw InputError("batch_size \"auto\": /proc/meminfo has no MemAvailable; give a number");
    }
    return *bytes;
}

void apply_batch_request(SweepPlan& plan, const BatchRequest& request, const MemoryProbe& probe) {
    plan.batch_size_auto = request.automatic;
    plan.auto_available_bytes = 0;
    if (!request.automatic) return estimate_plan_at_batch(plan, request.size);
    std::vector<CellShape> shapes;
    for (const RunCell& c : plan.cells) {
        if (c.shape) shapes.push_back(*c.shape);
    }
    if (shapes.empty()) return estimate_plan_at_batch(plan, 1);
    plan.auto_available_bytes = probe(plan.device);
    estimate_plan_at_batch(plan,
                           resolve_auto_batch(shapes, plan.auto_available_bytes, plan.cost).batch);
}

}  // namespace hace::runner
