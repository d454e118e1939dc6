// The one translation unit that compiles Asio, Asio.SSL and Beast (separate compilation).
// Every other file sees only their declarations, which keeps rebuilds fast on small machines.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
