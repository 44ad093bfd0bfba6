// The designer's form <-> sweep spec JSON (engine/runner/sweep_spec.h). Edited fields are
// written in the spec's short forms (a string for a model or method without options); fields
// left as loaded are written exactly as they were.
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFile>
#include <QFileInfo>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSaveFile>
#include <QSpinBox>
#include <QTableWidget>

#include <set>

#include "engine/core/error.h"
#include "views/designer/spec_designer.h"
#include "views/designer/spec_text.h"

namespace hace::views {
namespace {

using nlohmann::json;

const std::set<std::string>& knownKeys() {
    static const std::set<std::string> keys = {
        "name",  "description",      "models",      "context_lengths", "retentions", "methods",
        "tasks", "samples_per_task", "data",        "decoding",        "device",     "dtype",
        "mode",  "method_params",    "head_scores", "batch_size"};
    return keys;
}

QString str(const json& j, const char* key) {
    const auto it = j.find(key);
    if (it == j.end() || it->is_null()) return QString();
    return it->is_string() ? QString::fromStdString(it->get<std::string>())
                           : QString::fromStdString(it->dump());
}

const json& member(const json& j, const char* key) {
    static const json null;
    if (!j.is_object()) return null;
    const auto it = j.find(key);
    return it == j.end() ? null : *it;
}

// A text cell as JSON: a string, or null when empty.
json textOrNull(const QString& s) {
    return s.isEmpty() ? json(nullptr) : json(s.toStdString());
}

}  // namespace

QString SpecDesigner::tableSignature(const QTableWidget* table) {
    QStringList rows;
    for (int r = 0; r < table->rowCount(); ++r) {
        QStringList cells;
        for (int c = 0; c < table->columnCount(); ++c) cells << cell(table, r, c);
        rows << cells.join(QChar(0x1f));
    }
    return rows.join(QChar(0x1e));
}

std::map<std::string, QString> SpecDesigner::signatures() const {
    return {
        {"name", name_->text()},
        {"description", description_->text()},
        {"device", device_->currentText()},
        {"dtype", dtype_->currentText()},
        {"mode", mode_->currentText()},
        {"samples_per_task", QString::number(samplesPerTask_->value())},
        {"batch_size", QString::number(batchSize_->value())},
        {"context_lengths", contexts_->text()},
        {"retentions", retentions_->text()},
        {"models", tableSignature(models_)},
        {"methods", tableSignature(methods_)},
        {"tasks", tableSignature(tasks_)},
        {"data", tableSignature(data_)},
        {"method_params", tableSignature(methodParams_)},
        {"head_scores", tableSignature(headScores_)},
        {"decoding", QString::fromStdString(decodingJson().dump())},
    };
}

void SpecDesigner::setSpec(const json& specIn, const std::filesystem::path& baseDir) {
    const json spec = specIn.is_object() ? specIn : json::object();
    filling_ = true;
    loaded_ = spec;
    baseDir_ = baseDir;
    name_->setText(str(spec, "name"));
    description_->setText(str(spec, "description"));
    device_->setEditText(spec.contains("device") ? str(spec, "device") : QStringLiteral("cpu"));
    dtype_->setCurrentText(spec.contains("dtype") ? str(spec, "dtype") : QStringLiteral("f32"));
    mode_->setCurrentText(spec.contains("mode") ? str(spec, "mode") : QStringLiteral("equal"));
    const json& spt = member(spec, "samples_per_task");
    samplesPerTask_->setValue(spt.is_number_integer() ? spt.get<int>() : 100);
    // "auto" is the spin box's 0; a value it cannot show stays in the spec as loaded.
    const json& batch = member(spec, "batch_size");
    batchSize_->setValue(batch == "auto" ? 0 : batch.is_number_integer() ? batch.get<int>() : 1);
    contexts_->setText(spec_text::formatList(member(spec, "context_lengths")));
    retentions_->setText(spec_text::formatList(member(spec, "retentions")));

    for (auto* t : {models_, methods_, tasks_, data_, methodParams_, headScores_})
        t->setRowCount(0);
    for (const auto& m : member(spec, "models")) {
        if (m.is_object())
            addRow(models_, {str(m, "dir"), str(m, "head_scores")});
        else
            addRow(models_, {m.is_string() ? QString::fromStdString(m.get<std::string>())
                                           : QString::fromStdString(m.dump())});
    }
    for (const auto& m : member(spec, "methods")) {
        if (m.is_object()) {
            addRow(methods_,
                   {str(m, "id"), str(m, "name"), str(m, "mode"),
                    m.contains("params") ? spec_text::formatJsonCell(m["params"]) : QString()});
        } else {
            addRow(methods_, {m.is_string() ? QString::fromStdString(m.get<std::string>())
                                            : QString::fromStdString(m.dump())});
        }
    }
    for (const auto& t : member(spec, "tasks")) {
        if (t.is_object()) {
            addRow(tasks_,
                   {str(t, "id"), str(t, "samples"), str(t, "max_new_tokens"),
                    t.contains("options") ? spec_text::formatJsonCell(t["options"]) : QString()});
        } else {
            addRow(tasks_, {t.is_string() ? QString::fromStdString(t.get<std::string>())
                                          : QString::fromStdString(t.dump())});
        }
    }
    if (member(spec, "data").is_object()) {
        for (const auto& [k, v] : spec["data"].items()) {
            addRow(data_, {QString::fromStdString(k),
                           v.is_string() ? QString::fromStdString(v.get<std::string>())
                                         : QString::fromStdString(v.dump())});
        }
    }
    if (member(spec, "method_params").is_object()) {
        for (const auto& [k, v] : spec["method_params"].items()) {
            addRow(methodParams_, {QString::fromStdString(k), spec_text::formatJsonCell(v)});
        }
    }
    if (member(spec, "head_scores").is_object()) {
        for (const auto& [k, v] : spec["head_scores"].items()) {
            addRow(headScores_, {QString::fromStdString(k),
                                 v.is_string() ? QString::fromStdString(v.get<std::string>())
                                               : QString::fromStdString(v.dump())});
        }
    }
    const json& d = member(spec, "decoding");
    greedy_->setChecked(member(d, "greedy").is_boolean() ? d["greedy"].get<bool>() : true);
    seed_->setValue(member(d, "seed").is_number_integer() ? d["seed"].get<int>() : 42);
    maxNewTokens_->setText(str(d, "max_new_tokens"));
    temperature_->setValue(member(d, "temperature").is_number() ? d["temperature"].get<double>()
                                                                : 1.0);
    topP_->setValue(member(d, "top_p").is_number() ? d["top_p"].get<double>() : 1.0);
    topK_->setValue(member(d, "top_k").is_number_integer() ? d["top_k"].get<int>() : 0);
    for (auto* t : {models_, methods_, tasks_, data_, methodParams_, headScores_}) {
        t->resizeColumnsToContents();
    }
    filling_ = false;
    updateParamButtons();
    loadedSignatures_ = signatures();
    estimate_->clear();
    validateNow();
}

json SpecDesigner::decodingJson() const {
    // Written as loaded where unchanged; otherwise only what differs from the defaults.
    const json& d = member(loaded_, "decoding");
    json out = d.is_object() ? d : json::object();
    const auto put = [&](const char* key, json value, const json& fallback) {
        if (value == fallback && !(d.is_object() && d.contains(key))) {
            out.erase(key);
        } else if (!(d.is_object() && d.contains(key) && d[key] == value)) {
            out[key] = std::move(value);
        }
    };
    put("greedy", greedy_->isChecked(), true);
    put("seed", seed_->value(), 42);
    const json maxNew = spec_text::parseOptionalInt(maxNewTokens_->text());
    if (maxNew.is_null())
        out.erase("max_new_tokens");
    else
        put("max_new_tokens", maxNew, nullptr);
    put("temperature", temperature_->value(), 1.0);
    put("top_p", topP_->value(), 1.0);
    put("top_k", topK_->value(), 0);
    return out;
}

json SpecDesigner::spec() const {
    json out = json::object();
    for (const auto& [k, v] : loaded_.items()) {
        if (!knownKeys().count(k)) out[k] = v;  // unknown: kept for the validator to report
    }
    const auto now = signatures();
    const auto unchanged = [&](const std::string& key) {
        return loaded_.contains(key) && loadedSignatures_.count(key) &&
               loadedSignatures_.at(key) == now.at(key);
    };
    const auto scalar = [&](const std::string& key, json value, const json& fallback) {
        if (unchanged(key))
            out[key] = loaded_[key];
        else if (loaded_.contains(key) || value != fallback)
            out[key] = std::move(value);
    };
    scalar("name", name_->text().toStdString(), "");
    scalar("description", description_->text().toStdString(), "");
    scalar("device", device_->currentText().trimmed().toStdString(), "cpu");
    scalar("dtype", dtype_->currentText().toStdString(), "f32");
    scalar("mode", mode_->currentText().toStdString(), "equal");
    scalar("samples_per_task", samplesPerTask_->value(), 100);
    scalar("batch_size", batchSize_->value() == 0 ? json("auto") : json(batchSize_->value()), 1);

    const auto list = [&](const std::string& key, const QLineEdit* edit, bool integers,
                          bool required) {
        if (unchanged(key)) {
            out[key] = loaded_[key];
            return;
        }
        json value = spec_text::parseList(edit->text(), integers);
        if (required || loaded_.contains(key) || !value.empty()) out[key] = std::move(value);
    };
    list("context_lengths", contexts_, true, true);
    list("retentions", retentions_, false, false);

    const auto table = [&](const std::string& key, const QTableWidget* t, bool required,
                           const std::function<json(int)>& row) {
        if (unchanged(key)) {
            out[key] = loaded_[key];
            return;
        }
        json value = json::array();
        for (int r = 0; r < t->rowCount(); ++r) value.push_back(row(r));
        if (required || loaded_.contains(key) || !value.empty()) out[key] = std::move(value);
    };
    table("models", models_, true, [&](int r) -> json {
        const QString hs = cell(models_, r, 1);
        if (hs.isEmpty()) return cell(models_, r, 0).toStdString();
        return {{"dir", cell(models_, r, 0).toStdString()}, {"head_scores", hs.toStdString()}};
    });
    table("methods", methods_, true, [&](int r) -> json {
        const QString id = cell(methods_, r, 0), label = cell(methods_, r, 1),
                      mode = cell(methods_, r, 2), params = cell(methods_, r, 3);
        if (label.isEmpty() && mode.isEmpty() && params.isEmpty()) return id.toStdString();
        json m = {{"id", id.toStdString()}};
        if (!label.isEmpty()) m["name"] = label.toStdString();
        if (!mode.isEmpty()) m["mode"] = mode.toStdString();
        if (!params.isEmpty()) m["params"] = spec_text::parseJsonCell(params);
        return m;
    });
    table("tasks", tasks_, true, [&](int r) -> json {
        const QString id = cell(tasks_, r, 0), samples = cell(tasks_, r, 1),
                      maxNew = cell(tasks_, r, 2), options = cell(tasks_, r, 3);
        if (samples.isEmpty() && maxNew.isEmpty() && options.isEmpty()) return id.toStdString();
        json t = {{"id", id.toStdString()}};
        if (!samples.isEmpty()) t["samples"] = spec_text::parseOptionalInt(samples);
        if (!maxNew.isEmpty()) t["max_new_tokens"] = spec_text::parseOptionalInt(maxNew);
        if (!options.isEmpty()) t["options"] = spec_text::parseJsonCell(options);
        return t;
    });
    const auto object = [&](const std::string& key, const QTableWidget* t, bool jsonValues) {
        if (unchanged(key)) {
            out[key] = loaded_[key];
            return;
        }
        json value = json::object();
        for (int r = 0; r < t->rowCount(); ++r) {
            const QString v = cell(t, r, 1);
            value[cell(t, r, 0).toStdString()] =
                jsonValues ? spec_text::parseJsonCell(v) : textOrNull(v);
        }
        if (loaded_.contains(key) || !value.empty()) out[key] = std::move(value);
    };
    object("data", data_, false);
    object("method_params", methodParams_, true);
    object("head_scores", headScores_, false);
    const json decoding = decodingJson();
    if (unchanged("decoding"))
        out["decoding"] = loaded_["decoding"];
    else if (loaded_.contains("decoding") || !decoding.empty())
        out["decoding"] = decoding;
    return out;
}

void SpecDesigner::loadFile(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) throw_input(path.toStdString(), "cannot open the file");
    const json j = json::parse(f.readAll().toStdString(), nullptr, false);
    if (j.is_discarded()) throw_input(path.toStdString(), "not valid JSON");
    if (!j.is_object()) throw_input(path.toStdString(), "expected a JSON object (a sweep spec)");
    file_ = QFileInfo(path).absoluteFilePath();
    setSpec(j, std::filesystem::path(QFileInfo(path).absolutePath().toStdString()));
    if (isValid()) dryRun();  // a loaded sweep shows its size and cost right away
    Q_EMIT fileNameChanged(file_);
}

void SpecDesigner::saveFile(const QString& path) {
    QSaveFile f(path);
    const json saved = spec();
    const std::string text = saved.dump(2) + "\n";
    if (!f.open(QIODevice::WriteOnly) ||
        f.write(text.data(), static_cast<qint64>(text.size())) !=
            static_cast<qint64>(text.size()) ||
        !f.commit()) {
        throw_input(path.toStdString(), "cannot write the file");
    }
    file_ = QFileInfo(path).absoluteFilePath();
    // From now on relative paths resolve against the file's folder, as `hace run` reads them.
    baseDir_ = std::filesystem::path(QFileInfo(path).absolutePath().toStdString());
    loaded_ = saved;
    loadedSignatures_ = signatures();
    validateNow();
    Q_EMIT fileNameChanged(file_);
}

}  // namespace hace::views
