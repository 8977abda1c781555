/*
 * TCP sockets, the data path: send() copies into lwIP's send buffer (with
 * TCP_CORK and MSG_MORE holding back a partial segment), received pbufs
 * queue on the socket and the window reopens as the application reads,
 * and the kernel's handed reads and sends (nsock_tcp_hand_peek,
 * nsock_tcp_send_room). Connections, listening and closing are
 * sock_tcp.c's.
 */
#include <errno.h>
#include <string.h>

#include "lwip/priv/tcp_priv.h"
#include "lwip/tcp.h"
#include "sock_int.h"
#include "sock_tcp.h"

/* tcp_write() takes a u16_t length. */
#define TCP_WRITE_MAX		0xffff

/* ---- Sending ---- */

/* Bytes lwIP would take now: send buffer left, while segments last. */
static u32_t
tcp_room(const struct tcp_pcb *pcb)
{
	if (pcb->snd_queuelen + 2 >= TCP_SND_QUEUELEN)
		return 0;
	return pcb->snd_buf;
}

size_t
nsock_tcp_unsent(const struct nsock *s)
{
	if (s->pcb.tcp == NULL || s->state != NSOCK_CONNECTED)
		return 0;
	return TCP_SND_BUF - s->pcb.tcp->snd_buf;
}

/* Writable as Linux judges it: free space at least half of what is
   queued, so writers wake for a worthwhile amount of room. */
bool
nsock_tcp_writable(const struct nsock *s)
{
	const struct tcp_pcb *pcb = s->pcb.tcp;
	u32_t room;

	if (pcb == NULL || s->state != NSOCK_CONNECTED)
		return true;
	if (s->send_stalled)
		return false;
	room = tcp_room(pcb);
	return room > 0 && room >= (TCP_SND_BUF - pcb->snd_buf) / 2;
}

/* The error send() reports before writing anything, or 0 (Linux's
   tcp_sendmsg order: pending error, then connecting, then EPIPE). */
static int
send_check(struct nsock *s)
{
	int e = nsock_take_error(s);

	if (e != 0) {
		nsock_notify(s, false);
		return -e;
	}
	if (s->state == NSOCK_SYN_SENT)
		return -EAGAIN;
	if (s->state != NSOCK_CONNECTED || s->wr_shut || s->pcb.tcp == NULL)
		return -EPIPE;
	return 0;
}

/* Queues up to len bytes; stops early when lwIP runs out of room. */
static size_t
tcp_queue(struct tcp_pcb *pcb, const char *buf, size_t len, bool more)
{
	size_t done = 0;

	while (done < len) {
		size_t chunk = len - done;
		u32_t room = tcp_room(pcb);
		u8_t flags = TCP_WRITE_FLAG_COPY;

		if (chunk > room)
			chunk = room;
		if (chunk > TCP_WRITE_MAX)
			chunk = TCP_WRITE_MAX;
		if (chunk == 0)
			break;
		if (more || done + chunk < len)
			flags |= TCP_WRITE_FLAG_MORE;
		if (tcp_write(pcb, buf + done, (u16_t)chunk, flags) != ERR_OK) {
			/* Out of segments for a big chunk: try one MSS. */
			if (chunk <= pcb->mss || tcp_write(pcb, buf + done,
			    pcb->mss, flags) != ERR_OK)
				break;
			chunk = pcb->mss;
		}
		done += chunk;
	}
	return done;
}

/*
 * Output under TCP_CORK or MSG_MORE. Linux holds back only a partial last
 * segment there: full ones leave at once, so a corked sender that fills
 * the send buffer (nginx's sendfile with tcp_nopush) keeps data in
 * flight instead of waiting for lwIP's poll to push it. lwIP's Nagle test
 * holds a partial segment while data is unacknowledged, so once a full
 * segment is queued, an output with Nagle on sends the full segments and
 * keeps the tail.
 */
static void
tcp_output_full(struct tcp_pcb *pcb)
{
	struct tcp_seg *first = pcb->unsent;
	bool nodelay = tcp_nagle_disabled(pcb);

	if (first == NULL || (first->next == NULL && first->len < pcb->mss))
		return;
	tcp_nagle_enable(pcb);
	tcp_output(pcb);
	if (nodelay)
		tcp_nagle_disable(pcb);
}

ssize_t
nsock_tcp_send(struct nsock *s, const void *buf, size_t len, int flags)
{
	bool more = (flags & MSG_MORE) || s->opt.cork;
	size_t done;
	int err;

	err = send_check(s);
	if (err != 0)
		return err;
	if (len == 0)
		return 0;
	done = tcp_queue(s->pcb.tcp, buf, len, more);
	/* Room left but lwIP's segments or heap ran out: not writable until
	   an ACK or lwIP's poll says otherwise, so waiters get an edge. */
	s->send_stalled = done < len && tcp_room(s->pcb.tcp) > 0;
	if (done == 0) {
		nsock_notify(s, false);
		return -EAGAIN;
	}
	if (more)
		tcp_output_full(s->pcb.tcp);
	else
		tcp_output(s->pcb.tcp);
	nsock_notify(s, false);
	return (ssize_t)done;
}

/* Pushes out what TCP_CORK held back, once it is lifted. */
void
nsock_tcp_flush(struct nsock *s)
{
	if (s->pcb.tcp != NULL && s->state == NSOCK_CONNECTED)
		tcp_output(s->pcb.tcp);
}

err_t
nsock_tcp_cb_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
	struct nsock *s = cb_sock(arg, pcb);

	LWIP_UNUSED_ARG(len);
	if (s != NULL) {
		s->send_stalled = false;
		nsock_notify(s, false);
	}
	return ERR_OK;
}

err_t
nsock_tcp_cb_poll(void *arg, struct tcp_pcb *pcb)
{
	struct nsock *s = cb_sock(arg, pcb);

	if (s != NULL) {
		s->send_stalled = false;
		nsock_notify(s, false);
	}
	return ERR_OK;
}

/* ---- Receiving ---- */

static void
rx_append(struct nsock *s, struct pbuf *p)
{
	struct pbuf *last;

	nsock_rx_account(&p);
	s->rx_bytes += p->tot_len;
	for (last = p; last->next != NULL; last = last->next)
		;
	/* Packets are linked as a queue (tot_len is per packet); only
	   this file walks it, by len. */
	if (s->rx_tail != NULL)
		s->rx_tail->next = p;
	else
		s->rx_head = p;
	s->rx_tail = last;
}

/* Copies n queued bytes out without consuming them. */
static void
rx_copy(const struct nsock *s, char *dst, size_t n)
{
	for (struct pbuf *q = s->rx_head; q != NULL && n > 0; q = q->next) {
		size_t k = n < q->len ? n : q->len;

		memcpy(dst, q->payload, k);
		dst += k;
		n -= k;
	}
}

/*
 * Reopens the receive window for withheld bytes as far as the receive
 * buffer allows: unread data plus the open window stay within SO_RCVBUF,
 * at most TCP_WND (the memory a connection may pin), at least the largest
 * window lwIP can offer. A peer that does not scale windows (QEMU's
 * slirp) sees at most 64 KiB; tying that window to unread data would make
 * it wait for every read of 64 KiB, where Linux keeps acknowledging into
 * a larger buffer.
 */
static void
rx_window_update(struct nsock *s)
{
	struct tcp_pcb *pcb = s->pcb.tcp;
	size_t wnd, buf, keep, n;

	if (pcb == NULL || s->state != NSOCK_CONNECTED)
		return;
	wnd = TCP_WND_MAX(pcb);
	buf = (size_t)s->opt.rcvbuf < TCP_WND ? (size_t)s->opt.rcvbuf : TCP_WND;
	if (buf < wnd)
		buf = wnd;
	keep = s->rx_bytes + wnd > buf ? s->rx_bytes + wnd - buf : 0;
	if (s->rx_withheld <= keep)
		return;
	n = s->rx_withheld - keep;
	s->rx_withheld = keep;
	while (n > 0) {		/* tcp_recved() takes a u16_t */
		u16_t k = n > 0xffff ? 0xffff : (u16_t)n;

		tcp_recved(pcb, k);
		n -= k;
	}
}

/* Drops n bytes from the front of the queue and acknowledges them. */
static void
rx_consume(struct nsock *s, size_t n)
{
	size_t left = n;

	s->rx_bytes -= n;
	while (left > 0) {
		struct pbuf *q = s->rx_head;

		LWIP_ASSERT("rx queue shorter than rx_bytes", q != NULL);
		if (left < q->len) {
			pbuf_remove_header(q, left);
			break;
		}
		left -= q->len;
		s->rx_head = q->next;
		q->next = NULL;
		q->tot_len = q->len;
		nsock_pbuf_release(q);
	}
	if (s->rx_head == NULL)
		s->rx_tail = NULL;
	rx_window_update(s);
}

/*
 * Both FINs are through: the pcb only has protocol work left (TIME-WAIT,
 * or the last ACK in CLOSING), which lwIP finishes alone and frees
 * without telling anyone; so hand it over now.
 */
static void
tcp_finished(struct nsock *s)
{
	nsock_tcp_release(s, false);
	s->state = NSOCK_DONE;
}

err_t
nsock_tcp_cb_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	struct nsock *s = cb_sock(arg, pcb);

	LWIP_UNUSED_ARG(err);
	if (s == NULL) {
		if (p != NULL) {
			tcp_recved(pcb, p->tot_len);
			pbuf_free(p);
		}
		return ERR_OK;
	}
	if (p == NULL) {
		s->fin_rcvd = true;
		if (pcb->state == TIME_WAIT || pcb->state == CLOSING)
			tcp_finished(s);
		nsock_notify(s, true);
		return ERR_OK;
	}
	/* A segment netd merged from several (netif.c) is acknowledged at
	   once, as every second full-sized one is (RFC 5681 4.2): lwIP
	   would count it as one and delay. */
	if (p->tot_len > TCP_MSS)
		tcp_ack_now(pcb);
	/* Data after shutdown(SHUT_RD) still queues and reads (Linux). */
	s->rx_withheld += p->tot_len;
	rx_append(s, p);
	rx_window_update(s);
	nsock_notify(s, true);
	return ERR_OK;
}

ssize_t
nsock_tcp_recv(struct nsock *s, void *buf, size_t len, int flags)
{
	size_t n;
	int e;

	if (s->state == NSOCK_LISTEN)
		return -ENOTCONN;
	if (flags & MSG_OOB)
		return -EINVAL;	/* no urgent data is kept */
	if (len == 0 && s->state == NSOCK_CONNECTED)
		return 0;
	if (s->rx_bytes == 0) {
		if (s->fin_rcvd)
			return 0;
		e = nsock_take_error(s);
		if (e != 0) {
			nsock_notify(s, false);
			return -e;
		}
		if (s->rd_shut || s->state == NSOCK_DONE)
			return 0;
		if (s->state == NSOCK_CLOSED)
			return -ENOTCONN;
		return -EAGAIN;
	}
	n = len < s->rx_bytes ? len : s->rx_bytes;
	if (!(flags & MSG_TRUNC))	/* MSG_TRUNC: discard, as Linux */
		rx_copy(s, buf, n);
	if (!(flags & MSG_PEEK)) {
		rx_consume(s, n);
		nsock_notify(s, false);
	}
	return (ssize_t)n;
}

size_t
nsock_tcp_hand_peek(struct nsock *s, void *buf, size_t len, unsigned *events)
{
	size_t n;

	if (s->state == NSOCK_LISTEN || s->state == NSOCK_SYN_SENT ||
	    s->rx_bytes == 0)
		return 0;
	n = len < s->rx_bytes ? len : s->rx_bytes;
	rx_copy(s, buf, n);
	s->rx_bytes -= n;	/* the readiness once they are taken */
	*events = nsock_tcp_poll(s);
	s->rx_bytes += n;
	return n;
}

void
nsock_tcp_handed(struct nsock *s, size_t n)
{
	if (n > s->rx_bytes)
		n = s->rx_bytes;
	rx_consume(s, n);
	s->events = nsock_tcp_poll(s);	/* as posted: nothing new to report */
}

/*
 * What a send is sure to take whole: the kernel sends that much without
 * waiting (include/petrel/sock.h). At most NSOCK_SEND_ROOM_MAX and the
 * buffer's room, and only while lwIP's segment queue has ample slots left
 * (one send may take several, and the kernel keeps up to 8 in flight).
 */
unsigned
nsock_tcp_send_room(struct nsock *s)
{
	const struct tcp_pcb *pcb = s->pcb.tcp;
	u32_t room;

	if (pcb == NULL || s->state != NSOCK_CONNECTED || s->wr_shut ||
	    s->send_stalled || s->error != 0 ||
	    pcb->snd_queuelen + 160 >= TCP_SND_QUEUELEN)
		return 0;
	room = tcp_room(pcb);
	return room < NSOCK_SEND_ROOM_MAX ? room : NSOCK_SEND_ROOM_MAX;
}

void
nsock_tcp_fail(struct nsock *s, int err)
{
	if (s->state != NSOCK_CONNECTED)
		return;
	s->error = err;
	nsock_tcp_release(s, true);
	s->state = NSOCK_DONE;
	nsock_notify(s, true);
}
