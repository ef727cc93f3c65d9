// A list answered by the API a page at a time, when the whole list is read anyway.
#pragma once
#include "app/web.hpp"

#include <boost/json/array.hpp>

#include <vector>

namespace sabor::app {

// {"items": [shape(x)...], "total": n} for ?limit= (1..1000, default 100) and ?offset=.
template <typename T, typename Shape>
http::response collection(const http::request& req, const std::vector<T>& all, Shape shape) {
    auto limit = static_cast<std::size_t>(query_int(req, "limit", 100, 1, 1000));
    auto offset = static_cast<std::size_t>(query_int(req, "offset", 0, 0, 1'000'000'000));
    boost::json::array items;
    for (std::size_t i = offset; i < all.size() && items.size() < limit; ++i) items.push_back(shape(all[i]));
    return json_response(200, boost::json::object{{"items", std::move(items)}, {"total", static_cast<std::int64_t>(all.size())}});
}

}  // namespace sabor::app
