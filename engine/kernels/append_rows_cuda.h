// CUDA twin of append_rows_cpu (same contract: append_rows.h).
//
// Every pointer inside AppendRowsArgs is a DEVICE pointer (n_full too: it is zeroed and then
// counted on the stream); scalars are read on the host. Asynchronous on `stream` (cudaStream_t
// as void*). Bad sizes throw std::invalid_argument, CUDA errors std::runtime_error.
#pragma once

#include "engine/kernels/append_rows.h"

namespace hace::kernels {

void append_rows_cuda(const AppendRowsArgs& a, void* stream = nullptr);

}  // namespace hace::kernels
