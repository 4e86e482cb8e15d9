// The one translation unit that compiles Asio's implementation
// (BOOST_ASIO_SEPARATE_COMPILATION is set for everything that uses braid).
#include <boost/asio/impl/src.hpp>
