// Every KV method's decisions on the needle model, pinned: the cases of
// tests/data/method_dumps/cases.txt (compress dumps in both modes, and generate runs whose
// decode-time eviction, KIVI storage and one-shot variants shape the output ids) against the
// goldens that the implementation before the storage/policy split wrote. Integers, strings and
// kept positions must match exactly; floats (entropy, variance, preferences) to 1e-5 relative,
// because another CPU may sum in another order. The runs pin the arithmetic where the CPU allows:
// OpenBLAS's Haswell kernels for the prefill GEMMs (what it picks on AVX2 machines, Intel or
// Zen) and the AVX2 level of the decode kernels (the scalar loop sums in the same order). With
// OpenBLAS's SkylakeX kernels or the AVX-512 GEMV (16 partial sums) the last bits differ, and
// CAKE's score-ordered decode eviction (faithful cake and hace-layer) turns that into other
// evictions and other ids after 10-20 tokens. test_decode_ops checks the AVX-512 level itself.
// scripts/method-dumps.sh runs the same cases for a byte-for-byte comparison of two builds on one
// machine.
//
// HACE_WRITE_METHOD_DUMPS=1 rewrites the goldens (only when a change of decisions is intended,
// in a commit of its own).
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/run_command.h"
#include "tests/support/test_data.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct Case {
    std::string name, subcommand;
    std::vector<std::string> args;
};

// Test names and failure messages show the case, not its bytes.
void PrintTo(const Case& c, std::ostream* os) {
    *os << c.name;
}

fs::path data_dir() {
    return hace::test::source_dir() / "tests/data/method_dumps";
}

std::vector<std::string> lines_of(const fs::path& file) {
    std::ifstream in(file);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

std::vector<Case> read_cases() {
    std::vector<Case> cases;
    for (const auto& line : lines_of(data_dir() / "cases.txt")) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream words(line);
        Case c;
        words >> c.name >> c.subcommand;
        for (std::string w; words >> w;) c.args.push_back(w);
        cases.push_back(std::move(c));
    }
    return cases;
}

std::vector<std::string> expand(const std::vector<std::string>& args) {
    const auto prompts = lines_of(data_dir() / "prompts.txt");
    std::vector<std::string> out;
    for (const auto& a : args) {
        if (a.size() == 4 && a[0] == '{' && a[1] == 'P') {
            out.push_back(prompts.at(static_cast<std::size_t>(a[2] - '0')));
        } else if (a == "{SCORES}") {
            out.push_back((data_dir() / "needle_head_scores.json").string());
        } else {
            out.push_back(a);
        }
    }
    return out;
}

json read_json(const fs::path& file) {
    std::ifstream in(file);
    return json::parse(in);
}

// The arithmetic of the machine that wrote the goldens (see the top of this file). The child
// `hace` inherits the environment; HACE_CPU_ISA is a cap, OPENBLAS_CORETYPE needs AVX2 + FMA.
void pin_arithmetic() {
    ::setenv("HACE_CPU_ISA", "avx2", 1);
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        ::setenv("OPENBLAS_CORETYPE", "Haswell", 1);
    }
}

// What a case decides, without what varies between runs and machines.
json run_case(const Case& c, const fs::path& dir) {
    const fs::path model = hace::test::shared_data() / "models/needle-llama-1m";
    const fs::path dump = dir / (c.name + ".dump.json");
    std::vector<std::string> args = {c.subcommand, "--model", model.string(), "--threads",
                                     "1",          "--dump",  dump.string()};
    for (const auto& a : expand(c.args)) args.push_back(a);
    if (c.subcommand == "generate") args.push_back("--json");
    pin_arithmetic();
    const auto r = hace::test::run_program(HACE_CLI_PATH, args);
    if (r.code != 0)
        throw std::runtime_error(c.name + ": hace exited " + std::to_string(r.code) + ": " + r.err);
    // The head-score file is named by the checkout's absolute path: keep its name only.
    const auto relative = [](json& params) {
        if (params.contains("head_scores") && params["head_scores"].is_string()) {
            params["head_scores"] = fs::path(params["head_scores"].get<std::string>()).filename();
        }
    };
    json result = {{"dump", read_json(dump)}};
    result["dump"].erase("model");
    relative(result["dump"]["params"]);
    if (c.subcommand == "generate") {
        json run = json::parse(r.out);
        // The text is the output ids decoded: builds without the sentencepiece module (the
        // sanitizer builds) have no text, and the ids say it all.
        for (const char* k : {"model", "memory", "timings", "threads", "text"}) run.erase(k);
        relative(run["params"]);
        result["run"] = std::move(run);
    }
    return result;
}

// Exact for everything but floats; the path names the first difference.
void expect_same(const json& want, const json& got, const std::string& path) {
    if (want.is_number_float() || got.is_number_float()) {
        ASSERT_TRUE(want.is_number() && got.is_number()) << path;
        const double a = want.get<double>(), b = got.get<double>();
        EXPECT_NEAR(a, b, 1e-5 * std::max(1.0, std::fabs(a))) << path;
        return;
    }
    ASSERT_EQ(want.type(), got.type()) << path << ": " << want.dump() << " vs " << got.dump();
    if (want.is_object()) {
        ASSERT_EQ(want.size(), got.size()) << path << ": " << want.dump() << " vs " << got.dump();
        for (auto it = want.begin(); it != want.end(); ++it) {
            ASSERT_TRUE(got.contains(it.key())) << path << "." << it.key();
            expect_same(it.value(), got[it.key()], path + "." + it.key());
        }
    } else if (want.is_array()) {
        ASSERT_EQ(want.size(), got.size()) << path << ": " << want.dump() << " vs " << got.dump();
        for (std::size_t i = 0; i < want.size(); ++i) {
            expect_same(want[i], got[i], path + "[" + std::to_string(i) + "]");
        }
    } else {
        EXPECT_EQ(want, got) << path;
    }
}

class MethodDumps : public ::testing::TestWithParam<Case> {};

TEST_P(MethodDumps, MatchTheGoldens) {
    HACE_REQUIRE_PATH(hace::test::shared_data() / "models/needle-llama-1m");
    const Case& c = GetParam();
    const json got = run_case(c, hace::test::temp_dir("method-dumps"));
    const fs::path golden = data_dir() / "goldens" / (c.name + ".json");
    if (std::getenv("HACE_WRITE_METHOD_DUMPS")) {
        fs::create_directories(golden.parent_path());
        std::ofstream(golden) << got.dump() << "\n";
        GTEST_SKIP() << "golden written: " << golden;
    }
    ASSERT_TRUE(fs::exists(golden)) << golden;
    json want = read_json(golden);
    if (want.contains("run")) want["run"].erase("text");
    expect_same(want, got, c.name);
}

INSTANTIATE_TEST_SUITE_P(Needle, MethodDumps, ::testing::ValuesIn(read_cases()),
                         [](const ::testing::TestParamInfo<Case>& info) {
                             std::string id = info.param.name;
                             for (char& ch : id) {
                                 if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                             }
                             return id;
                         });

}  // namespace
