// Helpers shared by the CUDA kernels of this folder (private: included by .cu files only).
#pragma once

#include <cuda_runtime.h>

#include <cstddef>
#include <stdexcept>
#include <string>

#define HACE_CUDA_CHECK(call)                                                                      \
    do {                                                                                           \
        const cudaError_t hace_err_ = (call);                                                      \
        if (hace_err_ != cudaSuccess)                                                              \
            throw std::runtime_error(std::string("CUDA error: ") + cudaGetErrorString(hace_err_) + \
                                     " in " #call);                                                \
    } while (0)

namespace hace::kernels::cuda_detail {

inline cudaStream_t as_stream(void* stream) {
    return static_cast<cudaStream_t>(stream);
}

inline unsigned grid_dim(long long blocks, const char* what) {
    if (blocks < 0 || blocks > 0x7fffffffLL)
        throw std::invalid_argument(std::string(what) + ": grid too large");
    return static_cast<unsigned>(blocks);
}

// Stream-ordered scratch memory, released (stream-ordered) on scope exit.
class StreamScratch {
public:
    StreamScratch(std::size_t bytes, cudaStream_t stream) : stream_(stream) {
        if (bytes > 0) HACE_CUDA_CHECK(cudaMallocAsync(&ptr_, bytes, stream_));
    }
    ~StreamScratch() {
        if (ptr_ != nullptr) (void)cudaFreeAsync(ptr_, stream_);
    }
    StreamScratch(const StreamScratch&) = delete;
    StreamScratch& operator=(const StreamScratch&) = delete;

    void* get() const { return ptr_; }

private:
    void* ptr_ = nullptr;
    cudaStream_t stream_;
};

// Carves aligned sub-buffers out of one allocation: first with base = nullptr to size it, then
// with the real base.
class Carver {
public:
    explicit Carver(void* base) : base_(static_cast<char*>(base)) {}
    template <typename T>
    T* take(std::size_t count) {
        used_ = (used_ + 255) / 256 * 256;
        T* p = base_ == nullptr ? nullptr : reinterpret_cast<T*>(base_ + used_);
        used_ += count * sizeof(T);
        return p;
    }
    std::size_t bytes() const { return used_; }

private:
    char* base_;
    std::size_t used_ = 0;
};

__device__ inline float warp_max_f(float x) {
    for (int o = 16; o > 0; o /= 2) x = fmaxf(x, __shfl_xor_sync(0xffffffffu, x, o));
    return x;
}

__device__ inline double warp_sum_d(double x) {
    for (int o = 16; o > 0; o /= 2) x += __shfl_xor_sync(0xffffffffu, x, o);
    return x;
}

}  // namespace hace::kernels::cuda_detail
