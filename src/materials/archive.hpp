// "Download all": a ZIP of an event's materials made while it is sent. libarchive writes the
// archive through a callback into a small buffer the server pulls from (http::body_source),
// one piece of one file at a time, so neither the archive nor a file is ever whole in
// memory. Entries are stored, not compressed (PDF, PPTX, DOCX, PNG and JPEG are compressed
// already), and their UTF-8 names carry the language-encoding flag, so Cyrillic names open
// right in every unzip.
#pragma once
#include "http/message.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

struct archive;

namespace sabor::materials {

struct zip_member {
    std::string name;  // in the archive, UTF-8
    std::filesystem::path path;
    std::int64_t mtime = 0;  // Unix seconds
};

// Two members with the same name become "name.pdf" and "name (2).pdf".
std::vector<zip_member> unique_names(std::vector<zip_member> members);

class zip_stream : public http::body_source {
public:
    explicit zip_stream(std::vector<zip_member> members);
    ~zip_stream() override;
    zip_stream(const zip_stream&) = delete;
    zip_stream& operator=(const zip_stream&) = delete;
    std::size_t read(char* buf, std::size_t size) override;

private:
    void step();  // feeds libarchive one more piece: a header, a slice of a file, or the end
    void fail(const std::string& what);
    friend long zip_stream_write(struct ::archive*, void*, const void*, std::size_t);

    struct ::archive* a_ = nullptr;
    std::vector<zip_member> members_;
    std::size_t next_ = 0;
    int fd_ = -1;
    std::uint64_t left_ = 0;  // bytes of the current file still to write
    std::string out_;         // what libarchive wrote and the server has not taken yet
    std::size_t out_pos_ = 0;
    bool done_ = false;
};

}  // namespace sabor::materials
