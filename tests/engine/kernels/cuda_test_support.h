// Device buffers and the skip rule shared by the CUDA kernel tests. Include only where
// HACE_HAVE_CUDA_KERNELS is defined (the test links hace_kernels_cuda).
#pragma once

#include <cuda_runtime_api.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/kernels/ragged_decode_attention_cuda.h"

namespace hace::kernels::test {

inline void cuda_check(cudaError_t err, const char* call) {
    if (err != cudaSuccess)
        throw std::runtime_error(std::string(call) + ": " + cudaGetErrorString(err));
}
#define TEST_CUDA_CHECK(call) ::hace::kernels::test::cuda_check((call), #call)

// Device copy of one host vector, freed on scope exit.
template <typename T>
class DeviceBuffer {
public:
    explicit DeviceBuffer(const std::vector<T>& host) : n_(host.size()) {
        TEST_CUDA_CHECK(cudaMalloc(reinterpret_cast<void**>(&ptr_), bytes()));
        if (n_ > 0)
            TEST_CUDA_CHECK(cudaMemcpy(ptr_, host.data(), n_ * sizeof(T), cudaMemcpyHostToDevice));
    }
    ~DeviceBuffer() { cudaFree(ptr_); }
    DeviceBuffer(const DeviceBuffer&) = delete;
    DeviceBuffer& operator=(const DeviceBuffer&) = delete;

    T* get() const { return ptr_; }
    std::vector<T> to_host() const {
        std::vector<T> host(n_);
        if (n_ > 0)
            TEST_CUDA_CHECK(cudaMemcpy(host.data(), ptr_, n_ * sizeof(T), cudaMemcpyDeviceToHost));
        return host;
    }

private:
    std::size_t bytes() const { return std::max<std::size_t>(n_, 1) * sizeof(T); }
    std::size_t n_;
    T* ptr_ = nullptr;
};

}  // namespace hace::kernels::test

#define SKIP_WITHOUT_GPU()                         \
    if (!::hace::kernels::cuda_device_available()) \
    GTEST_SKIP() << "no CUDA device available: the CUDA kernel is built but cannot run here"
