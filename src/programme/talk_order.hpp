// Where talks sit in their session, written through the repository (inside the caller's
// transaction). The rules themselves (placement, reorder) are in service.hpp.
#pragma once
#include "programme/repository.hpp"

#include <optional>

namespace sabor::programme {

// Puts the saved talk `t` at `index` of its session, or, without an index, where its time
// says; renumbers `old_session` (0 = none) when the talk came from there.
void place_talk(repository& repo, const talk& t, std::optional<std::int64_t> index, std::int64_t old_session);
// Numbers a session's talks 0..n-1 again, in their order (after one left or was deleted).
void renumber(repository& repo, std::int64_t session_id);

}  // namespace sabor::programme
