// libFuzzer target for the configuration reader (toml++ and sabor's checks): any file is
// either a config that validate() accepts or a config_error with one sentence; never a
// crash, never an uncaught exception of another kind.
#include "app/config.hpp"
#include "fuzz_common.hpp"

#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <string>

using namespace sabor;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // In memory (/dev/shm) where there is one: a file per input on disk makes the run wait on I/O.
    static const std::string path = std::string(::access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp") +
                                    "/sabor-fuzz-config-" + std::to_string(::getpid()) + ".toml";
    {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    }
    try {
        auto c = app::load_config(path);
        app::validate(c);
        fuzz::check(c.server.threads > 0, "an accepted config with no threads");
    } catch (const app::config_error& e) {
        fuzz::check(std::string_view(e.what()).size() > 0, "a config error without a sentence");
    }
    return 0;
}
