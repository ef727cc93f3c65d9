// Owning pointers for GLib/GMime objects, shared by the message builder and its tests.
#pragma once
#include <glib-object.h>

#include <memory>

namespace sabor::mail {

struct g_unref {
    void operator()(void* p) const {
        if (p) g_object_unref(p);
    }
};
template <class T>
using g_ptr = std::unique_ptr<T, g_unref>;

struct g_free_deleter {
    void operator()(void* p) const { g_free(p); }
};
using g_string = std::unique_ptr<char, g_free_deleter>;

}  // namespace sabor::mail
