#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "crmsync/match/fellegi_sunter.hpp"
#include "match/fellegi_sunter_internal.hpp"

namespace crmsync::match {

namespace {

constexpr const char* kFormat = "crmsync.fellegi_sunter";
constexpr int kVersion = 1;

Status readProbabilities(const nlohmann::json& c, const char* key, const std::string& where, std::vector<double>& out) {
  auto it = c.find(key);
  if (it == c.end() || !it->is_array()) return invalidInput(where + "." + key + " must be an array of probabilities");
  out.clear();
  for (const auto& v : *it) {
    if (!v.is_number()) return invalidInput(where + "." + key + " must hold only numbers");
    out.push_back(v.get<double>());
  }
  return Status::ok();
}

Status readNumber(const nlohmann::json& c, const char* key, const std::string& where, double& out, bool required) {
  auto it = c.find(key);
  if (it == c.end()) {
    return required ? invalidInput(where + " needs '" + key + "'") : Status::ok();
  }
  if (!it->is_number()) return invalidInput(where + "." + key + " must be a number");
  out = it->get<double>();
  return Status::ok();
}

}  // namespace

nlohmann::json FellegiSunterModel::toJson() const {
  nlohmann::json comps = nlohmann::json::array();
  for (size_t k = 0; k < params_.size(); ++k) {
    const auto& p = params_[k];
    comps.push_back({{"name", p.name},
                     {"levels", fields_[k].levels},
                     {"m", p.m},
                     {"u", p.u},
                     {"tf_adjust", p.tfAdjust},
                     {"tf_weight", p.tfWeight},
                     {"tf_minimum_u", p.tfMinimumU},
                     {"tf_unlisted_unique", p.tfUnlistedUnique}});
  }
  nlohmann::json j = {{"format", kFormat}, {"version", kVersion}, {"lambda", lambda_}, {"comparisons", comps}};
  if (training_) {
    j["training"] = {{"iterations", training_->iterations},     {"converged", training_->converged},
                     {"max_change", training_->maxChange},      {"log_likelihood", training_->logLikelihood},
                     {"pairs", training_->pairs},               {"patterns", training_->patterns},
                     {"swapped_classes", training_->swappedClasses}};
  }
  return j;
}

Result<FellegiSunterModel> FellegiSunterModel::fromJson(const nlohmann::json& j) {
  if (!j.is_object()) return invalidInput("a Fellegi-Sunter model must be a JSON object");
  auto format = j.find("format");
  if (format == j.end() || !format->is_string() || format->get<std::string>() != kFormat)
    return invalidInput(std::string("not a Fellegi-Sunter model: 'format' must be \"") + kFormat + "\"");
  auto version = j.find("version");
  if (version == j.end() || !version->is_number_integer())
    return invalidInput("the model has no integer 'version'");
  if (version->get<int>() > kVersion)
    return invalidInput("the model is version " + std::to_string(version->get<int>()) + "; this build reads up to " +
                        std::to_string(kVersion) + ": upgrade crmsync or train the model again");
  double lambda = 0.0;
  RETURN_IF_ERROR(readNumber(j, "lambda", "the model", lambda, true));
  auto comps = j.find("comparisons");
  if (comps == j.end() || !comps->is_array()) return invalidInput("the model needs a 'comparisons' array");

  std::vector<FsComparisonParams> params;
  for (size_t k = 0; k < comps->size(); ++k) {
    const auto& c = (*comps)[k];
    std::string where = "comparisons[" + std::to_string(k) + "]";
    if (!c.is_object()) return invalidInput(where + " must be an object");
    FsComparisonParams p;
    auto name = c.find("name");
    if (name == c.end() || !name->is_string()) return invalidInput(where + " needs a 'name' string");
    p.name = name->get<std::string>();
    where += " ('" + p.name + "')";
    RETURN_IF_ERROR(readProbabilities(c, "m", where, p.m));
    RETURN_IF_ERROR(readProbabilities(c, "u", where, p.u));
    auto levels = c.find("levels");
    if (levels != c.end()) {
      if (!levels->is_number_integer()) return invalidInput(where + ".levels must be an integer");
      if (levels->get<int64_t>() != static_cast<int64_t>(p.m.size()))
        return invalidInput(where + ".m has " + std::to_string(p.m.size()) + " entries but 'levels' is " +
                            std::to_string(levels->get<int64_t>()));
    }
    if (p.u.size() != p.m.size())
      return invalidInput(where + ".u has " + std::to_string(p.u.size()) + " entries but .m has " +
                          std::to_string(p.m.size()));
    auto tf = c.find("tf_adjust");
    if (tf != c.end()) {
      if (!tf->is_boolean()) return invalidInput(where + ".tf_adjust must be true or false");
      p.tfAdjust = tf->get<bool>();
    }
    RETURN_IF_ERROR(readNumber(c, "tf_weight", where, p.tfWeight, false));
    RETURN_IF_ERROR(readNumber(c, "tf_minimum_u", where, p.tfMinimumU, false));
    if (auto unique = c.find("tf_unlisted_unique"); unique != c.end()) {
      if (!unique->is_boolean()) return invalidInput(where + ".tf_unlisted_unique must be true or false");
      p.tfUnlistedUnique = unique->get<bool>();
    }
    params.push_back(std::move(p));
  }
  ASSIGN_OR_RETURN(FellegiSunterModel model, fromParameters(lambda, std::move(params)));

  auto training = j.find("training");
  if (training != j.end() && training->is_object()) {
    EmReport r;
    double v = 0.0;
    if (readNumber(*training, "iterations", "training", v, false).isOk()) r.iterations = static_cast<int>(v);
    if (readNumber(*training, "max_change", "training", v, false).isOk()) r.maxChange = v;
    if (readNumber(*training, "log_likelihood", "training", v, false).isOk()) r.logLikelihood = v;
    v = 0.0;
    if (readNumber(*training, "pairs", "training", v, false).isOk()) r.pairs = static_cast<uint64_t>(v);
    v = 0.0;
    if (readNumber(*training, "patterns", "training", v, false).isOk()) r.patterns = static_cast<size_t>(v);
    auto conv = training->find("converged");
    r.converged = conv != training->end() && conv->is_boolean() && conv->get<bool>();
    auto swapped = training->find("swapped_classes");
    r.swappedClasses = swapped != training->end() && swapped->is_boolean() && swapped->get<bool>();
    model.training_ = r;
  }
  return model;
}

Status FellegiSunterModel::save(const std::string& path) const {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return ioError("cannot write model file '" + tmp + "'");
    out << toJson().dump(2) << '\n';
    out.flush();
    if (!out) return ioError("writing model file '" + tmp + "' failed");
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    return ioError("cannot replace model file '" + path + "': " + ec.message());
  }
  return Status::ok();
}

Result<FellegiSunterModel> FellegiSunterModel::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return ioError("cannot read model file '" + path + "'");
  std::stringstream buffer;
  buffer << in.rdbuf();
  nlohmann::json j = nlohmann::json::parse(buffer.str(), nullptr, false);
  if (j.is_discarded()) return invalidInput("model file '" + path + "' is not valid JSON");
  Result<FellegiSunterModel> model = fromJson(j);
  if (!model.isOk()) return model.status().withContext("model file '" + path + "'");
  return model;
}

}  // namespace crmsync::match
