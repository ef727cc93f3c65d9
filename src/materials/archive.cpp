#include "materials/archive.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <memory>
#include <stdexcept>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace sabor::materials {

namespace {
constexpr std::size_t slice = 64 * 1024;  // one step's share of a file
}

std::vector<zip_member> unique_names(std::vector<zip_member> members) {
    std::map<std::string, int> seen;
    for (auto& m : members) {
        int n = ++seen[m.name];
        if (n == 1) continue;
        auto dot = m.name.rfind('.');
        std::string stem = dot == std::string::npos || dot == 0 ? m.name : m.name.substr(0, dot);
        std::string ext = dot == std::string::npos || dot == 0 ? std::string{} : m.name.substr(dot);
        std::string candidate;
        do candidate = stem + " (" + std::to_string(n++) + ")" + ext;
        while (seen.count(candidate));
        seen[candidate] = 1;
        m.name = candidate;
    }
    return members;
}

long zip_stream_write(struct ::archive*, void* self, const void* buf, std::size_t n) {
    auto* z = static_cast<zip_stream*>(self);
    z->out_.append(static_cast<const char*>(buf), n);
    return static_cast<long>(n);
}

zip_stream::zip_stream(std::vector<zip_member> members) : members_(unique_names(std::move(members))) {
    a_ = archive_write_new();
    if (!a_) throw std::runtime_error("libarchive: archive_write_new failed");
    // Unblocked: every write goes straight to the callback instead of 10 KiB records.
    if (archive_write_set_format_zip(a_) != ARCHIVE_OK || archive_write_set_bytes_per_block(a_, 0) != ARCHIVE_OK ||
        archive_write_set_options(a_, "zip:compression=store,zip:hdrcharset=UTF-8") != ARCHIVE_OK ||
        archive_write_open(a_, this, nullptr, zip_stream_write, nullptr) != ARCHIVE_OK)
        fail("cannot start the archive");
}

zip_stream::~zip_stream() {
    if (fd_ >= 0) ::close(fd_);
    if (a_) archive_write_free(a_);  // also closes it when the client went away mid-way
}

void zip_stream::fail(const std::string& what) {
    std::string detail = a_ && archive_error_string(a_) ? archive_error_string(a_) : "";
    throw std::runtime_error("zip: " + what + (detail.empty() ? "" : ": " + detail));
}

void zip_stream::step() {
    if (fd_ >= 0) {
        char buf[slice];
        auto want = static_cast<std::size_t>(std::min<std::uint64_t>(left_, slice));
        ssize_t n = want ? ::read(fd_, buf, want) : 0;
        if (n < 0 && errno == EINTR) return;
        if (n < 0) fail("cannot read " + members_[next_ - 1].path.string());
        if (n == 0 && left_ > 0) fail("a file shrank while it was archived");
        if (n > 0) {
            if (archive_write_data(a_, buf, static_cast<std::size_t>(n)) != n) fail("cannot write data");
            left_ -= static_cast<std::uint64_t>(n);
        }
        if (left_ == 0) {
            ::close(fd_);
            fd_ = -1;
            if (archive_write_finish_entry(a_) < ARCHIVE_WARN) fail("cannot finish an entry");
        }
        return;
    }
    if (next_ < members_.size()) {
        const auto& m = members_[next_++];
        fd_ = ::open(m.path.c_str(), O_RDONLY | O_CLOEXEC);
        struct stat st{};
        if (fd_ < 0 || ::fstat(fd_, &st) != 0) fail("cannot open " + m.path.string());
        left_ = static_cast<std::uint64_t>(st.st_size);
        std::unique_ptr<archive_entry, decltype(&archive_entry_free)> e(archive_entry_new(), &archive_entry_free);
        archive_entry_set_pathname_utf8(e.get(), m.name.c_str());
        archive_entry_set_filetype(e.get(), AE_IFREG);
        archive_entry_set_perm(e.get(), 0644);
        archive_entry_set_size(e.get(), st.st_size);
        archive_entry_set_mtime(e.get(), m.mtime, 0);
        if (archive_write_header(a_, e.get()) < ARCHIVE_WARN) fail("cannot write the header of " + m.name);
        if (left_ == 0) {
            ::close(fd_);
            fd_ = -1;
            if (archive_write_finish_entry(a_) < ARCHIVE_WARN) fail("cannot finish an entry");
        }
        return;
    }
    if (archive_write_close(a_) != ARCHIVE_OK) fail("cannot close the archive");
    done_ = true;
}

std::size_t zip_stream::read(char* buf, std::size_t size) {
    while (out_pos_ == out_.size() && !done_) {
        out_.clear();
        out_pos_ = 0;
        step();
    }
    auto n = std::min(size, out_.size() - out_pos_);
    std::copy_n(out_.data() + out_pos_, n, buf);
    out_pos_ += n;
    return n;
}

}  // namespace sabor::materials
