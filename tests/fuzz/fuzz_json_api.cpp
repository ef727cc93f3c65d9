// libFuzzer target for the API's JSON readers: the body is parsed as Boost.JSON does for
// every API write, then read as an event, a speaker, a session, a talk and a registration
// form's settings with their answers. Wrong types, huge numbers, deep nesting and broken
// UTF-8 come back as field errors, never a crash; what is accepted is valid UTF-8.
#include "events/service.hpp"
#include "fuzz_common.hpp"
#include "programme/service.hpp"
#include "registration/form.hpp"

#include <boost/json.hpp>

#include <cstdint>

using namespace sabor;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    boost::system::error_code ec;
    boost::json::parse_options opts;
    opts.max_depth = 32;
    auto v = boost::json::parse(std::string_view(reinterpret_cast<const char*>(data), size), ec, {}, opts);
    if (ec) return 0;
    if (v.is_object()) {
        const auto& body = v.get_object();
        events::field_errors errors;
        auto p = events::patch_from_json(body, errors);
        if (errors.empty())
            for (const auto& [field, value] : p.text) fuzz::check_utf8(value, "an accepted text field is not UTF-8");
        events::field_errors e1, e2, e3;
        (void)programme::speaker_from_json(body, e1);
        (void)programme::session_from_json(body, e2);
        (void)programme::talk_from_json(body, e3);
    }
    events::field_errors errors;
    auto settings = registration::settings_from_json(v, {}, errors);
    if (errors.empty()) {
        for (const auto& q : settings.questions) fuzz::check_utf8(q.label, "an accepted question is not UTF-8");
        events::field_errors answer_errors;
        const boost::json::value* answers = v.is_object() ? v.get_object().if_contains("answers") : nullptr;
        auto stored = registration::answers_from_json(settings, answers, answer_errors);
        (void)boost::json::serialize(stored);
    }
    return 0;
}
