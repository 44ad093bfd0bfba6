#include "engine/runner/plan_report.h"

#include <cstdio>
#include <sstream>

#include "engine/runner/batch_size.h"

namespace hace::runner {

using nlohmann::json;

json plan_json(const SweepPlan& plan) {
    json cells = json::array();
    for (std::size_t i = 0; i < plan.cells.size(); ++i) {
        const RunCell& c = plan.cells[i];
        cells.push_back({{"index", i},
                         {"hash", c.hash},
                         {"model", c.model.name},
                         {"context_length", c.context_length},
                         {"retention", c.retention ? json(*c.retention) : json(nullptr)},
                         {"method", c.method},
                         {"method_name", c.method_name},
                         {"mode", c.mode.empty() ? json(nullptr) : json(c.mode)},
                         {"task", c.task.id},
                         {"samples", c.samples},
                         {"max_new_tokens", c.max_new_tokens},
                         {"config", c.config},
                         {"estimate", c.estimate.to_json()}});
    }
    json j = {{"name", plan.name},
              {"device", plan.device},
              {"batch_size", plan.batch_size},
              {"batch_size_auto", plan.batch_size_auto},
              {"cells", cells},
              {"totals",
               {{"cells", plan.cells.size()},
                {"samples", plan.total_samples()},
                {"seconds", plan.total_seconds()},
                {"max_peak_bytes", plan.max_peak_bytes()}}}};
    if (plan.batch_size_auto) j["available_bytes"] = plan.auto_available_bytes;
    return j;
}

std::string human_bytes(std::int64_t bytes) {
    char buf[32];
    const double b = double(bytes);
    if (b >= 1024.0 * 1024 * 1024)
        std::snprintf(buf, sizeof buf, "%.2f GiB", b / (1024.0 * 1024 * 1024));
    else
        std::snprintf(buf, sizeof buf, "%.1f MiB", b / (1024.0 * 1024));
    return buf;
}

std::string human_seconds(double s) {
    char buf[32];
    if (s < 60.0)
        std::snprintf(buf, sizeof buf, "%.1f s", s);
    else if (s < 3600.0)
        std::snprintf(buf, sizeof buf, "%.1f min", s / 60.0);
    else
        std::snprintf(buf, sizeof buf, "%.1f h", s / 3600.0);
    return buf;
}

std::string plan_text(const SweepPlan& plan) {
    std::ostringstream out;
    char line[256];
    out << "sweep " << plan.name << " on " << plan.device << ": " << plan.cells.size()
        << " cells\n";
    if (plan.batch_size_auto) {
        out << "batch size " << plan.batch_size
            << " (auto: " << human_bytes(plan.auto_available_bytes) << " available, "
            << int(kAutoBatchMargin * 100 + 0.5) << "% kept free)\n";
    } else if (plan.batch_size > 1) {
        out << "batch size " << plan.batch_size << "\n";
    }
    std::snprintf(line, sizeof line, "%5s  %-12s  %-20s %7s %9s  %-14s %-16s %7s %10s %11s\n", "#",
                  "cell", "model", "context", "retention", "method", "task", "samples", "time",
                  "peak");
    out << line;
    for (std::size_t i = 0; i < plan.cells.size(); ++i) {
        const RunCell& c = plan.cells[i];
        const std::string retention = c.retention ? json(*c.retention).dump() : "full";
        std::snprintf(line, sizeof line,
                      "%5zu  %-12.12s  %-20.20s %7lld %9s  %-14.14s %-16.16s %7lld %10s %11s\n", i,
                      c.hash.c_str(), c.model.name.c_str(), (long long)c.context_length,
                      retention.c_str(), c.method_name.c_str(), c.task.id.c_str(),
                      (long long)c.samples, human_seconds(c.estimate.seconds).c_str(),
                      human_bytes(c.estimate.peak_bytes).c_str());
        out << line;
    }
    out << "total: " << plan.cells.size() << " cells, " << plan.total_samples()
        << " samples, about " << human_seconds(plan.total_seconds()) << "; largest peak "
        << human_bytes(plan.max_peak_bytes()) << "\n";
    return out.str();
}

}  // namespace hace::runner
