#include "engine/runner/validation_context.h"

namespace hace::runner {

const std::vector<ParamInfo>* ValidationContext::params_of(std::string_view method) const {
    const auto it = method_params.find(std::string(method));
    return it == method_params.end() ? nullptr : &it->second;
}

const MethodInfo* ValidationContext::method(std::string_view id) const {
    for (const auto& m : methods) {
        if (m.id == id) return &m;
    }
    return nullptr;
}

const TaskInfo* ValidationContext::task(std::string_view id) const {
    for (const auto& t : tasks) {
        if (t.id == id) return &t;
    }
    return nullptr;
}

std::string ValidationContext::method_ids() const {
    std::string out;
    for (const auto& m : methods) out += (out.empty() ? "" : ", ") + m.id;
    return out;
}

std::string ValidationContext::task_ids() const {
    std::string out;
    for (const auto& t : tasks) out += (out.empty() ? "" : ", ") + t.id;
    return out;
}

}  // namespace hace::runner
