/*
 * The loopback interface as ifconfig, ip and glibc see it: the SIOCGIF*
 * ioctls on a socket (flags, index, name, address, netmask, MTU,
 * hardware type; ENODEV for no such interface, ENOTTY for no such
 * request) and a NETLINK_ROUTE socket: its port is the process id, an
 * RTM_GETLINK dump names lo as link 1 and ends with NLMSG_DONE in the
 * same sequence, RTM_GETADDR gives 127.0.0.1/8, a non-dump RTM_GETLINK
 * for index 1 answers lo alone, peeking with MSG_TRUNC tells a
 * datagram's length. Protocols that no Linux has are EPROTONOSUPPORT.
 */
#include "abi.h"
#include "inet.h"

#include <net/if.h>
#include <sys/ioctl.h>
#include <stdbool.h>
#include <stdint.h>

/* <linux/netlink.h> and <linux/rtnetlink.h>, which musl does not ship. */
#define NETLINK_ROUTE 0
#define NLM_F_REQUEST 1
#define NLM_F_DUMP 0x300
#define NLMSG_ERROR 2
#define NLMSG_DONE 3
#define RTM_NEWLINK 16
#define RTM_GETLINK 18
#define RTM_NEWADDR 20
#define RTM_GETADDR 22
#define IFLA_IFNAME 3
#define IFA_LOCAL 2

struct sockaddr_nl {
	unsigned short nl_family, nl_pad;
	uint32_t nl_pid, nl_groups;
};

struct nlmsghdr {
	uint32_t nlmsg_len;
	uint16_t nlmsg_type, nlmsg_flags;
	uint32_t nlmsg_seq, nlmsg_pid;
};

struct ifinfomsg {
	unsigned char ifi_family, pad;
	unsigned short ifi_type;
	int ifi_index;
	unsigned ifi_flags, ifi_change;
};

struct ifaddrmsg {
	uint8_t ifa_family, ifa_prefixlen, ifa_flags, ifa_scope;
	uint32_t ifa_index;
};

struct rtattr {
	unsigned short rta_len, rta_type;
};

#define ALIGN4(n) (((n) + 3) & ~3)
#define NLMSG_OK(h, n) ((n) >= (ssize_t)sizeof(struct nlmsghdr) && \
	(h)->nlmsg_len >= sizeof(struct nlmsghdr) && (h)->nlmsg_len <= (size_t)(n))
#define NLMSG_NEXT(h, n) ((n) -= ALIGN4((h)->nlmsg_len), \
	(struct nlmsghdr *)((char *)(h) + ALIGN4((h)->nlmsg_len)))
#define NLMSG_DATA(h) ((void *)((char *)(h) + sizeof(struct nlmsghdr)))
#define RTA_OK(a, len) ((len) >= (int)sizeof(struct rtattr) && \
	(a)->rta_len >= sizeof(struct rtattr) && (a)->rta_len <= (len))
#define RTA_NEXT(a, len) ((len) -= ALIGN4((a)->rta_len), \
	(struct rtattr *)((char *)(a) + ALIGN4((a)->rta_len)))
#define RTA_DATA(a) ((void *)((char *)(a) + sizeof(struct rtattr)))
/* The attributes after a body of `body` bytes, and their length. */
#define ATTRS(p, body) ((struct rtattr *)((char *)(p) + ALIGN4(body)))
#define ATTRS_LEN(h, body) ((int)(h)->nlmsg_len - (int)sizeof(struct nlmsghdr) - ALIGN4(body))

static void
check_ioctls(void)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct ifreq r;
	memset(&r, 0, sizeof(r));
	strcpy(r.ifr_name, "lo");
	int e = ioctl(s, SIOCGIFFLAGS, &r);
	printf("SIOCGIFFLAGS lo: %s up %d loopback %d running %d\n",
	       errno_name(e < 0 ? errno : 0), !!(r.ifr_flags & IFF_UP),
	       !!(r.ifr_flags & IFF_LOOPBACK), !!(r.ifr_flags & IFF_RUNNING));
	e = ioctl(s, SIOCGIFINDEX, &r);
	printf("SIOCGIFINDEX lo: %s %d\n", errno_name(e < 0 ? errno : 0), r.ifr_ifindex);
	memset(r.ifr_name, 0, sizeof(r.ifr_name));
	r.ifr_ifindex = 1;
	e = ioctl(s, SIOCGIFNAME, &r);
	printf("SIOCGIFNAME 1: %s %s\n", errno_name(e < 0 ? errno : 0), r.ifr_name);
	e = ioctl(s, SIOCGIFADDR, &r);
	struct sockaddr_in *in = (struct sockaddr_in *)&r.ifr_addr;
	printf("SIOCGIFADDR lo: %s %s\n", errno_name(e < 0 ? errno : 0),
	       inet_ntoa(in->sin_addr));
	e = ioctl(s, SIOCGIFNETMASK, &r);
	printf("SIOCGIFNETMASK lo: %s %s\n", errno_name(e < 0 ? errno : 0),
	       inet_ntoa(in->sin_addr));
	e = ioctl(s, SIOCGIFMTU, &r);
	printf("SIOCGIFMTU lo: %s %d\n", errno_name(e < 0 ? errno : 0), r.ifr_mtu);
	e = ioctl(s, SIOCGIFHWADDR, &r);
	printf("SIOCGIFHWADDR lo: %s family %d\n", errno_name(e < 0 ? errno : 0),
	       r.ifr_hwaddr.sa_family);
	strcpy(r.ifr_name, "nosuch9");
	e = ioctl(s, SIOCGIFFLAGS, &r);
	printf("SIOCGIFFLAGS nosuch9: %s\n", errno_name(e < 0 ? errno : 0));
	printf("if_nametoindex lo: %u\n", if_nametoindex("lo"));
	char name[IF_NAMESIZE] = "";
	printf("if_indextoname 1: %s\n", if_indextoname(1, name) ? name : "none");
	struct if_nameindex *all = if_nameindex();
	int lo = 0;
	for (struct if_nameindex *i = all; i && i->if_index; i++)
		lo += i->if_index == 1 && strcmp(i->if_name, "lo") == 0;
	printf("if_nameindex has lo: %d\n", lo);
	if_freenameindex(all);
	close(s);
}

struct request {
	struct nlmsghdr h;
	union {
		struct ifinfomsg link;
		struct ifaddrmsg addr;
	};
};

static void
send_request(int s, int type, int flags, int family, int index, unsigned seq)
{
	struct request q;
	memset(&q, 0, sizeof(q));
	q.h.nlmsg_len = sizeof(q);
	q.h.nlmsg_type = type;
	q.h.nlmsg_flags = NLM_F_REQUEST | flags;
	q.h.nlmsg_seq = seq;
	q.link.ifi_family = family;
	if (type == RTM_GETLINK)
		q.link.ifi_index = index;
	struct sockaddr_nl to = { .nl_family = AF_NETLINK };
	if (sendto(s, &q, sizeof(q), 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		printf("sendto: %s\n", errno_name(errno));
}

/* Reads answers to seq until NLMSG_DONE, an error or a lone answer;
 * prints what concerns lo. */
static void
read_answers(int s, unsigned seq, bool dump)
{
	static char buf[32768];
	int done = 0, lo_link = 0, lo_addr = 0, errors = 0, other_seq = 0;
	while (!done) {
		struct sockaddr_nl from;
		socklen_t flen = sizeof(from);
		ssize_t n = recvfrom(s, buf, sizeof(buf), 0,
				     (struct sockaddr *)&from, &flen);
		if (n < 0) {
			printf("recvfrom: %s\n", errno_name(errno));
			return;
		}
		if (from.nl_pid != 0)
			printf("answer from port %u\n", from.nl_pid);
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, n);
		     h = NLMSG_NEXT(h, n)) {
			other_seq += h->nlmsg_seq != seq || h->nlmsg_pid != (unsigned)getpid();
			if (h->nlmsg_type == NLMSG_DONE) {
				done = 1;
			} else if (h->nlmsg_type == NLMSG_ERROR) {
				errors++;
				done = 1;
			} else if (h->nlmsg_type == RTM_NEWLINK) {
				struct ifinfomsg *i = NLMSG_DATA(h);
				struct rtattr *a = ATTRS(i, sizeof(*i));
				int len = ATTRS_LEN(h, sizeof(*i));
				for (; RTA_OK(a, len); a = RTA_NEXT(a, len))
					if (a->rta_type == IFLA_IFNAME &&
					    strcmp(RTA_DATA(a), "lo") == 0 &&
					    i->ifi_index == 1 &&
					    (i->ifi_flags & IFF_LOOPBACK))
						lo_link++;
			} else if (h->nlmsg_type == RTM_NEWADDR) {
				struct ifaddrmsg *i = NLMSG_DATA(h);
				struct rtattr *a = ATTRS(i, sizeof(*i));
				int len = ATTRS_LEN(h, sizeof(*i));
				for (; RTA_OK(a, len); a = RTA_NEXT(a, len))
					if (a->rta_type == IFA_LOCAL &&
					    i->ifa_family == AF_INET &&
					    *(uint32_t *)RTA_DATA(a) == htonl(0x7f000001))
						lo_addr += i->ifa_prefixlen == 8 &&
							   i->ifa_index == 1;
			}
			if (!dump)
				done = 1;
		}
	}
	printf("lo link %d, 127.0.0.1/8 %d, errors %d, others' %d\n", lo_link,
	       lo_addr, errors, other_seq);
}

static void
check_netlink(void)
{
	int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	struct sockaddr_nl me = { .nl_family = AF_NETLINK };
	printf("bind: %s\n", errno_name(bind(s, (struct sockaddr *)&me,
					     sizeof(me)) < 0 ? errno : 0));
	socklen_t len = sizeof(me);
	getsockname(s, (struct sockaddr *)&me, &len);
	printf("port is the pid: %s, len %u\n",
	       me.nl_pid == (unsigned)getpid() ? "yes" : "no", len);
	send_request(s, RTM_GETLINK, NLM_F_DUMP, AF_UNSPEC, 0, 1);
	read_answers(s, 1, true);
	send_request(s, RTM_GETADDR, NLM_F_DUMP, AF_INET, 0, 2);
	read_answers(s, 2, true);
	send_request(s, RTM_GETLINK, 0, AF_UNSPEC, 1, 3);
	read_answers(s, 3, false);
	send_request(s, RTM_GETLINK, NLM_F_DUMP, AF_UNSPEC, 0, 4);
	char small[16];
	ssize_t n = recv(s, small, sizeof(small), MSG_PEEK | MSG_TRUNC);
	printf("MSG_PEEK|MSG_TRUNC gives the whole length: %s\n",
	       n > (ssize_t)sizeof(small) ? "yes" : "no");
	read_answers(s, 4, true);
	n = recv(s, small, sizeof(small), MSG_DONTWAIT);
	printf("nothing more: %s\n", errno_name(n < 0 ? errno : 0));
	close(s);
	for (int proto = 31; proto <= 33; proto++) {
		s = socket(AF_NETLINK, SOCK_RAW, proto);
		printf("protocol %d: %s\n", proto, errno_name(s < 0 ? errno : 0));
		if (s >= 0)
			close(s);
	}
}

int
main(void)
{
	alarm(ABI_WATCHDOG);
	setvbuf(stdout, NULL, _IONBF, 0);
	check_ioctls();
	check_netlink();
	return 0;
}
