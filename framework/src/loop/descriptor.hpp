#pragma once
// The Asio descriptor type every socket of the framework waits on. Bound to
// io_context's own executor rather than the type-erased any_io_executor: each
// wait then costs no executor copy and no indirect dispatch.
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

namespace braid::detail {

using Descriptor = boost::asio::posix::basic_stream_descriptor<boost::asio::io_context::executor_type>;

}  // namespace braid::detail
