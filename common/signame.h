/* Signal names as people write them: "TERM", "SIGTERM", "sigterm", or "15". */
#ifndef DEPLOY_RUN_SIGNAME_H
#define DEPLOY_RUN_SIGNAME_H

/* The signal number, or -1 when the name is unknown. */
int signame_to_number(const char *name);
/* "TERM" for 15; "SIG42" style text in buf for others. Returns buf or a static name. */
const char *signame_from_number(int sig, char *buf, unsigned size);

#endif
