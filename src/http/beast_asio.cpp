// Separate compilation: Asio and Beast are compiled once, here, and nowhere else.
#include <boost/asio/impl/src.hpp>
#include <boost/beast/src.hpp>
