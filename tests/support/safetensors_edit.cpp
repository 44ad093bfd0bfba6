#include "tests/support/safetensors_edit.h"

#include <cstdint>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace hace::test {

SafetensorsParts read_safetensors(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open " + path.string());
    std::uint64_t n = 0;
    in.read(reinterpret_cast<char*>(&n), 8);
    std::string header(n, '\0');
    in.read(header.data(), static_cast<std::streamsize>(n));
    std::stringstream rest;
    rest << in.rdbuf();
    return {nlohmann::json::parse(header), rest.str()};
}

void write_safetensors(const std::filesystem::path& path, const SafetensorsParts& parts) {
    std::string header = parts.header.dump();
    while (header.size() % 8 != 0) header.push_back(' ');
    const std::uint64_t n = header.size();
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(&n), 8);
    out.write(header.data(), static_cast<std::streamsize>(header.size()));
    out.write(parts.data.data(), static_cast<std::streamsize>(parts.data.size()));
}

void copy_model_dir(const std::filesystem::path& src, const std::filesystem::path& dst) {
    std::filesystem::create_directories(dst);
    for (const auto& e : std::filesystem::directory_iterator(src)) {
        if (e.is_regular_file()) {
            std::filesystem::copy_file(e.path(), dst / e.path().filename(),
                                       std::filesystem::copy_options::overwrite_existing);
        }
    }
}

}  // namespace hace::test
