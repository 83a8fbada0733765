/*
 * Which process accepted a connection we made: what tells two generations
 * of a server apart when they share one listening socket (a gunicorn
 * master and the new master it forked on USR2 accept on the same socket,
 * and so do old and new workers after a HUP).
 *
 * The kernel's socket diagnostics (sock_diag(7), netlink) name the
 * server's end of a connection: for TCP an exact lookup by the four-tuple
 * (NETLINK_SOCK_DIAG, inet_diag without a dump), for a unix socket the
 * peer of our own socket (unix_diag, UDIAG_SHOW_PEER).  That end has an
 * inode only once a process accept()ed it: while it waits in the listen
 * queue the inode is 0.  The process holding it is then found among a few
 * candidate pids by their /proc/PID/fd links ("socket:[INODE]").
 */
#ifndef DEPLOY_RUN_SOCKPEER_H
#define DEPLOY_RUN_SOCKPEER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * The inode of the server's end of the connected stream socket fd (TCP
 * over IPv4 or IPv6, or a unix socket): > 0 once accepted, 0 while it
 * still waits in the listen queue.  Returns -1 with errno when the kernel
 * cannot say (no sock_diag support: EPROTONOSUPPORT, ENOENT...).
 */
int64_t sockpeer_accepted_inode(int fd);

/* Whether process pid has a file descriptor open on the socket with inode ino. */
bool sockpeer_held_by(pid_t pid, uint64_t ino);

#endif
