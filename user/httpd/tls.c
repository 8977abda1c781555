/*
 * HTTPS with BearSSL: the certificate chain and key, read once from PEM
 * files, and one server engine per connection driven over its
 * non-blocking socket, so a slow TLS client never holds up the others.
 * Every function that moves records returns -EAGAIN with c->want set to
 * the socket readiness it waits for, like the plain-socket paths.
 */
#include "httpd.h"

#include <bearssl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#define TLS_FILE_MAX (1 << 20)	/* a PEM file bigger than this is wrong */
#define TLS_CHAIN_MAX 8
#define TLS_CACHE_SIZE (32 * 1024) /* session cache: about 300 sessions */

struct tls_conn {
	br_ssl_server_context sc;
	bool closing;		/* close_notify queued */
	unsigned char iobuf[BR_SSL_BUFSIZE_BIDI];
};

/* Set up once at start-up, then read-only but for the RNG and cache. */
static struct {
	br_x509_certificate chain[TLS_CHAIN_MAX];
	size_t chain_len;
	br_skey_decoder_context skey;	/* holds the decoded key's bytes */
	int key_type;			/* BR_KEYTYPE_RSA or BR_KEYTYPE_EC */
	unsigned issuer_key_type;	/* key type that signed our cert */
	br_hmac_drbg_context rng;	/* feeds each engine's own */
	br_ssl_session_cache_lru cache;
	unsigned char cache_store[TLS_CACHE_SIZE];
} tls;

struct tls_der {
	unsigned char *data;
	size_t len, cap;
	bool failed;
};

/* Reads a whole (small) file into a new buffer; returns 0 or -errno. */
static int
tls_read_file(const char *path, unsigned char **data, size_t *len)
{
	struct stat st;
	ssize_t n;
	size_t done = 0;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || st.st_size > TLS_FILE_MAX) {
		close(fd);
		return -EFBIG;
	}
	*data = malloc((size_t)st.st_size + 1);
	if (*data == NULL) {
		close(fd);
		return -ENOMEM;
	}
	while (done < (size_t)st.st_size) {
		n = read(fd, *data + done, (size_t)st.st_size - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? -errno : -EIO;
			break;
		}
		done += (size_t)n;
	}
	close(fd);
	if (err < 0) {
		free(*data);
		return err;
	}
	*len = done;
	return 0;
}

static void
tls_der_append(void *ctx, const void *buf, size_t len)
{
	struct tls_der *der = ctx;
	unsigned char *grown;
	size_t cap;

	if (der->failed)
		return;
	if (der->len + len > der->cap) {
		cap = der->cap * 2 + len + 1024;
		grown = realloc(der->data, cap);
		if (grown == NULL) {
			der->failed = true;
			return;
		}
		der->data = grown;
		der->cap = cap;
	}
	memcpy(der->data + der->len, buf, len);
	der->len += len;
}

/*
 * Calls take(name, der) for each PEM object of text; take owns der->data
 * after the call. A missing final newline is tolerated, as BearSSL's own
 * tools do. Returns 0 or a negative errno (the first take() error).
 */
static int
tls_pem_each(const unsigned char *text, size_t len,
    int (*take)(const char *name, struct tls_der *der))
{
	br_pem_decoder_context pc;
	struct tls_der der = { 0 };
	char name[128] = "";
	bool in_object = false, extra_nl = true;
	size_t used;
	int err = 0;

	br_pem_decoder_init(&pc);
	while (len > 0 && err == 0) {
		used = br_pem_decoder_push(&pc, text, len);
		text += used;
		len -= used;
		switch (br_pem_decoder_event(&pc)) {
		case BR_PEM_BEGIN_OBJ:
			snprintf(name, sizeof(name), "%s",
			    br_pem_decoder_name(&pc));
			br_pem_decoder_setdest(&pc, tls_der_append, &der);
			in_object = true;
			break;
		case BR_PEM_END_OBJ:
			if (!in_object)
				break;
			in_object = false;
			if (der.failed) {
				err = -ENOMEM;
				break;
			}
			err = take(name, &der);
			memset(&der, 0, sizeof(der));
			break;
		case BR_PEM_ERROR:
			err = -EINVAL;
			break;
		}
		if (len == 0 && extra_nl) {
			extra_nl = false;
			text = (const unsigned char *)"\n";
			len = 1;
		}
	}
	free(der.data);
	if (err == 0 && in_object)
		err = -EINVAL;
	return err;
}

static int
tls_take_cert(const char *name, struct tls_der *der)
{
	if (strcmp(name, "CERTIFICATE") != 0 &&
	    strcmp(name, "X509 CERTIFICATE") != 0) {
		free(der->data);
		return 0;
	}
	if (tls.chain_len == TLS_CHAIN_MAX) {
		free(der->data);
		return -E2BIG;
	}
	tls.chain[tls.chain_len].data = der->data;
	tls.chain[tls.chain_len].data_len = der->len;
	tls.chain_len++;
	return 0;
}

static int
tls_take_key(const char *name, struct tls_der *der)
{
	int err = 0;

	if (strcmp(name, "PRIVATE KEY") == 0 ||
	    strcmp(name, "EC PRIVATE KEY") == 0 ||
	    strcmp(name, "RSA PRIVATE KEY") == 0) {
		if (tls.key_type != 0) {
			err = -EEXIST;	/* two keys: which one? */
		} else {
			br_skey_decoder_init(&tls.skey);
			br_skey_decoder_push(&tls.skey, der->data, der->len);
			tls.key_type = br_skey_decoder_key_type(&tls.skey);
			if (br_skey_decoder_last_error(&tls.skey) != 0 ||
			    tls.key_type == 0)
				err = -EINVAL;
		}
	}
	free(der->data);
	return err;
}

/* Returns 0 or -errno; reads the chain's first certificate's key types. */
static int
tls_check_cert(void)
{
	br_x509_decoder_context dc;
	const br_x509_pkey *pk;

	br_x509_decoder_init(&dc, NULL, NULL);
	br_x509_decoder_push(&dc, tls.chain[0].data, tls.chain[0].data_len);
	pk = br_x509_decoder_get_pkey(&dc);
	if (pk == NULL || br_x509_decoder_last_error(&dc) != 0)
		return -EINVAL;
	if (pk->key_type != tls.key_type)
		return -EKEYREJECTED;
	tls.issuer_key_type = br_x509_decoder_get_signer_key_type(&dc);
	return tls.issuer_key_type == 0 ? -EINVAL : 0;
}

/*
 * Seeds the generator every connection's engine draws from: getrandom()
 * where the kernel has it, then BearSSL's system source (RDRAND, or
 * /dev/urandom). Returns 0, or -ENOENT when neither gave anything.
 */
static int
tls_seed(void)
{
	unsigned char seed[32];
	br_prng_seeder seeder;
	bool seeded = false;

	br_hmac_drbg_init(&tls.rng, &br_sha256_vtable, NULL, 0);
	if (getrandom(seed, sizeof(seed), 0) == (ssize_t)sizeof(seed)) {
		br_hmac_drbg_update(&tls.rng, seed, sizeof(seed));
		seeded = true;
	}
	seeder = br_prng_seeder_system(NULL);
	if (seeder != NULL && seeder(&tls.rng.vtable))
		seeded = true;
	return seeded ? 0 : -ENOENT;
}

/*
 * Loads the certificate chain (PEM, ours first) and the private key (PEM,
 * RSA or EC, raw or PKCS#8) and seeds the generator. Prints what went
 * wrong; returns 0 or a negative errno.
 */
int
tls_setup(const char *cert_path, const char *key_path)
{
	unsigned char *text;
	size_t len;
	int err;

	err = tls_read_file(cert_path, &text, &len);
	if (err == 0) {
		err = tls_pem_each(text, len, tls_take_cert);
		free(text);
	}
	if (err == 0 && tls.chain_len == 0)
		err = -ENOENT;
	if (err < 0) {
		say("%s: no usable certificate (%s)", cert_path,
		    strerror(-err));
		return err;
	}
	err = tls_read_file(key_path, &text, &len);
	if (err == 0) {
		err = tls_pem_each(text, len, tls_take_key);
		free(text);
	}
	if (err == 0 && tls.key_type == 0)
		err = -ENOENT;
	if (err < 0) {
		say("%s: no usable private key (%s)", key_path,
		    strerror(-err));
		return err;
	}
	err = tls_check_cert();
	if (err < 0) {
		say("%s: certificate does not match the key (%s)", cert_path,
		    strerror(-err));
		return err;
	}
	if (tls_seed() < 0) {
		say("no source of randomness for TLS");
		return -ENOENT;
	}
	br_ssl_session_cache_lru_init(&tls.cache, tls.cache_store,
	    sizeof(tls.cache_store));
	return 0;
}

/* Returns a new server engine, ready for a client hello; NULL: -ENOMEM. */
struct tls_conn *
tls_conn_new(void)
{
	struct tls_conn *t;
	unsigned char entropy[32];

	t = malloc(sizeof(*t));
	if (t == NULL)
		return NULL;
	t->closing = false;
	if (tls.key_type == BR_KEYTYPE_EC)
		br_ssl_server_init_full_ec(&t->sc, tls.chain, tls.chain_len,
		    tls.issuer_key_type, br_skey_decoder_get_ec(&tls.skey));
	else
		br_ssl_server_init_full_rsa(&t->sc, tls.chain, tls.chain_len,
		    br_skey_decoder_get_rsa(&tls.skey));
	br_ssl_engine_set_buffer(&t->sc.eng, t->iobuf, sizeof(t->iobuf), 1);
	/*
	 * Our cipher suite order wins (forward secrecy and AEAD first), and
	 * a client cannot make us redo the costly handshake on demand.
	 */
	br_ssl_engine_add_flags(&t->sc.eng, BR_OPT_ENFORCE_SERVER_PREFERENCES |
	    BR_OPT_NO_RENEGOTIATION);
	br_ssl_server_set_cache(&t->sc, &tls.cache.vtable);
	br_hmac_drbg_generate(&tls.rng, entropy, sizeof(entropy));
	br_ssl_engine_inject_entropy(&t->sc.eng, entropy, sizeof(entropy));
	if (!br_ssl_server_reset(&t->sc)) {
		free(t);
		return NULL;
	}
	return t;
}

/* Frees an engine; the caller closes the socket. */
void
tls_conn_free(struct tls_conn *t)
{
	free(t);
}

/*
 * Moves records between the socket and the engine: every pending record
 * out first, then records in until the engine offers what `want` asks
 * (BR_SSL_SENDAPP or BR_SSL_RECVAPP); want 0 stops once nothing is left
 * to send. Returns 0, -EAGAIN (c->want set), -ECONNRESET when the peer
 * is gone or closed, -EPROTO on a TLS failure, or another -errno.
 */
static int
tls_pump(struct conn *c, unsigned want)
{
	br_ssl_engine_context *eng = &c->tls->sc.eng;
	unsigned char *buf;
	unsigned state;
	size_t len;
	ssize_t n;

	for (;;) {
		state = br_ssl_engine_current_state(eng);
		if (state & BR_SSL_CLOSED)
			return br_ssl_engine_last_error(eng) == BR_ERR_OK ?
			    -ECONNRESET : -EPROTO;
		if (state & BR_SSL_SENDREC) {
			buf = br_ssl_engine_sendrec_buf(eng, &len);
			n = write(c->fd, buf, len);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 && (errno == EAGAIN ||
			    errno == EWOULDBLOCK)) {
				c->want = EPOLLOUT;
				return -EAGAIN;
			}
			if (n <= 0)
				return n < 0 ? -errno : -EIO;
			br_ssl_engine_sendrec_ack(eng, (size_t)n);
			continue;
		}
		if (want == 0 || (state & want))
			return 0;
		if (!(state & BR_SSL_RECVREC))
			return -EPROTO;	/* waits for nothing we could give */
		buf = br_ssl_engine_recvrec_buf(eng, &len);
		n = read(c->fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			c->want = EPOLLIN;
			return -EAGAIN;
		}
		if (n <= 0)
			return n < 0 ? -errno : -ECONNRESET;
		br_ssl_engine_recvrec_ack(eng, (size_t)n);
	}
}

/* Like read(2) on the plain socket; the handshake happens on the way. */
ssize_t
tls_recv(struct conn *c, void *buf, size_t len)
{
	br_ssl_engine_context *eng = &c->tls->sc.eng;
	unsigned char *app;
	size_t avail;
	int err;

	err = tls_pump(c, BR_SSL_RECVAPP);
	if (err == -ECONNRESET)
		return 0;
	if (err < 0)
		return err;
	app = br_ssl_engine_recvapp_buf(eng, &avail);
	if (avail > len)
		avail = len;
	memcpy(buf, app, avail);
	br_ssl_engine_recvapp_ack(eng, avail);
	return (ssize_t)avail;
}

/* Like write(2): the bytes are queued in the engine; tls_flush() ends. */
ssize_t
tls_send(struct conn *c, const void *buf, size_t len)
{
	br_ssl_engine_context *eng = &c->tls->sc.eng;
	unsigned char *app;
	size_t room;
	int err;

	err = tls_pump(c, BR_SSL_SENDAPP);
	if (err < 0)
		return err;
	app = br_ssl_engine_sendapp_buf(eng, &room);
	if (room > len)
		room = len;
	memcpy(app, buf, room);
	br_ssl_engine_sendapp_ack(eng, room);
	return (ssize_t)room;
}

/* Queues up to len bytes of fd from off, read straight into the engine. */
ssize_t
tls_send_file(struct conn *c, int fd, off_t off, size_t len)
{
	br_ssl_engine_context *eng = &c->tls->sc.eng;
	unsigned char *app;
	size_t room;
	ssize_t n;
	int err;

	err = tls_pump(c, BR_SSL_SENDAPP);
	if (err < 0)
		return err;
	app = br_ssl_engine_sendapp_buf(eng, &room);
	if (room > len)
		room = len;
	do
		n = pread(fd, app, room, off);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	br_ssl_engine_sendapp_ack(eng, (size_t)n);
	return n;
}

/* Sends every queued byte; returns 0 once all records are written. */
int
tls_flush(struct conn *c)
{
	br_ssl_engine_flush(&c->tls->sc.eng, 0);
	return tls_pump(c, 0);
}

/*
 * Queues close_notify and sends it; returns 0 once it is out. The peer's
 * own close_notify is not waited for (RFC 8446, 6.1 allows it).
 */
int
tls_close(struct conn *c)
{
	if (!c->tls->closing) {
		br_ssl_engine_close(&c->tls->sc.eng);
		c->tls->closing = true;
	}
	return tls_pump(c, 0);
}
