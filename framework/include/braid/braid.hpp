#pragma once
// The one include for a protocol, its factory, its builder and its plugin
// (BRAID_PLUGIN), and for clients: everything but the stock protocols
// (<braid/protocols/...>) and the test fakes (<braid/testing/...>).
#include "braid/address.hpp"
#include "braid/client_factory.hpp"
#include "braid/clock.hpp"
#include "braid/endpoint.hpp"
#include "braid/limits.hpp"
#include "braid/line_receiver.hpp"
#include "braid/listening_port.hpp"
#include "braid/log.hpp"
#include "braid/metrics.hpp"
#include "braid/network.hpp"
#include "braid/options.hpp"
#include "braid/plugin.hpp"
#include "braid/protocol.hpp"
#include "braid/reactor.hpp"
#include "braid/registry.hpp"
#include "braid/service.hpp"
#include "braid/tls.hpp"
#include "braid/transport.hpp"
