/*
 * An index of lwIP's TCP pcbs by four-tuple, so that a segment of an
 * established connection finds its pcb without a walk of the active list.
 * lwIP's tcp_input() finds a segment's pcb by walking tcp_active_pcbs and
 * moves the one it finds to the front; with 4,000 connections taking
 * turns that walk passes about 2,000 pcbs per segment. lwIP is built from
 * Debian's source as it is, so the index does not replace the walk: from
 * the IP input hook, before lwIP looks at the segment, it finds the pcb in
 * a hash and moves it to the front of the list itself, and lwIP's walk
 * stops at the first entry.
 *
 * Moving a pcb needs the one before it. lwIP relinks its list without
 * telling (a new pcb pushed at the front, a pcb taken out, its own
 * move-to-front), so each pcb's record keeps the predecessor it was last
 * seen with, and it is checked before it is used: the predecessor must
 * still be in an active state (then it is on tcp_active_pcbs: lwIP
 * changes a pcb's state to CLOSED or TIME_WAIT as it takes it off, and
 * sets its next to NULL) and its next must be this pcb. A record names
 * only a predecessor that still has a record, that is, a pcb not yet
 * freed: a record goes in lwIP's destroy callback (tcp_free()), and hands
 * its own predecessor to its successor as a guess. When the check fails,
 * the list is walked from its head to the pcb (no further than lwIP's own
 * walk would have gone), and every pcb passed gets its record and
 * predecessor anew. The hash only ever decides which pcb goes to the
 * front: a wrong or stale match moves a pcb lwIP then passes over, never
 * a lost one. docs/netd.md, "Finding a segment's pcb", has the choice.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "lwip/ip_addr.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/tcp.h"
#include "petrel_lwip_hooks.h"

#define BUCKETS		16384	/* a power of two past MEMP_NUM_TCP_PCB */
#define PRED_HOPS	16	/* predecessors gone to TIME-WAIT skipped */
#define NEAR		8	/* pcbs lwIP's walk passes cheaper than a hash */

/* A pcb's entry: the pcb's ext arg, freed with the pcb. */
struct pcb_rec {
	struct tcp_pcb *pcb;
	struct pcb_rec *chain;	/* the bucket's next */
	struct pcb_rec *pred;	/* the pcb before it, as last seen; NULL:
				   not known (or it was at the head) */
	struct pcb_rec *succ;	/* the record whose pred this is */
	uint32_t hash;
};

static struct pcb_rec *buckets[BUCKETS];
static uint64_t hash_key[2];
static u8_t ext_id = LWIP_TCP_PCB_NUM_EXT_ARG_ID_INVALID;
static bool init_tried;
static struct petrel_pcb_index_stats stats;
/* The pcb the input hook just put (or found) at the front, all linked. */
static struct tcp_pcb *fronted;

static bool
state_active(const struct tcp_pcb *pcb)
{
	return pcb->state != CLOSED && pcb->state != LISTEN &&
	       pcb->state != TIME_WAIT;
}

/* A 32-bit word of an address: IPv6's folded. */
static uint32_t
addr_word(const ip_addr_t *a)
{
	if (IP_IS_V6_VAL(*a)) {
		const u32_t *w = ip_2_ip6(a)->addr;
		return w[0] ^ w[1] ^ w[2] ^ w[3];
	}
	return ip_2_ip4(a)->addr;
}

/*
 * The four-tuple's hash, under a random key (so peers cannot aim at one
 * bucket without knowing it), with MurmurHash3's 64-bit finalizer: a
 * SipHash of the tuple cost more than lwIP's walk of a short list.
 */
static uint32_t
tuple_hash(const ip_addr_t *local, u16_t lport, const ip_addr_t *remote,
    u16_t rport)
{
	uint64_t x = ((uint64_t)addr_word(local) << 32 | addr_word(remote)) ^
	    hash_key[0];
	uint64_t y = ((uint64_t)lport << 16 | rport) ^ hash_key[1];

	x = (x ^ (x >> 33)) * 0xff51afd7ed558ccdull + y;
	x = (x ^ (x >> 33)) * 0xc4ceb9fe1a85ec53ull;
	return (uint32_t)(x ^ (x >> 33));
}

/* Whether a and b are one address (zones aside: a guess may be loose). */
static bool
addr_same(const ip_addr_t *a, const ip_addr_t *b)
{
	if (IP_GET_TYPE(a) != IP_GET_TYPE(b))
		return false;
	if (IP_IS_V6_VAL(*a))
		return ip6_addr_cmp_zoneless(ip_2_ip6(a), ip_2_ip6(b));
	return ip4_addr_cmp(ip_2_ip4(a), ip_2_ip4(b));
}

/*
 * Makes p (or none) r's predecessor, keeping each pred's succ true. A
 * guess handed on may name r itself (two pcbs that swapped places):
 * that is none.
 */
static void
pred_set(struct pcb_rec *r, struct pcb_rec *p)
{
	if (p == r)
		p = NULL;
	if (r->pred == p)
		return;
	if (r->pred != NULL)
		r->pred->succ = NULL;
	if (p != NULL) {
		if (p->succ != NULL)
			p->succ->pred = NULL;
		p->succ = r;
	}
	r->pred = p;
}

static void
chain_remove(struct pcb_rec *r)
{
	struct pcb_rec **at = &buckets[r->hash & (BUCKETS - 1)];

	while (*at != r)
		at = &(*at)->chain;
	*at = r->chain;
}

/*
 * r's pcb leaves its place in the list (freed, or moved to the front by
 * lwIP): the pcb that came after it inherits its predecessor, a guess
 * the next lookup checks, instead of knowing none and needing a walk.
 */
static void
rec_leave(struct pcb_rec *r)
{
	struct pcb_rec *succ = r->succ, *pred = r->pred;

	pred_set(r, NULL);
	if (succ != NULL)
		pred_set(succ, pred);
}

/* lwIP frees the pcb. */
static void
rec_destroyed(u8_t id, void *data)
{
	struct pcb_rec *r = data;

	(void)id;
	if (r == NULL)
		return;
	if (fronted == r->pcb)
		fronted = NULL;
	rec_leave(r);
	chain_remove(r);
	stats.records--;
	free(r);
}

static const struct tcp_ext_arg_callbacks rec_callbacks = {
	.destroy = rec_destroyed,
};

static void
index_init(void)
{
	u8_t id = tcp_ext_arg_alloc_id();

	/* lwIP checks the id against its slots only in assert builds. */
	if (id >= LWIP_TCP_PCB_NUM_EXT_ARGS)
		return;
	for (int i = 0; i < 2; i++)
		hash_key[i] = (uint64_t)LWIP_RAND() << 32 | LWIP_RAND();
	ext_id = id;
}

static struct pcb_rec *
rec_of(struct tcp_pcb *pcb)
{
	return tcp_ext_arg_get(pcb, ext_id);
}

/* pcb's record, made and hashed if it has none; NULL if out of memory. */
static struct pcb_rec *
rec_get(struct tcp_pcb *pcb)
{
	struct pcb_rec *r = rec_of(pcb), **bucket;

	if (r != NULL)
		return r;
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return NULL;
	r->pcb = pcb;
	r->hash = tuple_hash(&pcb->local_ip, pcb->local_port, &pcb->remote_ip,
	    pcb->remote_port);
	bucket = &buckets[r->hash & (BUCKETS - 1)];
	r->chain = *bucket;
	*bucket = r;
	tcp_ext_arg_set_callbacks(pcb, ext_id, &rec_callbacks);
	tcp_ext_arg_set(pcb, ext_id, r);
	stats.records++;
	return r;
}

/* The active pcb with this tuple, as the index knows it; NULL if none. */
static struct pcb_rec *
lookup(const ip_addr_t *src, u16_t sport, const ip_addr_t *dst, u16_t dport)
{
	uint32_t h = tuple_hash(dst, dport, src, sport);

	for (struct pcb_rec *r = buckets[h & (BUCKETS - 1)]; r != NULL;
	     r = r->chain) {
		struct tcp_pcb *pcb = r->pcb;
		if (r->hash == h && pcb->remote_port == sport &&
		    pcb->local_port == dport && state_active(pcb) &&
		    addr_same(&pcb->remote_ip, src) &&
		    addr_same(&pcb->local_ip, dst))
			return r;
	}
	return NULL;
}

/* The pcb before r's on tcp_active_pcbs, if its record's guess holds. */
static struct tcp_pcb *
pred_checked(struct pcb_rec *r)
{
	struct pcb_rec *p = r->pred;

	/* A predecessor gone to TIME-WAIT left its own in its place. */
	for (int hop = 0; p != NULL && hop < PRED_HOPS; hop++, p = p->pred) {
		if (!state_active(p->pcb))
			continue;
		if (p->pcb->next != r->pcb)
			return NULL;
		pred_set(r, p);
		return p->pcb;
	}
	return NULL;
}

/*
 * Walks tcp_active_pcbs from its head to r's pcb, giving each pcb passed
 * its record and predecessor; returns the pcb before r's (NULL if r's is
 * at the head or, which cannot be, not on the list).
 */
static struct tcp_pcb *
pred_walk(struct pcb_rec *r)
{
	struct tcp_pcb *prev = NULL;
	struct pcb_rec *prev_rec = NULL;

	stats.walks++;
	for (struct tcp_pcb *pcb = tcp_active_pcbs; pcb != NULL;
	     pcb = pcb->next) {
		struct pcb_rec *rec = pcb == r->pcb ? r : rec_get(pcb);
		if (rec != NULL)
			pred_set(rec, prev_rec);
		if (pcb == r->pcb)
			return prev;
		stats.walk_steps++;
		prev = pcb;
		prev_rec = rec;
	}
	return NULL;
}

#ifdef PETREL_LWIP_HOST
/* Host tests: the list after a move holds exactly the pcbs it held. */
static size_t
active_count(void)
{
	size_t n = 0;

	for (struct tcp_pcb *pcb = tcp_active_pcbs; pcb != NULL;
	     pcb = pcb->next)
		n++;
	return n;
}
#endif

/* Moves r's pcb, which pred precedes, to the front of tcp_active_pcbs. */
static void
move_front(struct pcb_rec *r, struct tcp_pcb *pred)
{
	struct tcp_pcb *pcb = r->pcb, *old_head = tcp_active_pcbs;
	struct pcb_rec *pred_rec = rec_of(pred), *rec;
#ifdef PETREL_LWIP_HOST
	size_t before = active_count();
#endif

	pred->next = pcb->next;
	pcb->next = old_head;
	tcp_active_pcbs = pcb;
	pred_set(r, NULL);
	if (pred->next != NULL && (rec = rec_of(pred->next)) != NULL)
		pred_set(rec, pred_rec);
	if ((rec = rec_of(old_head)) != NULL)
		pred_set(rec, r);
	stats.moved++;
#ifdef PETREL_LWIP_HOST
	if (active_count() != before)
		abort();
#endif
}

void
petrel_pcb_index_input(const ip_addr_t *src, const ip_addr_t *dst,
    const uint8_t *tcp)
{
	u16_t sport = (u16_t)(tcp[0] << 8 | tcp[1]);
	u16_t dport = (u16_t)(tcp[2] << 8 | tcp[3]);
	struct tcp_pcb *near = tcp_active_pcbs, *pred;
	struct pcb_rec *r;

	fronted = NULL;
	if (ext_id == LWIP_TCP_PCB_NUM_EXT_ARG_ID_INVALID ||
	    tcp_active_pcbs == NULL)
		return;
	/* A short list, or a pcb near its front, costs lwIP less than the
	   hash: ports that match are taken for a match here. */
	for (int i = 0; i < NEAR && near != NULL; i++, near = near->next)
		if (near->remote_port == sport && near->local_port == dport) {
			stats.near++;
			return;
		}
	r = lookup(src, sport, dst, dport);
	if (r == NULL) {
		/* A SYN has no pcb yet; anything else is one not seen yet
		   or one lwIP does not hold. */
		if (!(tcp[13] & TCP_SYN))
			stats.misses++;
		return;
	}
	stats.hits++;
	if (tcp_active_pcbs == r->pcb) {
		pred_set(r, NULL);
		fronted = r->pcb;
		return;
	}
	pred = pred_checked(r);
	if (pred == NULL)
		pred = pred_walk(r);
	if (pred != NULL) {
		move_front(r, pred);
		fronted = r->pcb;
	}
}

void
petrel_pcb_index_note(struct tcp_pcb *pcb)
{
	struct pcb_rec *r, *next_rec, *rec;

	if (ext_id == LWIP_TCP_PCB_NUM_EXT_ARG_ID_INVALID && !init_tried) {
		init_tried = true;
		index_init();
	}
	if (pcb == fronted) {
		fronted = NULL;
		return;
	}
	fronted = NULL;
	if (ext_id == LWIP_TCP_PCB_NUM_EXT_ARG_ID_INVALID ||
	    !state_active(pcb) || (r = rec_get(pcb)) == NULL ||
	    tcp_active_pcbs != pcb)
		return;
	/*
	 * At the front: lwIP found it by walking and moved it there, or has
	 * just opened it. The two pcbs after it are linked as they stand:
	 * the second may be one lwIP pushed in front of the third (a
	 * connect()), which had no record to note that.
	 */
	if (r->pred != NULL)
		rec_leave(r);
	if (pcb->next == NULL || (next_rec = rec_get(pcb->next)) == NULL)
		return;
	pred_set(next_rec, r);
	if (pcb->next->next != NULL &&
	    (rec = rec_of(pcb->next->next)) != NULL)
		pred_set(rec, next_rec);
}

const struct petrel_pcb_index_stats *
petrel_pcb_index_stats(void)
{
	return &stats;
}
