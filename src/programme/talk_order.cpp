#include "programme/talk_order.hpp"

#include "programme/service.hpp"

namespace sabor::programme {

void place_talk(repository& repo, const talk& t, std::optional<std::int64_t> index, std::int64_t old_session) {
    std::vector<talk> others;
    for (auto& x : repo.talks_of_session(t.session_id))
        if (x.id != t.id) others.push_back(std::move(x));
    auto at = index ? *index : static_cast<std::int64_t>(placement(others, t));
    if (old_session && old_session != t.session_id) renumber(repo, old_session);
    repo.set_order(reorder(others, t.id, at));
}

void renumber(repository& repo, std::int64_t session_id) {
    std::vector<std::int64_t> ids;
    for (const auto& x : repo.talks_of_session(session_id)) ids.push_back(x.id);
    repo.set_order(ids);
}

}  // namespace sabor::programme
