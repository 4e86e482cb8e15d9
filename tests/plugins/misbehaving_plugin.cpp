// A plugin that misbehaves while it loads, as chosen when it is built
// (tests/plugins/CMakeLists.txt): BRAID_MISBEHAVE_AT_LOAD (in a static
// initialiser, i.e. inside dlopen) or BRAID_MISBEHAVE_AT_REGISTER (in its
// register function), and one of BRAID_MISBEHAVE_ABORT, _THROW, _EXIT (exit(0))
// or _HANG. Loading it must cost braidd nothing but an error naming its path.
#include <braid/plugin.hpp>
#include <cstdlib>
#include <stdexcept>

#include <unistd.h>

namespace {

class Nothing : public braid::Protocol {
 public:
  void data_received(std::string_view) override {}
};

[[maybe_unused]] int misbehave() {
#if defined(BRAID_MISBEHAVE_ABORT)
  std::abort();
#elif defined(BRAID_MISBEHAVE_THROW)
  throw std::runtime_error("the misbehaving plugin threw");
#elif defined(BRAID_MISBEHAVE_EXIT)
  std::exit(0);
#elif defined(BRAID_MISBEHAVE_HANG)
  for (;;) ::pause();
#endif
  return 0;
}

#ifdef BRAID_MISBEHAVE_AT_LOAD
[[maybe_unused]] const int misbehaved = misbehave();
#endif

void register_protocols(braid::ProtocolRegistry& registry) {
#ifdef BRAID_MISBEHAVE_AT_REGISTER
  misbehave();
#endif
  braid::ProtocolInfo info;
  info.name = "misbehaving";
  info.build_stream = [](braid::Options& options, const braid::BuildContext&) -> std::shared_ptr<braid::Factory> {
    options.finish();
    return std::make_shared<braid::SimpleFactory<Nothing>>();
  };
  registry.add(std::move(info));
}

}  // namespace

BRAID_PLUGIN("misbehaving", register_protocols);
