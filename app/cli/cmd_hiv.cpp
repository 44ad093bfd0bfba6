// hace hiv: the Head Importance Variance test (ALGORITHMS.md section 12). Writes a HeadKV-format
// score file (loadable by --head-scores), a sidecar table of the trials and the statistics.
#include <cstdio>
#include <sstream>

#include "app/cli/command.h"
#include "app/cli/json_out.h"
#include "app/cli/progress.h"
#include "engine/core/error.h"
#include "engine/eval/hiv/hiv_task.h"
#include "engine/model/model.h"

namespace hace::cli {
namespace {

std::vector<double> parse_list(const std::string& text, const std::string& flag) {
    std::vector<double> out;
    std::stringstream ss(text);
    std::string item;
    while (std::getline(ss, item, ',')) {
        try {
            std::size_t used = 0;
            out.push_back(std::stod(item, &used));
            if (used != item.size()) throw std::invalid_argument(item);
        } catch (const std::exception&) {
            throw InputError("--" + flag + ": \"" + item + "\" is not a number");
        }
    }
    return out;
}

int run_hiv(const Args& args) {
    const std::filesystem::path dir = args.require("model");
    const std::filesystem::path out = args.require("out");
    eval::HivTaskOptions o;
    o.needles = args.require("needles");
    o.protocol = args.get_or("protocol", o.needles.extension() == ".jsonl" ? "r2" : "needle-model");
    if (auto h = args.get("haystack")) o.haystack = *h;
    if (o.protocol == "r2" && o.haystack.empty()) {
        throw InputError("hace hiv: the r2 protocol needs --haystack DIR (text files)");
    }
    o.max_length = args.int_or("max-length", 0);
    o.lengths = static_cast<std::int32_t>(args.int_or("lengths", 5));
    if (auto d = args.get("depths")) o.depths = parse_list(*d, "depths");
    o.max_trials = args.int_or("max-trials", 0);
    const auto model = model::load_model(dir, load_options(args));
    const auto tok = tokenizer::load_tokenizer(dir);
    Progress progress("hiv");
    eval::HivRunOptions run;
    run.on_trial = [&](const eval::HivProgress& p) { progress.update(p.done, p.total); };
    const auto result = eval::run_hiv_task(*model, *tok, o, run);
    eval::write_hiv_outputs(out, result);
    const auto& st = result.stats;
    auto opt = [](const std::optional<double>& x) {
        return x ? nlohmann::json(*x) : nlohmann::json(nullptr);
    };
    const nlohmann::json summary = {{"scores", out.string()},
                                    {"trials_table", out.string() + ".trials.jsonl"},
                                    {"statistics", out.string() + ".stats.json"},
                                    {"protocol", o.protocol},
                                    {"trials", st.trials},
                                    {"accepted", st.accepted},
                                    {"split_half_spearman", opt(st.split_half_spearman)},
                                    {"short_long_spearman", opt(st.short_long_spearman)},
                                    {"layer_dispersion", st.dispersion}};
    if (args.has("json")) {
        print_json(summary);
    } else {
        std::printf("hiv: %lld of %lld trials accepted; scores in %s\n",
                    static_cast<long long>(st.accepted), static_cast<long long>(st.trials),
                    out.string().c_str());
    }
    return 0;
}

}  // namespace

Command hiv_command() {
    auto flags = std::vector<FlagSpec>{
        {"model", true, "model folder"},
        {"out", true, "score file to write (HeadKV format); .trials.jsonl and .stats.json beside"},
        {"needles", true, "needle records: HeadKV R2 needles.jsonl, or a needle model's "
                          "needle_task.json"},
        {"protocol", true, "r2 (HeadKV retrieval-reasoning needles in a haystack) or "
                           "needle-model (default: from the --needles file type)"},
        {"haystack", true, "r2: folder of .txt files (sorted order)"},
        {"max-length", true, "longest context Lmax (default min(10000, positions - 250))"},
        {"lengths", true, "context lengths linspace(0, Lmax, N) (default 5)"},
        {"depths", true, "comma-separated depths in percent (default 0,11,...,100)"},
        {"max-trials", true, "at most N trials, spread evenly over the grid (default all)"},
        {"json", false, "print a JSON summary"},
    };
    for (auto& f : run_flags()) flags.push_back(f);
    return {"hiv", "hace hiv --model DIR --needles FILE --out FILE [flags]",
            "head importance variance test: per-head scores, sidecar and statistics", flags,
            run_hiv};
}

}  // namespace hace::cli
