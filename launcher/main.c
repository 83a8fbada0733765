#include <stdio.h>
int main(void) { puts("deploy-run " DEPLOY_RUN_VERSION); return 0; }
