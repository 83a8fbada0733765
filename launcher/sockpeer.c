#include "sockpeer.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* The first message of an answer, or NULL with errno (an NLMSG_ERROR). */
static struct nlmsghdr *first_message(char *buf, ssize_t n, uint16_t type)
{
	struct nlmsghdr *h = (struct nlmsghdr *)buf;

	if (!NLMSG_OK(h, (size_t)n)) {
		errno = EPROTO;
		return NULL;
	}
	if (h->nlmsg_type == NLMSG_ERROR) {
		struct nlmsgerr *e = NLMSG_DATA(h);

		errno = e->error ? -e->error : ENOENT;
		return NULL;
	}
	if (h->nlmsg_type != type) {
		errno = EPROTO;
		return NULL;
	}
	return h;
}

/* Sends one sock_diag request of len bytes (no dump), filling in its netlink
 * header, reads its one answer into buf and returns the answer's first
 * message, or NULL with errno. */
static struct nlmsghdr *ask(struct nlmsghdr *req, size_t len, char *buf, size_t size)
{
	struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
	ssize_t n = -1;
	int e, fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);

	if (fd < 0)
		return NULL;
	req->nlmsg_len = (uint32_t)len;
	req->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	req->nlmsg_flags = NLM_F_REQUEST;
	if (sendto(fd, req, len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) >= 0) {
		do
			n = recv(fd, buf, size, 0);
		while (n < 0 && errno == EINTR);
	}
	e = errno;
	close(fd);
	errno = e;
	return n < 0 ? NULL : first_message(buf, n, SOCK_DIAG_BY_FAMILY);
}

static int64_t tcp_peer(int fd)
{
	struct sockaddr_storage me, them;
	socklen_t ml = sizeof(me), tl = sizeof(them);
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 r;
	} req;
	char buf[8192];
	struct nlmsghdr *h;

	if (getsockname(fd, (struct sockaddr *)&me, &ml) < 0 ||
	    getpeername(fd, (struct sockaddr *)&them, &tl) < 0)
		return -1;
	memset(&req, 0, sizeof(req));
	req.r.sdiag_family = (uint8_t)me.ss_family;
	req.r.sdiag_protocol = IPPROTO_TCP;
	req.r.idiag_states = ~0u;
	/* the server's end: its source is the address we connected to */
	if (me.ss_family == AF_INET) {
		const struct sockaddr_in *a = (void *)&me, *b = (void *)&them;

		req.r.id.idiag_sport = b->sin_port;
		req.r.id.idiag_dport = a->sin_port;
		memcpy(req.r.id.idiag_src, &b->sin_addr, 4);
		memcpy(req.r.id.idiag_dst, &a->sin_addr, 4);
	} else if (me.ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (void *)&me, *b = (void *)&them;

		req.r.id.idiag_sport = b->sin6_port;
		req.r.id.idiag_dport = a->sin6_port;
		memcpy(req.r.id.idiag_src, &b->sin6_addr, 16);
		memcpy(req.r.id.idiag_dst, &a->sin6_addr, 16);
	} else {
		errno = EAFNOSUPPORT;
		return -1;
	}
	req.r.id.idiag_cookie[0] = req.r.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
	h = ask(&req.nlh, sizeof(req), buf, sizeof(buf));
	if (!h)
		return -1;
	return ((struct inet_diag_msg *)NLMSG_DATA(h))->idiag_inode;
}

static int64_t unix_peer(int fd)
{
	struct {
		struct nlmsghdr nlh;
		struct unix_diag_req r;
	} req;
	char buf[8192];
	struct nlmsghdr *h;
	struct stat st;
	struct rtattr *a;
	int len;

	if (fstat(fd, &st) < 0)
		return -1;
	memset(&req, 0, sizeof(req));
	req.r.sdiag_family = AF_UNIX;
	req.r.udiag_states = ~0u;
	req.r.udiag_ino = (uint32_t)st.st_ino;
	req.r.udiag_show = UDIAG_SHOW_PEER;
	req.r.udiag_cookie[0] = req.r.udiag_cookie[1] = INET_DIAG_NOCOOKIE;
	h = ask(&req.nlh, sizeof(req), buf, sizeof(buf));
	if (!h)
		return -1;
	len = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(struct unix_diag_msg)));
	for (a = (struct rtattr *)((char *)NLMSG_DATA(h) + NLMSG_ALIGN(sizeof(struct unix_diag_msg)));
	     RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (a->rta_type == UNIX_DIAG_PEER && RTA_PAYLOAD(a) >= sizeof(uint32_t))
			return *(uint32_t *)RTA_DATA(a);
	return 0; /* no peer attribute: not connected to an accepted socket yet */
}

int64_t sockpeer_accepted_inode(int fd)
{
	struct sockaddr_storage me;
	socklen_t ml = sizeof(me);

	if (getsockname(fd, (struct sockaddr *)&me, &ml) < 0)
		return -1;
	if (me.ss_family == AF_UNIX)
		return unix_peer(fd);
	return tcp_peer(fd);
}

bool sockpeer_held_by(pid_t pid, uint64_t ino)
{
	char path[64], want[48], link[64];
	struct dirent *de;
	bool found = false;
	DIR *d;
	int dfd;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	snprintf(want, sizeof(want), "socket:[%llu]", (unsigned long long)ino);
	d = opendir(path);
	if (!d)
		return false;
	dfd = dirfd(d);
	while (!found && (de = readdir(d))) {
		ssize_t n;

		if (de->d_name[0] == '.')
			continue;
		n = readlinkat(dfd, de->d_name, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		found = strcmp(link, want) == 0;
	}
	closedir(d);
	return found;
}
