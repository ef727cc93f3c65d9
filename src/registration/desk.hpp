// The check-in desk's rules: everyone registered is found at the door, whatever their status,
// with a plain sentence of where they stand and what the desk can do; someone not confirmed
// (waiting list, pending request, cancelled, rejected) is admitted there when a seat is free,
// or beyond the capacity when the organiser says so.
#pragma once
#include "events/model.hpp"
#include "registration/model.hpp"
#include "registration/service.hpp"
#include "view/i18n.hpp"

#include <boost/json/object.hpp>

#include <optional>
#include <string>

namespace sabor::registration {

struct desk_seats {
    std::int64_t confirmed = 0, capacity = 0;  // capacity 0: no limit
    bool free() const { return capacity == 0 || confirmed < capacity; }
};
desk_seats seats_of(storage::database& db, const events::event& e);

// One person as the desk shows them: to_json() plus status_label, status_hint, checked_in and
// the buttons (can_check_in, can_admit, can_admit_over_capacity) with the seats sentence.
boost::json::object desk_row(storage::database& db, const registration& r, const desk_seats& seats,
                             const view::i18n& texts, const std::string& lang);

// The desk's address with its search, where its forms come back to (without the last notice).
std::string desk_path(std::int64_t event_id, const std::string& q);

// Confirms and checks in someone not yet confirmed. Call inside the BEGIN IMMEDIATE
// transaction: the seat is decided from the count read here. Without a free seat it is
// refused ("error_desk_no_seat") unless `over_capacity`, the organiser's explicit choice.
std::optional<refusal> admit_at_desk(context& c, const events::event& e, registration& r, bool over_capacity);

}  // namespace sabor::registration
