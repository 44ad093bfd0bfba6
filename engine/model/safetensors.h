// Memory-mapped safetensors checkpoints: one file, or a sharded set through
// model.safetensors.index.json. Headers are validated fully before any tensor is used.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/core/dtype.h"

namespace hace::model {

// One tensor inside a mapped file. `data` stays valid while the owning store lives.
struct TensorView {
    std::string name;
    DType dtype = DType::F32;
    std::vector<std::int64_t> shape;
    const std::byte* data = nullptr;
    std::size_t nbytes = 0;
    std::filesystem::path file;  // the file it lives in (for error messages)

    std::int64_t numel() const;
    std::string shape_string() const;  // "[64, 512]"
};

// A single mapped .safetensors file (read-only mmap).
class SafetensorsFile {
public:
    // Throws InputError naming the file on: unreadable file, header length beyond the file,
    // malformed header JSON, unknown dtype, bad shape, offsets outside the data section,
    // overlapping tensors, shape x dtype size != byte length, duplicate names.
    static std::unique_ptr<SafetensorsFile> open(const std::filesystem::path& path);
    ~SafetensorsFile();
    SafetensorsFile(const SafetensorsFile&) = delete;
    SafetensorsFile& operator=(const SafetensorsFile&) = delete;

    const std::filesystem::path& path() const { return path_; }
    const std::map<std::string, TensorView>& tensors() const { return tensors_; }
    const std::map<std::string, std::string>& metadata() const { return metadata_; }

private:
    SafetensorsFile() = default;
    std::filesystem::path path_;
    void* map_ = nullptr;
    std::size_t map_size_ = 0;
    std::map<std::string, TensorView> tensors_;
    std::map<std::string, std::string> metadata_;
};

// All weights of a model folder: model.safetensors, or the shards named by
// model.safetensors.index.json (every mapped name must exist in its shard; no name twice).
// Refuses folders that hold only PyTorch pickle checkpoints (*.bin, *.pt, *.pth, *.ckpt):
// loading those would execute code.
class WeightStore {
public:
    static WeightStore open_dir(const std::filesystem::path& dir);

    bool contains(const std::string& name) const;
    // nullptr when absent.
    const TensorView* find(const std::string& name) const;
    // Throws InputError "<dir>: tensor <name> missing" when absent.
    const TensorView& require(const std::string& name) const;
    // Throws InputError naming the tensor, the expected and the actual shape on mismatch.
    const TensorView& require(const std::string& name, const std::vector<std::int64_t>& shape) const;
    std::vector<std::string> names() const;
    const std::filesystem::path& dir() const { return dir_; }
    std::size_t total_bytes() const;

private:
    std::filesystem::path dir_;
    std::vector<std::shared_ptr<SafetensorsFile>> files_;
    std::map<std::string, const TensorView*> index_;
};

}  // namespace hace::model
