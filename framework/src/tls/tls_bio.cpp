#include "tls/tls_bio.hpp"

#include "tls/tls_layer.hpp"

namespace braid::detail {
namespace {

TlsLayer& layer_of(BIO* bio) { return *static_cast<TlsLayer*>(BIO_get_data(bio)); }

int bio_read(BIO* bio, char* out, std::size_t capacity, std::size_t* read) {
  BIO_clear_retry_flags(bio);
  std::size_t n = layer_of(bio).take_input(out, capacity);
  *read = n;
  if (n > 0) return 1;
  BIO_set_retry_read(bio);  // nothing now: OpenSSL reports SSL_ERROR_WANT_READ
  return 0;
}

int bio_write(BIO* bio, const char* data, std::size_t size, std::size_t* written) {
  BIO_clear_retry_flags(bio);
  layer_of(bio).send_output({data, size});  // the connection takes all (it buffers what the socket cannot)
  *written = size;
  return 1;
}

long bio_ctrl(BIO*, int command, long, void*) {
  return command == BIO_CTRL_FLUSH ? 1 : 0;
}

int bio_create(BIO* bio) {
  BIO_set_init(bio, 1);
  return 1;
}

const BIO_METHOD* layer_method() {
  static BIO_METHOD* method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "braid connection");
    BIO_meth_set_read_ex(m, bio_read);
    BIO_meth_set_write_ex(m, bio_write);
    BIO_meth_set_ctrl(m, bio_ctrl);
    BIO_meth_set_create(m, bio_create);
    return m;
  }();
  return method;
}

}  // namespace

BIO* new_layer_bio(TlsLayer& layer) {
  BIO* bio = BIO_new(layer_method());
  if (bio != nullptr) BIO_set_data(bio, &layer);
  return bio;
}

}  // namespace braid::detail
