#include "tests/fuzz/fuzz_support.h"

#include <unistd.h>

#include <fstream>
#include <system_error>

namespace hace::fuzz {

namespace fs = std::filesystem;

namespace {

fs::path make_scratch() {
    std::string pattern = (fs::temp_directory_path() / "hace-fuzz-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
        std::perror("fuzz: mkdtemp");
        std::abort();
    }
    return pattern;
}

struct Scratch {
    fs::path dir = make_scratch();
    ~Scratch() {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
};

}  // namespace

const fs::path& scratch_dir() {
    static const Scratch scratch;
    return scratch.dir;
}

fs::path write_scratch(const std::string& name, std::string_view bytes) {
    const fs::path path = scratch_dir() / name;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) {
        std::fprintf(stderr, "fuzz: cannot write %s\n", path.c_str());
        std::abort();
    }
    return path;
}

std::vector<std::string_view> split_parts(const std::uint8_t* data, std::size_t size,
                                          std::size_t parts) {
    std::string_view rest(reinterpret_cast<const char*>(data), size);
    std::vector<std::string_view> out;
    while (out.size() + 1 < parts) {
        const std::size_t nul = rest.find('\0');
        if (nul == std::string_view::npos) break;
        out.push_back(rest.substr(0, nul));
        rest.remove_prefix(nul + 1);
    }
    out.push_back(rest);
    return out;
}

fs::path source_dir() {
    return HACE_FUZZ_SOURCE_DIR;
}

}  // namespace hace::fuzz
